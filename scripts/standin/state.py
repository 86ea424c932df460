"""The stand-in's mutable state, shared by the request threads and guarded by one lock.

Holds the scenario's clusters (with their upgrade tasks, workflows, nodes, node pools and add-ons), the
post-checks done, the messages published, the request log and the pending faults. Readers get copies, so a
response is rendered from a consistent snapshot outside the lock; a read advances the walks it observes
(see :mod:`scripts.standin.scenario`). The scenario model itself lives there and is re-exported here.

What a read changes besides the walks (the stand-in's model of CCE; nothing public documents these details):

- an upgrade task whose walk goes from a running phase to ``Success``/``Failed`` ends at that read: its
  ``completionTime`` is the scenario's, or else the time of that read; a ``Success`` moves the cluster's
  ``version`` from the task's ``version`` to its ``targetVersion``; workflow ``Cluster`` steps naming the task
  take its end (status and ``endTimeStamp``);
- a post-check marks done only the PostCheck step of the workflow whose versions it names (see
  :meth:`State.complete_postcheck`).
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from datetime import datetime, timezone
from typing import Any

from scripts.standin.cts import CtsState
from scripts.standin.faults import Fault
from scripts.standin.functiongraph import FunctionGraphState
from scripts.standin.iam import IamState
from scripts.standin.scenario import (
    TERMINAL_TASK_PHASES,
    Addon,
    Cluster,
    Node,
    NodePool,
    Point,
    Scenario,
    ScenarioError,
    UpgradeTask,
    Workflow,
    load_scenario,
    step,
)
from scripts.standin.signature import Credential
from scripts.standin.smn_topics import SmnTopicsState

__all__ = [
    "Addon",
    "Cluster",
    "Node",
    "NodePool",
    "Point",
    "Scenario",
    "ScenarioError",
    "State",
    "UnknownMarker",
    "UpgradeTask",
    "Workflow",
    "load_scenario",
]


DEFAULT_REGION = "cn-north-4"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def now_cce() -> str:
    """Current time the way CCE writes timestamps: ``2026-11-27 08:40:00.123456 +0000 UTC``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")


class UnknownMarker(LookupError):
    """A ListNodes ``marker`` that names no node of the cluster."""


# The point status a workflow's Cluster step shows for its upgrade task's phase.
POINT_STATUS_OF_TASK_PHASE = {
    "Init": "Init",
    "Queuing": "Queuing",
    "Running": "Running",
    "Pause": "Running",
    "Success": "Success",
    "Failed": "Failed",
}


def _members_dropped(cluster: Cluster) -> Cluster:
    """The cluster as ShowCluster/ListClusters render it, in the phase its walk is on (no tasks, nodes...)."""
    return dataclasses.replace(
        cluster,
        phases=[cluster.phase],
        reads=0,
        upgrade_tasks=[],
        workflows=[],
        nodes=[],
        node_pools=[],
        addons=[],
    )


