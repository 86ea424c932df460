"""The data path of one check: intent → CCE's state → decision → (wait, health gate) → post-check →
notification → result."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from . import logs
from .cce import Cce, post_check_json
from .config import ConfigurationError, Credentials, Settings, load_credentials, load_settings
from .deadline import Deadline
from .decision import (
    CannotCheck,
    Decision,
    NothingToDo,
    RunCheck,
    UpgradeFailed,
    UpgradeRunning,
    VersionMismatch,
    for_event,
    newest_upgrade,
    undated,
)
from .endpoints import cce_endpoint, smn_endpoint
from .health import Health, judge
from .intent import Batch, CheckIntent, Ignored, Intent, InvalidEvent, Refused, SweepIntent
from .notification import Where, build, build_started
from .parse import parse_event
from .policy import WaitPolicy
from .records import Cluster, Upgrade
from .result import ErrorInfo, Outcome, Result
from .sdk import ApiError
from .smn import Smn

log = logs.get("service")
Clock = Callable[[], datetime]


# Work a redelivery must not redo, by the identity of the work (the event's fields, or the sweep's cluster and
# window, plus the dry-run flag, the endpoints, the project and the SMN topic): a post-check that ran but whose
# result could not be published (the redelivery publishes the stored result instead of confirming twice), and
# what a sweep that failed as a whole did and told for each cluster (its retry reuses it). Anything else (a CCE
# error, a failed upgrade, a dry run) is cheap and safe to redo, and a redelivery does it for real.
# Entries expire: the platform's retries come within minutes; a run hours later deserves a fresh check.
MAX_UNPUBLISHED = 256
UNPUBLISHED_TTL_S = 1800.0
_UNPUBLISHED: dict[tuple[Any, ...], tuple[float, Handled]] = {}
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
    policy: WaitPolicy = field(default_factory=WaitPolicy)
    rng: Callable[[float, float], float] = random.uniform
    _cce: Cce | None = None
    _smn: Smn | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the sweep's threads share the clients

    def __post_init__(self) -> None:
        self.started = self.deadline.now()

    @classmethod
    def from_context(cls, context: Any, deadline: Deadline, policy: WaitPolicy | None = None) -> Runtime:
        settings = load_settings(context)
        credentials = load_credentials(context)
        logs.SECRETS.add(credentials.secrets)
        return cls(settings, credentials, deadline, (cce_endpoint(settings), smn_endpoint(settings)),
                   policy=policy or WaitPolicy())

    @property
    def cce(self) -> Cce:
        with self._lock:
            if self._cce is None:
                self._cce = Cce.connect(self.endpoints[0], self.credentials, self.deadline,
                                        pool_size=self.settings.max_concurrency, backoff=self.policy.backoff)
            return self._cce

    @property
    def smn(self) -> Smn:
        with self._lock:
            if self._smn is None:
                self._smn = Smn.connect(self.endpoints[1], self.credentials, self.settings.smn_topic_urn,
                                        self.settings.topic_project, self.deadline,
                                        pool_size=self.settings.max_concurrency, backoff=self.policy.backoff)
            return self._smn

    @property
    def where(self) -> Where:
        return Where(self.settings.region, self.credentials.project_id)


def handle(event: Any, context: Any, policy: WaitPolicy | None = None) -> dict[str, Any]:
    """One invocation. ``policy``: how to wait (tests and benchmarks pass their own; default :class:`WaitPolicy`).
    A delivery of several events (an EventGrid batch, an SMN event of several records) gives
    ``{"outcome": "batch", "trigger", "results": [...]}``: one plain result per event, in order."""
    policy = policy or WaitPolicy()
    deadline = Deadline.from_context(context)
    try:
        parsed = parse_event(event)
    except InvalidEvent as exc:
        log.warning("event rejected", extra={"reason": str(exc)})
        return _rejected("InvalidEvent", str(exc)).to_dict()
    if isinstance(parsed, Batch):
        return _handle_batch(parsed, lambda item: _handle_one(item, context, deadline, policy), context)
    return _handle_one(parsed, context, deadline, policy)


def _handle_one(intent: Intent | Refused, context: Any, deadline: Deadline, policy: WaitPolicy) -> dict[str, Any]:
    if isinstance(intent, Refused):
        log.warning("event rejected", extra={"reason": intent.message})
        return _rejected("InvalidEvent", intent.message).to_dict()
    if isinstance(intent, Ignored):
        log.info("event ignored", extra={"trigger": intent.trigger, "reason": intent.reason})
        return Result(outcome=Outcome.IGNORED, trigger=intent.trigger, reason=intent.reason).to_dict()
    if isinstance(intent, SweepIntent):
        deadline = deadline.capped(policy.sweep_budget_s)
    try:
        runtime = Runtime.from_context(context, deadline, policy)
    except ConfigurationError as exc:
        log.error("configuration rejected", extra={"reason": str(exc)})
        return _rejected("InvalidConfiguration", str(exc)).to_dict()
    if isinstance(intent, CheckIntent):
        if intent.traced_at is not None:
            log.info("upgrade event", extra={"trigger": intent.trigger, "cluster_id": intent.cluster_id,
                                             "traced_at": intent.traced_at.isoformat()})
        return check_cluster(intent, runtime).to_dict()
    from .sweep import sweep

    return sweep(intent, runtime)


def _handle_batch(batch: Batch, one: Callable[[Intent | Refused], dict[str, Any]], context: Any) -> dict[str, Any]:
    """Each event of a delivery on its own, at most ``MAX_CONCURRENCY`` at once (an upgrade event follows its
    upgrade for as long as the invocation lasts: one after another, the last would start hours late). One
    event's failure never stops the others; when all are done, the invocation fails (for the platform to deliver
    the batch again) if any result could not be published, or any event's handling failed."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    try:
        workers = load_settings(context).max_concurrency
    except ConfigurationError:
        workers = 1  # each event that needs work says so in its own result

    def run(item: Intent | Refused) -> dict[str, Any] | Exception:
        try:
            return one(item)
        except Exception as exc:  # reported below, once every event has been handled
            if not isinstance(exc, InvocationFailed):
                log.exception("event of a batch failed")
            return exc

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(batch.items)))) as pool:
        done = list(pool.map(run, batch.items))
    failures = [outcome for outcome in done if isinstance(outcome, Exception)]
    results = [outcome for outcome in done if not isinstance(outcome, Exception)]
    # How many of each outcome (a few keys, whatever the delivery holds), not one entry per event: each event's
    # own result was logged as it was handled.
    outcomes = Counter(str(r.get("outcome")) for r in results)
    log.info("batch handled", extra={"trigger": batch.trigger, "events": len(done), "failed": len(failures),
                                     "outcomes": dict(sorted(outcomes.items()))})
    if failures:
        first = failures[0]
        if not isinstance(first, InvocationFailed):
            raise first  # a bug: the handler logs it and fails the invocation
        raise InvocationFailed(f"{len(failures)} of {len(done)} events in the batch could not be completed, "
                               f"first: {first}")
    return {"outcome": "batch", "trigger": batch.trigger, "results": results}


