"""What an invocation returns: one JSON-serialisable dict, documented in the README."""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Outcome(str, Enum):
    CHECKED = "checked"  # the post-check ran (or, in a dry run, would have run); phase says how it went
    IGNORED = "ignored"  # a valid event that asks for nothing (another trace, a failed upgrade request)
    PENDING = "pending"  # the upgrade is still running; the sweep picks it up
    FAILED = "failed"  # the check could not be done or the upgrade failed; error says why
    REJECTED = "rejected"  # invalid input or configuration; no API was called


Phase = Literal["Success", "Failed", "Error"]


class ErrorInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    message: str
    request_id: str | None = None
    status: int | None = None
    operation: str | None = None


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)
    message_id: str
    request_id: str | None = None


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)

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
    planned: dict[str, Any] | None = None

    @property
    def notifies(self) -> bool:
        """One SMN message goes out per checked or failed outcome."""
        return self.outcome in (Outcome.CHECKED, Outcome.FAILED)

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        if data["planned"] is None:
            del data["planned"]
        return data
