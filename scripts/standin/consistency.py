"""Is a scenario a state CCE could be in? ``problems(scenario)`` lists what contradicts itself (empty: consistent).

The scenario is judged as it starts, before any read: the stand-in then keeps it consistent as walks advance
(an upgrade task that ends moves the cluster's version and its workflow's ``Cluster`` step, see
:mod:`scripts.standin.state`), so the state it ends in follows from the one it starts in.

Rules (CCE's documented fields, ../shared/reference/platform-facts.md "CCE upgrade state"; what no document says
is marked assumed):

- an upgrade task's ``phases`` is a progression: ``Init``, ``Queuing``, ``Running``/``Pause`` (back and forth),
  then at most one terminal phase (``Success``/``Failed``) that nothing follows but itself;
- a task terminal from its first read has a ``completionTime`` (one that becomes terminal during its walk may
  leave it to the stand-in, which stamps the read that ends it), one that never ends has none; no task ends
  before it began;
- one upgrade at a time (assumed, as the console shows it): every task but the newest (by
  ``creationTimestamp``) is terminal from its first read, and each began after the one before it ended;
- the versions chain: a task upgrades from the version its predecessor left (its ``targetVersion`` if it
  succeeded, its ``version`` if it failed), and the cluster's ``version`` is the one its newest task left, or,
  while that task still runs, the version it upgrades from (assumed: ``spec.version`` changes when the
  upgrade succeeds);
- a workflow's ``Cluster`` step names an upgrade task (a step that has started must), shows that task's phase
  (``Pause`` shows as ``Running``) and ended when it did; the workflow's versions are that task's; its
  ``PostCheck`` step has not started before the ``Cluster`` step succeeded; a workflow ``Success`` has every
  step ``Success``; a step with an end time has ended (``Success``/``Failed``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any

from scripts.standin.scenario import TERMINAL_TASK_PHASES, Cluster, Scenario, UpgradeTask, Workflow, load_scenario
from scripts.standin.state import POINT_STATUS_OF_TASK_PHASE

# Init, Queuing, then Running and Pause (either way), then a terminal phase.
_TASK_PHASE_RANK = {"Init": 0, "Queuing": 1, "Running": 2, "Pause": 2, "Success": 3, "Failed": 3}
# CCE writes "2026-11-27 08:40:00.123456 +0000 UTC"; ISO 8601 ("2026-11-27T08:40:00Z") is accepted too.
_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?(?: UTC)?$"
)


def parse_timestamp(text: str) -> datetime | None:
    """A CCE timestamp as an aware datetime (UTC when it names no zone); None when it is not one."""
    found = _TIMESTAMP.match(text.strip())
    if not found:
        return None
    try:
        moment = datetime.fromisoformat(f"{found['date']}T{found['time']}")
    except ValueError:
        return None
    moment += timedelta(microseconds=int((found["fraction"] or "0")[:6].ljust(6, "0")))
    zone = found["zone"]
    if zone in (None, "Z"):
        return moment.replace(tzinfo=timezone.utc)
    sign = -1 if zone[0] == "-" else 1
    hours, minutes = int(zone[1:3]), int(zone[-2:])
    return moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))


def problems(source: str | Path | Mapping[str, Any] | Scenario) -> list[str]:
    """Every inconsistency of the scenario, each naming its place (``clusters[0].upgrade_tasks[1]: ...``)."""
    scenario = load_scenario(source)
    found: list[str] = []
    for index, cluster in enumerate(scenario.clusters):
        found += _cluster(cluster, f"clusters[{index}]")
    return found


class _Clock:
    """Timestamps parsed once, unparsable ones reported."""

    def __init__(self, found: list[str]) -> None:
        self.found = found

    def at(self, text: str | None, where: str) -> datetime | None:
        if text is None:
            return None
        moment = parse_timestamp(text)
        if moment is None:
            self.found.append(f"{where}: {text!r} is not a timestamp")
        return moment


def _cluster(cluster: Cluster, where: str) -> list[str]:
    found: list[str] = []
    clock = _Clock(found)
    tasks = list(enumerate(cluster.upgrade_tasks))
    for index, task in tasks:
        found += _task(task, f"{where}.upgrade_tasks[{index}]", clock)
    created = {task.uid: parse_timestamp(task.creation_timestamp) for task in cluster.upgrade_tasks}
    if all(created.values()):  # newest last; an unparsable one is reported above, and the order kept
        tasks.sort(key=lambda pair: created[pair[1].uid] or datetime.min)
    found += _history(cluster, tasks, where)
    by_id = {task.uid: task for task in cluster.upgrade_tasks}
    for index, workflow in enumerate(cluster.workflows):
        found += _workflow(workflow, by_id, f"{where}.workflows[{index}]", clock)
    return found


def _task(task: UpgradeTask, where: str, clock: _Clock) -> list[str]:
    found = []
    for before, after in pairwise(task.phases):
        if before in TERMINAL_TASK_PHASES and after != before:
            found.append(f"{where}.phases: {after} after the terminal phase {before}")
        elif _TASK_PHASE_RANK[after] < _TASK_PHASE_RANK[before]:
            found.append(f"{where}.phases: {after} after {before}")
    final = task.phases[-1]
    if task.phases[0] in TERMINAL_TASK_PHASES and task.completion_time is None:
        found.append(f"{where}: is {final} without a completionTime")
    if final not in TERMINAL_TASK_PHASES and task.completion_time is not None:
        found.append(f"{where}: has a completionTime but never ends (last phase {final})")
    began = clock.at(task.creation_timestamp, f"{where}.creationTimestamp")
    for key, text in (("updateTimestamp", task.update_timestamp), ("completionTime", task.completion_time)):
        moment = clock.at(text, f"{where}.{key}")
        if began and moment and moment < began:
            found.append(f"{where}.{key}: {text} is before its creationTimestamp {task.creation_timestamp}")
    return found


def _history(cluster: Cluster, tasks: list[tuple[int, UpgradeTask]], where: str) -> list[str]:
    """One upgrade at a time, each from the version the one before left; the cluster's version the last one's."""
    found = []
    left = None  # the version the previous (older) task left the cluster at
    previous_end = None
    for position, (index, task) in enumerate(tasks):
        here = f"{where}.upgrade_tasks[{index}]"
        newest = position == len(tasks) - 1
        if not newest and task.phases[0] not in TERMINAL_TASK_PHASES:
            found.append(f"{here}: still {task.phases[0]} while a newer upgrade task exists")
        if left is not None and task.version != left:
            found.append(f"{here}: upgrades from {task.version}, but the upgrade before it left {left}")
        began = parse_timestamp(task.creation_timestamp)
        if previous_end and began and began < previous_end:
            found.append(f"{here}: began ({task.creation_timestamp}) before the upgrade before it ended")
        left = task.target_version if task.phases[0] == "Success" else task.version
        previous_end = parse_timestamp(task.completion_time) if task.completion_time else None
    if left is not None and cluster.version != left:
        newest_index, newest = tasks[-1]
        state = {"Success": "succeeded", "Failed": "failed"}.get(newest.phases[0], f"is {newest.phases[0]}")
        found.append(
            f"{where}.version: {cluster.version}, but its newest upgrade task "
            f"(upgrade_tasks[{newest_index}], {newest.version} -> {newest.target_version}) {state}: "
            f"the cluster is at {left}"
        )
    return found


def _workflow(workflow: Workflow, tasks: dict[str, UpgradeTask], where: str, clock: _Clock) -> list[str]:
    found = []
    statuses = {point.task_type: point.status for point in workflow.points}
    for index, point in enumerate(workflow.points):
        here = f"{where}.points[{index}]"
        if point.end_time_stamp is not None and point.status not in ("Success", "Failed"):
            found.append(f"{here}: has an endTimeStamp but is {point.status}")
        if point.task_type != "Cluster":
            continue
        if point.task_id is None:
            if point.status != "Init":
                found.append(f"{here}: a Cluster step that is {point.status} names no upgrade task")
            continue
        task = tasks.get(point.task_id)
        if task is None:
            continue  # the scenario validator already refuses an unknown taskID
        shown = POINT_STATUS_OF_TASK_PHASE[task.phases[0]]
        if point.status != shown:
            found.append(f"{here}: status {point.status}, but its upgrade task {task.uid} is {task.phases[0]}")
        if (workflow.cluster_version, workflow.target_version) != (task.version, task.target_version):
            found.append(
                f"{where}: versions {workflow.cluster_version} -> {workflow.target_version}, but its upgrade task "
                f"{task.uid} is {task.version} -> {task.target_version}"
            )
        ended = clock.at(point.end_time_stamp, f"{here}.endTimeStamp")
        completed = parse_timestamp(task.completion_time) if task.completion_time else None
        if ended and completed and ended != completed and task.phases[0] in TERMINAL_TASK_PHASES:
            found.append(f"{here}.endTimeStamp: {point.end_time_stamp}, but its task completed {task.completion_time}")
    if statuses.get("PostCheck", "Init") != "Init" and statuses.get("Cluster", "Success") != "Success":
        found.append(f"{where}: its PostCheck step is {statuses['PostCheck']} before the Cluster step succeeded")
    if workflow.phase == "Success" and any(point.status != "Success" for point in workflow.points):
        found.append(f"{where}: phase Success with steps not Success")
    return found
