"""The decision rules, from the docs and CCE's documented records, at their edges. Pure: no stand-in, no SDK call.

- The sweep's window is ``(timer time - SWEEP_WINDOW_MINUTES, timer time]`` (docs/operations.md, "The sweep"): open at
  its start, closed at its end, so that consecutive windows cover time without gaps or overlap.
- A failed upgrade is reported by the sweep whose window holds its end, not by every sweep.
- A workflow records *one* upgrade: its ``Cluster`` step names the upgrade task (``taskID``); its ``PostCheck``
  step status is one of ``Init``, ``Queuing``, ``Running``, ``Success``, ``Failed``
  (../shared/reference/platform-facts.md, "Upgrade workflow"), and only ``Success`` means the check is done.

Written against the public functions (``newest_upgrade``, ``for_event``, ``for_sweep``, ``in_window``), so that
the tests hold whatever the module's inner structure.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from postcheck.decision import (
    NothingToDo,
    RunCheck,
    UpgradeFailed,
    UpgradeRunning,
    for_event,
    for_sweep,
    in_window,
    newest_upgrade,
    upgrades,
)
from postcheck.records import Cluster, Point, UpgradeTask, Workflow

CID = "8978deaa-1743-11ee-8e46-0255ac10004c"
BEFORE, AFTER = "v1.27.1-r0", "v1.28.3-r0"
CLUSTER = Cluster(CID, "prod", AFTER, "Available")  # runs the upgrade's target
T0 = datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc)
ENDED = T0 + timedelta(minutes=45)
TICK = timedelta(microseconds=1)
MINUTES = 60  # SWEEP_WINDOW_MINUTES
POSTCHECK_STATUSES = ("Init", "Queuing", "Running", "Success", "Failed")  # documented workflow point statuses


def a_task(uid: str = "task-new", phase: str = "Success", created: datetime = T0,
           ended: datetime | None = ENDED, version: str = BEFORE, target: str = AFTER) -> UpgradeTask:
    return UpgradeTask(uid=uid, created=created, version=version, target_version=target, phase=phase,
                       completion_time=ended.isoformat() if ended else None)


def a_workflow(task_id: str | None, cluster_status: str = "Success", postcheck: str = "Init",
               created: datetime = T0 - timedelta(minutes=5), ended: datetime | None = ENDED,
               version: str = BEFORE, target: str = AFTER, uid: str = "wf") -> Workflow:
    points = (Point("PreCheck", None, "Success"), Point("Cluster", task_id, cluster_status, ended),
              Point("PostCheck", None, postcheck))
    return Workflow(uid=uid, created=created, cluster_version=version, target_version=target, phase="Running",
                    points=points)


def sweep_ending(end: datetime) -> tuple[datetime, datetime]:
    """The window of the sweep whose timer time is ``end``."""
    return end - timedelta(minutes=MINUTES), end


# -- the window: (timer time - SWEEP_WINDOW_MINUTES, timer time] ---------------------------------------------------

@pytest.mark.parametrize(("ended", "inside"), [
    pytest.param(ENDED - timedelta(minutes=MINUTES), False, id="at-the-start-is-the-previous-sweeps"),
    pytest.param(ENDED - timedelta(minutes=MINUTES) + TICK, True, id="just-after-the-start"),
    pytest.param(ENDED - TICK, True, id="just-before-the-end"),
    pytest.param(ENDED, True, id="at-the-end"),
    pytest.param(ENDED + TICK, False, id="just-after-the-end-is-the-next-sweeps"),
])
def test_the_window_is_open_at_its_start_and_closed_at_its_end(ended: datetime, inside: bool) -> None:
    window = sweep_ending(ENDED)
    assert in_window(ended, window) is inside
    upgrade = newest_upgrade([a_task(ended=ended)], [])
    assert isinstance(for_sweep(upgrade, CLUSTER, window), RunCheck if inside else NothingToDo)
    failed = newest_upgrade([a_task(phase="Failed", ended=ended)], [])
    assert isinstance(for_sweep(failed, Cluster(CID, "prod", BEFORE, "Available"), window),
                      UpgradeFailed if inside else NothingToDo)


def test_an_unknown_end_is_in_no_window() -> None:
    assert in_window(None, sweep_ending(ENDED)) is False
    upgrade = newest_upgrade([a_task(ended=None)], [])
    assert isinstance(for_sweep(upgrade, CLUSTER, sweep_ending(ENDED)), NothingToDo)


@pytest.mark.parametrize("period", [1, 7, 60, 180])
def test_consecutive_sweeps_judge_an_upgrade_without_a_workflow_exactly_once(period: int) -> None:
    timer = ENDED - timedelta(minutes=3 * period)
    for end in (ENDED - TICK, ENDED, ENDED + TICK, ENDED + timedelta(minutes=period)):
        upgrade = newest_upgrade([a_task(ended=end)], [])
        windows = [(timer + k * timedelta(minutes=period), timer + (k + 1) * timedelta(minutes=period))
                   for k in range(8)]
        decided = [for_sweep(upgrade, CLUSTER, w) for w in windows]
        assert sum(isinstance(d, RunCheck) for d in decided) == 1, end


# -- a failed upgrade: reported by the sweep whose window holds its end, whether or not a workflow records it ------

@pytest.mark.parametrize("with_workflow", [False, True], ids=["task-only", "task-and-workflow"])
def test_a_failed_upgrade_is_reported_once_by_the_window_holding_its_end(with_workflow: bool) -> None:
    workflows = [a_workflow("task-new", cluster_status="Failed")] if with_workflow else []
    upgrade = newest_upgrade([a_task(phase="Failed")], workflows)
    at_source = Cluster(CID, "prod", BEFORE, "Available")

    decided = [for_sweep(upgrade, at_source, sweep_ending(ENDED + k * timedelta(minutes=MINUTES)))
               for k in range(-3, 48)]

    assert [isinstance(d, UpgradeFailed) for d in decided].count(True) == 1
    assert isinstance(decided[3], UpgradeFailed)  # k == 0: the window (ENDED - 60 min, ENDED]
    assert all(isinstance(d, NothingToDo) for i, d in enumerate(decided) if i != 3)


def test_a_failed_upgrade_known_only_from_its_workflow_is_reported_once() -> None:
    upgrade = newest_upgrade([], [a_workflow("task-unlisted", cluster_status="Failed")])
    at_source = Cluster(CID, "prod", BEFORE, "Available")

    assert isinstance(for_sweep(upgrade, at_source, sweep_ending(ENDED)), UpgradeFailed)
    assert isinstance(for_sweep(upgrade, at_source, sweep_ending(ENDED + timedelta(hours=5))), NothingToDo)
    assert isinstance(for_sweep(upgrade, at_source, sweep_ending(ENDED - timedelta(hours=1))), NothingToDo)


# -- which workflow records which upgrade: by the task its Cluster step names ---------------------------------------

def test_a_checked_workflow_of_an_older_task_does_not_make_the_newer_upgrade_checked() -> None:
    old = a_task("task-old", created=T0 - timedelta(days=30), ended=T0 - timedelta(days=30) + timedelta(hours=1),
                 version="v1.25.1-r0", target=BEFORE)
    old_flow = a_workflow("task-old", postcheck="Success", created=T0 - timedelta(days=30),
                          version="v1.25.1-r0", target=BEFORE, uid="wf-old")
    for tasks in ([a_task(), old], [old, a_task()]):  # the list's order is unconfirmed
        upgrade = newest_upgrade(tasks, [old_flow])
        assert upgrade.task_id == "task-new"
        assert upgrade.postcheck is None  # nothing records the new upgrade's check
        assert isinstance(for_event(upgrade, CLUSTER), RunCheck)
        assert isinstance(for_sweep(upgrade, CLUSTER, sweep_ending(ENDED)), RunCheck)


def test_a_workflow_naming_another_task_is_not_this_tasks_record_even_with_the_same_versions() -> None:
    # The same versions, upgraded twice (an earlier attempt recorded by its own workflow and task ID).
    earlier = a_workflow("task-earlier", postcheck="Success", created=T0 - timedelta(days=2),
                         ended=T0 - timedelta(days=2) + timedelta(hours=1), uid="wf-earlier")

    upgrade = newest_upgrade([a_task()], [earlier])

    assert (upgrade.task_id, upgrade.postcheck) == ("task-new", None)
    assert isinstance(for_event(upgrade, CLUSTER), RunCheck)
    assert isinstance(for_sweep(upgrade, CLUSTER, sweep_ending(ENDED)), RunCheck)


@pytest.mark.parametrize("workflow_created", [T0 - timedelta(minutes=5), T0, T0 + timedelta(minutes=5)])
def test_a_task_and_the_workflow_that_records_it_are_one_upgrade(workflow_created: datetime) -> None:
    flow = a_workflow("task-new", postcheck="Init", created=workflow_created)

    (upgrade,) = upgrades([a_task()], [flow])

    assert (upgrade.task_id, upgrade.workflow) == ("task-new", flow)
    assert newest_upgrade([a_task()], [flow]) == upgrade


def test_the_workflow_naming_this_task_is_its_record() -> None:
    for workflows in ([a_workflow("task-new", postcheck="Success")],
                      [a_workflow("task-other", postcheck="Init", uid="wf-other",
                                  created=T0 - timedelta(days=3), ended=T0 - timedelta(days=3)),
                       a_workflow("task-new", postcheck="Success")]):
        upgrade = newest_upgrade([a_task()], workflows)
        assert (upgrade.task_id, upgrade.postcheck) == ("task-new", "Success")
        assert isinstance(for_event(upgrade, CLUSTER), NothingToDo)
        assert isinstance(for_sweep(upgrade, CLUSTER, sweep_ending(ENDED)), NothingToDo)


# -- the PostCheck step: only Success is done ------------------------------------------------------------------------

@pytest.mark.parametrize("status", POSTCHECK_STATUSES)
def test_only_a_successful_postcheck_step_counts_as_done_for_an_event(status: str) -> None:
    upgrade = newest_upgrade([a_task()], [a_workflow("task-new", postcheck=status)])

    decision = for_event(upgrade, CLUSTER)

    assert isinstance(decision, NothingToDo if status == "Success" else RunCheck)


@pytest.mark.parametrize("status", POSTCHECK_STATUSES)
def test_only_a_successful_postcheck_step_counts_as_done_for_the_sweep(status: str) -> None:
    upgrade = newest_upgrade([a_task()], [a_workflow("task-new", postcheck=status)])

    decided = [for_sweep(upgrade, CLUSTER, sweep_ending(ENDED + k * timedelta(minutes=MINUTES)))
               for k in range(0, 25)]

    done = [d for d in decided if isinstance(d, NothingToDo) and "already done" in d.reason]
    if status == "Success":
        assert len(done) == len(decided)
    else:
        assert done == []  # a Failed step is run again (once a day), never taken as done
        assert any(isinstance(d, RunCheck) for d in decided)


def test_a_failed_postcheck_step_is_confirmed_again_by_an_event() -> None:
    upgrade = newest_upgrade([a_task()], [a_workflow("task-new", postcheck="Failed")])

    decision = for_event(upgrade, CLUSTER)

    assert isinstance(decision, RunCheck) and decision.upgrade.task_id == "task-new"


def test_an_upgrade_whose_cluster_step_still_runs_is_pending_whatever_the_window() -> None:
    upgrade = newest_upgrade([a_task(phase="Running", ended=None)],
                             [a_workflow("task-new", cluster_status="Running", ended=None)])
    for k in (-5, 0, 5):
        decision = for_sweep(upgrade, Cluster(CID, "prod", BEFORE, "Upgrading"),
                             sweep_ending(ENDED + k * timedelta(hours=1)))
        assert isinstance(decision, UpgradeRunning)
