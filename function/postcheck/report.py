"""The end of one cluster's work: publish the message its outcome calls for, and give its result; keep for a
redelivery what it must not redo (:mod:`postcheck.redelivery`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import logs
from .errors import NotificationFailed
from .notification import build
from .redelivery import Job
from .result import Outcome, Result
from .runtime import Runtime
from .sdk import ApiError

log = logs.get("report")


@dataclass(frozen=True)
class Handled:
    """What was done for one cluster, and which message (if any) tells its owners: ``checked``, ``held``,
    ``reminder`` (still held, at the policy's reminder cadence) or ``failed``. ``planned_check``: in a dry run,
    the post-check's body that would have been sent."""

    result: Result
    message: str | None = None
    planned_check: dict[str, Any] | None = None


def conclude(handled: Handled, job: Job, runtime: Runtime, reused: bool = False) -> Result:
    """Publish the message ``handled`` calls for and return its result; keep for a redelivery what it must not
    redo (``reused``: ``handled`` is what an earlier delivery of ``job`` left)."""
    try:
        result = notify(handled, runtime)
    except NotificationFailed:
        if _post_check_ran(handled.result):
            job.keep(handled)
        raise
    if job.redelivered_whole and (handled.message is not None or _post_check_ran(result) or reused):
        # A sweep, or a delivery of several upgrade events, fails as a whole when one result cannot be published,
        # and the platform delivers it again: what it did check or tell must not be checked or told again then.
        job.keep(Handled(result))
    log.info("cluster handled", extra={"cluster_id": result.cluster_id, "outcome": result.outcome.value,
                                       "phase": result.phase, "dry_run": result.dry_run})
    return result


def _post_check_ran(result: Result) -> bool:
    """CCE ran a post-check for this result (it answered with the check's phase): running it again would
    confirm the upgrade twice."""
    return (result.outcome is Outcome.CHECKED and not result.dry_run and result.task_uid is not None
            and result.phase is not None)


def notify(handled: Handled, runtime: Runtime) -> Result:
    """Publish the message ``handled`` calls for; in a dry run, say in ``planned`` what would have been sent."""
    result = handled.result
    planned = {"postcheck": handled.planned_check} if handled.planned_check is not None else {}
    if handled.message is None:
        return result.updated(planned=planned) if planned else result
    message = build(result, runtime.where, handled.message)
    if result.dry_run:
        return result.updated(planned={**planned, "notification": message.as_dict()})
    try:
        sent = runtime.smn.publish(message, runtime.settings.topic_for(result.cluster_id, result.cluster_name))
    except ApiError as exc:
        log.error("publish failed", extra={"cluster_id": result.cluster_id, "error": str(exc)})
        raise NotificationFailed(f"could not publish the result for cluster {result.cluster_id}: {exc}") from None
    return result.updated(notification=sent)
