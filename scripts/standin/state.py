"""The stand-in's mutable state, shared by the request threads and guarded by one lock.

Holds the scenario's clusters (with their upgrade tasks and workflows), the post-checks done, the
messages published, the request log and the pending faults. Readers get deep copies, so a response
is rendered from a consistent snapshot outside the lock. The scenario model itself lives in
:mod:`scripts.standin.scenario` and is re-exported here.
"""

from __future__ import annotations

import copy
import threading
from datetime import datetime, timezone
from typing import Any

from scripts.standin.faults import Fault
from scripts.standin.functiongraph import FunctionGraphState
from scripts.standin.scenario import (
    Cluster,
    Point,
    Scenario,
    ScenarioError,
    UpgradeTask,
    Workflow,
    load_scenario,
)
from scripts.standin.signature import Credential

__all__ = [
    "Cluster",
    "Point",
    "Scenario",
    "ScenarioError",
    "State",
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


class State:
    def __init__(self, scenario: Scenario) -> None:
        scenario = copy.deepcopy(scenario)
        self.project_id = scenario.project_id
        self.credentials: dict[str, Credential] = {c.ak: c for c in scenario.credentials}
        self.topics = frozenset(scenario.topics)
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

    def read_tasks(self, cluster_id: str) -> list[tuple[UpgradeTask, str]]:
        """Every upgrade task of the cluster with the phase this read reports (advancing each)."""
        with self._lock:
            cluster = self._clusters[cluster_id]
            return [self._observe(task) for task in cluster.upgrade_tasks]

    def read_task(self, cluster_id: str, task_id: str) -> tuple[UpgradeTask, str] | None:
        with self._lock:
            for task in self._clusters[cluster_id].upgrade_tasks:
                if task.uid == task_id:
                    return self._observe(task)
        return None

    @staticmethod
    def _observe(task: UpgradeTask) -> tuple[UpgradeTask, str]:
        phase = task.phase
        task.reads += 1
        return copy.deepcopy(task), phase

    def workflows(self, cluster_id: str) -> list[Workflow]:
        with self._lock:
            return copy.deepcopy(self._clusters[cluster_id].workflows)

    # -- post-checks and publishes --------------------------------------------------------------

    def complete_postcheck(self, cluster_id: str, uid: str, body: dict[str, Any]) -> str:
        """Record a post-check and mark pending PostCheck workflow points; returns the check's phase."""
        with self._lock:
            cluster = self._clusters[cluster_id]
            phase = cluster.postcheck_phase
            stamp = now_cce()
            for workflow in cluster.workflows:
                self._finish_postcheck_points(workflow, phase, stamp)
            record = {"cluster_id": cluster_id, "uid": uid, "body": copy.deepcopy(body), "phase": phase}
            self._postchecks.append({**record, "time": now_iso()})
            return phase

    @staticmethod
    def _finish_postcheck_points(workflow: Workflow, phase: str, stamp: str) -> None:
        pending = [p for p in workflow.points if p.task_type == "PostCheck" and p.status != "Success"]
        for point in pending:
            point.status = "Success" if phase == "Success" else "Failed"
            point.start_time_stamp = point.start_time_stamp or stamp
            point.end_time_stamp = stamp
        if pending:
            workflow.update_timestamp = stamp
            if phase == "Success":
                workflow.phase = "Success"

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
