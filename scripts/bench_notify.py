"""Benchmark: how soon after an upgrade ends its owners are told, and how many CCE calls following it costs.

    python -m scripts.bench_notify [--real 3 10 25] [--simulated 600 3600 10800 21600] [--seeds 5]

An upgrade event (``tests/events/cts_cluster_upgrade.json``) arrives while its upgrade task is ``Running``; the
task ends ``L`` seconds later; the function follows it and publishes the outcome. Measured against the local
stand-in, through the real handler path, the real SDK and real HTTP:

- **real time** (``--real``, short upgrades): the handler runs as FunctionGraph calls it; a timer thread ends the
  task after ``L`` s; the delay is the time from that moment to the handler's return (its publish is its last
  call);
- **injected clock** (``--simulated``, upgrades of hours): the function's clock, deadline and ``sleep`` are a fake
  clock that only its own pauses advance; the task ends when the fake clock passes ``L``. The delay is the fake
  time from ``L`` to the poll that sees the end, plus the real time the calls after it took (reads, the health
  gate, the post-check, the publish).

For each, the median and maximum delay, and the CCE calls spent (per upgrade). Each simulated length runs with
``--seeds`` different jitter seeds. docs/performance.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from scripts import harness
from scripts.local_context import LocalContext
from scripts.standin import StandIn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "function"))
SCENARIO = json.loads((ROOT / "tests" / "scenarios" / "demo.json").read_text())
EVENT = json.loads((ROOT / "tests" / "events" / "cts_cluster_upgrade.json").read_text())
CLUSTER = SCENARIO["clusters"][0]["id"]
START = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)  # when the simulated upgrades start
BUDGET_S = 23_400.0  # template.yaml's timeout


@dataclass(frozen=True)
class Sample:
    mode: str  # "real" or "simulated"
    length_s: float
    delay_s: float  # end of the upgrade → the notification
    waited_s: float  # of which: the last pause (fake or real), before the poll that saw the end
    calls: dict[str, int]
    outcome: str


class FakeTime:
    """A clock that only ``sleep`` advances; ``on_sleep`` hooks see the new time."""

    def __init__(self, start: datetime) -> None:
        self.now_s = 0.0
        self._start = start
        self.on_sleep: list[Callable[[float], None]] = []

    def monotonic(self) -> float:
        return self.now_s

    def wall(self) -> datetime:
        return self._start + timedelta(seconds=self.now_s)

    def sleep(self, seconds: float) -> None:
        self.now_s += max(0.0, seconds)
        for hook in self.on_sleep:
            hook(self.now_s)


def _cce_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")


def _start_upgrade(standin: StandIn) -> Any:
    """The demo cluster at the start of its upgrade: the task running, the cluster on its old version."""
    cluster = standin.cluster(CLUSTER)
    task = cluster.upgrade_tasks[0]
    task.phases, task.reads, task.completion_time = ["Running"], 0, None
    cluster.version = task.version
    for workflow in cluster.workflows:
        for point in workflow.points:
            if point.task_type in ("Cluster", "PostCheck"):
                point.status, point.end_time_stamp = "Init", None
    standin.reset()
    return task


def _end(task: Any, at: datetime) -> None:
    """The task's walk turns to Success at its next read, which stamps its end (the stand-in moves the
    cluster's version and the workflow's Cluster step then)."""
    task.completion_time = _cce_time(at)
    task.phases = ["Running"] * task.reads + ["Success"]


def _new_trace() -> dict[str, Any]:
    """The sample upgrade event as a new trace: a redelivery of one trace reuses what was done for it."""
    import uuid

    event = json.loads(json.dumps(EVENT))
    event["cts"]["trace_id"] = str(uuid.uuid4())
    return event


def _calls(standin: StandIn) -> dict[str, int]:
    return dict(Counter(r["operation"] for r in standin.requests))


def _context(standin: StandIn, timeout_s: float) -> LocalContext:
    return harness.context_for(standin, SCENARIO["topics"][0], timeout_s=timeout_s)


def run_real(standin: StandIn, length_s: float) -> Sample:
    """One upgrade of ``length_s`` real seconds, followed by the handler as FunctionGraph calls it."""
    task = _start_upgrade(standin)
    ended: list[float] = []

    def finish() -> None:
        _end(task, datetime.now(timezone.utc))
        ended.append(time.perf_counter())

    timer = threading.Timer(length_s, finish)
    timer.start()
    try:
        result = harness.invoke(_new_trace(), _context(standin, length_s + 120))
    finally:
        timer.cancel()
    returned = time.perf_counter()
    if not ended:
        raise RuntimeError(f"the handler returned before the upgrade ended: {result}")
    return Sample("real", length_s, returned - ended[0], 0.0, _calls(standin), result["outcome"])


def run_simulated(standin: StandIn, length_s: float, seed: int, policy: Any = None) -> Sample:
    """One upgrade of ``length_s`` seconds on an injected clock: the function's pauses advance it."""
    from postcheck import check
    from postcheck.config import load_credentials, load_settings
    from postcheck.deadline import Deadline
    from postcheck.endpoints import cce_endpoint, smn_endpoint
    from postcheck.parse import parse_event
    from postcheck.policy import WaitPolicy
    from postcheck.runtime import Runtime

    task = _start_upgrade(standin)
    fake = FakeTime(START)
    seen: dict[str, float] = {}

    def end_when_due(now_s: float) -> None:
        if "fake" not in seen and now_s >= length_s:
            _end(task, START + timedelta(seconds=length_s))
            seen["fake"], seen["real"] = now_s, time.perf_counter()

    fake.on_sleep.append(end_when_due)
    context = _context(standin, BUDGET_S)
    settings, credentials = load_settings(context), load_credentials(context)
    runtime = Runtime(settings, credentials, Deadline(BUDGET_S, clock=fake.monotonic),
                              (cce_endpoint(settings), smn_endpoint(settings)), clock=fake.wall, sleep=fake.sleep,
                              policy=policy or WaitPolicy(), rng=random.Random(seed).uniform)
    result = check.check_cluster(parse_event(_new_trace()), runtime)
    if "fake" not in seen:
        raise RuntimeError(f"the function stopped following the upgrade before it ended: {result.to_dict()}")
    waited = seen["fake"] - length_s
    return Sample("simulated", length_s, waited + (time.perf_counter() - seen["real"]), waited, _calls(standin),
                  result.outcome.value)


