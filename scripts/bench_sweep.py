"""Benchmark the sweep: how long a timer event takes to reconcile N clusters, MAX_CONCURRENCY at a time.

    python -m scripts.bench_sweep [--clusters 200] [--concurrency 8 16] [--latency-ms 20] [--repeat 3]

A generated scenario gives every cluster the same work: one successful upgrade task that ended inside the
timer event's window and a workflow whose ``Cluster`` point is ``Success`` and ``PostCheck`` point ``Init``.
So each cluster costs seven calls (its upgrade tasks and workflows, the health gate's nodes, node pools and
add-ons, the post-check, the publish) and the sweep one more (list_clusters). The stand-in answers every call
after ``--latency-ms``.

The stand-in runs in its own process (``python -m scripts.standin``), so that its work does not share the
function's GIL; it is restarted for every run, because a post-check marks the workflow's ``PostCheck``
point done and ``POST /_standin/reset`` only clears logs and faults. ``index.handler`` runs in this process,
as FunctionGraph would call it; its JSON log lines are formatted as usual and written to /dev/null.

Measured in one go, round-robin over the repeats (after one discarded warm-up run):

- the fixed cost: a sweep that lists the project's clusters and selects none (CLUSTER_IDS = an unknown ID);
- one cluster's latency: a sweep restricted to one cluster (CLUSTER_IDS = its ID);
- the full sweep's wall time for each concurrency C.

ideal(C) = ceil(N / C) x (one cluster - fixed) + fixed: what perfect overlap of the waits would give;
ratio = measured median / ideal. Every full sweep must have checked all N clusters, published N
notifications and sent exactly the calls above, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "function") not in sys.path:
    sys.path.insert(0, str(ROOT / "function"))

from scripts import harness  # noqa: E402

PROJECT = "b3e1c0a2d4f6489ab1c2d3e4f5a6b7c8"
REGION = "cn-north-4"
TOPIC = f"urn:smn:{REGION}:{PROJECT}:cce-upgrades"
AK, SK, TOKEN = "AKBENCHSWEEP00000001", "sk-bench-sweep-secret", "token-bench-sweep"
# The timer event's own time anchors the sweep's window (ANCHOR - 60 min, ANCHOR]; every task ends inside it.
ANCHOR = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)
WINDOW_MINUTES = 60
FROM_VERSION, TO_VERSION = "v1.27.3-r0", "v1.28.3-r0"
_IDS = uuid.UUID("6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b")
UNKNOWN_CLUSTER = str(uuid.uuid5(_IDS, "not-in-the-project"))
# Per cluster: the calls each costs; per sweep: one list_clusters.
PER_CLUSTER_CALLS = ("list_upgrade_tasks", "list_workflows", "list_nodes", "list_node_pools", "list_addon_instances",
                     "postcheck", "publish")
LISTENING = re.compile(r"standin listening on (?P<url>http://\S+) \(project (?P<project>[^)]+)\)")
STARTUP_TIMEOUT_S = 30.0
INVOCATION_TIMEOUT_S = 900.0  # generous: the benchmark measures, the deadline must never cut anything short
DASH = "\N{EN DASH}"


@dataclass(frozen=True)
class _Keys:
    ak: str
    sk: str
    security_token: str | None


_BENCH_KEYS = _Keys(AK, SK, TOKEN)


class BenchmarkError(RuntimeError):
    """A run did not do what the benchmark counts on: its time would mean nothing."""


# -- the scenario -------------------------------------------------------------------------------------------


def _cce_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")


def cluster_ids(count: int) -> list[str]:
    return [str(uuid.uuid5(_IDS, f"cluster-{index}")) for index in range(count)]


def make_scenario(count: int) -> dict[str, Any]:
    """``count`` clusters, each with one successful upgrade that ended in the window and is not checked yet."""
    clusters = []
    for index, cid in enumerate(cluster_ids(count)):
        task_id = str(uuid.uuid5(_IDS, f"task-{index}"))
        ended = ANCHOR - timedelta(minutes=20, seconds=index % 1200)  # inside (ANCHOR - 60 min, ANCHOR]
        started = ended - timedelta(minutes=30)
        clusters.append({
            "id": cid,
            "name": f"bench-{index:04d}",
            "version": TO_VERSION,
            "postcheck_phase": "Success",
            "upgrade_tasks": [{
                "uid": task_id, "version": FROM_VERSION, "targetVersion": TO_VERSION, "phase": "Success",
                "creationTimestamp": _cce_time(started), "updateTimestamp": _cce_time(ended),
                "completionTime": _cce_time(ended),
            }],
            "workflows": [{
                "uid": str(uuid.uuid5(_IDS, f"workflow-{index}")),
                "clusterVersion": FROM_VERSION, "targetVersion": TO_VERSION, "phase": "Running",
                "creationTimestamp": _cce_time(started - timedelta(minutes=10)),
                "updateTimestamp": _cce_time(ended),
                "points": [
                    {"taskType": "PreCheck", "status": "Success", "taskID": str(uuid.uuid5(_IDS, f"pre-{index}")),
                     "startTimeStamp": _cce_time(started - timedelta(minutes=9)),
                     "endTimeStamp": _cce_time(started - timedelta(minutes=5))},
                    {"taskType": "Cluster", "status": "Success", "taskID": task_id,
                     "startTimeStamp": _cce_time(started), "endTimeStamp": _cce_time(ended)},
                    {"taskType": "PostCheck", "status": "Init"},
                ],
            }],
        })
    return {
        "project_id": PROJECT,
        "credentials": [{"ak": AK, "sk": SK, "security_token": TOKEN}],
        "topics": [TOPIC],
        "latency_ms": 0,
        "clusters": clusters,
        "faults": [],
    }


def timer_event() -> dict[str, Any]:
    return {"version": "v2.0", "time": ANCHOR.isoformat(), "trigger_type": "TIMER",
            "trigger_name": "postcheck-sweep", "user_event": ""}


# -- the stand-in, in a process of its own ------------------------------------------------------------------


class StandInProcess:
    """``python -m scripts.standin`` as a child process: started, asked, stopped."""

    def __init__(self, scenario: Path, latency_ms: int, workdir: Path) -> None:
        self._command = [sys.executable, "-m", "scripts.standin", "--scenario", str(scenario), "--port", "0",
                         "--latency-ms", str(latency_ms)]
        self._stderr_path = workdir / "standin.stderr"
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> StandInProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        with self._stderr_path.open("w") as stderr:  # a file: a chatty child can never block on a full pipe
            self._process = subprocess.Popen(self._command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr,
                                             text=True)
        first = self._first_line()
        match = LISTENING.search(first)
        if not match:
            self.stop()
            raise BenchmarkError(f"the stand-in did not start: {first.strip() or self._stderr_tail()}")
        if match["project"] != PROJECT:
            self.stop()
            raise BenchmarkError(f"the stand-in serves project {match['project']}, expected {PROJECT}")
        self.url = match["url"]

    def _first_line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        stdout = self._process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            return lines.get(timeout=STARTUP_TIMEOUT_S)
        except queue.Empty:
            return ""

    def _stderr_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self._stderr_path.read_text()[-2000:]
        return ""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        try:
            process.communicate(timeout=15)  # drains the messages it prints on the way out
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()

    @property
    def credentials(self) -> harness.Keys:
        """The keys of the generated scenario (``make_scenario``), which every run's stand-in serves."""
        return _BENCH_KEYS

    @property
    def project_id(self) -> str:
        return PROJECT

    def admin(self, name: str) -> Any:
        url = f"{self.url}/_standin/{name}"
        if not url.startswith("http://127.0.0.1:"):
            raise BenchmarkError(f"refusing to call {url}")
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - a local http URL, checked above
            return json.loads(answer.read())

    def cpu_seconds(self) -> float | None:
        """User + system CPU the stand-in process has used so far (Linux; None elsewhere)."""
        if self._process is None:
            return None
        try:
            fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None


