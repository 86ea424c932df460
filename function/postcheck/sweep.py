"""The sweep: reconcile every cluster (or those in ``CLUSTER_IDS``), so that no upgrade that events
missed goes unchecked.

Per cluster, the newest upgrade (from its upgrade tasks and workflows) is judged by
:func:`postcheck.decision.for_sweep`: where CCE records it in an upgrade workflow, the workflow's ``PostCheck``
step says whether the confirmation is still owed (a held upgrade is judged again by every sweep); without a
workflow, only the sweep whose window ``(anchor - window, anchor]`` holds the upgrade's end judges it. The
window is anchored to the timer event's own time, so that the platform's retries of one timer event decide the
same way. Clusters are processed concurrently, at most ``MAX_CONCURRENCY`` at a time; one cluster's failure
never stops the others.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import partial

from . import logs
from .confirm import api_failure, carry_out, read_upgrades
from .decision import for_sweep
from .errors import NotificationFailed, SweepFailed
from .intent import SweepIntent
from .records import Cluster
from .redelivery import Job
from .report import Handled, conclude
from .result import ErrorInfo, Outcome, Result, SweepResult
from .runtime import Runtime
from .sdk import ApiError
from .workers import concurrently

log = logs.get("sweep")
Window = tuple[datetime, datetime]


def sweep(intent: SweepIntent, runtime: Runtime) -> SweepResult:
    settings = runtime.settings
    anchor = intent.anchor or runtime.clock()
    window = (anchor - timedelta(minutes=settings.sweep_window_minutes), anchor)
    dry_run = intent.dry_run or settings.dry_run
    try:
        listed = runtime.cce.clusters()
    except ApiError as exc:
        raise SweepFailed(f"could not list the project's clusters: {exc}") from None
    targets, missing = _select(listed, settings.cluster_ids)
    results: list[Result] = [
        Result(outcome=Outcome.IGNORED, cluster_id=cid, trigger=intent.trigger, dry_run=dry_run,
               reason="listed in CLUSTER_IDS but not found in the project")
        for cid in missing
    ]
    unpublished: list[NotificationFailed] = []
    one = partial(_one_cluster, runtime=runtime, window=window, dry_run=dry_run, trigger=intent.trigger)
    for outcome in concurrently(one, targets, settings.max_concurrency):
        if isinstance(outcome, NotificationFailed):
            unpublished.append(outcome)
        else:
            results.append(outcome)
    summary = Counter(r.outcome.value for r in results)
    log.info("sweep done", extra={"clusters": len(targets) + len(missing), "summary": dict(summary),
                                  "unpublished": len(unpublished)})
    if unpublished:
        raise SweepFailed(f"{len(unpublished)} result(s) could not be published, first: {unpublished[0]}")
    return SweepResult(dry_run=dry_run, trigger=intent.trigger, window=(_iso(window[0]), _iso(window[1])),
                       clusters=tuple(results))


def _one_cluster(cluster: Cluster, runtime: Runtime, window: Window, dry_run: bool,
                 trigger: str) -> Result | NotificationFailed:
    base = Result(outcome=Outcome.FAILED, cluster_id=cluster.id, cluster_name=cluster.name, dry_run=dry_run,
                  trigger=trigger)
    if runtime.deadline.usable() < runtime.policy.sweep_cluster_floor_s:
        # not begun rather than cut short: no message blames CCE for the sweep's own lack of time
        return base.updated(outcome=Outcome.PENDING,
                            reason="not reached within the sweep's own time budget: the next sweep judges it")
    job = Job.of(("sweep", cluster.id, window, dry_run), cluster.id, cluster.name, runtime)
    try:
        earlier = job.recall()
        return conclude(earlier or _judge(cluster, base, runtime, window), job, runtime, reused=earlier is not None)
    except NotificationFailed as exc:
        return exc
    except Exception as exc:  # a bug met on one cluster must not stop the others (logged with its traceback)
        log.exception("internal error on one cluster", extra={"cluster_id": cluster.id})
        return base.updated(outcome=Outcome.FAILED, error=ErrorInfo(
            code="InternalError", message=f"{type(exc).__name__}; the function's logs have the details"))


def _judge(cluster: Cluster, base: Result, runtime: Runtime, window: Window) -> Handled:
    try:
        upgrade = read_upgrades(runtime.cce, cluster.id).newest
        decision = for_sweep(upgrade, cluster, window, runtime.policy.remind_every)
        return carry_out(decision, base, cluster, runtime)
    except ApiError as exc:
        return api_failure(base, exc, runtime)


def _select(listed: list[Cluster], wanted: tuple[str, ...]) -> tuple[list[Cluster], list[str]]:
    if not wanted:
        return listed, []
    by_id = {c.id: c for c in listed}
    return [by_id[c] for c in dict.fromkeys(wanted) if c in by_id], [c for c in wanted if c not in by_id]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