@dataclass(frozen=True)
class Handled:
    """What was done for one cluster, and which message (if any) tells its owners: ``checked``, ``held``,
    ``reminder`` (still held, a day later) or ``failed``."""

    result: Result
    message: str | None = None


def check_cluster(intent: CheckIntent, runtime: Runtime) -> Result:
    """Check one cluster's newest upgrade and publish the outcome; API errors become a ``failed`` result,
    published too."""
    base = Result(
        outcome=Outcome.FAILED,
        cluster_id=intent.cluster_id,
        cluster_name=intent.cluster_name,
        cluster_version=intent.cluster_version,
        target_version=intent.target_version,
        upgrade_task_id=intent.upgrade_task_id,
        dry_run=intent.dry_run or runtime.settings.dry_run,
        trigger=intent.trigger,
    )
    identity = ("event", intent.cluster_id, intent.trigger, intent.trace_id, intent.upgrade_task_id,
                intent.cluster_version, intent.target_version, base.dry_run, intent.force)
    return conclude(base, lambda: follow(intent, base, runtime), runtime, identity)


def follow(intent: CheckIntent, result: Result, runtime: Runtime) -> Handled:
    """Find the cluster's newest upgrade, wait for it while it runs (an upgrade event: as long as the
    invocation lasts; a manual event: ``MANUAL_WAIT_SECONDS``), then decide and carry the decision out."""
    cce, cid = runtime.cce, intent.cluster_id
    cluster = cce.cluster(cid)
    result = result.updated(cluster_name=cluster.name or intent.cluster_name)
    try:
        return _follow_known(intent, result, cluster, runtime)
    except ApiError as exc:  # reported with the name CCE gave: it routes the message and names the cluster
        return api_failure(result, exc, runtime)


