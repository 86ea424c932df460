"""Pure decisions: given what CCE says about a cluster and its upgrades, what to do. No SDK, no I/O.

Every check concerns the cluster's *newest* upgrade (newest by creation time, from its upgrade task or,
where CCE keeps one, its upgrade workflow): an older upgrade is never confirmed while a newer one exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol, TypeVar

from .records import Cluster, Upgrade, UpgradeTask, Workflow

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A held upgrade, or one whose confirmation CCE answered Failed, is brought up again at most once a day (the
# default of postcheck.policy.WaitPolicy.remind_every, which the sweep passes in).
REMIND_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class RunCheck:
    """Confirm this upgrade (after the health gate). ``announce_hold``: if the gate holds it, tell the owners
    (otherwise the hold is recorded in the result only); ``reminder``: such a message is a daily reminder."""

    upgrade: Upgrade
    announce_hold: bool = True
    reminder: bool = False


@dataclass(frozen=True)
class UpgradeFailed:
    upgrade: Upgrade


@dataclass(frozen=True)
class UpgradeRunning:
    upgrade: Upgrade


@dataclass(frozen=True)
class CannotCheck:
    """The check cannot be done; the owners are told why (``code`` is this function's, not CCE's)."""

    code: str
    message: str


@dataclass(frozen=True)
class VersionMismatch:
    """The versions an event names are not the cluster's newest upgrade: refused, nothing written."""

    message: str


@dataclass(frozen=True)
class NothingToDo:
    """Nothing to check or report: already done, or outside this sweep's responsibility."""

    reason: str


Decision = RunCheck | UpgradeFailed | UpgradeRunning | CannotCheck | VersionMismatch | NothingToDo


class _Dated(Protocol):
    @property
    def created(self) -> datetime | None: ...


D = TypeVar("D", bound=_Dated)


def newest(items: Sequence[D]) -> D | None:
    """The item created last (the API's order is unconfirmed: sort by creationTimestamp).

    Items without a readable timestamp count as oldest; equal timestamps keep the API's order (the later wins).
    """
    candidates = [(item.created or _EPOCH, i) for i, item in enumerate(items)]
    return items[max(candidates)[1]] if candidates else None


def upgrades(tasks: Sequence[UpgradeTask], workflows: Sequence[Workflow]) -> list[Upgrade]:
    """Every upgrade CCE knows of: each task with the workflow that records it, and each workflow whose
    ``Cluster`` step names no listed task."""
    found: list[Upgrade] = []
    claimed: set[int] = set()
    for task in tasks:
        index = _workflow_of(task, workflows, claimed)
        workflow = workflows[index] if index is not None else None
        if index is not None:
            claimed.add(index)
        step = workflow.point("Cluster") if workflow else None
        # a field the task lacks is taken from its workflow's record of it
        found.append(Upgrade(task_id=task.uid, version=task.version, target_version=task.target_version,
                             phase=task.phase, created=task.created or (workflow.created if workflow else None),
                             ended=task.ended or (step.ended if step else None), workflow=workflow))
    for index, workflow in enumerate(workflows):
        cluster = workflow.point("Cluster")
        if index in claimed or cluster is None:
            continue
        found.append(Upgrade(task_id=cluster.task_id, version=workflow.cluster_version,
                             target_version=workflow.target_version, phase=cluster.status, created=workflow.created,
                             ended=cluster.ended, workflow=workflow))
    return found


def _workflow_of(task: UpgradeTask, workflows: Sequence[Workflow], claimed: set[int]) -> int | None:
    """The workflow whose ``Cluster`` step is this task: by task ID, else (a step without one) by versions."""
    by_versions = None
    for index, workflow in enumerate(workflows):
        cluster = workflow.point("Cluster")
        if cluster is None or index in claimed:
            continue
        if cluster.task_id == task.uid:
            return index
        if (cluster.task_id is None and by_versions is None and workflow.cluster_version == task.version
                and workflow.target_version == task.target_version):
            by_versions = index
    return by_versions


def newest_upgrade(tasks: Sequence[UpgradeTask], workflows: Sequence[Workflow]) -> Upgrade | None:
    return newest(upgrades(tasks, workflows))


def undated(tasks: Sequence[UpgradeTask], workflows: Sequence[Workflow]) -> bool:
    """Whether CCE leaves the newest of several upgrades unknowable (one of them has no creation time)."""
    found = upgrades(tasks, workflows)
    return len(found) > 1 and any(upgrade.created is None for upgrade in found)


