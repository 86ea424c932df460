"""The end of one cluster's work: publish the message its outcome calls for, and give its result.

A CCE error anywhere in the work becomes a ``failed`` result with phase ``Error``, published like any other. If an
earlier delivery of the same work in this instance ran the post-check but could not publish it, the post-check is
not run again: only the publish is retried (:mod:`postcheck.redelivery`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import logs, redelivery
from .errors import NotificationFailed
from .notification import build
from .result import ErrorInfo, Outcome, Result
from .runtime import Runtime
from .sdk import ApiError

log = logs.get("report")


@dataclass(frozen=True)
class Handled:
    """What was done for one cluster, and which message (if any) tells its owners: ``checked``, ``held``,
    ``reminder`` (still held, a day later) or ``failed``. ``planned_check``: in a dry run, the post-check's
    body that would have been sent."""

    result: Result
    message: str | None = None
    planned_check: dict[str, Any] | None = None


def conclude(base: Result, work: Callable[[], Handled], runtime: Runtime, identity: tuple[Any, ...]) -> Result:
    """Do ``work`` for the cluster of ``base`` (unless a redelivery of it finds it done), publish its message and
    return its result. ``identity``: what makes two deliveries the same work (its first item, ``"event"`` or
    ``"sweep"``, says which kind)."""
    # The topic is the one routed (TOPIC_ROUTES) for the cluster as the event or the sweep names it: the same for
    # every delivery of the same work. The message itself goes where the cluster's name, as CCE gives it, routes.
    topic = runtime.settings.topic_for(base.cluster_id, base.cluster_name)
    key = (*identity, topic, runtime.endpoints, runtime.credentials.project_id)
    stored: Handled | None = redelivery.STORE.take(key, runtime.policy.unpublished_ttl_s)
    if stored is not None:
        log.info("reusing an earlier delivery's work", extra={"cluster_id": base.cluster_id,
                                                              "publish": stored.message is not None})
        handled = stored
    else:
        try:
            handled = work()
        except ApiError as exc:
            handled = api_failure(base, exc, runtime)
    try:
        result = notify(handled, runtime)
    except NotificationFailed:
        if _post_check_ran(handled.result):
            redelivery.STORE.keep(key, handled)
        raise
    if _redelivered_whole(identity) and (handled.message is not None or _post_check_ran(result) or stored is not None):
        # A sweep, or a delivery of several upgrade events, fails as a whole when one result cannot be published,
        # and the platform delivers it again: what it did check or tell must not be checked or told again then.
        redelivery.STORE.keep(key, Handled(result))
    log.info("cluster handled", extra={"cluster_id": result.cluster_id, "outcome": result.outcome.value,
                                       "phase": result.phase, "dry_run": result.dry_run})
    return result


def _redelivered_whole(identity: tuple[Any, ...]) -> bool:
    """Work that comes again only as part of a redelivery: a sweep's cluster in its window, or an upgrade event
    with its trace's ID (a manual event sent again is a new request, and is done again)."""
    return identity[0] == "sweep" or (identity[0] == "event" and bool(identity[3]))


def api_failure(result: Result, exc: ApiError, runtime: Runtime) -> Handled:
    """A CCE call failed: a ``failed`` result with phase ``Error`` and CCE's error, to be published."""
    log.warning("CCE call failed", extra={"cluster_id": result.cluster_id, "error": str(exc)})
    error = ErrorInfo(code=exc.code, message=exc.message, request_id=exc.request_id, status=exc.status,
                      operation=exc.operation)
    return Handled(result.updated(outcome=Outcome.FAILED, phase="Error", checked_at=runtime.now(), error=error),
                   "failed")


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
