"""JSON bodies in the shapes the official SDK models deserialize (field names as in their attribute_map).

CCE: ``Cluster``/``ClusterMetadata``/``ClusterSpec``/``ClusterStatus``; ``UpgradeTaskResponseBody``
(``metadata.uid|creationTimestamp|updateTimestamp``, ``spec.version|targetVersion|items``,
``status.phase|progress|completionTime``); ``UpgradeWorkFlow`` (``spec.clusterID|clusterVersion|
targetVersion``, ``status.phase|pointStatuses|lineStatuses``, points ``taskType|taskID|status|
startTimeStamp|endTimeStamp|expireTimeStamp``); ``CreatePostCheckResponse``.
Errors: CCE ``{"errorCode", "errorMessage"}``, API gateway ``{"error_code", "error_msg", "request_id"}``,
SMN ``{"request_id", "code", "message"}``, FunctionGraph ``{"error_code", "error_msg"}`` (its functions and
triggers: :mod:`scripts.standin.functiongraph`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

from scripts.standin.scenario import TERMINAL_TASK_PHASES, Cluster, Point, UpgradeTask, Workflow

Json = dict[str, Any]

_PROGRESS = {"Init": "0", "Queuing": "0", "Running": "50", "Pause": "50", "Success": "100", "Failed": "100"}


def _present(fields: Mapping[str, Any]) -> Json:
    return {key: value for key, value in fields.items() if value is not None}


def cluster(item: Cluster) -> Json:
    return {
        "kind": "Cluster",
        "apiVersion": "v3",
        "metadata": {
            "name": item.name,
            "uid": item.id,
            "creationTimestamp": item.creation_timestamp,
            "updateTimestamp": item.creation_timestamp,
        },
        "spec": {
            "category": "CCE",
            "type": item.type,
            "flavor": item.flavor,
            "version": item.version,
            "description": "",
            "billingMode": 0,
            "kubeProxyMode": "iptables",
        },
        "status": {"phase": item.phase},
    }


def cluster_list(items: Iterable[Cluster]) -> Json:
    return {"kind": "Cluster", "apiVersion": "v3", "items": [cluster(item) for item in items]}


def upgrade_task(task: UpgradeTask, phase: str) -> Json:
    """``task`` as read now, in ``phase``; completionTime only once the task is terminal."""
    terminal = phase in TERMINAL_TASK_PHASES
    return {
        "apiVersion": "v3",
        "kind": "UpgradeTask",
        "metadata": {
            "uid": task.uid,
            "creationTimestamp": task.creation_timestamp,
            "updateTimestamp": task.update_timestamp,
        },
        "spec": {"version": task.version, "targetVersion": task.target_version, "items": {}},
        "status": _present(
            {
                "phase": phase,
                "progress": task.progress if task.progress is not None else _PROGRESS[phase],
                "completionTime": (task.completion_time or task.update_timestamp) if terminal else None,
            }
        ),
    }


def upgrade_task_list(tasks: Iterable[tuple[UpgradeTask, str]]) -> Json:
    return {
        "apiVersion": "v3",
        "kind": "UpgradeTask",
        "metadata": {},
        "items": [upgrade_task(task, phase) for task, phase in tasks],
    }


def _point(point: Point) -> Json:
    return _present(
        {
            "taskType": point.task_type,
            "taskID": point.task_id,
            "status": point.status,
            "startTimeStamp": point.start_time_stamp,
            "endTimeStamp": point.end_time_stamp,
            "expireTimeStamp": point.expire_time_stamp,
        }
    )


def workflow(item: Workflow, cluster_id: str) -> Json:
    points = item.points
    lines = [
        {"startPoint": {"taskType": a.task_type}, "endPoint": {"taskType": b.task_type}, "critical": True}
        for a, b in pairwise(points)
    ]
    return {
        "kind": "WorkFlowTask",
        "apiVersion": "v3",
        "metadata": {
            "uid": item.uid,
            "creationTimestamp": item.creation_timestamp,
            "updateTimestamp": item.update_timestamp,
        },
        "spec": {
            "clusterID": cluster_id,
            "clusterVersion": item.cluster_version,
            "targetVersion": item.target_version,
        },
        "status": {"phase": item.phase, "pointStatuses": [_point(p) for p in points], "lineStatuses": lines},
    }


def workflow_list(items: Iterable[Workflow], cluster_id: str) -> Json:
    return {"kind": "List", "apiVersion": "v3", "items": [workflow(item, cluster_id) for item in items]}


def postcheck(uid: str, spec: Json, phase: str) -> Json:
    return {
        "kind": "PostCheckTask",
        "apiVersion": "v3",
        "metadata": {"uid": uid},
        "spec": spec,
        "status": {"phase": phase},
    }


def cce_error(code: str, message: str) -> Json:
    return {"errorCode": code, "errorMessage": message}


def apig_error(code: str, message: str, request_id: str) -> Json:
    return {"error_code": code, "error_msg": message, "request_id": request_id}


def smn_error(code: str, message: str, request_id: str) -> Json:
    return {"request_id": request_id, "code": code, "message": message}


def functiongraph_error(code: str, message: str) -> Json:
    return {"error_code": code, "error_msg": message}
