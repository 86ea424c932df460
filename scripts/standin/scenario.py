"""The scenario: which project, keys, topics, clusters, upgrade tasks, workflows, nodes, node pools and
add-ons the stand-in serves.

Loaded from JSON (a file path or an already parsed dict) and validated up front, so a typo in a
scenario fails with the exact place (``clusters[0].upgrade_tasks[1].phases[0]: ...``) instead of
turning into a confusing answer later. Unknown keys are rejected for the same reason.

Walks. A list of states walks one step per read and then stays on its last step: an upgrade task's
``phases`` per read of the task (ListUpgradeClusterTasks or ShowUpgradeClusterTask), the cluster's
``phases`` per ShowCluster, a node's ``phases`` per ListNodes page that returns it, a node pool's
``phases`` (with ``creatingNode``/``deletingNode`` given as lists) per ListNodePools, an add-on's
``statuses`` (with ``reason``/``message`` given as lists) per ListAddonInstances. So
``"phases": ["Upgrading", "Upgrading", "Active"]`` is a transient state that heals on the third read.

Per cluster, when absent: ``node_count`` 3 (Active nodes with deterministic UUIDs, after any explicit
``nodes``; 0 when ``nodes`` is given), one node pool (available), three running add-ons (coredns,
everest, metrics-server). ``"nodes": []``, ``"node_pools": []``, ``"addons": []`` mean none.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from scripts.standin.faults import Fault, FaultError, parse_fault
from scripts.standin.signature import Credential

TASK_PHASES = ("Init", "Queuing", "Running", "Pause", "Success", "Failed")
TERMINAL_TASK_PHASES = ("Success", "Failed")
WORKFLOW_PHASES = ("Init", "Running", "Pending", "Success", "Cancel")
POINT_TYPES = ("Cluster", "PreCheck", "Rollback", "Snapshot", "PostCheck")
POINT_STATUSES = ("Init", "Queuing", "Running", "Success", "Failed")
POSTCHECK_PHASES = ("Success", "Failed", "Error")
DEFAULT_TIMESTAMP = "2026-11-20 02:00:00.000000 +0000 UTC"
# ShowCluster's status.phase (SDK ClusterStatus; ../shared/reference/platform-facts.md, "CCE upgrade state").
CLUSTER_PHASES = (
    "Available", "Unavailable", "ScalingUp", "ScalingDown", "Creating", "Deleting", "Upgrading", "Resizing",
    "RollingBack", "RollbackFailed", "Hibernating", "Hibernation", "Awaking", "Error",
)  # fmt: skip
# ListNodes, a node's status.phase: "Listing All Nodes in a Cluster",
# https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0244.html, and SDK 3.1.219 model NodeStatus.phase.
NODE_PHASES = (
    "Build", "Installing", "Upgrading", "Active", "Abnormal", "Deleting", "Error", "Repairing", "RepairFailed",
)  # fmt: skip
# ListNodePools, a pool's status.phase: "" (empty) = available; "Synchronizing", "Synchronized" and "SoldOut" are
# deprecated but still sent (the SDK's NodePoolStatus.phase says to read currentNode/creatingNode/deletingNode and
# conditions instead): "Listing All Node Pools in a Specified Cluster",
# https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0269.html, and SDK 3.1.219 model NodePoolStatus.
NODE_POOL_PHASES = ("", "Synchronizing", "Synchronized", "SoldOut", "Deleting", "Error")
# ListAddonInstances, an instance's status.status: "Listing Add-on Instances",
# https://support.huaweicloud.com/en-us/api-cce/cce_02_0326.html, and SDK 3.1.219 model AddonInstanceStatus.status.
ADDON_STATUSES = (
    "running", "abnormal", "installing", "installFailed", "upgrading", "upgradeFailed", "deleting", "deleteFailed",
    "deleteSuccess", "available", "rollbacking", "rollbackFailed", "unknown",
)  # fmt: skip
MAX_NODE_COUNT = 100_000
DEFAULT_NODE_COUNT = 3
DEFAULT_NODE_FLAVOR = "c7.large.2"
# (template name, version) of the add-ons a cluster has when the scenario names none.
DEFAULT_ADDONS = (("coredns", "1.30.10"), ("everest", "2.4.21"), ("metrics-server", "1.3.60"))
# uuid5 namespace of the stand-in's generated IDs (nodes, pools, add-ons, servers): the same scenario always
# gets the same IDs.
ID_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4b7a-9c4f-2e5d7b1a0c93")

T = TypeVar("T")


def stable_id(*parts: object) -> str:
    """A deterministic UUID for ``parts`` (e.g. cluster ID, kind, name)."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(part) for part in parts)))