class State:
    def __init__(self, scenario: Scenario) -> None:
        scenario = copy.deepcopy(scenario)
        self.project_id = scenario.project_id
        self.credentials: dict[str, Credential] = {c.ak: c for c in scenario.credentials}
        self.latency_ms = scenario.latency_ms
        self._clusters = {cluster.id: cluster for cluster in scenario.clusters}
        self._faults: list[Fault] = list(scenario.faults)
        self._published: list[dict[str, Any]] = []
        self._postchecks: list[dict[str, Any]] = []
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        # FunctionGraph (for deploy): starts with no functions, in the region of the first topic.
        region = scenario.topics[0].split(":")[2] if scenario.topics else DEFAULT_REGION
        self.functiongraph = FunctionGraphState(self.project_id, region)
        # SMN topics (the scenario's exist from the start) and subscriptions, IAM and CTS: for deploy too.
        self.smn = SmnTopicsState(self.project_id, region, scenario.topics)
        self.iam = IamState(self.project_id)
        self.cts = CtsState()

    @property
    def topics(self) -> frozenset[str]:
        """The URNs of the topics that exist now (the scenario's, and those created since, less those deleted)."""
        return self.smn.topic_urns

    # -- clusters -------------------------------------------------------------------------------

    def cluster(self, cluster_id: str) -> Cluster | None:
        """The live cluster object (tests may mutate it); None when unknown."""
        return self._clusters.get(cluster_id)

    def clusters(self) -> list[Cluster]:
        with self._lock:
            return copy.deepcopy(list(self._clusters.values()))

    def cluster_copy(self, cluster_id: str) -> Cluster | None:
        with self._lock:
            return copy.deepcopy(self._clusters.get(cluster_id))

    def cluster_summaries(self) -> list[Cluster]:
        """Every cluster as ListClusters shows it: the phase its walk is on, without advancing it."""
        with self._lock:
            return [_members_dropped(cluster) for cluster in self._clusters.values()]

    def read_cluster(self, cluster_id: str) -> Cluster | None:
        """The cluster as this ShowCluster reports it (advancing its phase walk); None when unknown."""
        with self._lock:
            cluster = self._clusters.get(cluster_id)
            if cluster is None:
                return None
            shown = _members_dropped(cluster)
            cluster.reads += 1
            return shown

    def read_tasks(self, cluster_id: str) -> list[tuple[UpgradeTask, str]]:
        """Every upgrade task of the cluster with the phase this read reports (advancing each)."""
        with self._lock:
            cluster = self._clusters[cluster_id]
            return [self._observe(cluster, task) for task in cluster.upgrade_tasks]

    def read_task(self, cluster_id: str, task_id: str) -> tuple[UpgradeTask, str] | None:
        with self._lock:
            cluster = self._clusters[cluster_id]
            for task in cluster.upgrade_tasks:
                if task.uid == task_id:
                    return self._observe(cluster, task)
        return None

    @staticmethod
    def _observe(cluster: Cluster, task: UpgradeTask) -> tuple[UpgradeTask, str]:
        phase = task.phase
        before = step(task.phases, task.reads - 1) if task.reads else None
        task.reads += 1
        if phase in TERMINAL_TASK_PHASES and before is not None and before not in TERMINAL_TASK_PHASES:
            State._end_upgrade(cluster, task, phase)
        return copy.deepcopy(task), phase

    @staticmethod
    def _end_upgrade(cluster: Cluster, task: UpgradeTask, phase: str) -> None:
        """The read that first reports ``task`` ended: its end time, the cluster's version, workflow steps.

        Assumed (no public document says when CCE changes ``spec.version``): the cluster keeps the version it
        is upgraded from until its upgrade task succeeds.
        """
        if task.completion_time is None:
            task.completion_time = task.update_timestamp = now_cce()
        ended = task.completion_time
        if phase == "Success" and cluster.version == task.version:
            cluster.version = task.target_version
        for workflow in cluster.workflows:
            for point in workflow.points:
                if point.task_type == "Cluster" and point.task_id == task.uid:
                    point.status = POINT_STATUS_OF_TASK_PHASE[phase]
                    point.start_time_stamp = point.start_time_stamp or task.creation_timestamp
                    point.end_time_stamp = point.end_time_stamp or ended
                    workflow.update_timestamp = ended

    # -- nodes, node pools, add-ons -------------------------------------------------------------

    def read_nodes(self, cluster_id: str, limit: int, marker: str | None) -> tuple[list[Node], str | None]:
        """One ListNodes page: up to ``limit`` nodes after the one whose uid is ``marker`` (from the first when
        None), each in the phase this read reports (advancing its walk), and the page's ``nextMarker``: the uid
        of its last node, None on the last page. Raises :class:`UnknownMarker`.

        "Listing All Nodes in a Cluster" (https://support.huaweicloud.com/intl/zh-cn/ally-visitor-1-api-cce/
        cce_02_0244.html) and SDK 3.1.219 ListNodesRequest/NodePageInfo: ``marker={uid}`` lists the nodes after
        that uid, excluding it; ``nextMarker`` is the current page's last record, absent on the last page.
        """
        with self._lock:
            nodes = self._clusters[cluster_id].nodes
            start = 0
            if marker is not None:
                start = next((index + 1 for index, node in enumerate(nodes) if node.uid == marker), -1)
                if start < 0:
                    raise UnknownMarker(marker)
            page = nodes[start : start + limit]
            more = start + len(page) < len(nodes)
            return [node.read() for node in page], (page[-1].uid if more and page else None)

    def read_node_pools(self, cluster_id: str) -> list[NodePool]:
        """The cluster's node pools, each as this read reports it (advancing its walk)."""
        with self._lock:
            return [pool.read() for pool in self._clusters[cluster_id].node_pools]

    def read_addons(self, cluster_id: str) -> list[Addon]:
        """The cluster's add-on instances, each as this read reports it (advancing its walk)."""
        with self._lock:
            return [addon.read() for addon in self._clusters[cluster_id].addons]

    def workflows(self, cluster_id: str) -> list[Workflow]:
        with self._lock:
            return copy.deepcopy(self._clusters[cluster_id].workflows)

    # -- post-checks and publishes --------------------------------------------------------------

    def complete_postcheck(self, cluster_id: str, uid: str, body: dict[str, Any]) -> str:
        """Record a post-check and finish the PostCheck step of the workflow it names; returns its phase.

        Assumed: calling the post-check API marks the matching upgrade workflow's PostCheck step Success;
        unconfirmed by public documents. "Matching" is the stand-in's reading of it: the workflow whose
        ``spec.clusterVersion`` and ``spec.targetVersion`` equal the versions the post-check's ``spec`` names
        (a post-check naming no version matches none) and whose ``Cluster`` step, if it has one, succeeded.
        A post-check CCE answers ``Failed`` (or ``Error``; scenario ``postcheck_phase``) marks that step
        ``Failed``; one already ``Success`` stays so. The record's ``workflows`` lists the workflows marked.
        """
        spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        with self._lock:
            cluster = self._clusters[cluster_id]
            phase = cluster.postcheck_phase
            stamp = now_cce()
            marked = [
                workflow.uid
                for workflow in cluster.workflows
                if _named_by(workflow, spec) and self._finish_postcheck_points(workflow, phase, stamp)
            ]
            record = {"cluster_id": cluster_id, "uid": uid, "body": copy.deepcopy(body), "phase": phase}
            self._postchecks.append({**record, "workflows": marked, "time": now_iso()})
            return phase

    @staticmethod
    def _finish_postcheck_points(workflow: Workflow, phase: str, stamp: str) -> bool:
        """Mark the workflow's PostCheck steps not yet ``Success``; True when there were any."""
        pending = [p for p in workflow.points if p.task_type == "PostCheck" and p.status != "Success"]
        for point in pending:
            point.status = "Success" if phase == "Success" else "Failed"
            point.start_time_stamp = point.start_time_stamp or stamp
            point.end_time_stamp = stamp
        if pending:
            workflow.update_timestamp = stamp
            if phase == "Success":
                workflow.phase = "Success"
        return bool(pending)

    def record_publish(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._published.append(copy.deepcopy(record))

    def log_request(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(dict(entry))

    @property
    def published(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._published)

    @property
    def postchecks(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._postchecks)

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._requests)

    # -- faults ---------------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(copy.copy(fault))

    def take_fault(self, operation: str, cluster_id: str | None) -> Fault | None:
        """The first pending fault matching the call, counted down (and dropped when used up)."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(operation, cluster_id):
                    if fault.after > 0:  # let this call through; the fault applies to a later one
                        fault.after -= 1
                        return None
                    taken = copy.copy(fault)
                    if fault.consume():
                        del self._faults[index]
                    return taken
        return None

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return copy.deepcopy(self._faults)

    def reset(self) -> None:
        """Forget pending faults and every log (published, post-checks, requests); clusters and functions stay."""
        with self._lock:
            self._faults.clear()
            self._published.clear()
            self._postchecks.clear()
            self._requests.clear()


def _named_by(workflow: Workflow, spec: dict[str, Any]) -> bool:
    """Whether a post-check's ``spec`` names this workflow's upgrade (see :meth:`State.complete_postcheck`)."""
    named = {key: spec.get(key) for key in ("clusterVersion", "targetVersion") if spec.get(key) is not None}
    if not named:
        return False
    versions = {"clusterVersion": workflow.cluster_version, "targetVersion": workflow.target_version}
    if any(versions[key] != value for key, value in named.items()):
        return False
    upgrade = [point for point in workflow.points if point.task_type == "Cluster"]
    return all(point.status == "Success" for point in upgrade)
