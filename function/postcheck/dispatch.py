"""One invocation: parse the event, then hand each intent to the single check or the sweep; a delivery of several
events gives one result per event."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from . import logs
from .check import check_cluster
from .config import ConfigurationError, load_settings
from .deadline import Deadline
from .errors import InvocationFailed
from .intent import Batch, CheckIntent, Ignored, Intent, InvalidEvent, Refused, SweepIntent
from .parse import parse_event
from .policy import WaitPolicy
from .result import Answer, BatchResult, ErrorInfo, Outcome, Result
from .runtime import Runtime
from .sweep import sweep
from .workers import concurrently

log = logs.get("dispatch")


def handle(event: Any, context: Any, policy: WaitPolicy | None = None) -> Answer:
    """One invocation. ``policy``: how to wait (tests and benchmarks pass their own; default :class:`WaitPolicy`)."""
    policy = policy or WaitPolicy()
    deadline = Deadline.from_context(context)
    try:
        parsed = parse_event(event)
    except InvalidEvent as exc:
        log.warning("event rejected", extra={"reason": str(exc)})
        return _rejected("InvalidEvent", str(exc))
    if isinstance(parsed, Batch):
        return handle_batch(parsed, lambda item: _handle_one(item, context, deadline, policy), context)
    return _handle_one(parsed, context, deadline, policy)


def _handle_one(intent: Intent | Refused, context: Any, deadline: Deadline, policy: WaitPolicy) -> Answer:
    if isinstance(intent, Refused):
        log.warning("event rejected", extra={"reason": intent.message})
        return _rejected("InvalidEvent", intent.message)
    if isinstance(intent, Ignored):
        log.info("event ignored", extra={"trigger": intent.trigger, "reason": intent.reason})
        return Result(outcome=Outcome.IGNORED, trigger=intent.trigger, reason=intent.reason)
    if isinstance(intent, SweepIntent):
        deadline = deadline.capped(policy.sweep_budget_s)
    try:
        runtime = Runtime.from_context(context, deadline, policy)
    except ConfigurationError as exc:
        log.error("configuration rejected", extra={"reason": str(exc)})
        return _rejected("InvalidConfiguration", str(exc))
    if isinstance(intent, CheckIntent):
        if intent.traced_at is not None:
            log.info("upgrade event", extra={"trigger": intent.trigger, "cluster_id": intent.cluster_id,
                                             "traced_at": intent.traced_at.isoformat()})
        return check_cluster(intent, runtime)
    return sweep(intent, runtime)


def handle_batch(batch: Batch, one: Callable[[Intent | Refused], Answer], context: Any) -> BatchResult:
    """Each event of a delivery on its own, at most ``MAX_CONCURRENCY`` at once (an upgrade event follows its
    upgrade for as long as the invocation lasts: one after another, the last would start hours late). One
    event's failure never stops the others; when all are done, the invocation fails (for the platform to deliver
    the batch again) if any result could not be published, or any event's handling failed."""
    try:
        workers = load_settings(context).max_concurrency
    except ConfigurationError:
        workers = 1  # each event that needs work says so in its own result

    def run(item: Intent | Refused) -> Answer | Exception:
        try:
            return one(item)
        except Exception as exc:  # reported below, once every event has been handled
            if not isinstance(exc, InvocationFailed):
                log.exception("event of a batch failed")
            return exc

    done = concurrently(run, batch.items, workers)
    failures = [outcome for outcome in done if isinstance(outcome, Exception)]
    results = [outcome for outcome in done if not isinstance(outcome, Exception)]
    # How many of each outcome (a few keys, whatever the delivery holds), not one entry per event: each event's
    # own result was logged as it was handled.
    outcomes = Counter(r.outcome.value for r in results)
    log.info("batch handled", extra={"trigger": batch.trigger, "events": len(done), "failed": len(failures),
                                     "outcomes": dict(sorted(outcomes.items()))})
    if failures:
        first = failures[0]
        if not isinstance(first, InvocationFailed):
            raise first  # a bug: the handler logs it and fails the invocation
        raise InvocationFailed(f"{len(failures)} of {len(done)} events in the batch could not be completed, "
                               f"first: {first}")
    return BatchResult(trigger=batch.trigger, results=tuple(results))


def _rejected(code: str, message: str) -> Result:
    return Result(outcome=Outcome.REJECTED, error=ErrorInfo(code=code, message=message))
