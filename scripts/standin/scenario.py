"""The scenario: which project, keys, topics, clusters, upgrade tasks, workflows, nodes, node pools and
add-ons the stand-in serves.

Loaded from JSON (a file path or an already parsed dict) and validated up front by pydantic models of its
JSON (below), so a typo in a scenario fails with the exact place (``clusters[0].upgrade_tasks[1].phases[0]:
...``) instead of turning into a confusing answer later. Unknown keys are rejected for the same reason.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from scripts.standin.faults import Fault, parse_fault
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


# -- validation: pydantic models of the scenario as its JSON is written, built into the classes above ----------
# A field whose default is None may be left out, but a JSON null in it is refused (defaults are not validated).


class _Refused(ValueError):
    """A check across fields failed; ``at`` is its place below the object checked (``"nodes"``)."""

    def __init__(self, message: str, *at: str | int) -> None:
        super().__init__(message)
        self.at = at


def _one_or_list(kind: type, what: str) -> BeforeValidator:
    """A walk given as a list of values, or as one value (a walk of one step)."""

    def listed(value: Any) -> Any:
        if isinstance(value, list):
            return value
        if isinstance(value, kind) and not isinstance(value, bool):
            return [value]
        raise ValueError(f"expected {what}, got {value!r}")

    return BeforeValidator(listed)


def _node_count(count: int) -> int:
    if not 0 <= count <= MAX_NODE_COUNT:
        raise ValueError(f"must be from 0 to {MAX_NODE_COUNT}, got {count}")
    return count


def _unique(values: Iterable[str], what: str, *at: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise _Refused(f"duplicate {what} {value!r}", *at)
        seen.add(value)


def _walk(several: list[Any] | None, one: Any) -> list[Any] | None:
    """``several`` wins when both are given (``one`` is still validated); None: neither."""
    return several or (None if one is None else [one])


def _into(cls: type[T], spec: BaseModel, **values: Any) -> T:
    """A ``cls`` from ``values`` and the spec's fields of the same names; None (left out) takes ``cls``'s default."""
    names = {item.name for item in fields(cls)}
    given = {**{name: value for name, value in spec if name in names}, **values}
    return cls(**{name: value for name, value in given.items() if value is not None})


Text = Annotated[str, Field(pattern=r"\S")]  # not blank
Count = Annotated[int, Field(ge=0)]
Walk = Annotated[list[T], Field(min_length=1)]


class _Spec(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")  # strict: true is no 1, 1 is no "1"


class _Cce(_Spec):
    """An object in CCE's shape, its fields camelCase (``creationTimestamp``)."""

    model_config = ConfigDict(alias_generator=to_camel)


class _Credential(_Spec):
    ak: Text
    sk: Text
    security_token: str = None

    def build(self) -> Credential:
        return _into(Credential, self, security_token=self.security_token or None)


class _Task(_Cce):
    uid: Text
    version: Text
    target_version: Text
    phase: Literal[TASK_PHASES] = None
    phases: list[Literal[TASK_PHASES]] = []  # empty: ``phase``
    creation_timestamp: Text
    update_timestamp: Text = None
    completion_time: Text = None
    progress: str = None

    @model_validator(mode="after")
    def _phased(self) -> _Task:
        if not self.phases and self.phase is None:
            raise _Refused("required (or give phases)", "phase")
        return self

    def build(self) -> UpgradeTask:
        updated = self.update_timestamp or self.creation_timestamp
        return _into(UpgradeTask, self, phases=_walk(self.phases, self.phase), update_timestamp=updated)


class _Point(_Cce):
    task_type: Literal[POINT_TYPES]
    status: Literal[POINT_STATUSES]
    task_id: Text = Field(None, alias="taskID")
    start_time_stamp: Text = None
    end_time_stamp: Text = None
    expire_time_stamp: Text = None


