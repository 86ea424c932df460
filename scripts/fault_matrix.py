"""Run the handler against every injected fault, one case at a time, and print what happened.

For each fault (5xx, gateway HTML, throttling, a slow answer, a dropped connection, a malformed or
wrongly shaped 200, a client error) at each call of a post-check (``show_cluster``, ``postcheck``,
``publish``), once and persistently, the handler is invoked with the API's own request body
(tests/events/postcheck_task_body.json) against a fresh local stand-in (tests/scenarios/demo.json) and a
FunctionGraph context with a short time budget, so that even the slow faults finish.

    python -m scripts.fault_matrix                 # an aligned table
    python -m scripts.fault_matrix --markdown      # a Markdown table
    python -m scripts.fault_matrix --skip-slow     # without the slow faults (about 10 s instead of ~2 min)
    python -m scripts.fault_matrix --fault throttle --operation publish

A failed invocation is reported as ``invocation failed: <exception class>``: the function raises
``NotificationFailed`` when it cannot publish, on purpose (the platform then delivers the event again).
The exit status is 1 if any invocation failed with another exception.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "function"))

from scripts import harness  # noqa: E402

SCENARIO = ROOT / "tests" / "scenarios" / "demo.json"
EVENT = ROOT / "tests" / "events" / "postcheck_task_body.json"
# The invocation's budget. The function keeps min(8 s, budget / 4) back for the report, and cuts every HTTP
# timeout to the time left: CCE calls get min(20 s, 12 - 3) = 9 s, the publish min(10 s, time left - 0.5 s).
BUDGET_S = 12.0
# A slow answer comes a bit later than the longest read timeout that results (the publish's 10 s).
SLOW_DELAY_S = 11.0
FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("error_json 500", {"kind": "error_json", "status": 500}),
    ("error_json 503", {"kind": "error_json", "status": 503}),
    ("html_502", {"kind": "html_502"}),
    ("throttle 429", {"kind": "throttle"}),
    (f"slow {SLOW_DELAY_S:g}s", {"kind": "slow", "delay_s": SLOW_DELAY_S}),
    ("reset", {"kind": "reset"}),
    ("malformed_200", {"kind": "malformed_200"}),
    ("wrong_shape_200", {"kind": "wrong_shape_200"}),
    ("error_json 400", {"kind": "error_json", "status": 400}),
)
OPERATIONS = ("show_cluster", "postcheck", "publish")
MODES = (("once", 1), ("persistent", -1))
COLUMNS = (("fault", 16), ("operation", 12), ("times", 10), ("outcome", 38), ("phase", 7), ("error", 18),
           ("attempts", 8), ("post-checks", 11), ("notified", 8), ("time (s)", 8))
LEGEND = ("legend: times = the fault hits the first call only (once) or every call (persistent); "
          "attempts = requests the stand-in saw for the faulted operation; post-checks = checks CCE recorded; "
          "notified = SMN accepted the message (xN: N times); time = wall time of the invocation")


@dataclass(frozen=True)
class Row:
    fault: str
    operation: str
    times: str
    outcome: str
    phase: str
    error: str
    attempts: int
    post_checks: int
    notified: int
    seconds: float
    unexpected: bool = False

    def cells(self) -> tuple[str, ...]:
        return (self.fault, self.operation, self.times, self.outcome, self.phase, self.error, str(self.attempts),
                str(self.post_checks), _notified(self.notified), f"{self.seconds:.1f}")


def run_case(handler: Callable[[Any, Any], dict[str, Any]], fault: str, spec: dict[str, Any], operation: str,
             mode: str, times: int, event: dict[str, Any]) -> Row:
    """One invocation against a fresh stand-in with one fault injected."""
    from postcheck import errors

    harness.reset_process_state()
    with harness.running(SCENARIO) as standin:
        standin.add_fault({**spec, "operation": operation, "times": times})
        context = harness.context_for(standin, timeout_s=BUDGET_S)
        unexpected = False
        started = time.monotonic()
        try:
            result = handler(copy.deepcopy(event), context)
        except Exception as exc:  # noqa: BLE001 - a failed invocation is a row of the table, not the end
            seconds = time.monotonic() - started
            outcome, phase, error = f"invocation failed: {type(exc).__name__}", "-", _error_of(exc)
            unexpected = not isinstance(exc, errors.NotificationFailed)
        else:
            seconds = time.monotonic() - started
            outcome, phase = result["outcome"], result["phase"] or "-"
            error = (result.get("error") or {}).get("code") or "-"
        operations = [r["operation"] for r in standin.requests]
        return Row(fault, operation, mode, outcome, phase, error, operations.count(operation),
                   len(standin.postchecks), len(standin.published), seconds, unexpected)


def _notified(count: int) -> str:
    return "no" if count == 0 else "yes" if count == 1 else f"yes x{count}"


def _error_of(exc: BaseException) -> str:
    """The API error code inside a NotificationFailed message (``...: publish_message: <code>: ...``)."""
    text = str(exc)
    marker = "publish_message: "
    if marker in text:
        return text.split(marker, 1)[1].split(":", 1)[0]
    return "-"


def _header(markdown: bool) -> list[str]:
    from postcheck.deadline import Deadline
    from postcheck.sdk import CONNECT_TIMEOUT_S, READ_TIMEOUT_S

    cce_read = Deadline(BUDGET_S).http_timeout(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)[1]
    versions = ", ".join(f"{name} {_version(name)}" for name in ("huaweicloudsdkcore", "pydantic", "requests"))
    lines = [
        f"environment: Python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.system()} {platform.machine()}; {versions}",
        f"invocation budget {BUDGET_S:g} s (CCE read timeout {cce_read:.1f} s, publish up to 10 s); "
        f"slow = the answer {SLOW_DELAY_S:g} s late; event {EVENT.relative_to(ROOT)}, scenario "
        f"{SCENARIO.relative_to(ROOT)}, one fresh stand-in per case",
        LEGEND,
    ]
    return [f"{line}  " if markdown else line for line in lines]  # two spaces: a Markdown line break


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _table_head(markdown: bool) -> list[str]:
    names = [name for name, _ in COLUMNS]
    if markdown:
        return ["| " + " | ".join(names) + " |", "|" + "|".join("---" for _ in names) + "|"]
    line = "  ".join(name.ljust(width) for name, width in COLUMNS).rstrip()
    return [line, "-" * len(line)]


def _table_row(row: Row, markdown: bool) -> str:
    cells = row.cells()
    if markdown:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    return "  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)).rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the slow faults (~11 s each)")
    parser.add_argument("--fault", action="append", choices=sorted({spec["kind"] for _, spec in FAULTS}),
                        help="only this fault kind (repeatable)")
    parser.add_argument("--operation", action="append", choices=OPERATIONS, help="only this operation (repeatable)")
    parser.add_argument("--logs", action="store_true",
                        help="keep the function's JSON log lines (stdout) and the SDK's error lines (stderr)")
    args = parser.parse_args(argv)

    import index  # noqa: F401 - configures the function's logger, before it is silenced below

    if not args.logs:
        # The function's JSON lines (stdout), and the SDK's own error lines, which Python's last-resort
        # handler would print to stderr (its loggers do not propagate and have no handler).
        for name in ("postcheck", "HuaweiCloud-SDK-CceClient", "HuaweiCloud-SDK-SmnClient"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    event = json.loads(EVENT.read_text())
    faults = [(name, spec) for name, spec in FAULTS
              if (not args.fault or spec["kind"] in args.fault) and not (args.skip_slow and spec["kind"] == "slow")]
    operations = [op for op in OPERATIONS if not args.operation or op in args.operation]

    for line in [*_header(args.markdown), "", *_table_head(args.markdown)]:
        print(line, flush=True)
    rows: list[Row] = []
    started = time.monotonic()
    for name, spec in faults:
        for operation in operations:
            for mode, times in MODES:
                row = run_case(harness.invoke, name, spec, operation, mode, times, event)
                rows.append(row)
                print(_table_row(row, args.markdown), flush=True)
    notes = [f"{len(rows)} cases in {time.monotonic() - started:.0f} s"]
    if args.skip_slow:
        notes.append("slow faults skipped (--skip-slow)")
    unexpected = [row for row in rows if row.unexpected]
    if unexpected:
        notes.append(f"{len(unexpected)} invocation(s) failed with an exception other than NotificationFailed")
    print("\n" + "; ".join(notes), flush=True)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
