"""Invoke the handler with an event file, as FunctionGraph would, and print what happened.

Against the local stand-in (default): starts it with a scenario, points the function at it, invokes,
then prints the result and every notification as SMN received it.

Against the real cloud (``--cloud``): the keys, project and configuration come from the environment
(see docs/deployment.md, "Run against the real cloud"); nothing is started.

    python -m scripts.invoke tests/events/cts_cluster_upgrade.json
    python -m scripts.invoke tests/events/manual.json --scenario tests/scenarios/demo.json
    python -m scripts.invoke tests/events/manual.json --cloud
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "function"))

from scripts import harness  # noqa: E402
from scripts.local_context import LocalContext  # noqa: E402

DEFAULT_SCENARIO = ROOT / "tests" / "scenarios" / "demo.json"
CLOUD_KEYS = ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("event", type=Path, help="a JSON event file, e.g. tests/events/manual.json")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="stand-in scenario file")
    parser.add_argument("--cloud", action="store_true", help="call the real CCE and SMN (keys from the environment)")
    parser.add_argument("--timeout", type=float, default=120.0, help="the invocation's time budget in seconds")
    args = parser.parse_args(argv)
    event = args.event.read_bytes()
    if args.cloud:
        return _cloud(event, args.timeout)
    return _local(event, args.scenario, args.timeout)


def _local(event: bytes, scenario: Path, timeout: float) -> int:
    with harness.running(scenario) as standin:
        context = harness.context_for(standin, _first_topic(scenario), timeout_s=timeout)
        print(f"# stand-in CCE and SMN at {standin.url}; invoking index.handler", file=sys.stderr)
        code = _run(event, context)
        for message in standin.published:
            _notification(message)
        if not standin.published:
            print("# SMN received no notification", flush=True)
        return code


def _cloud(event: bytes, timeout: float) -> int:
    missing = [name for name in (*CLOUD_KEYS, "PROJECT_ID", "SMN_TOPIC_URN") if not os.environ.get(name)]
    if missing:
        print(f"--cloud needs these environment variables: {', '.join(missing)}", file=sys.stderr)
        return 2
    context = LocalContext(os.environ["HUAWEICLOUD_SDK_AK"], os.environ["HUAWEICLOUD_SDK_SK"],
                           os.environ.get("HUAWEICLOUD_SDK_SECURITY_TOKEN"), os.environ["PROJECT_ID"], {}, timeout)
    return _run(event, context)


def _run(event: bytes, context: LocalContext) -> int:
    try:
        result = harness.invoke(event, context)
    except Exception as exc:  # noqa: BLE001 - shown as FunctionGraph shows a failed invocation
        print(f"invocation failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    _section("result", result)
    return 0


def _section(title: str, value: Any) -> None:
    print(f"# {title}", flush=True)
    print(json.dumps(value, indent=2, ensure_ascii=False), flush=True)


def _notification(message: dict[str, Any]) -> None:
    bodies = message.get("message_structure") or {}
    print(f"# notification received by SMN (message_id {message.get('message_id')})", flush=True)
    print(f"subject: {message.get('subject')}", flush=True)
    print(f"--- email ---\n{bodies.get('email', '').rstrip()}", flush=True)
    print(f"--- sms ---\n{bodies.get('sms', '')}", flush=True)
    print(f"--- https (JSON) ---\n{bodies.get('https', '')}", flush=True)


def _first_topic(scenario: Path) -> str:
    return json.loads(scenario.read_text())["topics"][0]


if __name__ == "__main__":
    sys.exit(main())