class _Workflow(_Cce):
    uid: Text
    cluster_version: Text
    target_version: Text
    phase: Literal[WORKFLOW_PHASES]
    points: list[_Point]
    creation_timestamp: Text = DEFAULT_TIMESTAMP
    update_timestamp: Text = None

    def build(self) -> Workflow:
        points = [_into(Point, point) for point in self.points]
        return _into(Workflow, self, points=points, update_timestamp=self.update_timestamp or self.creation_timestamp)


class _Node(_Cce):
    name: Text
    uid: Text = None
    phase: Literal[NODE_PHASES] = None
    phases: Walk[Literal[NODE_PHASES]] = None
    flavor: Text = None
    creation_timestamp: Text = None

    def build(self, cluster_id: str, number: int) -> Node:
        uid = self.uid or stable_id(cluster_id, "node", "name", self.name)
        private_ip = f"192.168.{number // 256 % 256}.{number % 256}"
        return _into(Node, self, uid=uid, phases=_walk(self.phases, self.phase), private_ip=private_ip)


class _NodePool(_Cce):
    name: Text
    uid: Text = None
    phase: Literal[NODE_POOL_PHASES] = None
    phases: Walk[Literal[NODE_POOL_PHASES]] = None
    current_node: Count = None
    creating_node: Annotated[Walk[Count], _one_or_list(int, "an integer or a list of integers")] = None
    deleting_node: Annotated[Walk[Count], _one_or_list(int, "an integer or a list of integers")] = None
    flavor: Text = None
    creation_timestamp: Text = None

    def build(self, cluster_id: str) -> NodePool:
        uid = self.uid or stable_id(cluster_id, "nodepool", self.name)
        return _into(NodePool, self, uid=uid, phases=_walk(self.phases, self.phase))


class _Addon(_Cce):
    name: Text
    uid: Text = None
    version: Text = None
    status: Literal[ADDON_STATUSES] = None
    statuses: Walk[Literal[ADDON_STATUSES]] = None
    reasons: Annotated[Walk[str], _one_or_list(str, "a string or a list of strings")] = Field(None, alias="reason")
    messages: Annotated[Walk[str], _one_or_list(str, "a string or a list of strings")] = Field(None, alias="message")
    creation_timestamp: Text = None

    def build(self, cluster_id: str) -> Addon:
        uid = self.uid or stable_id(cluster_id, "addon", self.name)
        return _into(Addon, self, uid=uid, statuses=_walk(self.statuses, self.status))


class _Cluster(_Spec):
    id: Text
    name: Text
    version: Text
    phase: Literal[CLUSTER_PHASES] = None
    phases: Walk[Literal[CLUSTER_PHASES]] = None
    postcheck_phase: Literal[POSTCHECK_PHASES] = None
    type: Text = None
    flavor: Text = None
    creation_timestamp: Text = Field(None, alias="creationTimestamp")
    upgrade_tasks: list[_Task] = []
    workflows: list[_Workflow] = []
    nodes: list[_Node] = None
    node_count: Annotated[int, AfterValidator(_node_count)] = None
    node_pools: list[_NodePool] = None
    addons: list[_Addon] = None

    def build(self) -> Cluster:
        """The cluster with its defaults filled in, after the checks that need them (unique names and uids)."""
        tasks = [task.build() for task in self.upgrade_tasks]
        workflows = [workflow.build() for workflow in self.workflows]
        _unique([task.uid for task in tasks], "uid", "upgrade_tasks")
        _unique([workflow.uid for workflow in workflows], "uid", "workflows")
        known = {task.uid for task in tasks}
        for index, workflow in enumerate(workflows):
            for number, point in enumerate(workflow.points):
                if point.task_type == "Cluster" and point.task_id is not None and point.task_id not in known:
                    raise _Refused(f"{point.task_id!r} is not an upgrade task of this cluster",
                                   "workflows", index, "points", number, "taskID")  # fmt: skip
        count = self.node_count
        if count is None:
            count = DEFAULT_NODE_COUNT if self.nodes is None else 0
        nodes = [node.build(self.id, number) for number, node in enumerate(self.nodes or [], 1)]
        nodes += generated_nodes(self.id, count)
        default_pool = NodePool(stable_id(self.id, "nodepool", "pool-1"), "pool-1", current_node=len(nodes))
        pools = [pool.build(self.id) for pool in self.node_pools] if self.node_pools is not None else [default_pool]
        addons = [addon.build(self.id) for addon in self.addons] if self.addons is not None else [
            Addon(stable_id(self.id, "addon", name), name, version) for name, version in DEFAULT_ADDONS]  # fmt: skip
        for items, where in ((nodes, "nodes"), (pools, "node_pools"), (addons, "addons")):
            _unique([item.name for item in items], "name", where)
            _unique([item.uid for item in items], "uid", where)
        return _into(Cluster, self, phases=_walk(self.phases, self.phase), upgrade_tasks=tasks, workflows=workflows,
                     nodes=nodes, node_pools=pools, addons=addons)  # fmt: skip