def measure(real: list[float], simulated: list[float], seeds: int) -> list[Sample]:
    samples: list[Sample] = []
    with harness.running(SCENARIO) as standin:
        for length in simulated:
            samples += [run_simulated(standin, length, seed) for seed in range(seeds)]
        samples += [run_real(standin, length) for length in real]
    return samples


def table(samples: list[Sample]) -> str:
    rows = ["| mode | upgrade length | runs | end → notification: median s | max s | CCE calls per upgrade |",
            "|---|---:|---:|---:|---:|---:|"]
    for key in dict.fromkeys((s.mode, s.length_s) for s in samples):
        group = [s for s in samples if (s.mode, s.length_s) == key]
        delays = [s.delay_s for s in group]
        cce = [sum(n for op, n in s.calls.items() if op != "publish") for s in group]
        rows.append(f"| {key[0]} | {_length(key[1])} | {len(group)} | {statistics.median(delays):.2f} | "
                    f"{max(delays):.2f} | {statistics.median(cce):.0f} |")
    return "\n".join(rows)


def _length(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=float, nargs="*", default=[3.0, 10.0, 25.0])
    parser.add_argument("--simulated", type=float, nargs="*", default=[600.0, 3600.0, 10_800.0, 21_600.0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    import logging

    import index  # noqa: F401 - configures the function's logger, which is then silenced: not the report

    logging.getLogger("postcheck").handlers.clear()
    logging.getLogger("postcheck").addHandler(logging.NullHandler())
    samples = measure(args.real, args.simulated, args.seeds)
    bad = [s for s in samples if s.outcome != "checked"]
    print(table(samples))
    if bad:
        print(f"{len(bad)} run(s) did not end checked: {[s.outcome for s in bad]}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
