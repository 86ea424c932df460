"""What an invocation returns: one JSON-serialisable dict per result, documented in the README ("The result")."""

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
    SWEPT = "swept"  # a sweep: one result per cluster in ``clusters`` (SweepResult)
    BATCH = "batch"  # a delivery of several events: one result per event in ``results`` (BatchResult)


# The outcomes of one cluster's check (a sweep's summary counts each of them).
CLUSTER_OUTCOMES = tuple(o for o in Outcome if o not in (Outcome.SWEPT, Outcome.BATCH))

Phase = Literal["Success", "Failed", "Error"]


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str
    request_id: str | None = None
    status: int | None = None
    operation: str | None = None


@dataclass(frozen=True)
class Receipt:
    """SMN's answer to a publish: the message's ID and the request's."""

    message_id: str
    request_id: str | None = None


@dataclass(frozen=True)
class Result:
    """One cluster's (or one refused event's) result."""

    outcome: Outcome
    phase: Phase | None = None
    cluster_id: str | None = None
    cluster_name: str | None = None
    cluster_version: str | None = None
    target_version: str | None = None
    task_uid: str | None = None
    upgrade_task_id: str | None = None
    notification: Receipt | None = None
    error: ErrorInfo | None = None
    dry_run: bool = False
    trigger: str | None = None
    reason: str | None = None
    checked_at: str | None = None
    health: dict[str, Any] | None = None  # the health gate's view (health.Health.as_dict), null if not judged
    forced: bool = False  # a manual event's "force": confirmed despite the gate's findings
    planned: dict[str, Any] | None = None  # a dry run's: what would have been sent

    def updated(self, **changes: Any) -> Result:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        if data["planned"] is None:
            del data["planned"]
        return data


@dataclass(frozen=True)
class SweepResult:
    """A sweep's result: its window ``(start, end]`` (ISO 8601), a count of each cluster outcome, and each
    cluster's result."""

    dry_run: bool
    trigger: str
    window: tuple[str, str]
    clusters: tuple[Result, ...]
    outcome = Outcome.SWEPT

    def to_dict(self) -> dict[str, Any]:
        counts = {o.value: sum(r.outcome is o for r in self.clusters) for o in CLUSTER_OUTCOMES}
        return {
            "outcome": self.outcome.value,
            "dry_run": self.dry_run,
            "trigger": self.trigger,
            "window": {"start": self.window[0], "end": self.window[1]},
            "summary": {"clusters": len(self.clusters), **counts},
            "clusters": [r.to_dict() for r in self.clusters],
            "error": None,
        }


@dataclass(frozen=True)
class BatchResult:
    """A delivery of several events: one result per event, in the delivery's order."""

    trigger: str
    results: tuple[Result | SweepResult, ...]
    outcome = Outcome.BATCH

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "trigger": self.trigger,
                "results": [r.to_dict() for r in self.results]}


Answer = Result | SweepResult | BatchResult  # what one invocation returns, before it becomes a dict