def step(values: Sequence[T], reads: int) -> T:
    """The value a walk shows at read number ``reads`` (0-based): one step per read, then the last."""
    return values[min(reads, len(values) - 1)]


class ScenarioError(ValueError):
    """The scenario is invalid; the message names the offending field."""


W = TypeVar("W", bound="_Walks")


class _Walks:
    """Lists that walk together, one step per read: ``WALKS`` names them, ``reads`` counts the reads so far; a
    read shows each list's value at that step (see :func:`step`)."""

    WALKS: ClassVar[tuple[str, ...]] = ("phases",)
    reads: int

    def walk_from(self, *walks: Sequence[Any]) -> None:
        """Start a new walk from its first step, the lists in ``WALKS`` order (tests; the values are not
        validated)."""
        for name, values in zip(self.WALKS, walks, strict=True):
            setattr(self, name, list(values))
        self.reads = 0

    def read(self: W) -> W:
        """A copy as this read reports it (each list its value at this step, ``reads`` 0); the walk advances."""
        shown = replace(self, reads=0, **{name: [step(getattr(self, name), self.reads)] for name in self.WALKS})
        self.reads += 1
        return shown


class _Current:
    """The value the next read reports of the first list a :class:`_Walks` walks (``phase``, ``status``); setting
    it starts a walk of that one value (``walk([value])``: the other lists back to their defaults)."""

    def __get__(self, walks: Any, owner: type | None = None) -> Any:
        if walks is None:
            return self
        return step(getattr(walks, walks.WALKS[0]), walks.reads)

    def __set__(self, walks: Any, value: Any) -> None:
        walks.walk([value])


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
class Node(_Walks):
    """A node of ListNodes; ``phases`` walks one step each time a page returns the node."""

    uid: str
    name: str
    phases: list[str] = field(default_factory=lambda: ["Active"])
    flavor: str = DEFAULT_NODE_FLAVOR
    az: str = "cn-north-4a"
    os: str = "EulerOS 2.9"
    private_ip: str = "192.168.0.10"
    creation_timestamp: str = DEFAULT_TIMESTAMP
    reads: int = 0

    phase = _Current()

    def walk(self, phases: Sequence[str]) -> None:
        self.walk_from(phases)


@dataclass
class NodePool(_Walks):
    """A node pool of ListNodePools; ``phases``, ``creating_node`` and ``deleting_node`` walk together, one step
    per read of the list ("" is the available phase)."""

    uid: str
    name: str
    phases: list[str] = field(default_factory=lambda: [""])
    current_node: int = 0
    creating_node: list[int] = field(default_factory=lambda: [0])
    deleting_node: list[int] = field(default_factory=lambda: [0])
    flavor: str = DEFAULT_NODE_FLAVOR
    creation_timestamp: str = DEFAULT_TIMESTAMP
    reads: int = 0

    WALKS: ClassVar[tuple[str, ...]] = ("phases", "creating_node", "deleting_node")
    phase = _Current()

    def walk(self, phases: Sequence[str], creating: Sequence[int] = (0,), deleting: Sequence[int] = (0,)) -> None:
        self.walk_from(phases, creating, deleting)


@dataclass
class Addon(_Walks):
    """An add-on instance of ListAddonInstances; ``statuses``, ``reasons`` and ``messages`` walk together, one
    step per read of the list."""

    uid: str
    name: str
    version: str = "1.0.0"
    statuses: list[str] = field(default_factory=lambda: ["running"])
    reasons: list[str] = field(default_factory=lambda: [""])
    messages: list[str] = field(default_factory=lambda: [""])
    creation_timestamp: str = "2026-06-01T08:00:00Z"
    reads: int = 0

    WALKS: ClassVar[tuple[str, ...]] = ("statuses", "reasons", "messages")
    status = _Current()

    def walk(self, statuses: Sequence[str], reasons: Sequence[str] = ("",), messages: Sequence[str] = ("",)) -> None:
        self.walk_from(statuses, reasons, messages)


