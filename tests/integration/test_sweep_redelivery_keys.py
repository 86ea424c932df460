"""What a retried sweep reuses, and what it does again (docs/operations.md, "Redelivery"; postcheck.redelivery), on the
real ``postcheck.sweep.sweep`` with a CCE and an SMN that answer from memory: no stand-in, no sockets, no waiting.

- a result whose post-check ran but could not be published is stored, keyed by the sweep's cluster and window, the
  dry-run flag, the endpoints, the project and the SMN topic the cluster routes to: a retry that differs in any of
  them checks again rather than publish a result meant for elsewhere;
- what a sweep that failed as a whole told for a cluster is not told again by its redelivery, however many times the
  platform delivers it again;
- anything else (here: a cluster with nothing to do) is redone for real by the redelivery.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from postcheck import redelivery
from postcheck.errors import InvocationFailed
from postcheck.records import UpgradeTask
from tests.support.memory import PROJECT, TOPIC, MemoryCce, MemorySmn, run_sweep

OTHER_PROJECT = "f9e8d7c6b5a4938271605f4e3d2c1b0a"
TEAM_TOPIC = f"urn:smn:cn-north-4:{PROJECT}:team-b"
UTC = timezone.utc
ANCHOR = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # the timer event's time: the same for every redelivery
A = "aaaaaaaa-1111-4111-8111-111111111111"
B = "bbbbbbbb-2222-4222-8222-222222222222"


@pytest.fixture(autouse=True)
def _fresh_instance() -> Any:
    redelivery.forget()
    yield
    redelivery.forget()


def ended_task(uid: str, minutes_before: int, phase: str = "Success") -> UpgradeTask:
    """An upgrade task without a workflow that ended inside the sweep's window."""
    ended = ANCHOR - timedelta(minutes=minutes_before)
    return UpgradeTask(uid=uid, created=ended - timedelta(minutes=40), version="v1.27.1-r0",
                       target_version="v1.28.3-r0", phase=phase,
                       completion_time=ended.strftime("%Y-%m-%d %H:%M:%S.000 +0000 UTC"))


def run(cce: MemoryCce, smn: MemorySmn, **options: Any) -> dict[str, Any]:
    return run_sweep(cce, smn, ANCHOR, **options)


def unpublished_check_of_b() -> tuple[MemoryCce, MemorySmn]:
    """A first delivery of the timer event: B's post-check ran, its result could not be published."""
    cce = MemoryCce({B: [ended_task("t-b", 5)]})
    smn = MemorySmn(failing={B})
    with pytest.raises(InvocationFailed):
        run(cce, smn)
    assert cce.checked() == [B]
    smn.failing.clear()  # SMN recovers
    return cce, smn


def test_the_stored_check_is_published_by_a_retry_that_goes_where_the_first_delivery_went():
    cce, smn = unpublished_check_of_b()

    result = run(cce, smn)

    assert result["clusters"][0]["outcome"] == "checked"
    assert cce.checked() == [B]  # published, not checked again
    assert smn.topics[-1] == TOPIC


@pytest.mark.parametrize("route", [B, "name-bbbb", "name-b*"], ids=["by-id", "by-name", "by-pattern"])
def test_a_retry_whose_cluster_now_routes_to_another_topic_does_not_reuse_the_stored_check(route):
    """The store is keyed by the topic the cluster routes to (TOPIC_ROUTES, by cluster ID or by name pattern)."""
    cce, smn = unpublished_check_of_b()

    result = run(cce, smn, TOPIC_ROUTES=json.dumps({route: TEAM_TOPIC}))

    assert result["clusters"][0]["outcome"] == "checked"
    assert cce.checked() == [B, B]  # checked afresh for the new topic
    assert smn.topics[-1] == TEAM_TOPIC


def test_a_retry_against_other_endpoints_does_not_reuse_the_stored_check():
    cce, smn = unpublished_check_of_b()

    run(cce, smn, endpoints=("https://cce.other.invalid", "https://smn.other.invalid"))

    assert cce.checked() == [B, B]


def test_a_retry_in_another_project_does_not_reuse_the_stored_check():
    cce, smn = unpublished_check_of_b()

    run(cce, smn, project=OTHER_PROJECT)

    assert cce.checked() == [B, B]


def test_what_was_told_is_not_told_again_however_often_the_failed_sweep_is_delivered_again():
    """A's failed upgrade is reported by the first delivery; B cannot be published twice in a row, so the platform
    delivers the timer event three times: A's owners hear once, B's check runs once."""
    cce = MemoryCce({A: [ended_task("t-a", 5, phase="Failed")], B: [ended_task("t-b", 6)]})
    smn = MemorySmn(failing={B})
    for _ in range(2):
        with pytest.raises(InvocationFailed):
            run(cce, smn)
    smn.failing.clear()

    result = run(cce, smn)

    outcomes = {c["cluster_id"]: c["outcome"] for c in result["clusters"]}
    assert outcomes == {A: "failed", B: "checked"}
    assert len(smn.about(A)) == 1
    assert cce.checked() == [B]


def test_a_cluster_with_nothing_to_do_is_judged_again_by_the_retry():
    """Only what was checked or told is kept: a cluster that was ``ignored`` is read again (the retry may see what
    CCE recorded since), and so judged afresh."""
    cce = MemoryCce({A: [], B: [ended_task("t-b", 6)]})
    smn = MemorySmn(failing={B})
    with pytest.raises(InvocationFailed):
        run(cce, smn)
    assert cce.reads.count(("list_upgrade_tasks", A)) == 1
    smn.failing.clear()
    cce.tasks[A] = [ended_task("t-a", 5)]  # CCE now lists an upgrade it ended inside the window

    result = run(cce, smn)

    assert cce.reads.count(("list_upgrade_tasks", A)) == 2
    assert {c["cluster_id"]: c["outcome"] for c in result["clusters"]}[A] == "checked"
    assert sorted(cce.checked()) == [A, B]