def _follow_known(intent: CheckIntent, result: Result, cluster: Cluster, runtime: Runtime) -> Handled:
    cce, cid = runtime.cce, intent.cluster_id
    until = _wait_limit(intent, runtime)
    known = read_upgrades(cce, cid, intent.upgrade_task_id)
    if intent.upgrade_task_id and not known.named_found:
        known = wait_until_listed(intent.upgrade_task_id, cid, runtime, until)
        if not known.named_found:
            reason = (f"CCE does not know upgrade task {intent.upgrade_task_id}, which the trace names: nothing is "
                      "confirmed for it now (an older upgrade is never taken for it); the sweep confirms the upgrade "
                      "once CCE shows it ended")
            log.warning("the traced upgrade task is unknown to CCE", extra={"cluster_id": cid,
                                                                           "task_id": intent.upgrade_task_id})
            return Handled(result.updated(outcome=Outcome.PENDING, reason=reason))
    if known.undated:
        return carry_out(CannotCheck("UndatedUpgrades", f"CCE gives no creation time for some upgrades of cluster "
                                     f"{cid}, so its newest upgrade cannot be known: nothing was confirmed"),
                         result, cluster, runtime)
    upgrade = known.newest
    decision = for_event(upgrade, cluster, intent.cluster_version, intent.target_version)
    if isinstance(decision, UpgradeRunning):
        if intent.follow_upgrade and runtime.settings.notify_started and not result.dry_run:
            announce_start(result, decision.upgrade, runtime)
        upgrade = wait_for_upgrade(decision.upgrade, cid, runtime, until)
        if upgrade.terminal:  # read again what the end changed: the cluster's version, the workflow's record
            cluster = cce.cluster(cid)
            upgrade = read_upgrades(cce, cid, upgrade.task_id).newest
            decision = for_event(upgrade, cluster, intent.cluster_version, intent.target_version)
        else:
            decision = UpgradeRunning(upgrade)
    return carry_out(decision, result, cluster, runtime, force=intent.force, until=until)


def _wait_limit(intent: CheckIntent, runtime: Runtime) -> float | None:
    """Until when (the deadline's clock) this event may wait. A manual event: ``MANUAL_WAIT_SECONDS``. An upgrade
    event by CTS or SMN, which invoke asynchronously: the whole invocation. One by EventGrid, whose invocation
    mode is not documented: a sweep's budget, as if it were cut at 900 s (the sweep takes it from there)."""
    if not intent.follow_upgrade:
        return runtime.started + runtime.settings.manual_wait_seconds
    if intent.trigger.startswith("eventgrid"):
        return runtime.started + runtime.policy.sweep_budget_s
    return None


@dataclass(frozen=True)
class Known:
    """What CCE knows of a cluster's upgrades: the newest; whether it knows the task an event names; whether
    some upgrade has no creation time (then the newest cannot be known)."""

    newest: Upgrade | None
    named_found: bool = True
    undated: bool = False


def read_upgrades(cce: Cce, cluster_id: str, task_id: str | None = None) -> Known:
    """The cluster's upgrades, from its upgrade tasks and workflows (and the task an event names, if the list
    does not hold it yet)."""
    tasks = cce.upgrade_tasks(cluster_id)
    found = True
    if task_id and all(task.uid != task_id for task in tasks):
        try:
            tasks.append(cce.upgrade_task(cluster_id, task_id))
        except ApiError as exc:
            if exc.status != 404:
                raise
            found = False  # not listed yet, or the trace's ID is no task (its place in traces is unconfirmed)
    workflows = cce.upgrade_workflows(cluster_id)
    return Known(newest_upgrade(tasks, workflows), found, undated(tasks, workflows))


