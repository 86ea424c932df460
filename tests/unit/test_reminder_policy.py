"""The reminder cadence is a policy value (issue 12: "Policies (waits, retries, reminders) are values passed in"):
``WaitPolicy.remind_every``, once a day by default (docs/operations.md, "The sweep": a held upgrade's owners are
reminded once a day). The sweep's decisions follow the value they are given. Pure: no stand-in, no SDK."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from postcheck.decision import NothingToDo, RunCheck, for_sweep, newest_upgrade, reminder_due
from postcheck.policy import WaitPolicy
from postcheck.records import Cluster, Point, UpgradeTask, Workflow

CID = "8978deaa-1743-11ee-8e46-0255ac10004c"
BEFORE, AFTER = "v1.27.1-r0", "v1.28.3-r0"
ENDED = datetime(2026, 11, 27, 20, 45, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def held(postcheck: str = "Init"):
    """An upgrade that ended at ENDED, recorded by a workflow whose PostCheck step is not done."""
    task = UpgradeTask(uid="task-1", created=ENDED - HOUR, version=BEFORE, target_version=AFTER, phase="Success",
                       completion_time=ENDED.isoformat())
    points = (Point("Cluster", "task-1", "Success", ENDED), Point("PostCheck", None, postcheck))
    workflow = Workflow(uid="wf", created=ENDED - 2 * HOUR, cluster_version=BEFORE, target_version=AFTER,
                        phase="Running", points=points)
    return newest_upgrade([task], [workflow])


def hourly_sweeps(upgrade, every: timedelta | None, hours: int = 30) -> list[int]:
    """The hours after the upgrade's end whose sweep (window of an hour) announces the hold as a reminder."""
    cluster = Cluster(CID, "prod", AFTER, "Available")
    found = []
    for k in range(1, hours + 1):
        window = (ENDED + (k - 1) * HOUR, ENDED + k * HOUR)
        decision = for_sweep(upgrade, cluster, window) if every is None else for_sweep(upgrade, cluster, window,
                                                                                      every)
        if isinstance(decision, RunCheck) and decision.reminder:
            found.append(k)
    return found


def test_the_default_policy_reminds_once_a_day():
    assert WaitPolicy().remind_every == timedelta(days=1)
    assert hourly_sweeps(held(), WaitPolicy().remind_every) == [24]
    assert hourly_sweeps(held(), None) == [24]  # the decision's own default is the same day


def test_a_shorter_cadence_given_as_a_value_reminds_that_often():
    assert hourly_sweeps(held(), timedelta(hours=6)) == [6, 12, 18, 24, 30]


def test_a_failed_confirmation_is_run_again_on_the_given_cadence_and_says_so():
    upgrade = held(postcheck="Failed")
    cluster = Cluster(CID, "prod", AFTER, "Available")
    every = timedelta(hours=6)

    later = for_sweep(upgrade, cluster, (ENDED + 2 * HOUR, ENDED + 3 * HOUR), every)
    due = for_sweep(upgrade, cluster, (ENDED + 5 * HOUR, ENDED + 6 * HOUR), every)

    assert isinstance(later, NothingToDo)
    assert isinstance(due, RunCheck)
    assert isinstance(for_sweep(upgrade, cluster, (ENDED + 5 * HOUR, ENDED + 6 * HOUR)), NothingToDo)  # daily


def test_reminder_due_counts_whole_periods_after_the_end():
    every = timedelta(hours=6)
    assert not reminder_due(ENDED, (ENDED, ENDED + 5 * HOUR), every)
    assert reminder_due(ENDED, (ENDED + 5 * HOUR, ENDED + 6 * HOUR), every)  # the window's end is in it
    assert not reminder_due(ENDED, (ENDED + 6 * HOUR, ENDED + 7 * HOUR), every)  # its start is not
    assert not reminder_due(None, (ENDED, ENDED + 30 * HOUR), every)
