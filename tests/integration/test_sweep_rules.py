"""The sweep's own rules (docs/operations.md, "The sweep"; README, "The result"), on the real ``postcheck.sweep.sweep``
with a CCE and an SMN that answer from memory: no stand-in, no sockets, no waiting.

- the window is ``(timer time - SWEEP_WINDOW_MINUTES, timer time]``, anchored to the timer event's time (else
  the invocation's clock), and reported as ``window``;
- ``CLUSTER_IDS`` limits the sweep (each listed cluster once), IDs the project does not have are ``ignored``;
- one cluster's failure (a CCE error, a bug) never stops the others; a result that cannot be published fails the
  invocation once every cluster is done; a cluster list CCE does not give fails it at once;
- a cluster is begun only with ``sweep_cluster_floor_s`` of usable time left, else it is ``pending`` for the next
  sweep, and no CCE read is made for it;
- ``{"outcome": "swept", "dry_run", "trigger", "window", "summary", "clusters", "error"}``, the summary counting
  every outcome.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from postcheck import logs, redelivery
from postcheck.deadline import Deadline
from postcheck.errors import InvocationFailed
from postcheck.policy import WaitPolicy
from postcheck.records import UpgradeTask
from postcheck.sdk import ApiError
from tests.support.memory import MemoryCce, MemorySmn, run_sweep

UTC = timezone.utc
ANCHOR = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # the timer event's time
A = "aaaaaaaa-1111-4111-8111-111111111111"
B = "bbbbbbbb-2222-4222-8222-222222222222"
C = "cccccccc-3333-4333-8333-333333333333"
UNKNOWN = "99999999-9999-4999-8999-999999999999"
OUTCOMES = ("checked", "held", "ignored", "pending", "failed", "rejected")  # README, "The result"


@pytest.fixture(autouse=True)
def _fresh_instance() -> Any:
    """Each test a fresh function instance: what an earlier sweep stored (its redelivery store) is not there."""
    redelivery.forget()
    yield
    redelivery.forget()


def cce_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.000 +0000 UTC")


def ended_task(uid: str, ended: datetime, phase: str = "Success") -> UpgradeTask:
    """An upgrade task with no workflow that ended at ``ended``: the sweep whose window holds its end judges it."""
    return UpgradeTask(uid=uid, created=ended - timedelta(minutes=40), version="v1.27.1-r0",
                       target_version="v1.28.3-r0", phase=phase, completion_time=cce_time(ended))


def run(cce: MemoryCce, smn: MemorySmn | None = None, anchor: datetime | None = ANCHOR,
        **options: Any) -> dict[str, Any]:
    return run_sweep(cce, smn, anchor, **options)


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["cluster_id"]: c for c in result["clusters"]}


# -- the window ---------------------------------------------------------------------------------------------------


def test_the_window_is_the_period_before_the_timer_events_time():
    result = run(MemoryCce({}), SWEEP_WINDOW_MINUTES="30")

    window = {k: datetime.fromisoformat(v) for k, v in result["window"].items()}
    assert window == {"start": ANCHOR - timedelta(minutes=30), "end": ANCHOR}


def test_the_default_window_is_an_hour():
    result = run(MemoryCce({}))

    assert datetime.fromisoformat(result["window"]["start"]) == ANCHOR - timedelta(hours=1)
    assert datetime.fromisoformat(result["window"]["end"]) == ANCHOR


def test_without_a_timer_time_the_window_ends_at_the_invocations_clock_to_the_second():
    now = datetime(2026, 11, 28, 3, 4, 5, 678901, tzinfo=UTC)

    result = run(MemoryCce({}), anchor=None, clock=now, SWEEP_WINDOW_MINUTES="15")

    assert datetime.fromisoformat(result["window"]["end"]) == now.replace(microsecond=0)
    assert datetime.fromisoformat(result["window"]["start"]) == (now - timedelta(minutes=15)).replace(microsecond=0)
    assert "." not in result["window"]["end"] and "." not in result["window"]["start"]


@pytest.mark.parametrize(("minutes_before", "judged"), [
    (0, True),  # the window's end belongs to it
    (1, True),
    (29, True),
    (30, False),  # its start does not: the sweep before covered it
    (31, False),
    (45, False),
])
def test_an_upgrade_without_a_workflow_is_judged_by_the_sweep_whose_window_holds_its_end(minutes_before, judged):
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=minutes_before))]})

    result = run(cce, SWEEP_WINDOW_MINUTES="30")

    [only] = result["clusters"]
    assert only["outcome"] == ("checked" if judged else "ignored")
    assert len(cce.checks) == (1 if judged else 0)


def test_a_timer_event_and_its_retry_decide_the_same_way_whatever_the_clock_says():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=10))]})

    late = run(cce, clock=ANCHOR + timedelta(hours=5), DRY_RUN="true")

    assert late["clusters"][0]["outcome"] == "checked"
    assert datetime.fromisoformat(late["window"]["end"]) == ANCHOR


# -- which clusters -----------------------------------------------------------------------------------------------


def test_every_cluster_of_the_project_is_swept_each_with_its_own_result():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))],
                     B: [ended_task("t-b", ANCHOR - timedelta(days=3))], C: []})
    smn = MemorySmn()

    result = run(cce, smn)

    clusters = by_id(result)
    assert set(clusters) == {A, B, C}
    assert (clusters[A]["outcome"], clusters[A]["phase"], clusters[A]["task_uid"]) == ("checked", "Success",
                                                                                      "check-aaaa")
    assert clusters[A]["notification"]["message_id"].startswith("msg-")
    assert (clusters[B]["outcome"], clusters[C]["outcome"]) == ("ignored", "ignored")
    for cid, cluster in clusters.items():
        assert (cluster["cluster_name"], cluster["trigger"], cluster["dry_run"]) == (f"name-{cid[:4]}", "timer",
                                                                                   False)
    assert cce.checks == [(A, "v1.27.1-r0", "v1.28.3-r0")]
    assert len(smn.published) == 1
    # four calls before any check, of which the sweep makes the two upgrade reads per cluster
    assert sorted(cce.reads) == sorted((op, cid) for cid in (A, B, C) for op in ("list_upgrade_tasks",
                                                                                  "list_workflows"))


def test_cluster_ids_limit_the_sweep_in_their_order_and_name_the_unknown_ones():
    cce = MemoryCce({A: [], B: [], C: []})

    result = run(cce, CLUSTER_IDS=f"{C}, {UNKNOWN}, {A}")

    assert [c["cluster_id"] for c in result["clusters"]] == [UNKNOWN, C, A]
    unknown = by_id(result)[UNKNOWN]
    assert unknown["outcome"] == "ignored"
    assert "CLUSTER_IDS" in unknown["reason"] and "not found" in unknown["reason"]
    assert (unknown["trigger"], unknown["dry_run"]) == ("timer", False)
    assert {cid for _, cid in cce.reads} == {A, C}


def test_a_cluster_named_twice_in_cluster_ids_is_swept_once():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))], B: []})

    result = run(cce, CLUSTER_IDS=f"{A},{A}")

    assert [c["cluster_id"] for c in result["clusters"]] == [A]
    assert cce.checks == [(A, "v1.27.1-r0", "v1.28.3-r0")]


def test_when_no_listed_cluster_exists_nothing_is_read_and_the_sweep_still_answers():
    cce = MemoryCce({A: []})

    result = run(cce, CLUSTER_IDS=UNKNOWN)

    assert result["outcome"] == "swept"
    assert [(c["cluster_id"], c["outcome"]) for c in result["clusters"]] == [(UNKNOWN, "ignored")]
    assert cce.reads == []


def test_a_project_without_clusters_is_swept_with_nothing_to_do():
    result = run(MemoryCce({}))

    assert (result["outcome"], result["clusters"], result["error"]) == ("swept", [], None)
    assert result["summary"] == {"clusters": 0, **dict.fromkeys(OUTCOMES, 0)}


# -- the answer ---------------------------------------------------------------------------------------------------


def test_the_summary_counts_every_outcome_and_every_cluster():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))],
                     B: [ended_task("t-b", ANCHOR - timedelta(minutes=7), phase="Failed")],
                     C: [ended_task("t-c", ANCHOR - timedelta(days=2))]})

    result = run(cce, CLUSTER_IDS=f"{A},{B},{C},{UNKNOWN}")

    assert result["summary"] == {"clusters": 4, "checked": 1, "held": 0, "ignored": 2, "pending": 0, "failed": 1,
                                 "rejected": 0}
    assert (result["outcome"], result["trigger"], result["dry_run"], result["error"]) == ("swept", "timer", False,
                                                                                          None)
    assert set(result) == {"outcome", "dry_run", "trigger", "window", "summary", "clusters", "error"}


@pytest.mark.parametrize(("event_dry_run", "configured"), [(True, "false"), (False, "true"), (True, "true")])
def test_a_dry_run_sweep_checks_nothing_and_says_so(event_dry_run, configured):
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))]})
    smn = MemorySmn()

    result = run(cce, smn, dry_run=event_dry_run, DRY_RUN=configured)

    assert result["dry_run"] is True
    [only] = result["clusters"]
    assert (only["outcome"], only["dry_run"]) == ("checked", True)
    assert only["planned"]["postcheck"]["spec"]["clusterID"] == A
    assert cce.checks == [] and smn.published == []


# -- failures -----------------------------------------------------------------------------------------------------


def test_a_cluster_list_cce_refuses_fails_the_invocation():
    cce = MemoryCce({A: []}, listing=ApiError("list_clusters", "CCE.01403001", "forbidden", 403, "req-403"))

    with pytest.raises(InvocationFailed) as failed:
        run(cce)

    message = str(failed.value)
    assert "clusters" in message and "CCE.01403001" in message
    assert "\n" not in message and "sk-test" not in message
    assert cce.reads == []


def test_a_cce_error_on_one_cluster_fails_that_cluster_alone():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))], B: []},
                    broken={B: ApiError("list_upgrade_cluster_tasks", "CCE.01403001", "forbidden", 403, "req-b")})

    result = run(cce)

    clusters = by_id(result)
    assert clusters[A]["outcome"] == "checked"
    assert (clusters[B]["outcome"], clusters[B]["phase"], clusters[B]["error"]["code"]) == ("failed", "Error",
                                                                                           "CCE.01403001")


def test_a_bug_met_on_one_cluster_fails_that_cluster_alone_without_its_details():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))], B: []},
                    broken={B: KeyError("secret-looking detail")})

    result = run(cce)

    clusters = by_id(result)
    assert clusters[A]["outcome"] == "checked"
    failed = clusters[B]
    assert (failed["outcome"], failed["error"]["code"]) == ("failed", "InternalError")
    assert "KeyError" in failed["error"]["message"] and "logs" in failed["error"]["message"]
    assert "secret-looking detail" not in failed["error"]["message"]
    assert (failed["cluster_name"], failed["trigger"]) == ("name-bbbb", "timer")
    assert result["summary"]["failed"] == 1


def test_a_result_that_cannot_be_published_fails_the_invocation_after_the_others_are_done():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))],
                     B: [ended_task("t-b", ANCHOR - timedelta(minutes=6))]})
    smn = MemorySmn(failing={B})

    with pytest.raises(InvocationFailed) as failed:
        run(cce, smn)

    message = str(failed.value)
    assert B in message and "1 " in message and "publish" in message
    assert sorted(cid for cid, _, _ in cce.checks) == [A, B]  # A was checked and published all the same
    assert any(A in str(m.as_dict()) for m in smn.published)


def test_every_unpublished_result_is_counted():
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))],
                     B: [ended_task("t-b", ANCHOR - timedelta(minutes=6))], C: []})

    with pytest.raises(InvocationFailed) as failed:
        run(cce, MemorySmn(failing={A, B}))

    assert str(failed.value).startswith("2 ")


# -- the sweep's own time -----------------------------------------------------------------------------------------


class FixedClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_cluster_is_not_begun_without_the_floor_of_usable_time_and_is_left_to_the_next_sweep():
    clock = FixedClock()
    deadline = Deadline(600.0, reserve=8.0, clock=clock)
    floor = deadline.usable() + 0.5
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))], B: []})

    result = run(cce, deadline=deadline, policy=WaitPolicy(sweep_cluster_floor_s=floor))

    assert {c["outcome"] for c in result["clusters"]} == {"pending"}
    for cluster in result["clusters"]:
        assert "next sweep" in cluster["reason"]
        assert cluster["error"] is None and cluster["phase"] is None  # not begun: nobody's failure
    assert cce.reads == [] and cce.checks == []
    assert result["summary"]["pending"] == 2


def test_a_cluster_is_begun_with_exactly_the_floor_of_usable_time():
    clock = FixedClock()
    deadline = Deadline(600.0, reserve=8.0, clock=clock)
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))]})

    result = run(cce, deadline=deadline, policy=WaitPolicy(sweep_cluster_floor_s=deadline.usable()))

    assert result["clusters"][0]["outcome"] == "checked"


def test_the_default_floor_leaves_a_nearly_spent_sweep_pending():
    """WaitPolicy's default floor: a sweep with a few seconds left begins no cluster (a check, its gate and its
    publish need more than that)."""
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))]})

    result = run(cce, deadline=Deadline(12.0, reserve=8.0, clock=FixedClock()))

    assert result["clusters"][0]["outcome"] == "pending"
    assert cce.reads == []


@pytest.mark.parametrize("outcome", OUTCOMES)  # every outcome a cluster can have
def test_the_summary_names_every_outcome(outcome):
    assert outcome in run(MemoryCce({}))["summary"]


def test_the_retry_of_a_sweep_that_failed_to_publish_checks_and_tells_nothing_twice():
    """docs/operations.md, "The sweep" and "Redelivery": the invocation fails so that the platform retries it; a retry
    reaching the same instance publishes the stored result instead of running the check again, and what was told is not
    told again."""
    cce = MemoryCce({A: [ended_task("t-a", ANCHOR - timedelta(minutes=5))],
                     B: [ended_task("t-b", ANCHOR - timedelta(minutes=6))]})
    smn = MemorySmn(failing={B})
    with pytest.raises(InvocationFailed):
        run(cce, smn)
    told_first = [m.as_dict() for m in smn.published]
    smn.failing.clear()  # SMN recovers; the platform delivers the same timer event again

    result = run(cce, smn)

    assert {c["cluster_id"]: c["outcome"] for c in result["clusters"]} == {A: "checked", B: "checked"}
    assert sorted(cid for cid, _, _ in cce.checks) == [A, B]  # no second post-check for either
    retold = [m.as_dict() for m in smn.published[len(told_first):]]
    assert len(retold) == 1 and B in str(retold[0]) and A not in str(retold[0])


def test_a_dry_run_sweep_says_so_for_the_clusters_it_did_not_find():
    result = run(MemoryCce({A: []}), dry_run=True, CLUSTER_IDS=f"{A},{UNKNOWN}")

    assert {c["cluster_id"]: c["dry_run"] for c in result["clusters"]} == {A: True, UNKNOWN: True}


def test_a_bug_met_on_one_cluster_goes_to_the_logs_with_its_traceback_and_the_cluster():
    """docs/operations.md, "Redelivery": an internal error's traceback goes to the function's (masked) logs, not to the
    caller; the log line says which cluster met it."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                lines.append(logs.JsonFormatter().format(record))

    handler = Collect()
    package_logger = logging.getLogger(logs.LOGGER_NAME)
    package_logger.addHandler(handler)
    try:
        run(MemoryCce({A: [], B: []}, broken={B: KeyError("detail")}))
    finally:
        package_logger.removeHandler(handler)

    [line] = lines
    entry = json.loads(line)
    assert B in line and A not in line
    assert "KeyError" in entry["exception"] and "Traceback" in entry["exception"]
