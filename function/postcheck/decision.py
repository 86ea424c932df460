"""Pure decisions: given what CCE says about a cluster's upgrades, what to do. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .cce import UpgradeTask, Workflow, parse_time

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class RunCheck:
    cluster_version: str | None
    target_version: str | None
    upgrade_task: UpgradeTask | None = None


@dataclass(frozen=True)
class UpgradeFailed:
    upgrade_task: UpgradeTask


@dataclass(frozen=True)
class UpgradeRunning:
    upgrade_task: UpgradeTask


@dataclass(frozen=True)
class CannotCheck:
    code: str
    message: str


@dataclass(frozen=True)
class NothingToDo:
    """Nothing to check or report: already done, or outside this sweep's responsibility."""

    reason: str


Decision = RunCheck | UpgradeFailed | UpgradeRunning | CannotCheck | NothingToDo


def newest_workflow(workflows: list[Workflow]) -> Workflow | None:
    candidates = [(w.created or _EPOCH, i, w) for i, w in enumerate(workflows) if w.point("Cluster")]
    return max(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def already_checked(task: UpgradeTask, workflows: list[Workflow]) -> Workflow | None:
    """The workflow that records this upgrade task's post-check as done, if there is one."""
    for workflow in workflows:
        cluster, post = workflow.point("Cluster"), workflow.point("PostCheck")
        if cluster and cluster.task_id == task.uid and post and post.status == "Success":
            return workflow
    return None


def from_workflow(workflow: Workflow, window: tuple[datetime, datetime]) -> Decision:
    """What the sweep does for a cluster whose newest upgrade has a workflow: CCE's own record decides.

    The workflow's ``Cluster`` step stands for the upgrade task (its ID, status and end), so no task lookup
    is needed.
    """
    cluster, post = workflow.point("Cluster"), workflow.point("PostCheck")
    assert cluster is not None  # newest_workflow only returns workflows with a Cluster point
    if post is not None and post.status == "Success":
        return NothingToDo(f"the post-check of upgrade workflow {workflow.uid} is already done")
    task = UpgradeTask(uid=cluster.task_id or workflow.uid or "", version=workflow.cluster_version,
                       target_version=workflow.target_version, phase=cluster.status)
    if cluster.status == "Success":
        return RunCheck(workflow.cluster_version, workflow.target_version, task)
    if cluster.status == "Failed":
        if _in_window(cluster.ended, window):
            return UpgradeFailed(task)
        return NothingToDo(f"the failed upgrade of workflow {workflow.uid} ended outside this sweep's window "
                           "(reported by the sweep that covered it)")
    return UpgradeRunning(task)


def from_tasks(tasks: list[UpgradeTask], window: tuple[datetime, datetime]) -> Decision:
    """What the sweep does for a cluster whose upgrades have no workflow: the newest task, if it ended
    in this sweep's window (the window is anchored to the timer event's own time, so a retried timer
    event decides the same way)."""
    task = newest(tasks)
    if task is None:
        return NothingToDo("the cluster has no upgrade task")
    if not task.terminal:
        return UpgradeRunning(task)
    ended = _completed(task)
    if not _in_window(ended, window):
        return NothingToDo(f"upgrade task {task.uid} ended at {ended.isoformat() if ended else 'an unknown time'}, "
                           "outside this sweep's window")
    return RunCheck(task.version, task.target_version, task) if task.phase == "Success" else UpgradeFailed(task)


def _completed(task: UpgradeTask) -> datetime | None:
    return parse_time(task.completion_time)


def _in_window(moment: datetime | None, window: tuple[datetime, datetime]) -> bool:
    return moment is not None and window[0] < moment <= window[1]


def newest(tasks: list[UpgradeTask], successful_only: bool = False) -> UpgradeTask | None:
    """The task created last (the API's order is unconfirmed: sort by creationTimestamp).

    Tasks without a readable timestamp count as oldest; equal timestamps keep the API's order.
    """
    candidates = [(t.created or _EPOCH, i, t) for i, t in enumerate(tasks)
                  if not successful_only or t.phase == "Success"]
    return max(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def after_upgrade(task: UpgradeTask | None, cluster_id: str) -> Decision:
    """What an upgrade event leads to, from the state of the upgrade task it started."""
    if task is None:
        return CannotCheck("NoUpgradeTask", f"CCE lists no upgrade task for cluster {cluster_id}")
    if task.phase == "Success":
        return RunCheck(task.version, task.target_version, task)
    if task.phase == "Failed":
        return UpgradeFailed(task)
    return UpgradeRunning(task)


def with_versions(cluster_version: str | None, target_version: str | None,
                  tasks: list[UpgradeTask] | None, cluster_id: str) -> Decision:
    """A requested check, its missing versions taken from the newest successful upgrade task."""
    if cluster_version and target_version:
        return RunCheck(cluster_version, target_version)
    source = newest(tasks or [], successful_only=True)
    if source is None:
        return CannotCheck(
            "NoSuccessfulUpgrade",
            f"no successful upgrade task found for cluster {cluster_id} to take the versions from; "
            "give cluster_version and target_version in the event",
        )
    return RunCheck(cluster_version or source.version, target_version or source.target_version, source)
