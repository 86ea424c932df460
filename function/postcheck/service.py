"""The data path of one invocation: event → intent → decision → SDK calls → notification → result."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import logs
from .cce import Cce, UpgradeTask, post_check_json
from .config import ConfigurationError, Credentials, Settings, load_credentials, load_settings
from .deadline import Deadline
from .decision import (
    CannotCheck,
    Decision,
    NothingToDo,
    RunCheck,
    UpgradeFailed,
    UpgradeRunning,
    after_upgrade,
    already_checked,
    newest,
    with_versions,
)
from .endpoints import cce_endpoint, smn_endpoint
from .intent import CheckIntent, Ignored, InvalidEvent, SweepIntent
from .notification import Where, build
from .parse import parse_event
from .result import ErrorInfo, Outcome, Result
from .sdk import ApiError
from .smn import Smn

log = logs.get("service")
# Waiting for a running upgrade: the first poll after a few seconds, then doubling up to a minute.
POLL_FIRST_S = 2.0
POLL_MAX_S = 60.0
# What a post-check and its report need after the wait: the wait stops this long before the deadline.
TIME_TO_CHECK_S = 10.0
Clock = Callable[[], datetime]


# Post-checks that ran but whose result could not be published, by the identity of the work (the event's fields,
# or the sweep's cluster and window, plus the dry-run flag, the endpoints, the project and the SMN topic): a
# redelivery of the same event to this instance publishes the stored result instead of running the post-check
# a second time. Only a result whose post-check really ran is stored; anything else (a CCE error, a failed
# upgrade, a dry run) is cheap and safe to redo, and a redelivery does it for real.
# Entries expire: the platform's retries come within minutes; a run hours later deserves a fresh check.
MAX_UNPUBLISHED = 256
UNPUBLISHED_TTL_S = 1800.0
_UNPUBLISHED: dict[tuple[Any, ...], tuple[float, Result, dict[str, Any]]] = {}
_UNPUBLISHED_LOCK = threading.Lock()


def forget_unpublished() -> None:
    """Drop every stored unpublished result (tests; a process that changes configuration)."""
    with _UNPUBLISHED_LOCK:
        _UNPUBLISHED.clear()


class InvocationFailed(RuntimeError):
    """The invocation fails on purpose, so that the platform delivers the event again (and, after its
    retries, to the failure destination). The message says why; it holds no secret and no traceback."""


class NotificationFailed(InvocationFailed):
    """The result could not be published."""


@dataclass
class Runtime:
    """Everything an intent needs to be carried out, built once per invocation."""

    settings: Settings
    credentials: Credentials
    deadline: Deadline
    endpoints: tuple[str, str]  # CCE, SMN
    clock: Clock = field(default=lambda: datetime.now(timezone.utc))
    sleep: Callable[[float], None] = time.sleep
    _cce: Cce | None = None
    _smn: Smn | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the sweep's threads share the clients

    @classmethod
    def from_context(cls, context: Any, deadline: Deadline) -> Runtime:
        settings = load_settings(context)
        credentials = load_credentials(context)
        logs.SECRETS.add(credentials.secrets)
        return cls(settings, credentials, deadline, (cce_endpoint(settings), smn_endpoint(settings)))

    @property
    def cce(self) -> Cce:
        with self._lock:
            if self._cce is None:
                self._cce = Cce.connect(self.endpoints[0], self.credentials, self.deadline,
                                        pool_size=self.settings.max_concurrency)
            return self._cce

    @property
    def smn(self) -> Smn:
        with self._lock:
            if self._smn is None:
                self._smn = Smn.connect(self.endpoints[1], self.credentials, self.settings.smn_topic_urn,
                                        self.settings.topic_project, self.deadline,
                                        pool_size=self.settings.max_concurrency)
            return self._smn

    @property
    def where(self) -> Where:
        return Where(self.settings.region, self.credentials.project_id)


def handle(event: Any, context: Any) -> dict[str, Any]:
    deadline = Deadline.from_context(context)
    try:
        intent = parse_event(event)
    except InvalidEvent as exc:
        log.warning("event rejected", extra={"reason": str(exc)})
        return _rejected("InvalidEvent", str(exc)).to_dict()
    if isinstance(intent, Ignored):
        log.info("event ignored", extra={"trigger": intent.trigger, "reason": intent.reason})
        return Result(outcome=Outcome.IGNORED, trigger=intent.trigger, reason=intent.reason).to_dict()
    try:
        runtime = Runtime.from_context(context, deadline)
    except ConfigurationError as exc:
        log.error("configuration rejected", extra={"reason": str(exc)})
        return _rejected("InvalidConfiguration", str(exc)).to_dict()
    if isinstance(intent, CheckIntent):
        return check_cluster(intent, runtime).to_dict()
    assert isinstance(intent, SweepIntent)
    from .sweep import sweep

    return sweep(intent, runtime)


def check_cluster(intent: CheckIntent, runtime: Runtime) -> Result:
    """Check one cluster and publish the outcome; API errors become a ``failed`` result, published too."""
    result = Result(
        outcome=Outcome.FAILED,
        cluster_id=intent.cluster_id,
        cluster_name=intent.cluster_name,
        cluster_version=intent.cluster_version,
        target_version=intent.target_version,
        upgrade_task_id=intent.upgrade_task_id,
        dry_run=intent.dry_run or runtime.settings.dry_run,
        trigger=intent.trigger,
    )

    def decided() -> tuple[Result, Decision]:
        cluster = runtime.cce.cluster(intent.cluster_id)
        named = result.updated(cluster_name=cluster.name or intent.cluster_name)
        return named, decide(intent, runtime.cce, runtime.deadline, runtime.sleep)

    identity = ("event", intent.cluster_id, intent.trigger, intent.trace_id, intent.upgrade_task_id,
                intent.cluster_version, intent.target_version, result.dry_run)
    return conclude(result, decided, runtime, identity)


def conclude(result: Result, decided: Callable[[], tuple[Result, Decision]], runtime: Runtime,
             identity: tuple[Any, ...]) -> Result:
    """Look up what to do, do it, publish it: the part shared by single checks and the sweep.

    A CCE error anywhere becomes a ``failed`` result with phase ``Error``, published like any other.
    If an earlier delivery of the same work in this instance ran the check but could not publish it,
    the check is not run again: only the publish is retried.
    """
    identity = (*identity, runtime.settings.smn_topic_urn, runtime.endpoints, runtime.credentials.project_id)
    with _UNPUBLISHED_LOCK:
        stored = _UNPUBLISHED.pop(identity, None)
    if stored is not None and time.monotonic() - stored[0] < UNPUBLISHED_TTL_S:
        log.info("republishing an earlier check", extra={"cluster_id": result.cluster_id})
        _, result, planned = stored
    else:
        planned: dict[str, Any] = {}
        try:
            result, decision = decided()
            result, planned = _carry_out(decision, result, runtime)
        except ApiError as exc:
            log.warning("CCE call failed", extra={"cluster_id": result.cluster_id, "error": str(exc)})
            error = ErrorInfo(code=exc.code, message=exc.message, request_id=exc.request_id, status=exc.status,
                              operation=exc.operation)
            result = result.updated(outcome=Outcome.FAILED, phase="Error", checked_at=_now(runtime), error=error)
    try:
        result = notify(result, runtime, planned)
    except NotificationFailed:
        if _post_check_ran(result):
            _remember_unpublished(identity, (result, planned))
        raise
    log.info("cluster handled", extra={"cluster_id": result.cluster_id, "outcome": result.outcome.value,
                                       "phase": result.phase, "dry_run": result.dry_run})
    return result


def _post_check_ran(result: Result) -> bool:
    """CCE ran a post-check for this result (it answered with the check's phase): running it again would
    confirm the upgrade twice."""
    return (result.outcome is Outcome.CHECKED and not result.dry_run and result.task_uid is not None
            and result.phase is not None)


def _remember_unpublished(key: tuple[Any, ...], value: tuple[Result, dict[str, Any]]) -> None:
    with _UNPUBLISHED_LOCK:
        while len(_UNPUBLISHED) >= MAX_UNPUBLISHED:
            _UNPUBLISHED.pop(next(iter(_UNPUBLISHED)))
        _UNPUBLISHED[key] = (time.monotonic(), *value)


def wait_for_upgrade(task: UpgradeTask, cluster_id: str, cce: Cce, deadline: Deadline,
                     sleep: Callable[[float], None]) -> UpgradeTask:
    """Poll a running upgrade task, backing off, until it ends or the time left is only enough to report."""
    delay = POLL_FIRST_S
    while not task.terminal:
        pause = delay * random.uniform(0.8, 1.2)
        if deadline.usable() < pause + TIME_TO_CHECK_S:
            break
        sleep(pause)
        task = cce.upgrade_task(cluster_id, task.uid)
        delay = min(POLL_MAX_S, delay * 2)
    return task


def decide(intent: CheckIntent, cce: Cce, deadline: Deadline, sleep: Callable[[float], None]) -> Decision:
    cid = intent.cluster_id
    if intent.follow_upgrade:
        task = None
        if intent.upgrade_task_id:
            try:
                task = cce.upgrade_task(cid, intent.upgrade_task_id)
            except ApiError as exc:
                if exc.status != 404:
                    raise
                # The trace's ID is not a task CCE knows (its place in traces is unconfirmed): look up the newest.
        if task is None:
            task = newest(cce.upgrade_tasks(cid))
        if task is not None and not task.terminal:
            task = wait_for_upgrade(task, cid, cce, deadline, sleep)
        if task is not None and task.phase == "Success":
            done = already_checked(task, cce.upgrade_workflows(cid))
            if done is not None:
                return NothingToDo(f"the post-check of upgrade task {task.uid} is already done "
                                   f"(upgrade workflow {done.uid})")
        return after_upgrade(task, cid)
    tasks = None
    if not (intent.cluster_version and intent.target_version):
        tasks = cce.upgrade_tasks(cid)
    return with_versions(intent.cluster_version, intent.target_version, tasks, cid)


def _carry_out(decision: Decision, result: Result, runtime: Runtime) -> tuple[Result, dict[str, Any]]:
    task = getattr(decision, "upgrade_task", None)
    if task is not None:
        result = result.updated(upgrade_task_id=task.uid,
                                cluster_version=result.cluster_version or task.version,
                                target_version=result.target_version or task.target_version)
    match decision:
        case NothingToDo(reason=reason):
            return result.updated(outcome=Outcome.IGNORED, reason=reason), {}
        case UpgradeRunning(upgrade_task=task):
            phase = task.phase or "in an unknown phase"
            reason = f"upgrade task {task.uid} is {phase}: the check runs once it succeeds"
            return result.updated(outcome=Outcome.PENDING, reason=reason), {}
        case UpgradeFailed(upgrade_task=task):
            error = ErrorInfo(code="UpgradeFailed",
                              message=f"upgrade task {task.uid} ended Failed; the post-upgrade check was not run")
            return result.updated(outcome=Outcome.FAILED, checked_at=_now(runtime), error=error), {}
        case CannotCheck(code=code, message=message):
            error = ErrorInfo(code=code, message=message)
            return result.updated(outcome=Outcome.FAILED, checked_at=_now(runtime), error=error), {}
        case RunCheck(cluster_version=cv, target_version=tv):
            result = result.updated(cluster_version=cv, target_version=tv)
            if result.dry_run:
                return result.updated(outcome=Outcome.CHECKED, checked_at=_now(runtime)), {
                    "postcheck": post_check_json(result.cluster_id or "", cv, tv)}
            check = runtime.cce.post_check(result.cluster_id or "", cv, tv)
            return result.updated(outcome=Outcome.CHECKED, phase=check.phase, task_uid=check.uid,
                                  checked_at=_now(runtime)), {}
    raise AssertionError(f"unhandled decision {decision!r}")  # pragma: no cover


def notify(result: Result, runtime: Runtime, planned: dict[str, Any]) -> Result:
    """Publish one message for a checked or failed result (in a dry run: say what would be published)."""
    if not result.notifies:
        return result.updated(planned=planned or None) if result.dry_run else result
    message = build(result, runtime.where)
    if result.dry_run:
        return result.updated(planned={**planned, "notification": message.as_dict()})
    try:
        sent = runtime.smn.publish(message)
    except ApiError as exc:
        log.error("publish failed", extra={"cluster_id": result.cluster_id, "error": str(exc)})
        raise NotificationFailed(f"could not publish the result for cluster {result.cluster_id}: {exc}") from None
    return result.updated(notification=sent)


def _rejected(code: str, message: str) -> Result:
    return Result(outcome=Outcome.REJECTED, error=ErrorInfo(code=code, message=message))


def _now(runtime: Runtime) -> str:
    return runtime.clock().isoformat(timespec="seconds").replace("+00:00", "Z")