@dataclass
class Cluster(_Walks):
    """A cluster. ``phases`` walks one step per ShowCluster (``phase`` is the one the next read reports; ListClusters
    shows it without advancing). Tests may mutate everything here, also while the stand-in runs."""

    id: str
    name: str
    version: str
    phases: list[str] = field(default_factory=lambda: ["Available"])
    postcheck_phase: str = "Success"
    type: str = "VirtualMachine"
    flavor: str = "cce.s1.small"
    creation_timestamp: str = DEFAULT_TIMESTAMP
    upgrade_tasks: list[UpgradeTask] = field(default_factory=list)
    workflows: list[Workflow] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    node_pools: list[NodePool] = field(default_factory=list)
    addons: list[Addon] = field(default_factory=list)
    reads: int = 0

    phase = _Current()

    def walk(self, phases: Sequence[str]) -> None:
        self.walk_from(phases)

    def node(self, key: str) -> Node:
        """The node with this uid or name (KeyError if none)."""
        return _find(self.nodes, key)

    def node_pool(self, key: str) -> NodePool:
        """The node pool with this uid or name (KeyError if none)."""
        return _find(self.node_pools, key)

    def addon(self, key: str) -> Addon:
        """The add-on instance with this uid or (template) name (KeyError if none)."""
        return _find(self.addons, key)

    def generate_nodes(self, count: int, phases: Sequence[str] = ("Active",), start: int = 0) -> list[Node]:
        """``count`` nodes as ``node_count`` makes them (numbered from ``start``), appended to ``nodes``."""
        made = generated_nodes(self.id, count, phases, start)
        self.nodes.extend(made)
        return made


def _find(items: Sequence[Any], key: str) -> Any:
    for item in items:
        if key in (item.uid, item.name):
            return item
    raise KeyError(key)


def generated_nodes(cluster_id: str, count: int, phases: Sequence[str] = ("Active",), start: int = 0) -> list[Node]:
    """``count`` nodes named ``node-00001``...: deterministic UIDs (the same cluster and number, the same UID)."""
    return [
        Node(
            uid=stable_id(cluster_id, "node", number),
            name=f"node-{number:05d}",
            phases=list(phases),
            private_ip=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}",
        )
        for number in range(start + 1, start + count + 1)
    ]


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


def _walk(obj: _Obj, single: str, several: str, allowed: tuple[str, ...], default: str) -> list[str]:
    """``several`` (a non-empty list, walked per read) or else ``single`` (one value); as for upgrade tasks,
    ``several`` wins when both are given (``single`` is still validated)."""
    one = obj.choice(single, allowed, default)
    if several in obj.data:
        values = [_choice_item(where, item, allowed) for where, item in obj.items(several)]
        if not values:
            raise ScenarioError(f"{obj.at(several)}: must not be empty")
        return values
    return [one]


def _count_walk(obj: _Obj, key: str) -> list[int]:
    """A count (an integer >= 0) or a non-empty list of them, walked per read; 0 when absent."""
    value = obj.get(key, (int, list), 0, "an integer or a list of integers")
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ScenarioError(f"{obj.at(key)}: must not be empty")
    for index, item in enumerate(values):
        where = f"{obj.at(key)}[{index}]" if isinstance(value, list) else obj.at(key)
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            raise ScenarioError(f"{where}: expected an integer >= 0, got {item!r}")
    return values


def _text_walk(obj: _Obj, key: str) -> list[str]:
    """A string or a non-empty list of strings, walked per read; "" when absent."""
    value = obj.get(key, (str, list), "", "a string or a list of strings")
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ScenarioError(f"{obj.at(key)}: must not be empty")
    for index, item in enumerate(values):
        if not isinstance(item, str):
            raise ScenarioError(f"{obj.at(key)}[{index}]: expected a string, got {item!r}")
    return values


def _node(obj: _Obj, cluster_id: str, number: int) -> Node:
    name = obj.text("name")
    node = Node(
        uid=obj.text("uid", None) or stable_id(cluster_id, "node", "name", name),
        name=name,
        phases=_walk(obj, "phase", "phases", NODE_PHASES, "Active"),
        flavor=obj.text("flavor", DEFAULT_NODE_FLAVOR),
        private_ip=f"192.168.{number // 256 % 256}.{number % 256}",
        creation_timestamp=obj.text("creationTimestamp", DEFAULT_TIMESTAMP),
    )
    obj.done()
    return node


