"""What CCE says about a cluster, as plain records: the cluster, its upgrades and its parts.

Pure: no SDK, no I/O. :mod:`postcheck.cce` fills these from the SDK's answers; the decisions
(:mod:`postcheck.decision`) and the health judgement (:mod:`postcheck.health`) read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

# Upgrade task phases (CCE ``UpgradeTask.status.phase``): Init, Queuing, Running, Pause, Success, Failed.
TERMINAL_UPGRADE_PHASES = frozenset({"Success", "Failed"})
# "2023-06-01 08:30:00.123 +0800 CST": the zone's name after the offset says nothing more.
_ZONE_NAME = re.compile(r"^(.*[+-]\d{2}:?\d{2})\s+[A-Za-z]{1,6}$")
# Go prints up to 9 fractional digits ("2016-08-01 10:11:02.139235173 +0000 UTC", CCE's documented example:
# https://docs.otc.t-systems.com/en-us/api/cce/en-us_topic_0035964136.html); Python 3.10's strptime and
# fromisoformat read at most 6, so the rest (below a microsecond) is dropped first.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f %z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
)


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str | None = None
    version: str | None = None  # spec.version: the version the cluster runs
    phase: str | None = None  # status.phase: Available, Upgrading, Unavailable, ...


@dataclass(frozen=True)
class UpgradeTask:
    uid: str
    created: datetime | None = None
    version: str | None = None  # spec.version: before the upgrade
    target_version: str | None = None
    phase: str | None = None
    completion_time: str | None = None

    @property
    def terminal(self) -> bool:
        return self.phase in TERMINAL_UPGRADE_PHASES

    @property
    def ended(self) -> datetime | None:
        return parse_time(self.completion_time)


@dataclass(frozen=True)
class Point:
    """One step of an upgrade workflow (``PreCheck``, ``Cluster``, ``PostCheck``, ...)."""

    task_type: str | None = None
    task_id: str | None = None
    status: str | None = None
    ended: datetime | None = None


@dataclass(frozen=True)
class Workflow:
    """An upgrade workflow: CCE's record of one upgrade, step by step."""

    uid: str | None = None
    created: datetime | None = None
    cluster_version: str | None = None
    target_version: str | None = None
    phase: str | None = None
    points: tuple[Point, ...] = ()

    def point(self, task_type: str) -> Point | None:
        return next((p for p in self.points if p.task_type == task_type), None)


@dataclass(frozen=True)
class Upgrade:
    """One upgrade of a cluster, from its task, its workflow, or both.

    ``phase`` is the upgrade task's phase (or the workflow's ``Cluster`` step status, which uses the same
    words); ``postcheck`` is the workflow's ``PostCheck`` step status where a workflow records the upgrade.
    """

    task_id: str | None
    version: str | None
    target_version: str | None
    phase: str | None
    created: datetime | None = None
    ended: datetime | None = None
    workflow: Workflow | None = None

    @property
    def terminal(self) -> bool:
        return self.phase in TERMINAL_UPGRADE_PHASES

    @property
    def postcheck(self) -> str | None:
        point = self.workflow.point("PostCheck") if self.workflow else None
        return point.status if point else None

    @property
    def label(self) -> str:
        """How messages name it: the task, else the workflow."""
        if self.task_id:
            return f"upgrade task {self.task_id}"
        return f"upgrade workflow {self.workflow.uid if self.workflow else '?'}"

    @property
    def versions(self) -> str:
        return f"{self.version or '?'} -> {self.target_version or '?'}"


@dataclass(frozen=True)
class PostCheck:
    """The answer of ``create_post_check``."""

    phase: str  # Success, Failed or Error
    uid: str
    request_id: str | None = None


@dataclass(frozen=True)
class Node:
    uid: str
    name: str | None
    phase: str | None  # Build, Installing, Upgrading, Active, Abnormal, Deleting, Error, Repairing, RepairFailed


@dataclass(frozen=True)
class NodePool:
    uid: str
    name: str | None
    phase: str | None  # "" or None: available; Synchronizing, Synchronized, SoldOut, Deleting, Error
    creating: int = 0  # status.creatingNode
    deleting: int = 0  # status.deletingNode


@dataclass(frozen=True)
class Addon:
    uid: str
    name: str | None
    status: str | None  # running, abnormal, installing, upgrading, available (partly ready), rollbacking, ...
    message: str | None = None


def parse_time(value: Any) -> datetime | None:
    """A CCE timestamp (``2023-06-01 08:30:00.123 +0000 UTC`` or ISO 8601) as an aware datetime."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    text = text[:-1] + "+00:00" if text.endswith("Z") else text
    named = _ZONE_NAME.match(text)
    text = named.group(1) if named else text
    text = _LONG_FRACTION.sub(r"\1", text, count=1)
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).astimezone(timezone.utc)
        except ValueError:
            continue
        except OverflowError:  # e.g. Go's zero time in a zone east of UTC: before the year 1 in UTC
            return None
    try:
        parsed = datetime.fromisoformat(text)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