def wait_until_listed(task_id: str, cluster_id: str, runtime: Runtime, until: float | None) -> Known:
    """Read the upgrades again, at the poll cadence, until CCE knows the task an event names, for at most
    ``unknown_task_wait_s`` (CCE's lists may lag the trace)."""
    limit = runtime.deadline.now() + runtime.policy.unknown_task_wait_s
    known = Known(None, named_found=False)
    for _ in _pauses(runtime, min(limit, until) if until is not None else limit):
        known = read_upgrades(runtime.cce, cluster_id, task_id)
        if known.named_found:
            break
    return known


def wait_for_upgrade(upgrade: Upgrade, cluster_id: str, runtime: Runtime, until: float | None) -> Upgrade:
    """Poll a running upgrade, backing off, until it ends, ``until`` (the deadline's clock) comes, or only the
    time to check and report is left."""
    if upgrade.terminal:
        return upgrade
    for _ in _pauses(runtime, until):
        try:
            upgrade = _read_again(upgrade, cluster_id, runtime.cce)
        except ApiError as exc:  # one failed poll of a long upgrade is no reason to stop following it
            if not exc.transient:
                raise
            log.warning("a poll of the running upgrade failed; polling on",
                        extra={"cluster_id": cluster_id, "error": str(exc)})
        if upgrade.terminal:
            break
    return upgrade


def _pauses(runtime: Runtime, until: float | None) -> Iterator[None]:
    """The poll cadence: sleeps ``poll_first_s``, doubling to ``poll_max_s``, each jittered, and yields after each;
    stops before a pause would pass ``until`` (the deadline's clock) or leave less than the time to check and
    report."""
    policy, deadline = runtime.policy, runtime.deadline
    delay = policy.poll_first_s
    while True:
        pause = delay * runtime.rng(1 - policy.jitter, 1 + policy.jitter)
        if deadline.usable() < pause + policy.time_to_check_s:
            return
        if until is not None and deadline.now() + pause > until:
            return
        runtime.sleep(pause)
        yield
        delay = min(policy.poll_max_s, delay * 2)


def _read_again(upgrade: Upgrade, cluster_id: str, cce: Cce) -> Upgrade:
    if upgrade.task_id is None:  # known from a workflow only
        return read_upgrades(cce, cluster_id).newest or upgrade
    task = cce.upgrade_task(cluster_id, upgrade.task_id)
    return replace(upgrade, phase=task.phase, ended=task.ended)


def announce_start(result: Result, upgrade: Upgrade, runtime: Runtime) -> None:
    """One short message: the upgrade has started, what comes next. A failure to send it is logged, not fatal:
    the outcome's message matters more."""
    message = build_started(result.updated(cluster_version=upgrade.version, target_version=upgrade.target_version,
                                           upgrade_task_id=upgrade.task_id), runtime.where)
    try:
        runtime.smn.publish(message, runtime.settings.topic_for(result.cluster_id, result.cluster_name))
    except ApiError as exc:
        log.warning("could not announce the upgrade's start", extra={"cluster_id": result.cluster_id,
                                                                    "error": str(exc)})


