"""Carry out a decision for one cluster: the health gate stands before every confirmation, then the post-check
(in a dry run, only what it would send); a CCE call that failed becomes a ``failed`` outcome (:func:`api_failure`).
Shared by a single check and the sweep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import logs
from .cce import Cce, post_check_json
from .decision import (
    CannotCheck,
    Decision,
    NothingToDo,
    RunCheck,
    UpgradeFailed,
    UpgradeRunning,
    VersionMismatch,
    cadence,
    newest_upgrade,
    undated,
)
from .health import Health, judge
from .records import Cluster, Upgrade
from .report import Handled
from .result import ErrorInfo, Outcome, Result
from .runtime import Runtime
from .sdk import ApiError

log = logs.get("confirm")


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


def carry_out(decision: Decision, result: Result, cluster: Cluster, runtime: Runtime, force: bool = False,
              until: float | None = None) -> Handled:
    """Do what the decision says; the health gate stands before every confirmation. Each way out gives the
    result its outcome and the fields that go with it at once."""
    match decision:
        case NothingToDo(reason=reason):
            return Handled(result.updated(outcome=Outcome.IGNORED, reason=reason))
        case UpgradeRunning(upgrade=upgrade):
            reason = (f"{upgrade.label} ({upgrade.versions}) is {upgrade.phase or 'in an unknown phase'}: it is "
                      "confirmed once it succeeds (by the invocation that follows it, or the sweep)")
            return Handled(result.updated(**naming(result, upgrade), outcome=Outcome.PENDING, reason=reason))
        case UpgradeFailed(upgrade=upgrade):
            error = ErrorInfo(code="UpgradeFailed",
                              message=f"{upgrade.label} ({upgrade.versions}) ended Failed; the post-upgrade check "
                              "was not run")
            return Handled(result.updated(**naming(result, upgrade), outcome=Outcome.FAILED, checked_at=runtime.now(),
                                          error=error), "failed")
        case CannotCheck(code=code, message=message):
            return Handled(result.updated(outcome=Outcome.FAILED, checked_at=runtime.now(),
                                          error=ErrorInfo(code=code, message=message)), "failed")
        case VersionMismatch(message=message):
            return Handled(result.updated(outcome=Outcome.REJECTED,
                                          error=ErrorInfo(code="VersionMismatch", message=message)))
        case RunCheck(upgrade=upgrade, announce_hold=announce, reminder=reminder):
            return _confirm(result, upgrade, cluster, runtime, force, until, announce, reminder)
    raise AssertionError(f"unhandled decision {decision!r}")  # pragma: no cover


def _confirm(result: Result, upgrade: Upgrade, cluster: Cluster, runtime: Runtime, force: bool,
             until: float | None, announce: bool, reminder: bool) -> Handled:
    named = naming(result, upgrade)
    # A hold that would not be announced (a sweep's re-judgement) is not worth waiting for: the next sweep looks.
    health, waited = judge_health(cluster, runtime, until, wait=announce)
    if waited and upgrade.workflow is not None:
        # While the gate waited, another invocation (the sweep, the event) may have confirmed it: CCE's record says.
        now = read_upgrades(runtime.cce, cluster.id).newest
        if now is None or now.task_id != upgrade.task_id or now.postcheck == "Success":
            return Handled(result.updated(**named, outcome=Outcome.IGNORED, reason=f"{upgrade.label} was confirmed, "
                                          "or a newer upgrade began, while the health gate waited"))
    seen: dict[str, Any] = {"health": health.as_dict()} if health is not None else {}
    blocked = health is not None and not health.healthy and health.gate == "block"
    if health is not None and blocked and not force:
        reason = f"the health gate found {len(health.findings)} problem(s): not confirmed until the cluster is sound"
        if not announce:
            reason += (" (its owners were told when it was first held; reminders come "
                       f"{cadence(runtime.policy.remind_every)})")
        return Handled(result.updated(**named, **seen, outcome=Outcome.HELD, checked_at=runtime.now(), reason=reason),
                       ("reminder" if reminder else "held") if announce else None)
    confirmed = {**named, **seen, "forced": blocked, "outcome": Outcome.CHECKED}  # forced: confirmed despite the gate
    cid, cv, tv = result.cluster_id or "", named["cluster_version"], named["target_version"]
    if result.dry_run:
        return Handled(result.updated(**confirmed, checked_at=runtime.now()), "checked",
                       planned_check=post_check_json(cid, cv, tv))
    check = runtime.cce.post_check(cid, cv, tv)
    return Handled(result.updated(**confirmed, phase=check.phase, task_uid=check.uid, checked_at=runtime.now()),
                   "checked")


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


def naming(result: Result, upgrade: Upgrade) -> dict[str, Any]:
    """The fields that name ``upgrade`` in a result (its task and versions, where CCE gives them)."""
    return {"upgrade_task_id": upgrade.task_id or result.upgrade_task_id,
            "cluster_version": upgrade.version or result.cluster_version,
            "target_version": upgrade.target_version or result.target_version}


def api_failure(result: Result, exc: ApiError, runtime: Runtime) -> Handled:
    """A CCE call failed: a ``failed`` result with phase ``Error`` and CCE's error, to be published."""
    log.warning("CCE call failed", extra={"cluster_id": result.cluster_id, "error": str(exc)})
    error = ErrorInfo(code=exc.code, message=exc.message, request_id=exc.request_id, status=exc.status,
                      operation=exc.operation)
    return Handled(result.updated(outcome=Outcome.FAILED, phase="Error", checked_at=runtime.now(), error=error),
                   "failed")