# -- one run ------------------------------------------------------------------------------------------------


@dataclass
class Run:
    kind: str  # "fixed" | "one" | "sweep"
    concurrency: int
    wall_s: float
    cpu_s: float  # CPU of this process (the function's threads) during the invocation
    standin_cpu_s: float | None
    summary: dict[str, int]
    published: int
    operations: dict[str, int]


@contextlib.contextmanager
def _function_logs_discarded() -> Iterator[None]:
    """The function's log handler formats every line as usual but writes it to /dev/null."""
    import logging

    from postcheck import logs

    logs.configure()
    handlers = [h for h in logging.getLogger(logs.LOGGER_NAME).handlers if getattr(h, "_postcheck", False)]
    with open(os.devnull, "w") as devnull:
        previous = [h.setStream(devnull) for h in handlers if isinstance(h, logging.StreamHandler)]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, previous, strict=False):
                if stream is not None:
                    handler.setStream(stream)


@dataclass(frozen=True)
class Target:
    """How every run's stand-in is started."""

    scenario: Path
    workdir: Path
    latency_ms: int

    def start(self) -> StandInProcess:
        return StandInProcess(self.scenario, self.latency_ms, self.workdir)


def run_once(target: Target, concurrency: int, kind: str, selected: str | None) -> Run:
    """Start a fresh stand-in, invoke the handler with the timer event, time it, read what the stand-in saw."""
    variables = {"REGION": REGION, "DRY_RUN": "false", "SWEEP_WINDOW_MINUTES": str(WINDOW_MINUTES),
                 "MAX_CONCURRENCY": str(concurrency)}
    if selected:
        variables["CLUSTER_IDS"] = selected
    # forgetting: the next run talks to another stand-in (another port)
    with harness.forgetting(), target.start() as standin:
        context = harness.context_for(standin, TOPIC, timeout_s=INVOCATION_TIMEOUT_S, **variables)
        server_before = standin.cpu_seconds()
        cpu_before = time.process_time()
        start = time.perf_counter()
        try:
            result = harness.invoke(timer_event(), context)
        except Exception as exc:  # reported with the run it belongs to
            raise BenchmarkError(f"{kind} run (concurrency {concurrency}) failed: "
                                 f"{type(exc).__name__}: {exc}") from exc
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_before
        server_after = standin.cpu_seconds()
        published = len(standin.admin("published"))
        operations = Counter(r["operation"] for r in standin.admin("requests"))
    if result.get("outcome") != "swept":
        raise BenchmarkError(f"{kind} run: expected a swept result, got {json.dumps(result)[:2000]}")
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return Run(kind, concurrency, wall, cpu, server_cpu, dict(result["summary"]), published, dict(operations))