def carry_out(decision: Decision, result: Result, cluster: Cluster, runtime: Runtime, force: bool = False,
              until: float | None = None) -> Handled:
    """Do what the decision says; the health gate stands before every confirmation."""
    match decision:
        case NothingToDo(reason=reason):
            return Handled(result.updated(outcome=Outcome.IGNORED, reason=reason))
        case UpgradeRunning(upgrade=upgrade):
            result = _with_upgrade(result, upgrade)
            reason = (f"{upgrade.label} ({upgrade.versions}) is {upgrade.phase or 'in an unknown phase'}: it is "
                      "confirmed once it succeeds (by the invocation that follows it, or the sweep)")
            return Handled(result.updated(outcome=Outcome.PENDING, reason=reason))
        case UpgradeFailed(upgrade=upgrade):
            error = ErrorInfo(code="UpgradeFailed",
                              message=f"{upgrade.label} ({upgrade.versions}) ended Failed; the post-upgrade check "
                              "was not run")
            return Handled(_with_upgrade(result, upgrade).updated(outcome=Outcome.FAILED, checked_at=_now(runtime),
                                                                  error=error), "failed")
        case CannotCheck(code=code, message=message):
            return Handled(result.updated(outcome=Outcome.FAILED, checked_at=_now(runtime),
                                          error=ErrorInfo(code=code, message=message)), "failed")
        case VersionMismatch(message=message):
            return Handled(result.updated(outcome=Outcome.REJECTED,
                                          error=ErrorInfo(code="VersionMismatch", message=message)))
        case RunCheck(upgrade=upgrade, announce_hold=announce, reminder=reminder):
            return _confirm(_with_upgrade(result, upgrade), upgrade, cluster, runtime, force, until, announce,
                            reminder)
    raise AssertionError(f"unhandled decision {decision!r}")  # pragma: no cover


def _confirm(result: Result, upgrade: Upgrade, cluster: Cluster, runtime: Runtime, force: bool,
             until: float | None, announce: bool, reminder: bool) -> Handled:
    # A hold that would not be announced (a sweep's re-judgement) is not worth waiting for: the next sweep looks.
    health, waited = judge_health(cluster, runtime, until, wait=announce)
    if waited and upgrade.workflow is not None:
        # While the gate waited, another invocation (the sweep, the event) may have confirmed it: CCE's record says.
        now = read_upgrades(runtime.cce, cluster.id).newest
        if now is None or now.task_id != upgrade.task_id or now.postcheck == "Success":
            return Handled(result.updated(outcome=Outcome.IGNORED, reason=f"{upgrade.label} was confirmed, or a newer "
                                          "upgrade began, while the health gate waited"))
    if health is not None:
        result = result.updated(health=health.as_dict())
        if not health.healthy and health.gate == "block":
            if not force:
                reason = (f"the health gate found {len(health.findings)} problem(s): not confirmed until the "
                          "cluster is sound")
                if not announce:
                    reason += " (its owners were told when it was first held; reminders come once a day)"
                held = result.updated(outcome=Outcome.HELD, checked_at=_now(runtime), reason=reason)
                return Handled(held, ("reminder" if reminder else "held") if announce else None)
            result = result.updated(forced=True)
    cid, cv, tv = result.cluster_id or "", result.cluster_version, result.target_version
    if result.dry_run:
        return Handled(result.updated(outcome=Outcome.CHECKED, checked_at=_now(runtime),
                                      planned={"postcheck": post_check_json(cid, cv, tv)}), "checked")
    check = runtime.cce.post_check(cid, cv, tv)
    return Handled(result.updated(outcome=Outcome.CHECKED, phase=check.phase, task_uid=check.uid,
                                  checked_at=_now(runtime)), "checked")


def judge_health(cluster: Cluster, runtime: Runtime, until: float | None = None,
                 wait: bool = True) -> tuple[Health | None, bool]:
    """Read the cluster's nodes, node pools and add-ons and judge them (``HEALTH_GATE`` ``off``: no reads).
    While every finding is a transient state, read again every ``health_poll_s``, for at most
    ``HEALTH_WAIT_SECONDS`` (and never past ``until`` or the time needed to check and report; not at all unless
    ``wait``). Also says whether it waited."""
    settings, policy, deadline, cce = runtime.settings, runtime.policy, runtime.deadline, runtime.cce
    if settings.health_gate == "off":
        return None, False
    limit = deadline.now() + (settings.health_wait_seconds if wait else 0)
    limit = min(limit, until) if until is not None else limit
    waited = False
    while True:
        health = judge(settings.health_gate, cluster, cce.nodes(cluster.id), cce.node_pools(cluster.id),
                       cce.addons(cluster.id))
        pause = policy.health_poll_s
        if (not health.transient or deadline.now() + pause > limit
                or deadline.usable() < pause + policy.time_to_check_s):
            return health, waited
        runtime.sleep(pause)
        waited = True
        cluster = cce.cluster(cluster.id)


