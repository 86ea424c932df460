"""One cluster named by an event (an upgrade trace, or a manual request): find its newest upgrade, follow it while
it runs (an upgrade event: as long as the invocation lasts, at most the sweep's budget through EventGrid; a manual
event: ``MANUAL_WAIT_SECONDS``), decide, carry the decision out (:mod:`postcheck.confirm`) and report it
(:mod:`postcheck.report`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from . import logs
from .cce import Cce
from .confirm import Known, api_failure, carry_out, read_upgrades
from .decision import CannotCheck, UpgradeRunning, for_event
from .intent import CheckIntent
from .notification import build_started
from .records import Cluster, Upgrade
from .redelivery import Job
from .report import Handled, conclude
from .result import Outcome, Result
from .runtime import Runtime
from .sdk import ApiError

log = logs.get("check")


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
    # The topic routed for the cluster as the event names it: the same for every delivery of the same event.
    job = Job.of(identity, base.cluster_id, base.cluster_name, runtime)
    earlier = job.recall()
    return conclude(earlier or follow(intent, base, runtime), job, runtime, reused=earlier is not None)


def follow(intent: CheckIntent, result: Result, runtime: Runtime) -> Handled:
    """Read the cluster, then follow its newest upgrade and carry out what it calls for. A CCE error ends it as
    a ``failed`` result, with the cluster's name as CCE gives it once known (it routes the message)."""
    try:
        cluster = runtime.cce.cluster(intent.cluster_id)
    except ApiError as exc:
        return api_failure(result, exc, runtime)
    result = result.updated(cluster_name=cluster.name or intent.cluster_name)
    try:
        return _follow_known(intent, result, cluster, runtime)
    except ApiError as exc:
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