def _expect(run: Run, clusters: int) -> None:
    """The run did exactly the work it is timed for: ``clusters`` checked and published, no retry, no extra."""
    calls = {"list_clusters": 1, **dict.fromkeys(PER_CLUSTER_CALLS, clusters)}
    expected_calls = {op: n for op, n in calls.items() if n}
    problems = []
    if run.summary.get("checked") != clusters:
        problems.append(f"summary.checked is {run.summary.get('checked')}, expected {clusters} "
                        f"(summary {run.summary})")
    if run.published != clusters:
        problems.append(f"{run.published} notifications published, expected {clusters}")
    if run.operations != expected_calls:
        problems.append(f"calls {run.operations}, expected {expected_calls}")
    if problems:
        raise BenchmarkError(f"{run.kind} run (concurrency {run.concurrency}): " + "; ".join(problems))


# -- the benchmark ------------------------------------------------------------------------------------------


@dataclass
class Stat:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


@dataclass
class Row:
    concurrency: int
    wall: Stat
    ideal_s: float
    cpu: Stat
    standin_cpu: Stat | None

    @property
    def ratio(self) -> float:
        return self.wall.median / self.ideal_s if self.ideal_s > 0 else math.inf


@dataclass
class Report:
    clusters: int
    latency_ms: int
    repeat: int
    python: str
    cpus: int | None
    fixed: Stat  # a sweep that lists the clusters and selects none
    one: Stat  # a sweep of one cluster
    rows: list[Row]
    runs: list[Run] = field(default_factory=list)
    total_s: float = 0.0

    @property
    def per_cluster_s(self) -> float:
        return max(0.0, self.one.median - self.fixed.median)