def _with_upgrade(result: Result, upgrade: Upgrade) -> Result:
    return result.updated(upgrade_task_id=upgrade.task_id or result.upgrade_task_id,
                          cluster_version=upgrade.version or result.cluster_version,
                          target_version=upgrade.target_version or result.target_version)


def conclude(base: Result, work: Callable[[], Handled], runtime: Runtime, identity: tuple[Any, ...]) -> Result:
    """Do the work for one cluster and publish its message: the part shared by single checks and the sweep.

    A CCE error anywhere becomes a ``failed`` result with phase ``Error``, published like any other.
    If an earlier delivery of the same work in this instance ran the post-check but could not publish it,
    the post-check is not run again: only the publish is retried.
    """
    # The topic is the one routed (TOPIC_ROUTES) for the cluster as the event or the sweep names it: the same for
    # every delivery of the same work. The message itself goes where the cluster's name, as CCE gives it, routes.
    topic = runtime.settings.topic_for(base.cluster_id, base.cluster_name)
    identity = (*identity, topic, runtime.endpoints, runtime.credentials.project_id)
    with _UNPUBLISHED_LOCK:
        stored = _UNPUBLISHED.pop(identity, None)
    if stored is not None and time.monotonic() - stored[0] < UNPUBLISHED_TTL_S:
        log.info("reusing an earlier delivery's work", extra={"cluster_id": base.cluster_id,
                                                              "publish": stored[1].message is not None})
        handled = stored[1]
    else:
        try:
            handled = work()
        except ApiError as exc:
            handled = api_failure(base, exc, runtime)
    try:
        result = notify(handled, runtime)
    except NotificationFailed:
        if _post_check_ran(handled.result):
            _remember_unpublished(identity, handled)
        raise
    if _redelivered_whole(identity) and (handled.message is not None or _post_check_ran(result) or stored is not None):
        # A sweep, or a delivery of several upgrade events, fails as a whole when one result cannot be published,
        # and the platform delivers it again: what it did check or tell must not be checked or told again then.
        _remember_unpublished(identity, Handled(result))
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
    return Handled(result.updated(outcome=Outcome.FAILED, phase="Error", checked_at=_now(runtime), error=error),
                   "failed")


def _post_check_ran(result: Result) -> bool:
    """CCE ran a post-check for this result (it answered with the check's phase): running it again would
    confirm the upgrade twice."""
    return (result.outcome is Outcome.CHECKED and not result.dry_run and result.task_uid is not None
            and result.phase is not None)


def _remember_unpublished(key: tuple[Any, ...], handled: Handled) -> None:
    with _UNPUBLISHED_LOCK:
        while len(_UNPUBLISHED) >= MAX_UNPUBLISHED:
            _UNPUBLISHED.pop(next(iter(_UNPUBLISHED)))
        _UNPUBLISHED[key] = (time.monotonic(), handled)


def notify(handled: Handled, runtime: Runtime) -> Result:
    """Publish the message ``handled`` calls for (in a dry run: say what would be published)."""
    result = handled.result
    if handled.message is None:
        return result
    message = build(result, runtime.where, handled.message)
    if result.dry_run:
        return result.updated(planned={**(result.planned or {}), "notification": message.as_dict()})
    try:
        sent = runtime.smn.publish(message, runtime.settings.topic_for(result.cluster_id, result.cluster_name))
    except ApiError as exc:
        log.error("publish failed", extra={"cluster_id": result.cluster_id, "error": str(exc)})
        raise NotificationFailed(f"could not publish the result for cluster {result.cluster_id}: {exc}") from None
    return result.updated(notification=sent)


def _rejected(code: str, message: str) -> Result:
    return Result(outcome=Outcome.REJECTED, error=ErrorInfo(code=code, message=message))


def _now(runtime: Runtime) -> str:
    return runtime.clock().isoformat(timespec="seconds").replace("+00:00", "Z")
