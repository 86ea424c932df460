"""JSON bodies in the shapes the official SDK models deserialize (field names as in their attribute_map).

CCE: ``Cluster``/``ClusterMetadata``/``ClusterSpec``/``ClusterStatus``; ``UpgradeTaskResponseBody``
(``metadata.uid|creationTimestamp|updateTimestamp``, ``spec.version|targetVersion|items``,
``status.phase|progress|completionTime``); ``UpgradeWorkFlow`` (``spec.clusterID|clusterVersion|
targetVersion``, ``status.phase|pointStatuses|lineStatuses``, points ``taskType|taskID|status|
startTimeStamp|endTimeStamp|expireTimeStamp``); ``CreatePostCheckResponse``; ``ListNodesResponse`` (``Node``,
``NodePageInfo``), ``ListNodePoolsResponse`` (``NodePoolResp``), ``ListAddonInstancesResponse``
(``AddonInstance``, whose ``status.Reason`` is spelled with a capital R on the wire, as in the API page's example
and the SDK's attribute_map).
Errors: CCE ``{"errorCode", "errorMessage"}``, API gateway ``{"error_code", "error_msg", "request_id"}``,
SMN ``{"request_id", "code", "message"}``, FunctionGraph ``{"error_code", "error_msg"}`` (its functions and
triggers: :mod:`scripts.standin.functiongraph`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

from scripts.standin.scenario import (
    TERMINAL_TASK_PHASES,
    Addon,
    Cluster,
    Node,
    NodePool,
    Point,
    UpgradeTask,
    Workflow,
    stable_id,
)

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


# -- nodes, node pools, add-ons (the cluster's health) --------------------------------------------------------


def node(item: Node) -> Json:
    """A node as ListNodes sends it ("Listing All Nodes in a Cluster",
    https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0244.html; SDK models Node, NodeMetadata, NodeSpec,
    NodeStatus); the spec is minimal."""
    return {
        "kind": "Node",
        "apiVersion": "v3",
        "metadata": {
            "name": item.name,
            "uid": item.uid,
            "creationTimestamp": item.creation_timestamp,
            "updateTimestamp": item.creation_timestamp,
        },
        "spec": {"flavor": item.flavor, "az": item.az, "os": item.os, "billingMode": 0},
        "status": {
            "phase": item.phase,
            "serverId": stable_id(item.uid, "server"),
            "privateIP": item.private_ip,
        },
    }


def node_list(items: Iterable[Node], next_marker: str | None) -> Json:
    """One ListNodes page; ``pageInfo.nextMarker`` absent on the last page (SDK model NodePageInfo)."""
    rendered = [node(item) for item in items]
    page_info = _present({"currentCount": len(rendered), "nextMarker": next_marker})
    return {"kind": "List", "apiVersion": "v3", "items": rendered, "pageInfo": page_info}


def node_pool(item: NodePool) -> Json:
    """A node pool as ListNodePools sends it ("Listing All Node Pools in a Specified Cluster",
    https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0269.html; SDK models NodePoolResp,
    NodePoolMetadata, NodePoolSpec, NodePoolStatus): ``status.phase`` "" when available, as in the page's example."""
    return {
        "kind": "NodePool",
        "apiVersion": "v3",
        "metadata": {
            "name": item.name,
            "uid": item.uid,
            "creationTimestamp": item.creation_timestamp,
            "updateTimestamp": item.creation_timestamp,
        },
        "spec": {
            "type": "vm",
            "initialNodeCount": item.current_node,
            "nodeTemplate": {"flavor": item.flavor, "az": "cn-north-4a", "os": "EulerOS 2.9", "billingMode": 0},
            "autoscaling": {"enable": False},
        },
        "status": {
            "currentNode": item.current_node,
            "creatingNode": item.creating_node[0],
            "deletingNode": item.deleting_node[0],
            "phase": item.phase,
        },
    }


def node_pool_list(items: Iterable[NodePool]) -> Json:
    return {"kind": "List", "apiVersion": "v3", "items": [node_pool(item) for item in items]}


def addon(item: Addon, cluster_id: str) -> Json:
    """An add-on instance as ListAddonInstances sends it ("Listing Add-on Instances",
    https://support.huaweicloud.com/en-us/api-cce/cce_02_0326.html; SDK models AddonInstance, AddonMetadata,
    InstanceSpec, AddonInstanceStatus). The metadata timestamps are ISO 8601 as in the page's example (the SDK
    types them ``date``)."""
    return {
        "kind": "Addon",
        "apiVersion": "v3",
        "metadata": {
            "uid": item.uid,
            "name": item.name,
            "alias": item.name,
            "creationTimestamp": item.creation_timestamp,
            "updateTimestamp": item.creation_timestamp,
        },
        "spec": {
            "clusterID": cluster_id,
            "version": item.version,
            "addonTemplateName": item.name,
            "addonTemplateType": "helm",
            "addonTemplateLabels": [],
            "description": "",
            "values": {},
        },
        "status": {
            "status": item.status,
            "Reason": item.reasons[0],
            "message": item.messages[0],
            "targetVersions": [],
            "currentVersion": {"version": item.version, "stable": True, "input": {}, "translate": {}},
        },
    }


def addon_list(items: Iterable[Addon], cluster_id: str) -> Json:
    return {"kind": "Addon", "apiVersion": "v3", "items": [addon(item, cluster_id) for item in items]}


def cce_error(code: str, message: str) -> Json:
    return {"errorCode": code, "errorMessage": message}


def apig_error(code: str, message: str, request_id: str) -> Json:
    return {"error_code": code, "error_msg": message, "request_id": request_id}


def smn_error(code: str, message: str, request_id: str) -> Json:
    return {"request_id": request_id, "code": code, "message": message}


def functiongraph_error(code: str, message: str) -> Json:
    return {"error_code": code, "error_msg": message}