def ideal_s(clusters: int, concurrency: int, one_s: float, fixed_s: float) -> float:
    """ceil(N / C) rounds of one cluster's own time, plus the sweep's fixed cost once."""
    return math.ceil(clusters / concurrency) * max(0.0, one_s - fixed_s) + fixed_s


def run_benchmark(clusters: int = 200, concurrencies: Sequence[int] = (8, 16), latency_ms: int = 20,
                  repeat: int = 3, progress: Callable[[str], None] | None = None) -> Report:
    """Every measurement in one go; raises :class:`BenchmarkError` when a run did not check every cluster."""
    if clusters < 1 or repeat < 1 or latency_ms < 0 or not concurrencies or min(concurrencies) < 1:
        raise ValueError("clusters, repeat and every concurrency must be positive, latency_ms not negative")
    if os.environ.get("CLUSTER_IDS", "").strip():
        raise BenchmarkError("CLUSTER_IDS is set in the environment: unset it, or full sweeps would not be full")
    say = progress or (lambda _message: None)
    began = time.perf_counter()
    ids = cluster_ids(clusters)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp, _function_logs_discarded():
        target = Target(Path(tmp) / "scenario.json", Path(tmp), latency_ms)
        target.scenario.write_text(json.dumps(make_scenario(clusters)))
        import index  # noqa: F401 - imported before any timing: module loading is no part of a sweep

        say("warm-up: one cluster (not counted)")
        _expect(run_once(target, 1, "warm-up", ids[0]), 1)
        for round_ in range(1, repeat + 1):
            fixed = run_once(target, 1, "fixed", UNKNOWN_CLUSTER)
            _expect(fixed, 0)
            one = run_once(target, 1, "one", ids[0])
            _expect(one, 1)
            runs += [fixed, one]
            say(f"round {round_}/{repeat}: fixed {fixed.wall_s:.3f} s, one cluster {one.wall_s:.3f} s")
            for concurrency in concurrencies:
                full = run_once(target, concurrency, "sweep", None)
                _expect(full, clusters)
                runs.append(full)
                say(f"round {round_}/{repeat}: {clusters} clusters at concurrency {concurrency}: "
                    f"{full.wall_s:.3f} s (function CPU {full.cpu_s:.2f} s)")
    fixed_stat = Stat([r.wall_s for r in runs if r.kind == "fixed"])
    one_stat = Stat([r.wall_s for r in runs if r.kind == "one"])
    rows = []
    for concurrency in concurrencies:
        mine = [r for r in runs if r.kind == "sweep" and r.concurrency == concurrency]
        server = [r.standin_cpu_s for r in mine if r.standin_cpu_s is not None]
        rows.append(Row(concurrency, Stat([r.wall_s for r in mine]),
                        ideal_s(clusters, concurrency, one_stat.median, fixed_stat.median),
                        Stat([r.cpu_s for r in mine]), Stat(server) if len(server) == len(mine) else None))
    return Report(clusters, latency_ms, repeat, platform.python_version(), _cpus(), fixed_stat, one_stat, rows,
                  runs, time.perf_counter() - began)


