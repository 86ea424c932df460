"""What an invocation returns: one JSON-serialisable dict, documented in the README."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import Enum
from typing import Any, Literal


class Outcome(str, Enum):
    CHECKED = "checked"  # the post-check ran (or, in a dry run, would have run); phase says how it went
    HELD = "held"  # the health gate found the cluster unsound: not confirmed; health.findings say why
    IGNORED = "ignored"  # a valid event that asks for nothing (another trace, a failed upgrade request, done already)
    PENDING = "pending"  # the upgrade is still running when the invocation had to stop
    FAILED = "failed"  # the check could not be done or the upgrade failed; error says why
    REJECTED = "rejected"  # refused: invalid input or configuration, or versions CCE contradicts; nothing written,
    # nothing published (only reads may have been made)


Phase = Literal["Success", "Failed", "Error"]


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str
    request_id: str | None = None
    status: int | None = None
    operation: str | None = None


@dataclass(frozen=True)
class Notification:
    message_id: str
    request_id: str | None = None


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    phase: Phase | None = None
    cluster_id: str | None = None
    cluster_name: str | None = None
    cluster_version: str | None = None
    target_version: str | None = None
    task_uid: str | None = None
    upgrade_task_id: str | None = None
    notification: Notification | None = None
    error: ErrorInfo | None = None
    dry_run: bool = False
    trigger: str | None = None
    reason: str | None = None
    checked_at: str | None = None
    health: dict[str, Any] | None = None  # the health gate's view (health.Health.as_dict), null if not judged
    forced: bool = False  # a manual event's "force": confirmed despite the gate's findings
    planned: dict[str, Any] | None = None

    def updated(self, **changes: Any) -> Result:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        if data["planned"] is None:
            del data["planned"]
        return data