def for_event(upgrade: Upgrade | None, cluster: Cluster, cluster_version: str | None = None,
              target_version: str | None = None) -> Decision:
    """What an event (an upgrade trace, or a manual request, with or without versions) leads to."""
    requested = cluster_version is not None or target_version is not None
    if upgrade is None:
        if requested:
            return VersionMismatch(f"{_asked(cluster_version, target_version)}, but CCE lists no upgrade of "
                                   f"cluster {cluster.id} (it runs {cluster.version or 'an unknown version'})")
        return CannotCheck("NoUpgradeTask",
                           f"CCE lists no upgrade task or workflow for cluster {cluster.id}: no upgrade to confirm")
    if requested and ((cluster_version is not None and cluster_version != upgrade.version)
                      or (target_version is not None and target_version != upgrade.target_version)):
        return VersionMismatch(f"{_asked(cluster_version, target_version)}, but the newest upgrade of cluster "
                               f"{cluster.id} is {upgrade.versions} ({upgrade.label}, {upgrade.phase or 'unknown'}); "
                               "only the newest upgrade can be confirmed")
    if not upgrade.terminal:
        return UpgradeRunning(upgrade)
    if upgrade.phase == "Failed":
        return UpgradeFailed(upgrade)
    if requested and not cluster.version:
        return VersionMismatch(f"{_asked(cluster_version, target_version)}, but CCE does not say which version "
                               f"cluster {cluster.id} runs, so the versions cannot be verified")
    if cluster.version and upgrade.target_version != cluster.version:
        if requested:
            return VersionMismatch(f"{_asked(cluster_version, target_version)}, but cluster {cluster.id} runs "
                                   f"{cluster.version}, not {upgrade.target_version}")
        return _version_disagrees(upgrade, cluster)
    if upgrade.postcheck == "Success":
        return NothingToDo(f"the post-check of {upgrade.label} ({upgrade.versions}) is already done "
                           f"(upgrade workflow {upgrade.workflow.uid if upgrade.workflow else '?'})")
    return RunCheck(upgrade)


def for_sweep(upgrade: Upgrade | None, cluster: Cluster, window: tuple[datetime, datetime],
              remind_every: timedelta = REMIND_EVERY) -> Decision:
    """What the sweep does for one cluster.

    Where CCE records the upgrade in a workflow, its ``PostCheck`` step says whether the confirmation is
    still owed: every sweep judges a held upgrade again (and confirms it once healthy), telling the owners
    when it is first held and reminding them at most once every ``remind_every`` (:func:`reminder_due`); a
    confirmation CCE answered ``Failed`` is run again on the same rule. Without a workflow CCE keeps no such record:
    only the sweep whose window ``(start, end]`` holds the upgrade's end judges it.
    """
    if upgrade is None:
        return NothingToDo("the cluster has no upgrade task or workflow")
    if not upgrade.terminal:
        return UpgradeRunning(upgrade)
    inside = in_window(upgrade.ended, window)
    if upgrade.phase == "Failed":
        if inside:
            return UpgradeFailed(upgrade)
        return NothingToDo(f"the failed {upgrade.label} ended {_when(upgrade.ended)}, outside this sweep's window "
                           "(reported by the sweep that covered it)")
    if upgrade.postcheck == "Success":
        return NothingToDo(f"the post-check of {upgrade.label} ({upgrade.versions}) is already done")
    due = reminder_due(upgrade.ended, window, remind_every)
    if cluster.version and upgrade.target_version != cluster.version:
        return _version_disagrees(upgrade, cluster) if inside or due else NothingToDo(
            f"cluster runs {cluster.version}, not the target of {upgrade.label}; reported when it ended")
    if upgrade.workflow is None:
        if inside:
            return RunCheck(upgrade)
        return NothingToDo(f"{upgrade.label} ended {_when(upgrade.ended)}, outside this sweep's window "
                           "(without an upgrade workflow, only the sweep whose window holds its end judges it)")
    if upgrade.postcheck == "Failed":
        if due:  # run again: a new confirmation (if the gate holds it now, that is its first hold message)
            return RunCheck(upgrade)
        return NothingToDo(f"CCE answered Failed to the last post-check of {upgrade.label}; it runs again "
                           f"{cadence(remind_every)} from the upgrade's end")
    return RunCheck(upgrade, announce_hold=inside or due, reminder=due)


def reminder_due(ended: datetime | None, window: tuple[datetime, datetime],
                 every: timedelta = REMIND_EVERY) -> bool:
    """Whether a whole number (at least one) of ``every`` after ``ended`` falls in ``(start, end]``.

    Consecutive sweeps' windows tile time without gaps or overlaps, so exactly one sweep a day sees it, and
    no store is needed: the rule follows from the upgrade's end and the timer event's own time.
    """
    if ended is None:
        return False
    start, end = window
    first = (start - ended) // every + 1  # the smallest k with ended + k*every > start
    return max(first, 1) * every + ended <= end


def cadence(every: timedelta) -> str:
    """How often reminders come, as a reason says it: "once a day", else "every 6:00:00"."""
    return "once a day" if every == timedelta(days=1) else f"every {every}"


def in_window(moment: datetime | None, window: tuple[datetime, datetime]) -> bool:
    """Whether ``moment`` is in the sweep's window ``(start, end]``."""
    return moment is not None and window[0] < moment <= window[1]


def _version_disagrees(upgrade: Upgrade, cluster: Cluster) -> CannotCheck:
    return CannotCheck("ClusterVersionMismatch",
                       f"{upgrade.label} ({upgrade.versions}) succeeded, but the cluster runs {cluster.version}: "
                       "its state does not agree with the upgrade, so it was not confirmed")


def _asked(cluster_version: str | None, target_version: str | None) -> str:
    return f"the event names the upgrade {cluster_version or '(any)'} -> {target_version or '(any)'}"


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "at an unknown time"
