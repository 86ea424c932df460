"""Cold and warm start of the function, as ratios against the SDK's floor, measured in the same run.

    python -m scripts.bench_coldstart [--runs 15] [--package dist/cce-postcheck-Python3.11.zip]

Cold: a fresh interpreter that imports the handler and handles one event against the stand-in (run in its
own process), against a fresh interpreter that only does ``import huaweicloudsdkcore.client, pydantic``
(the floor any handler built on them pays), and one that also builds and uses one pydantic model (what
any handler that validates with pydantic pays first: pydantic loads most of itself on that first use).
They run alternately, with and without bytecode (without: ``-X pycache_prefix`` pointing at an empty folder,
so every module is compiled from source), isolated from the environment (``-I -S``) with only the code on
``sys.path``: the venv's site-packages and ``function/``, or an unpacked deployment package (``--package``).
Wall time and peak RSS of each process.

Warm: one process handles the same event many times; the handler's own time is the invocation's time minus
the time spent inside ``requests.Session.send`` (the network and the stand-in's share, body included).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from scripts.local_context import CHILD_CONTEXT_SOURCE

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "tests" / "scenarios" / "demo.json"
EVENT = ROOT / "tests" / "events" / "manual_with_versions.json"

FLOOR = "import huaweicloudsdkcore.client, pydantic"
# The floor plus what any handler that validates with pydantic pays before its own code: one model, built
# and used (pydantic imports most of itself lazily, on that first use).
PYDANTIC_FLOOR = FLOOR + """
from pydantic import BaseModel
class Event(BaseModel):
    cluster_id: str
Event.model_validate({"cluster_id": "x"})
"""
HANDLE_ONE = CHILD_CONTEXT_SOURCE + """
import json, sys
cfg = json.loads(sys.argv[1])
import index
result = index.handler(cfg["event"], Context(cfg))
assert result["outcome"] == "checked", result
"""
WARM = CHILD_CONTEXT_SOURCE + """
import json, sys, time
import requests
cfg = json.loads(sys.argv[1])
spent = [0.0]
send = requests.Session.send
def timed(self, *a, **k):
    t = time.perf_counter()
    try:
        return send(self, *a, **k)
    finally:
        spent[0] += time.perf_counter() - t
requests.Session.send = timed
import index
ctx = Context(cfg)
index.handler(cfg["event"], ctx)
own = []
for _ in range(cfg["n"]):
    spent[0] = 0.0
    t = time.perf_counter()
    result = index.handler(cfg["event"], ctx)
    own.append(time.perf_counter() - t - spent[0])
    assert result["outcome"] == "checked", result
print(json.dumps(own))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="cold runs of each process, per bytecode mode")
    parser.add_argument("--warm", type=int, default=200, help="warm invocations")
    parser.add_argument("--package", type=Path, help="a deployment zip built for this Python (default: venv)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, _standin() as standin:
        paths = _paths(args.package, Path(tmp))
        cfg = _config(standin)
        rows = []
        for label, prefix in (("with bytecode", None), ("without bytecode", Path(tmp) / "no-pyc")):
            rows.append((label, *_cold(paths, cfg, args.runs, prefix)))
        warm = _warm(paths, cfg, args.warm)
    _report(rows, warm, args)
    return 0


class _standin:
    """The demo scenario without its upgrade workflow: no record says the check was done, so every run of the
    event does the whole check (the upgrade's reads, the health gate, the post-check, the publish)."""

    def __enter__(self) -> dict[str, Any]:
        scenario = json.loads(SCENARIO.read_text())
        for cluster in scenario["clusters"]:
            cluster["workflows"] = []
        self.file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        with self.file:
            json.dump(scenario, self.file)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scripts.standin", "--scenario", self.file.name, "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        url = line.split()[3]
        return {"url": url, "scenario": scenario}

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.communicate(timeout=10)
        os.unlink(self.file.name)


def _paths(package: Path | None, tmp: Path) -> list[str]:
    if package is None:
        return [str(ROOT / "function"), sysconfig.get_paths()["purelib"]]
    target = tmp / "package"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(target)
    return [str(target)]


def _config(standin: dict[str, Any]) -> dict[str, Any]:
    scenario = standin["scenario"]
    cred = scenario["credentials"][0]
    env = {"SMN_TOPIC_URN": scenario["topics"][0], "CCE_ENDPOINT": standin["url"], "SMN_ENDPOINT": standin["url"]}
    return {"ak": cred["ak"], "sk": cred["sk"], "token": cred.get("security_token"), "project": scenario["project_id"],
            "env": env, "event": json.loads(EVENT.read_text())}


def _command(paths: list[str], body: str, prefix: Path | None) -> list[str]:
    options = ["-I", "-S", "-B"] + (["-X", f"pycache_prefix={prefix}"] if prefix else [])
    return [sys.executable, *options, "-c", f"import sys; sys.path[:0] = {paths!r}\n{body}"]


def _measure(command: list[str], arg: str | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    process = subprocess.Popen([*command, *([arg] if arg else [])], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"benchmark process failed: {' '.join(command[:6])} ...")
    return elapsed, usage.ru_maxrss


def _cold(paths: list[str], cfg: dict[str, Any], runs: int, prefix: Path | None):
    floor, with_pydantic, handler = [], [], []
    arg = json.dumps(cfg)
    for _ in range(runs):  # alternate, so that all see the same noise
        floor.append(_measure(_command(paths, FLOOR, prefix)))
        with_pydantic.append(_measure(_command(paths, PYDANTIC_FLOOR, prefix)))
        handler.append(_measure(_command(paths, HANDLE_ONE, prefix), arg))
    return floor, with_pydantic, handler


def _warm(paths: list[str], cfg: dict[str, Any], n: int) -> list[float]:
    out = subprocess.run([*_command(paths, WARM, None), json.dumps({**cfg, "n": n})], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _stats(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    quart = statistics.quantiles(ordered, n=4) if len(ordered) >= 4 else [ordered[0], 0, ordered[-1]]
    return statistics.median(ordered), quart[0], quart[2]


def _report(rows: list[Any], warm: list[float], args: argparse.Namespace) -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
          f"code from {'package ' + str(args.package) if args.package else 'venv + function/'}; "
          f"{args.runs} cold runs each; median [interquartile range]")
    print()
    print("| bytecode | floor time s | handler time s | **time ratio** | floor + 1st pydantic model: ratio "
          "| floor peak MB | handler peak MB | **memory ratio** |")
    print("|---|---|---|---|---|---|---|---|")
    for label, floor, with_pydantic, handler in rows:
        ft, pt, ht = (_stats([run[0] for run in runs]) for runs in (floor, with_pydantic, handler))
        fm, hm = _stats([f[1] / 1024 for f in floor]), _stats([h[1] / 1024 for h in handler])
        print(f"| {label} | {ft[0]:.3f} [{ft[1]:.3f}-{ft[2]:.3f}] | {ht[0]:.3f} [{ht[1]:.3f}-{ht[2]:.3f}] | "
              f"**{ht[0] / ft[0]:.2f}x** | {pt[0] / ft[0]:.2f}x | {fm[0]:.1f} | {hm[0]:.1f} | "
              f"**{hm[0] / fm[0]:.2f}x** |")
    ms = _stats([w * 1000 for w in warm])
    print()
    print(f"Warm invocation, the handler's own time (stand-in excluded), {len(warm)} runs: "
          f"median {ms[0]:.2f} ms [{ms[1]:.2f}-{ms[2]:.2f}]")


if __name__ == "__main__":
    sys.exit(main())