class _Scenario(_Spec):
    project_id: Text
    credentials: Annotated[list[_Credential], Field(min_length=1)]
    topics: list[str] = []
    latency_ms: Count = 0
    clusters: list[Annotated[_Cluster, AfterValidator(_Cluster.build)]] = []
    faults: list[Annotated[Fault, BeforeValidator(parse_fault)]] = []

    @model_validator(mode="after")
    def _consistent(self) -> _Scenario:
        if "/" in self.project_id:
            raise _Refused("must not contain '/'", "project_id")
        _unique([credential.ak for credential in self.credentials], "ak", "credentials")
        for index, topic in enumerate(self.topics):
            parts = topic.split(":")
            if len(parts) != 5 or parts[:2] != ["urn", "smn"] or not all(parts[2:]):
                raise _Refused(f"{topic!r} is not a topic URN urn:smn:<region>:<project_id>:<name>", "topics", index)
            if parts[3] != self.project_id:
                raise _Refused(f"topic {topic!r} belongs to another project than {self.project_id!r}", "topics", index)
        _unique([cluster.id for cluster in self.clusters], "id", "clusters")
        return self


# What each kind of pydantic error says, after the path to its field.
_SAYS = {
    "missing": "required",
    "string_type": "expected a string, got {input!r}",
    "int_type": "expected an integer, got {input!r}",
    "list_type": "expected a list, got {input!r}",
    "model_type": "expected a JSON object, got {kind}",
    "literal_error": "{input!r} is not one of {expected}",
    "too_short": "must not be empty",
    "string_pattern_mismatch": "must not be empty",
    "greater_than_equal": "expected an integer >= {ge}, got {input!r}",
}


def _explain(error: ValidationError) -> str:
    """The first problem, at its path: ``clusters[0].nodes[1].phase: 'Ready' is not one of 'Build', ...``."""
    problems = error.errors(include_url=False)
    kind, loc, context = problems[0]["type"], problems[0]["loc"], problems[0].get("ctx", {})
    if kind == "extra_forbidden":
        loc = loc[:-1]
        unknown = sorted(str(p["loc"][-1]) for p in problems if p["type"] == kind and p["loc"][:-1] == loc)
        message = f"unknown field(s) {', '.join(unknown)}"
    elif kind == "value_error":
        loc, message = (*loc, *getattr(context["error"], "at", ())), str(context["error"])
    else:
        value, said = problems[0]["input"], problems[0]["msg"]
        message = _SAYS.get(kind, "{msg}").format(input=value, kind=type(value).__name__, msg=said, **context)
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    return f"{where or 'scenario'}: {message}"


def parse_scenario(data: Any) -> Scenario:
    """Validate an already parsed scenario document."""
    try:
        spec = _Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_explain(error)) from None
    return _into(Scenario, spec, credentials=[credential.build() for credential in spec.credentials])


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
