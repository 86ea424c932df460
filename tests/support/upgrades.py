"""The demo cluster after two upgrades, as CCE could hold it (``scripts.standin.consistency.problems`` is empty for
each scenario): an old one that succeeded and the newest, whose task walks given phases; a clock that only the
function's pauses move; and ways to make the cluster unhealthy. Shared by tests/integration.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from scripts.standin.consistency import problems
from tests.support import UPGRADE_TASK, demo_scenario

NEW_TASK = UPGRADE_TASK  # the newest upgrade: v1.15.11-r1 -> v1.19.16-r80
OLD_TASK = "7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098"  # an older, finished upgrade: v1.13.10-r0 -> v1.15.11-r1
WORKFLOW = "c4e1f6a2-5b3d-4e8f-9a0b-1c2d3e4f5a6b"
V_OLD, V_MID, V_NEW = "v1.13.10-r0", "v1.15.11-r1", "v1.19.16-r80"
UNKNOWN_VERSION = "v1.21.1-r0"  # a version CCE never mentions for this cluster

UTC = timezone.utc
BEIJING = timezone(timedelta(hours=8))
HOUR = timedelta(hours=1)
BEGAN = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)
ENDED = datetime(2026, 11, 27, 22, 10, tzinfo=UTC)


def cce_time(moment: datetime) -> str:
    """A timestamp the way CCE writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.000 +0000 UTC")


def upgrade_scenario(phases: tuple[str, ...] = ("Success",), workflow: bool = True, **changes: Any) -> dict[str, Any]:
    """The demo cluster after two upgrades: an old one that succeeded, and the newest (NEW_TASK), whose task walks
    ``phases`` (one step per read) and ends, if it does, at ENDED; its workflow (WORKFLOW) records it, PostCheck
    not done. The cluster's version is the one the newest task's first read leaves it at."""
    first, final = phases[0], phases[-1]
    ends = final in ("Success", "Failed")
    newest: dict[str, Any] = {
        "uid": NEW_TASK, "version": V_MID, "targetVersion": V_NEW, "phases": list(phases),
        "creationTimestamp": cce_time(BEGAN),
        "updateTimestamp": cce_time(ENDED if first in ("Success", "Failed") else BEGAN),
    }
    if ends:
        newest["completionTime"] = cce_time(ENDED)
    older = {
        "uid": OLD_TASK, "version": V_OLD, "targetVersion": V_MID, "phase": "Success",
        "creationTimestamp": "2026-06-02 07:10:00.000 +0000 UTC",
        "updateTimestamp": "2026-06-02 07:52:31.000 +0000 UTC",
        "completionTime": "2026-06-02 07:52:31.000 +0000 UTC",
    }
    status = {"Success": "Success", "Failed": "Failed"}.get(first, "Running")
    cluster_step: dict[str, Any] = {"taskType": "Cluster", "taskID": NEW_TASK, "status": status,
                                    "startTimeStamp": cce_time(BEGAN)}
    if status in ("Success", "Failed"):
        cluster_step["endTimeStamp"] = cce_time(ENDED)
    workflows = [{
        "uid": WORKFLOW, "clusterVersion": V_MID, "targetVersion": V_NEW, "phase": "Running",
        "creationTimestamp": cce_time(BEGAN - timedelta(minutes=15)), "updateTimestamp": cce_time(BEGAN),
        "points": [
            {"taskType": "PreCheck", "taskID": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "status": "Success",
             "startTimeStamp": cce_time(BEGAN - timedelta(minutes=14)),
             "endTimeStamp": cce_time(BEGAN - timedelta(minutes=9))},
            cluster_step,
            {"taskType": "PostCheck", "status": "Init"},
        ],
    }] if workflow else []
    version = V_NEW if first == "Success" else V_MID
    scenario = demo_scenario(version=version, upgrade_tasks=[newest, older], workflows=workflows, **changes)
    assert problems(scenario) == [], problems(scenario)  # a state CCE could be in
    return scenario


class SimulatedTime:
    """A monotonic clock that only the function's own pauses move, and a record of those pauses."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pauses: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.pauses.append(seconds)
        self.now += seconds


# -- ways a cluster is unhealthy (each returns what the health judgement must name) ---------------------------------


def cluster_unavailable(cluster: Any) -> dict[str, str]:
    cluster.phase = "Unavailable"
    return {"kind": "cluster", "id": cluster.id, "name": cluster.name, "state": "Unavailable"}


def node_abnormal(cluster: Any) -> dict[str, str]:
    node = cluster.nodes[1]
    node.phase = "Abnormal"
    return {"kind": "node", "id": node.uid, "name": node.name, "state": "Abnormal"}


def pool_in_error(cluster: Any) -> dict[str, str]:
    pool = cluster.node_pools[0]
    pool.phase = "Error"
    return {"kind": "node_pool", "id": pool.uid, "name": pool.name, "state": "Error"}


def addon_available(cluster: Any) -> dict[str, str]:
    addon = cluster.addon("everest")
    addon.walk(["available"], messages=["1 of 2 replicas ready"])
    return {"kind": "addon", "id": addon.uid, "name": addon.name, "state": "available"}


def addon_abnormal(cluster: Any) -> dict[str, str]:
    addon = cluster.addon("coredns")
    addon.status = "abnormal"
    return {"kind": "addon", "id": addon.uid, "name": addon.name, "state": "abnormal"}
