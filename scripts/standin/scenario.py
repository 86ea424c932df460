"""The scenario: which project, keys, topics, clusters, upgrade tasks and workflows the stand-in serves.

Loaded from JSON (a file path or an already parsed dict) and validated up front, so a typo in a
scenario fails with the exact place (``clusters[0].upgrade_tasks[1].phases[0]: ...``) instead of
turning into a confusing answer later. Unknown keys are rejected for the same reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.standin.faults import Fault, FaultError, parse_fault
from scripts.standin.signature import Credential

TASK_PHASES = ("Init", "Queuing", "Running", "Pause", "Success", "Failed")
TERMINAL_TASK_PHASES = ("Success", "Failed")
WORKFLOW_PHASES = ("Init", "Running", "Pending", "Success", "Cancel")
POINT_TYPES = ("Cluster", "PreCheck", "Rollback", "Snapshot", "PostCheck")
POINT_STATUSES = ("Init", "Queuing", "Running", "Success", "Failed")
POSTCHECK_PHASES = ("Success", "Failed", "Error")
DEFAULT_TIMESTAMP = "2026-11-20 02:00:00.000000 +0000 UTC"


class ScenarioError(ValueError):
    """The scenario is invalid; the message names the offending field."""


@dataclass
class UpgradeTask:
    uid: str
    version: str
    target_version: str
    phases: list[str]
    creation_timestamp: str
    update_timestamp: str
    completion_time: str | None = None
    progress: str | None = None
    reads: int = 0

    @property
    def phase(self) -> str:
        """The phase the next read reports (reads walk through ``phases`` and stay on the last)."""
        return self.phases[min(self.reads, len(self.phases) - 1)]


@dataclass
class Point:
    task_type: str
    status: str
    task_id: str | None = None
    start_time_stamp: str | None = None
    end_time_stamp: str | None = None
    expire_time_stamp: str | None = None


@dataclass
class Workflow:
    uid: str
    cluster_version: str
    target_version: str
    phase: str
    points: list[Point]
    creation_timestamp: str
    update_timestamp: str


@dataclass
class Cluster:
    id: str
    name: str
    version: str
    phase: str = "Available"
    postcheck_phase: str = "Success"
    type: str = "VirtualMachine"
    flavor: str = "cce.s1.small"
    creation_timestamp: str = DEFAULT_TIMESTAMP
    upgrade_tasks: list[UpgradeTask] = field(default_factory=list)
    workflows: list[Workflow] = field(default_factory=list)


@dataclass
class Scenario:
    project_id: str
    credentials: list[Credential]
    topics: list[str]
    clusters: list[Cluster]
    latency_ms: int = 0
    faults: list[Fault] = field(default_factory=list)


class _Obj:
    """Typed reads from one JSON object, reporting errors with their path; ``done`` rejects extras."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{where or 'scenario'}: expected a JSON object, got {type(data).__name__}")
        self.data = data
        self.where = where
        self.seen: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, kinds: type | tuple[type, ...], default: Any = ..., what: str = "") -> Any:
        """The value at ``key`` (booleans never count as numbers); ``...`` as default means required."""
        self.seen.add(key)
        if key not in self.data:
            if default is ...:
                raise ScenarioError(f"{self.at(key)}: required")
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise ScenarioError(f"{self.at(key)}: expected {what or kinds}, got {value!r}")
        return value

    def text(self, key: str, default: Any = ...) -> Any:
        value = self.get(key, str, default, "a string")
        if isinstance(value, str) and not value.strip():
            raise ScenarioError(f"{self.at(key)}: must not be empty")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: Any = ...) -> Any:
        value = self.get(key, str, default, "a string")
        if value is not None and value not in allowed:
            raise ScenarioError(f"{self.at(key)}: {value!r} is not one of {', '.join(allowed)}")
        return value

    def items(self, key: str, required: bool = False) -> list[tuple[str, Any]]:
        value = self.get(key, list, ... if required else [], "a list")
        return [(f"{self.at(key)}[{index}]", item) for index, item in enumerate(value)]

    def done(self) -> None:
        extra = sorted(set(self.data) - self.seen)
        if extra:
            raise ScenarioError(f"{self.where or 'scenario'}: unknown field(s) {', '.join(extra)}")


def _credential(obj: _Obj) -> Credential:
    token = obj.get("security_token", str, None, "a string")
    credential = Credential(obj.text("ak"), obj.text("sk"), token or None)
    obj.done()
    return credential


def _task(obj: _Obj) -> UpgradeTask:
    phase = obj.choice("phase", TASK_PHASES, None)
    phases = [_choice_item(where, item, TASK_PHASES) for where, item in obj.items("phases")]
    if not phases:
        if phase is None:
            raise ScenarioError(f"{obj.at('phase')}: required (or give phases)")
        phases = [phase]
    created = obj.text("creationTimestamp")
    updated = obj.text("updateTimestamp", created)
    task = UpgradeTask(
        uid=obj.text("uid"),
        version=obj.text("version"),
        target_version=obj.text("targetVersion"),
        phases=phases,
        creation_timestamp=created,
        update_timestamp=updated,
        completion_time=obj.text("completionTime", None),
        progress=obj.get("progress", str, None, "a string"),
    )
    obj.done()
    return task


