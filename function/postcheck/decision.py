"""Pure decisions: given what CCE says about a cluster's upgrades, what to do. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .cce import UpgradeTask

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


Decision = RunCheck | UpgradeFailed | UpgradeRunning | CannotCheck


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
