"""``python -m scripts.standin --scenario FILE [--port N] [--latency-ms N]``.

Prints ``standin listening on http://127.0.0.1:PORT (project <id>)``, serves until SIGINT or
SIGTERM, then prints the published messages as JSON and exits 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from scripts.standin.scenario import ScenarioError
from scripts.standin.server import StandIn


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.standin", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", required=True, help="scenario JSON file")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--latency-ms", type=int, default=None, help="delay every API response (ms)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        standin = StandIn(args.scenario, port=args.port, latency_ms=args.latency_ms)
    except (ScenarioError, ValueError) as error:
        print(f"standin: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    with standin:
        print(f"standin listening on {standin.url} (project {standin.project_id})", flush=True)
        while not stop.wait(0.2):
            pass
    print(json.dumps(standin.published, indent=2, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
