"""Which upgrade is confirmed, and when (issue 8, part 1, and the sweep's reminder rule). Pure: no SDK."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from postcheck.decision import (
    CannotCheck,
    NothingToDo,
    RunCheck,
    UpgradeFailed,
    UpgradeRunning,
    VersionMismatch,
    for_event,
    for_sweep,
    newest_upgrade,
    reminder_due,
)
from postcheck.records import Cluster, Point, UpgradeTask, Workflow

CID = "8978deaa-1743-11ee-8e46-0255ac10004c"
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def task(uid: str, version: str, target: str, phase: str, created: datetime, ended: datetime | None = None):
    return UpgradeTask(uid=uid, created=created, version=version, target_version=target, phase=phase,
                       completion_time=ended.isoformat() if ended else None)


def workflow(uid: str, version: str, target: str, cluster_task: str | None, cluster_status: str,
             postcheck: str | None, created: datetime, ended: datetime | None = None):
    points = [Point("PreCheck", None, "Success"), Point("Cluster", cluster_task, cluster_status, ended)]
    if postcheck is not None:
        points.append(Point("PostCheck", None, postcheck))
    return Workflow(uid=uid, created=created, cluster_version=version, target_version=target, phase="Running",
                    points=tuple(points))


OLD = task("old", "v1.13.10-r0", "v1.15.11-r1", "Success", T0 - DAY, T0 - DAY + HOUR)
NEW_RUNNING = task("new", "v1.15.11-r1", "v1.19.16-r80", "Running", T0)
NEW_DONE = task("new", "v1.15.11-r1", "v1.19.16-r80", "Success", T0, T0 + HOUR)
NEW_FAILED = task("new", "v1.15.11-r1", "v1.19.16-r80", "Failed", T0, T0 + HOUR)
AT_TARGET = Cluster(CID, "prod", "v1.19.16-r80", "Available")
AT_SOURCE = Cluster(CID, "prod", "v1.15.11-r1", "Upgrading")


# -- the newest upgrade ------------------------------------------------------------------------------------------

def test_the_newest_upgrade_is_the_task_created_last_whatever_the_list_order():
    assert newest_upgrade([NEW_DONE, OLD], []).task_id == "new"
    assert newest_upgrade([OLD, NEW_DONE], []).task_id == "new"


def test_a_task_without_a_timestamp_counts_as_oldest():
    undated = task("undated", "v1.1", "v1.2", "Success", None)  # type: ignore[arg-type]
    assert newest_upgrade([OLD, undated], []).task_id == "old"
    assert newest_upgrade([undated, OLD], []).task_id == "old"


def test_a_workflow_is_attached_to_the_task_its_cluster_step_names():
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "new", "Success", "Init", T0 - HOUR, T0 + HOUR)
    other = workflow("wf-old", "v1.13.10-r0", "v1.15.11-r1", "old", "Success", "Success", T0 - 2 * DAY)

    upgrade = newest_upgrade([OLD, NEW_DONE], [other, flow])

    assert upgrade.task_id == "new"
    assert upgrade.workflow is flow
    assert upgrade.postcheck == "Init"


def test_a_workflow_whose_task_is_not_listed_is_an_upgrade_of_its_own():
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "unlisted", "Success", "Init", T0 + HOUR, T0 + 2 * HOUR)

    upgrade = newest_upgrade([OLD], [flow])

    assert (upgrade.task_id, upgrade.version, upgrade.target_version, upgrade.phase) == (
        "unlisted", "v1.15.11-r1", "v1.19.16-r80", "Success")
    assert upgrade.ended == T0 + 2 * HOUR


def test_a_cluster_step_without_a_task_id_matches_its_task_by_versions():
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", None, "Success", "Init", T0 - HOUR)

    upgrade = newest_upgrade([OLD, NEW_DONE], [flow])

    assert upgrade.task_id == "new" and upgrade.workflow is flow


# -- events -----------------------------------------------------------------------------------------------------

def test_a_running_newest_upgrade_is_waited_for_not_an_older_finished_one():
    decision = for_event(newest_upgrade([OLD, NEW_RUNNING], []), AT_SOURCE)

    assert isinstance(decision, UpgradeRunning)
    assert decision.upgrade.task_id == "new"


def test_a_newest_upgrade_that_failed_after_an_older_success_is_reported_failed():
    decision = for_event(newest_upgrade([OLD, NEW_FAILED], []), Cluster(CID, "prod", "v1.15.11-r1", "Available"))

    assert isinstance(decision, UpgradeFailed)
    assert decision.upgrade.task_id == "new"


def test_a_successful_newest_upgrade_is_confirmed_with_its_versions():
    decision = for_event(newest_upgrade([OLD, NEW_DONE], []), AT_TARGET)

    assert isinstance(decision, RunCheck)
    assert (decision.upgrade.version, decision.upgrade.target_version) == ("v1.15.11-r1", "v1.19.16-r80")


def test_an_upgrade_whose_workflow_records_the_post_check_done_is_not_confirmed_again():
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "new", "Success", "Success", T0 - HOUR)

    decision = for_event(newest_upgrade([NEW_DONE], [flow]), AT_TARGET)

    assert isinstance(decision, NothingToDo)
    assert "already done" in decision.reason


@pytest.mark.parametrize("postcheck", ["Init", "Failed", None])
def test_an_event_confirms_while_the_post_check_is_not_recorded_as_done(postcheck):
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "new", "Success", postcheck, T0 - HOUR)

    assert isinstance(for_event(newest_upgrade([NEW_DONE], [flow]), AT_TARGET), RunCheck)


def test_no_upgrade_at_all_cannot_be_checked():
    decision = for_event(None, AT_TARGET)

    assert isinstance(decision, CannotCheck) and decision.code == "NoUpgradeTask"


@pytest.mark.parametrize(("given", "names"), [
    (("v1.13.10-r0", "v1.15.11-r1"), "v1.13.10-r0 -> v1.15.11-r1"),  # the older upgrade
    ((None, "v1.15.11-r1"), "(any) -> v1.15.11-r1"),
    (("v1.15.11-r0", None), "v1.15.11-r0 -> (any)"),
])
def test_versions_that_are_not_the_newest_upgrade_are_a_mismatch_naming_both(given, names):
    decision = for_event(newest_upgrade([OLD, NEW_DONE], []), AT_TARGET, *given)

    assert isinstance(decision, VersionMismatch)
    assert names in decision.message
    assert "v1.15.11-r1 -> v1.19.16-r80" in decision.message  # CCE's newest upgrade


def test_the_newest_upgrades_versions_are_confirmed_when_the_cluster_runs_the_target():
    decision = for_event(newest_upgrade([OLD, NEW_DONE], []), AT_TARGET, "v1.15.11-r1", "v1.19.16-r80")

    assert isinstance(decision, RunCheck)


def test_a_target_the_cluster_does_not_run_is_a_mismatch_naming_the_clusters_version():
    decision = for_event(newest_upgrade([NEW_DONE], []), Cluster(CID, "prod", "v1.21.1-r0", "Available"),
                         "v1.15.11-r1", "v1.19.16-r80")

    assert isinstance(decision, VersionMismatch)
    assert "v1.21.1-r0" in decision.message


def test_versions_for_a_cluster_without_upgrades_are_a_mismatch():
    assert isinstance(for_event(None, AT_TARGET, "v1.15.11-r1", "v1.19.16-r80"), VersionMismatch)


def test_matching_versions_of_a_running_upgrade_wait_for_it():
    decision = for_event(newest_upgrade([OLD, NEW_RUNNING], []), AT_SOURCE, "v1.15.11-r1", "v1.19.16-r80")

    assert isinstance(decision, UpgradeRunning)


def test_an_upgrade_whose_target_the_cluster_does_not_run_is_not_confirmed():
    decision = for_event(newest_upgrade([NEW_DONE], []), Cluster(CID, "prod", "v1.15.11-r1", "Available"))

    assert isinstance(decision, CannotCheck) and decision.code == "ClusterVersionMismatch"


# -- the sweep ----------------------------------------------------------------------------------------------------

END = T0 + HOUR  # NEW_DONE's end


def window(end: datetime, minutes: int = 60) -> tuple[datetime, datetime]:
    return end - timedelta(minutes=minutes), end


def test_the_sweep_window_is_open_at_its_start_and_closed_at_its_end():
    assert isinstance(for_sweep(newest_upgrade([NEW_DONE], []), AT_TARGET, window(END)), RunCheck)
    assert isinstance(for_sweep(newest_upgrade([NEW_DONE], []), AT_TARGET, window(END + HOUR)), NothingToDo)


def test_without_a_workflow_only_the_sweep_whose_window_holds_the_end_judges_it():
    upgrade = newest_upgrade([NEW_DONE], [])

    decided = [for_sweep(upgrade, AT_TARGET, window(END + k * HOUR)) for k in range(-1, 30)]

    assert [type(d).__name__ for d in decided].count("RunCheck") == 1
    assert isinstance(decided[1], RunCheck)


def test_a_failed_upgrade_is_reported_by_the_sweep_whose_window_holds_its_end_only():
    upgrade = newest_upgrade([NEW_FAILED], [])

    assert isinstance(for_sweep(upgrade, AT_SOURCE, window(END)), UpgradeFailed)
    assert isinstance(for_sweep(upgrade, AT_SOURCE, window(END + HOUR)), NothingToDo)
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "new", "Failed", "Init", T0 - HOUR, END)
    with_flow = newest_upgrade([NEW_FAILED], [flow])
    assert isinstance(for_sweep(with_flow, AT_SOURCE, window(END)), UpgradeFailed)
    assert isinstance(for_sweep(with_flow, AT_SOURCE, window(END + 2 * HOUR)), NothingToDo)


def test_a_running_upgrade_is_pending_for_the_sweep():
    assert isinstance(for_sweep(newest_upgrade([OLD, NEW_RUNNING], []), AT_SOURCE, window(END)), UpgradeRunning)


def test_a_held_upgrade_with_a_workflow_is_judged_by_every_sweep_and_announced_once_a_day():
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "new", "Success", "Init", T0 - HOUR, END)
    upgrade = newest_upgrade([NEW_DONE], [flow])

    decided = [for_sweep(upgrade, AT_TARGET, window(END + k * HOUR)) for k in range(0, 72)]

    assert all(isinstance(d, RunCheck) for d in decided)  # judged every hour for three days
    announced = [k for k, d in enumerate(decided) if d.announce_hold]
    assert announced == [0, 24, 48]  # when first held (the window holding its end), then once a day
    assert [k for k, d in enumerate(decided) if d.reminder] == [24, 48]


def test_a_post_check_cce_answered_failed_runs_again_once_a_day_only():
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "new", "Success", "Failed", T0 - HOUR, END)
    upgrade = newest_upgrade([NEW_DONE], [flow])

    decided = [for_sweep(upgrade, AT_TARGET, window(END + k * HOUR)) for k in range(0, 50)]

    assert [k for k, d in enumerate(decided) if isinstance(d, RunCheck)] == [24, 48]
    assert all(isinstance(d, NothingToDo) for k, d in enumerate(decided) if k not in (24, 48))


def test_a_done_post_check_is_left_alone_by_the_sweep():
    flow = workflow("wf", "v1.15.11-r1", "v1.19.16-r80", "new", "Success", "Success", T0 - HOUR, END)

    assert isinstance(for_sweep(newest_upgrade([NEW_DONE], [flow]), AT_TARGET, window(END)), NothingToDo)


def test_the_sweep_never_confirms_an_older_workflow_while_a_newer_task_exists():
    flow = workflow("wf-old", "v1.13.10-r0", "v1.15.11-r1", "old", "Success", "Init", T0 - 2 * DAY, T0 - DAY)

    decision = for_sweep(newest_upgrade([OLD, NEW_RUNNING], [flow]), AT_SOURCE, window(END))

    assert isinstance(decision, UpgradeRunning) and decision.upgrade.task_id == "new"


# -- the reminder rule --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("offset", "due"), [
    (timedelta(0), False),  # the end itself: the first message, not a reminder
    (DAY - timedelta(minutes=1), False),
    (DAY, True),  # the window (end + 23 h, end + 24 h] holds end + 1 day
    (DAY + timedelta(minutes=59), True),
    (DAY + HOUR, False),  # (end + 24 h, end + 25 h]: open at its start
    (2 * DAY + timedelta(seconds=1), True),
    (10 * DAY + timedelta(minutes=30), True),
])
def test_a_reminder_is_due_in_the_one_window_a_day_that_holds_a_whole_day_after_the_end(offset, due):
    assert reminder_due(END, window(END + offset)) is due


def test_consecutive_windows_remind_exactly_once_a_day_whatever_the_period():
    for minutes in (1, 7, 60, 180, 24 * 60):
        starts = [END - timedelta(minutes=37) + k * timedelta(minutes=minutes)
                  for k in range((5 * 24 * 60) // minutes)]
        due = [s for s in starts if reminder_due(END, (s, s + timedelta(minutes=minutes)))]
        assert len(due) == len(set(int((s - END) / DAY) for s in due)), minutes
        assert 3 <= len(due) <= 5, minutes


def test_no_reminder_without_an_end_time():
    assert reminder_due(None, window(END + DAY)) is False