def _cpus() -> int | None:
    with contextlib.suppress(AttributeError, OSError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


# -- output -------------------------------------------------------------------------------------------------


def table(report: Report) -> str:
    lines = ["| concurrency | median wall (s) | spread min" + DASH + "max (s) | ideal (s) | ratio |",
             "|---:|---:|---:|---:|---:|"]
    for row in report.rows:
        lines.append(f"| {row.concurrency} | {row.wall.median:.3f} | {row.wall.low:.3f}{DASH}{row.wall.high:.3f} "
                     f"| {row.ideal_s:.3f} | {row.ratio:.2f} |")
    return "\n".join(lines)


def describe(report: Report) -> str:
    fixed, one = report.fixed, report.one
    lines = [
        f"sweep benchmark: N = {report.clusters} clusters, per-call latency {report.latency_ms} ms, "
        f"repeat {report.repeat}, Python {report.python}, {report.cpus} CPU(s)",
        f"fixed cost (sweep listing {report.clusters} clusters, selecting none): median {fixed.median:.3f} s "
        f"({fixed.low:.3f}{DASH}{fixed.high:.3f}); one list_clusters call at this latency is >= "
        f"{report.latency_ms / 1000:.3f} s",
        f"one cluster (CLUSTER_IDS = one ID): median {one.median:.3f} s ({one.low:.3f}{DASH}{one.high:.3f}); "
        f"its own part (one cluster - fixed): {report.per_cluster_s:.3f} s for {len(PER_CLUSTER_CALLS)} calls, "
        f"{report.per_cluster_s / len(PER_CLUSTER_CALLS) * 1000:.1f} ms a call",
        f"ideal = ceil(N / C) x {report.per_cluster_s:.3f} s + {fixed.median:.3f} s; ratio = median wall / ideal",
    ]
    per_call_ms = report.per_cluster_s / len(PER_CLUSTER_CALLS) * 1000
    if per_call_ms > report.latency_ms + 15:
        lines.append(f"WARNING: a call takes {per_call_ms:.0f} ms at a latency setting of {report.latency_ms} ms. "
                     "A stand-in that sends headers and body in two writes without TCP_NODELAY stalls ~40 ms "
                     "per answer (Nagle + delayed ACK): check _Handler.disable_nagle_algorithm in "
                     "scripts/standin/server.py")
    calls = report.clusters * len(PER_CLUSTER_CALLS) + 1
    lines += [
        "",
        table(report),
        "",
        "Where the time goes: the function's CPU (all its threads, one GIL) and the stand-in's, per full sweep. "
        "CPU floor = function CPU / ideal: the ratio cannot go below it while the function's CPU work is serial.",
        "",
        "| concurrency | function CPU (s) | per call (ms) | function CPU / wall | CPU floor | stand-in CPU (s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report.rows:
        server = f"{row.standin_cpu.median:.2f}" if row.standin_cpu else "n/a"
        lines.append(f"| {row.concurrency} | {row.cpu.median:.2f} | {row.cpu.median / calls * 1000:.1f} "
                     f"| {row.cpu.median / row.wall.median:.2f} | {row.cpu.median / row.ideal_s:.2f} | {server} |")
    lines += ["", f"benchmark took {report.total_s:.1f} s ({len(report.runs)} timed runs + 1 warm-up)"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_sweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clusters", type=int, default=200, help="clusters in the project (default 200)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 16],
                        help="MAX_CONCURRENCY values to measure (default 8 16)")
    parser.add_argument("--latency-ms", type=int, default=20, help="the stand-in's delay per call (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    args = parser.parse_args(argv)
    try:
        report = run_benchmark(args.clusters, args.concurrency, args.latency_ms, args.repeat,
                               progress=lambda message: print(f"# {message}", file=sys.stderr, flush=True))
    except (BenchmarkError, ValueError) as exc:
        print(f"bench_sweep: {exc}", file=sys.stderr)
        return 1
    print(describe(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
