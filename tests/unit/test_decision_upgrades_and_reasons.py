"""The decisions' inputs and what they say, at the edges the rule tests leave open. Pure: no stand-in, no SDK call.

tests/unit/test_decision_rules.py and tests/unit/test_upgrade_decisions.py cover which decision is taken; this file
covers:

- One upgrade from a task and its workflow: a field the task lacks (creation time, end) is CCE's record of it in the
  workflow (``metadata.creationTimestamp``, the ``Cluster`` step's end); a workflow whose task is not listed is an
  upgrade of its own, carrying its record (its ``PostCheck`` step); a workflow CCE has not yet given a ``Cluster``
  step records no upgrade (../shared/reference/platform-facts.md, "Upgrade workflow").
- Undated upgrades: when one of several upgrades has no creation time, the newest cannot be known (the service
  then refuses, ``UndatedUpgrades``).
- What each decision carries: the upgrade it concerns, and for what is refused or skipped a message or reason that
  names what the docs say it names: a ``VersionMismatch`` names the event's versions and CCE's (docs/operations.md,
  "Versions in an event are verified"); a skipped upgrade names the upgrade, and when it ended.
- The sweep's window ``(start, end]`` and the daily reminder for an upgrade whose target the cluster does not run
  (docs/operations.md, "Held upgrades and the sweep"): reported by the sweep holding its end and, where a workflow
  records it, once a day after; never by the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from postcheck.decision import (
    CannotCheck,
    NothingToDo,
    RunCheck,
    UpgradeFailed,
    VersionMismatch,
    for_event,
    for_sweep,
    newest,
    newest_upgrade,
    undated,
    upgrades,
)
from postcheck.records import Cluster, Point, UpgradeTask, Workflow

CID = "8978deaa-1743-11ee-8e46-0255ac10004c"
BEFORE, AFTER = "v1.15.11-r1", "v1.19.16-r80"
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
END = T0 + timedelta(minutes=50)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
AT_TARGET = Cluster(CID, "prod", AFTER, "Available")
AT_SOURCE = Cluster(CID, "prod", BEFORE, "Available")


def a_task(uid: str = "task-new", phase: str = "Success", created: datetime | None = T0,
           ended: datetime | None = END, version: str = BEFORE, target: str = AFTER) -> UpgradeTask:
    return UpgradeTask(uid=uid, created=created, version=version, target_version=target, phase=phase,
                       completion_time=ended.isoformat() if ended else None)


def a_workflow(task_id: str | None = "task-new", cluster_status: str = "Success", postcheck: str | None = "Init",
               created: datetime | None = T0 - timedelta(minutes=5), ended: datetime | None = END,
               version: str = BEFORE, target: str = AFTER, uid: str = "wf-1", cluster_step: bool = True) -> Workflow:
    points = [Point("PreCheck", None, "Success")]
    if cluster_step:
        points.append(Point("Cluster", task_id, cluster_status, ended))
    if postcheck is not None:
        points.append(Point("PostCheck", None, postcheck))
    return Workflow(uid=uid, created=created, cluster_version=version, target_version=target, phase="Running",
                    points=tuple(points))


def window(end: datetime, minutes: int = 60) -> tuple[datetime, datetime]:
    return end - timedelta(minutes=minutes), end


# -- no upgrade at all -----------------------------------------------------------------------------------------------

def test_no_task_and_no_workflow_is_no_upgrade():
    assert newest([]) is None
    assert upgrades([], []) == []
    assert newest_upgrade([], []) is None


def test_a_cluster_without_upgrades_is_nothing_for_the_sweep_and_says_so():
    decision = for_sweep(None, AT_TARGET, window(END))

    assert isinstance(decision, NothingToDo)
    assert "no upgrade" in decision.reason


def test_a_cluster_without_upgrades_cannot_be_checked_and_the_message_names_the_cluster():
    decision = for_event(None, AT_TARGET)

    assert isinstance(decision, CannotCheck) and decision.code == "NoUpgradeTask"
    assert CID in decision.message


# -- one upgrade from a task and its workflow ------------------------------------------------------------------------

def test_a_task_without_a_creation_time_takes_its_workflows():
    flow = a_workflow(created=T0 - timedelta(minutes=5))

    (upgrade,) = upgrades([a_task(created=None)], [flow])

    assert upgrade.created == T0 - timedelta(minutes=5)
    assert upgrade.workflow is flow


def test_a_task_without_a_completion_time_takes_the_end_of_its_workflows_cluster_step():
    flow = a_workflow(ended=END)

    (upgrade,) = upgrades([a_task(ended=None)], [flow])

    assert upgrade.ended == END
    assert isinstance(for_sweep(upgrade, AT_TARGET, window(END)), RunCheck)


def test_the_tasks_own_times_come_first():
    flow = a_workflow(created=T0 - DAY, ended=END + DAY)

    (upgrade,) = upgrades([a_task()], [flow])

    assert (upgrade.created, upgrade.ended) == (T0, END)


def test_a_task_without_a_workflow_has_only_its_own_times():
    (upgrade,) = upgrades([a_task(created=None, ended=None)], [])

    assert (upgrade.created, upgrade.ended, upgrade.workflow) == (None, None, None)


def test_a_workflow_without_a_cluster_step_records_no_upgrade_and_is_no_tasks_record():
    early = a_workflow(cluster_step=False, postcheck=None, uid="wf-early")

    assert upgrades([], [early]) == []
    (upgrade,) = upgrades([a_task()], [early])
    assert upgrade.task_id == "task-new" and upgrade.workflow is None


@pytest.mark.parametrize("order", ["claimed-first", "claimed-last"])
def test_every_workflow_whose_task_is_not_listed_is_an_upgrade_of_its_own(order):
    mine = a_workflow("task-new", uid="wf-mine")
    stepless = a_workflow(cluster_step=False, postcheck=None, uid="wf-stepless")
    other = a_workflow("task-unlisted", created=T0 - DAY, ended=T0 - DAY + HOUR, uid="wf-other")
    third = a_workflow("task-unlisted-2", created=T0 - 2 * DAY, ended=T0 - 2 * DAY + HOUR, uid="wf-third")
    flows = [mine, stepless, other, third] if order == "claimed-first" else [third, other, stepless, mine]

    found = upgrades([a_task()], flows)

    assert sorted((u.task_id, u.workflow.uid if u.workflow else None) for u in found) == [
        ("task-new", "wf-mine"), ("task-unlisted", "wf-other"), ("task-unlisted-2", "wf-third")]


def test_a_workflow_of_its_own_carries_its_record_of_the_post_check():
    flow = a_workflow("task-unlisted", postcheck="Success", created=T0, ended=END)

    (upgrade,) = upgrades([], [flow])

    assert upgrade.workflow is flow and upgrade.postcheck == "Success"
    assert (upgrade.created, upgrade.ended, upgrade.phase) == (T0, END, "Success")
    assert isinstance(for_event(upgrade, AT_TARGET), NothingToDo)
    assert isinstance(for_sweep(upgrade, AT_TARGET, window(END)), NothingToDo)


def test_a_workflow_of_its_own_whose_post_check_is_not_done_is_judged_by_every_sweep():
    upgrade = newest_upgrade([], [a_workflow("task-unlisted", postcheck="Init", created=T0, ended=END)])

    decided = [for_sweep(upgrade, AT_TARGET, window(END + k * HOUR)) for k in range(0, 30)]

    assert all(isinstance(d, RunCheck) and d.upgrade == upgrade for d in decided)  # a workflow: judged every time
    assert [k for k, d in enumerate(decided) if d.reminder] == [24]


def test_a_workflow_claimed_by_one_task_is_not_the_record_of_another_with_the_same_versions():
    # two upgrade tasks between the same versions (a retried upgrade), one workflow whose Cluster step names no task
    first = a_task("task-first", created=T0 - DAY, ended=T0 - DAY + HOUR)
    second = a_task("task-second", created=T0, ended=END)
    flow = a_workflow(None, postcheck="Success")

    found = upgrades([first, second], [flow])

    assert [u.workflow for u in found].count(flow) == 1
    assert len(found) == 2


def test_a_workflow_naming_another_task_is_not_matched_by_versions():
    flow = a_workflow("task-other", postcheck="Success", created=T0 - DAY, ended=T0 - DAY + HOUR, uid="wf-other")

    found = upgrades([a_task()], [flow])

    mine = next(u for u in found if u.task_id == "task-new")
    assert mine.workflow is None and mine.postcheck is None


# -- undated upgrades ------------------------------------------------------------------------------------------------

def test_one_undated_upgrade_among_several_makes_the_newest_unknowable():
    assert undated([a_task(), a_task("task-old", created=None)], []) is True
    assert undated([a_task()], [a_workflow("task-unlisted", created=None, uid="wf-undated")]) is True
    assert undated([a_task(created=None)], [a_workflow("task-unlisted", created=None, uid="wf-x")]) is True


def test_a_single_upgrade_or_dated_ones_are_known():
    assert undated([], []) is False
    assert undated([a_task(created=None)], []) is False  # the only upgrade is the newest, dated or not
    assert undated([], [a_workflow("task-unlisted", created=None)]) is False
    assert undated([a_task(), a_task("task-old", created=T0 - DAY)], []) is False
    # a task without a creation time dated by its workflow is dated
    assert undated([a_task(created=None), a_task("task-old", created=T0 - DAY)], [a_workflow("task-new")]) is False


# -- events: what a refusal says -------------------------------------------------------------------------------------

def test_versions_for_a_cluster_without_upgrades_name_both_versions_and_what_the_cluster_runs():
    decision = for_event(None, Cluster(CID, "prod", "v1.21.1-r0", "Available"), "v1.13.10-r0", "v1.15.11-r1")

    assert isinstance(decision, VersionMismatch)
    assert "v1.13.10-r0" in decision.message and "v1.15.11-r1" in decision.message
    assert CID in decision.message
    assert "v1.21.1-r0" in decision.message


def test_versions_for_a_cluster_without_upgrades_or_a_known_version_do_not_name_a_version_it_runs():
    decision = for_event(None, Cluster(CID, "prod", None, "Available"), None, "v1.15.11-r1")

    assert isinstance(decision, VersionMismatch)
    assert "v1.15.11-r1" in decision.message and "None" not in decision.message
    assert "unknown" in decision.message


@pytest.mark.parametrize("phase", ["Success", "Running", "Failed"])
def test_a_mismatch_with_the_newest_upgrade_names_its_task_and_phase(phase):
    upgrade = newest_upgrade([a_task(phase=phase)], [])

    decision = for_event(upgrade, AT_TARGET, "v1.13.10-r0", None)

    assert isinstance(decision, VersionMismatch)
    assert f"{BEFORE} -> {AFTER}" in decision.message and "task-new" in decision.message
    assert phase in decision.message
    assert "unknown" not in decision.message


def test_a_mismatch_with_a_newest_upgrade_of_unknown_phase_does_not_say_none():
    upgrade = newest_upgrade([UpgradeTask(uid="task-new", created=T0, version=BEFORE, target_version=AFTER)], [])

    decision = for_event(upgrade, AT_TARGET, None, "v1.28.3-r0")

    assert isinstance(decision, VersionMismatch)
    assert "v1.28.3-r0" in decision.message and "None" not in decision.message


@pytest.mark.parametrize(("given", "named"), [
    ((BEFORE, AFTER), (BEFORE, AFTER)),
    ((None, AFTER), (AFTER,)),
    ((BEFORE, None), (BEFORE,)),
])
def test_versions_that_cannot_be_verified_for_a_cluster_of_unknown_version_are_refused_naming_them(given, named):
    upgrade = newest_upgrade([a_task()], [])

    decision = for_event(upgrade, Cluster(CID, "prod", None, "Available"), *given)

    assert isinstance(decision, VersionMismatch)
    assert all(v in decision.message for v in named)
    assert CID in decision.message
    assert "None" not in decision.message


def test_a_target_the_cluster_does_not_run_names_the_events_versions_the_clusters_and_the_target():
    upgrade = newest_upgrade([a_task()], [])

    decision = for_event(upgrade, Cluster(CID, "prod", "v1.21.1-r0", "Available"), BEFORE, AFTER)

    assert isinstance(decision, VersionMismatch)
    message = decision.message
    assert message.count(BEFORE) >= 1 and message.count(AFTER) >= 2  # asked, and the target it does not run
    assert "v1.21.1-r0" in message and CID in message


def test_without_versions_and_without_a_known_cluster_version_the_newest_upgrade_is_confirmed():
    upgrade = newest_upgrade([a_task()], [])

    decision = for_event(upgrade, Cluster(CID, "prod", None, "Available"))

    assert isinstance(decision, RunCheck) and decision.upgrade == upgrade


def test_an_upgrade_already_checked_names_its_workflow():
    flow = a_workflow(postcheck="Success", uid="wf-4b1f")
    upgrade = newest_upgrade([a_task()], [flow])

    decision = for_event(upgrade, AT_TARGET)

    assert isinstance(decision, NothingToDo)
    assert "wf-4b1f" in decision.reason and "task-new" in decision.reason


def test_a_succeeded_upgrade_the_cluster_does_not_run_is_not_confirmed_and_the_message_says_both_versions():
    upgrade = newest_upgrade([a_task()], [])

    decision = for_event(upgrade, AT_SOURCE)

    assert isinstance(decision, CannotCheck) and decision.code == "ClusterVersionMismatch"
    assert f"{BEFORE} -> {AFTER}" in decision.message
    assert "task-new" in decision.message
    assert f"runs {BEFORE}" in decision.message


# -- the sweep: what each decision carries ---------------------------------------------------------------------------

def test_a_failed_upgrade_reported_by_the_sweep_is_that_upgrade():
    upgrade = newest_upgrade([a_task(phase="Failed")], [])

    decision = for_sweep(upgrade, AT_SOURCE, window(END))

    assert isinstance(decision, UpgradeFailed) and decision.upgrade == upgrade


def test_a_failed_upgrade_outside_the_window_is_skipped_naming_it_and_its_end():
    upgrade = newest_upgrade([a_task(phase="Failed")], [])

    decision = for_sweep(upgrade, AT_SOURCE, window(END + 3 * HOUR))

    assert isinstance(decision, NothingToDo)
    assert "task-new" in decision.reason
    assert END.isoformat(timespec="seconds") in decision.reason


def test_a_failed_upgrade_of_unknown_end_is_skipped_without_naming_a_time():
    upgrade = newest_upgrade([a_task(phase="Failed", ended=None)], [])

    decision = for_sweep(upgrade, AT_SOURCE, window(END))

    assert isinstance(decision, NothingToDo)
    assert "task-new" in decision.reason and "None" not in decision.reason


def test_an_upgrade_without_a_workflow_checked_by_the_sweep_is_that_upgrade():
    upgrade = newest_upgrade([a_task()], [])

    decision = for_sweep(upgrade, AT_TARGET, window(END))

    assert isinstance(decision, RunCheck) and decision.upgrade == upgrade


def test_an_upgrade_without_a_workflow_outside_the_window_is_skipped_naming_it_and_its_end():
    upgrade = newest_upgrade([a_task()], [])

    decision = for_sweep(upgrade, AT_TARGET, window(END + 2 * HOUR))

    assert isinstance(decision, NothingToDo)
    assert "task-new" in decision.reason
    assert END.isoformat(timespec="seconds") in decision.reason


@pytest.mark.parametrize("postcheck", ["Init", "Queuing", "Running", None])
def test_a_held_upgrade_judged_again_is_that_upgrade(postcheck):
    flow = a_workflow(postcheck=postcheck)
    upgrade = newest_upgrade([a_task()], [flow])

    for k in (0, 5, 24):
        decision = for_sweep(upgrade, AT_TARGET, window(END + k * HOUR))
        assert isinstance(decision, RunCheck) and decision.upgrade == upgrade


def test_a_post_check_cce_answered_failed_is_run_again_for_that_upgrade_and_skipped_between_naming_it():
    upgrade = newest_upgrade([a_task()], [a_workflow(postcheck="Failed")])

    again = for_sweep(upgrade, AT_TARGET, window(END + DAY))
    between = for_sweep(upgrade, AT_TARGET, window(END + 3 * HOUR))

    assert isinstance(again, RunCheck) and again.upgrade == upgrade
    assert isinstance(between, NothingToDo) and "task-new" in between.reason and "Failed" in between.reason


# -- the sweep: an upgrade whose target the cluster does not run -----------------------------------------------------

@pytest.mark.parametrize("with_workflow", [False, True], ids=["task-only", "task-and-workflow"])
def test_a_version_the_cluster_does_not_run_is_reported_by_the_sweep_holding_the_upgrades_end(with_workflow):
    upgrade = newest_upgrade([a_task()], [a_workflow()] if with_workflow else [])

    decision = for_sweep(upgrade, AT_SOURCE, window(END))

    assert isinstance(decision, CannotCheck) and decision.code == "ClusterVersionMismatch"
    assert f"{BEFORE} -> {AFTER}" in decision.message and "task-new" in decision.message
    assert f"runs {BEFORE}" in decision.message


@pytest.mark.parametrize("with_workflow", [False, True], ids=["task-only", "task-and-workflow"])
def test_a_version_the_cluster_does_not_run_is_reported_once_a_day_after_its_end_and_left_alone_between(
        with_workflow):
    upgrade = newest_upgrade([a_task()], [a_workflow()] if with_workflow else [])

    decided = [for_sweep(upgrade, AT_SOURCE, window(END + k * HOUR)) for k in range(-2, 50)]

    reported = [k - 2 for k, d in enumerate(decided) if isinstance(d, CannotCheck)]
    assert reported == [0, 24, 48]
    skipped = [d for d in decided if not isinstance(d, CannotCheck)]
    assert all(isinstance(d, NothingToDo) for d in skipped)
    assert all(BEFORE in d.reason and "task-new" in d.reason for d in skipped)


def test_a_version_mismatch_is_reported_within_a_longer_window_too():
    upgrade = newest_upgrade([a_task()], [])

    assert isinstance(for_sweep(upgrade, AT_SOURCE, window(END + 90 * timedelta(minutes=1), minutes=180)),
                      CannotCheck)
    assert isinstance(for_sweep(upgrade, AT_SOURCE, window(END + 4 * HOUR, minutes=180)), NothingToDo)