def _node_pool(obj: _Obj, cluster_id: str) -> NodePool:
    name = obj.text("name")
    current = obj.get("currentNode", int, 0, "an integer")
    if current < 0:
        raise ScenarioError(f"{obj.at('currentNode')}: must not be negative")
    pool = NodePool(
        uid=obj.text("uid", None) or stable_id(cluster_id, "nodepool", name),
        name=name,
        phases=_walk(obj, "phase", "phases", NODE_POOL_PHASES, ""),
        current_node=current,
        creating_node=_count_walk(obj, "creatingNode"),
        deleting_node=_count_walk(obj, "deletingNode"),
        flavor=obj.text("flavor", DEFAULT_NODE_FLAVOR),
        creation_timestamp=obj.text("creationTimestamp", DEFAULT_TIMESTAMP),
    )
    obj.done()
    return pool


def _addon(obj: _Obj, cluster_id: str) -> Addon:
    name = obj.text("name")
    addon = Addon(
        uid=obj.text("uid", None) or stable_id(cluster_id, "addon", name),
        name=name,
        version=obj.text("version", "1.0.0"),
        statuses=_walk(obj, "status", "statuses", ADDON_STATUSES, "running"),
        reasons=_text_walk(obj, "reason"),
        messages=_text_walk(obj, "message"),
        creation_timestamp=obj.text("creationTimestamp", "2026-06-01T08:00:00Z"),
    )
    obj.done()
    return addon


def _nodes(obj: _Obj, cluster_id: str) -> list[Node]:
    explicit = [_node(_Obj(item, where), cluster_id, n) for n, (where, item) in enumerate(obj.items("nodes"), 1)]
    count = obj.get("node_count", int, 0 if "nodes" in obj.data else DEFAULT_NODE_COUNT, "an integer")
    if not 0 <= count <= MAX_NODE_COUNT:
        raise ScenarioError(f"{obj.at('node_count')}: must be from 0 to {MAX_NODE_COUNT}, got {count}")
    nodes = explicit + generated_nodes(cluster_id, count)
    _unique([node.name for node in nodes], obj.at("nodes"), "name")
    _unique([node.uid for node in nodes], obj.at("nodes"), "uid")
    return nodes


def _cluster(obj: _Obj) -> Cluster:
    cluster_id = obj.text("id")
    tasks = [_task(_Obj(item, where)) for where, item in obj.items("upgrade_tasks")]
    _unique([task.uid for task in tasks], obj.at("upgrade_tasks"), "uid")
    task_ids = {task.uid for task in tasks}
    workflows = [_workflow(_Obj(item, where), task_ids) for where, item in obj.items("workflows")]
    _unique([workflow.uid for workflow in workflows], obj.at("workflows"), "uid")
    nodes = _nodes(obj, cluster_id)
    if "node_pools" in obj.data:
        pools = [_node_pool(_Obj(item, where), cluster_id) for where, item in obj.items("node_pools")]
    else:
        pools = [NodePool(stable_id(cluster_id, "nodepool", "pool-1"), "pool-1", current_node=len(nodes))]
    _unique([pool.name for pool in pools], obj.at("node_pools"), "name")
    _unique([pool.uid for pool in pools], obj.at("node_pools"), "uid")
    if "addons" in obj.data:
        addons = [_addon(_Obj(item, where), cluster_id) for where, item in obj.items("addons")]
    else:
        addons = [Addon(stable_id(cluster_id, "addon", n), n, version) for n, version in DEFAULT_ADDONS]
    _unique([addon.name for addon in addons], obj.at("addons"), "name")
    _unique([addon.uid for addon in addons], obj.at("addons"), "uid")
    cluster = Cluster(
        id=cluster_id,
        name=obj.text("name"),
        version=obj.text("version"),
        phases=_walk(obj, "phase", "phases", CLUSTER_PHASES, "Available"),
        postcheck_phase=obj.choice("postcheck_phase", POSTCHECK_PHASES, "Success"),
        type=obj.text("type", "VirtualMachine"),
        flavor=obj.text("flavor", "cce.s1.small"),
        creation_timestamp=obj.text("creationTimestamp", DEFAULT_TIMESTAMP),
        upgrade_tasks=tasks,
        workflows=workflows,
        nodes=nodes,
        node_pools=pools,
        addons=addons,
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