def _choice_item(where: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ScenarioError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _point(obj: _Obj) -> Point:
    point = Point(
        task_type=obj.choice("taskType", POINT_TYPES),
        status=obj.choice("status", POINT_STATUSES),
        task_id=obj.text("taskID", None),
        start_time_stamp=obj.text("startTimeStamp", None),
        end_time_stamp=obj.text("endTimeStamp", None),
        expire_time_stamp=obj.text("expireTimeStamp", None),
    )
    obj.done()
    return point


def _workflow(obj: _Obj, task_ids: set[str]) -> Workflow:
    points = [_point(_Obj(item, where)) for where, item in obj.items("points", required=True)]
    for index, point in enumerate(points):
        if point.task_type == "Cluster" and point.task_id is not None and point.task_id not in task_ids:
            raise ScenarioError(
                f"{obj.at('points')}[{index}].taskID: {point.task_id!r} "
                "is not an upgrade task of this cluster"
            )
    created = obj.text("creationTimestamp", DEFAULT_TIMESTAMP)
    workflow = Workflow(
        uid=obj.text("uid"),
        cluster_version=obj.text("clusterVersion"),
        target_version=obj.text("targetVersion"),
        phase=obj.choice("phase", WORKFLOW_PHASES),
        points=points,
        creation_timestamp=created,
        update_timestamp=obj.text("updateTimestamp", created),
    )
    obj.done()
    return workflow


def _cluster(obj: _Obj) -> Cluster:
    tasks = [_task(_Obj(item, where)) for where, item in obj.items("upgrade_tasks")]
    _unique([task.uid for task in tasks], obj.at("upgrade_tasks"), "uid")
    task_ids = {task.uid for task in tasks}
    workflows = [_workflow(_Obj(item, where), task_ids) for where, item in obj.items("workflows")]
    _unique([workflow.uid for workflow in workflows], obj.at("workflows"), "uid")
    cluster = Cluster(
        id=obj.text("id"),
        name=obj.text("name"),
        version=obj.text("version"),
        phase=obj.text("phase", "Available"),
        postcheck_phase=obj.choice("postcheck_phase", POSTCHECK_PHASES, "Success"),
        type=obj.text("type", "VirtualMachine"),
        flavor=obj.text("flavor", "cce.s1.small"),
        creation_timestamp=obj.text("creationTimestamp", DEFAULT_TIMESTAMP),
        upgrade_tasks=tasks,
        workflows=workflows,
    )
    obj.done()
    return cluster


def _unique(values: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ScenarioError(f"{where}: duplicate {what} {value!r}")
        seen.add(value)


def _topic(where: str, value: Any, project_id: str) -> str:
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 5 or parts[:2] != ["urn", "smn"] or not all(parts[2:]):
        raise ScenarioError(f"{where}: {value!r} is not a topic URN urn:smn:<region>:<project_id>:<name>")
    if parts[3] != project_id:
        raise ScenarioError(f"{where}: topic {value!r} belongs to another project than {project_id!r}")
    return str(value)


def _faults(obj: _Obj) -> list[Fault]:
    faults = []
    for where, item in obj.items("faults"):
        try:
            faults.append(parse_fault(item))
        except FaultError as error:
            raise ScenarioError(f"{where}: {error}") from None
    return faults


def parse_scenario(data: Any) -> Scenario:
    """Validate an already parsed scenario document."""
    obj = _Obj(data, "")
    project_id = obj.text("project_id")
    if "/" in project_id:
        raise ScenarioError("project_id: must not contain '/'")
    credentials = [_credential(_Obj(item, where)) for where, item in obj.items("credentials", required=True)]
    if not credentials:
        raise ScenarioError("credentials: at least one credential is required")
    _unique([credential.ak for credential in credentials], "credentials", "ak")
    topics = [_topic(where, item, project_id) for where, item in obj.items("topics")]
    latency_ms = obj.get("latency_ms", int, 0, "an integer")
    if latency_ms < 0:
        raise ScenarioError("latency_ms: must not be negative")
    clusters = [_cluster(_Obj(item, where)) for where, item in obj.items("clusters")]
    _unique([cluster.id for cluster in clusters], "clusters", "id")
    scenario = Scenario(project_id, credentials, topics, clusters, latency_ms, _faults(obj))
    obj.done()
    return scenario


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """A scenario from a JSON file path, a parsed dict, or an already loaded :class:`Scenario`."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        return parse_scenario(source)
    path = Path(source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read scenario: {error.strerror}") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ScenarioError(f"{path}: invalid JSON at {where}: {error.msg}") from None
    try:
        return parse_scenario(data)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: {error}") from None
