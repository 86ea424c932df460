"""CCE, as this function needs it: the project's clusters, a cluster, its upgrade tasks and workflows, its nodes,
node pools and add-ons (the health gate's reads), and the post-upgrade check.

Each call goes through the SDK (:mod:`postcheck.sdk`); each answer is validated into a small typed
model, so that a malformed body is caught here and not three steps later.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization

from .config import Credentials
from .deadline import Deadline
from .fields import clean_text
from .policy import Backoff
from .records import Addon, Cluster, Node, NodePool, Point, PostCheck, UpgradeTask, Workflow, parse_time
from .sdk import CallPolicy, client_for, invoke, last_request_id
from .sdkload import service_package

_cce = service_package("huaweicloudsdkcce.v3", (
    "CceClient", "CreatePostCheckRequest", "ListAddonInstancesRequest", "ListClustersRequest",
    "ListNodePoolsRequest", "ListNodesRequest", "ListUpgradeClusterTasksRequest", "ListUpgradeWorkFlowsRequest",
    "PostcheckClusterRequestBody", "PostcheckSpec", "ShowClusterRequest", "ShowUpgradeClusterTaskRequest",
))
CceClient = _cce.CceClient
CreatePostCheckRequest = _cce.CreatePostCheckRequest
ListAddonInstancesRequest = _cce.ListAddonInstancesRequest
ListClustersRequest = _cce.ListClustersRequest
ListNodePoolsRequest = _cce.ListNodePoolsRequest
ListNodesRequest = _cce.ListNodesRequest
ListUpgradeClusterTasksRequest = _cce.ListUpgradeClusterTasksRequest
ListUpgradeWorkFlowsRequest = _cce.ListUpgradeWorkFlowsRequest
PostcheckClusterRequestBody = _cce.PostcheckClusterRequestBody
PostcheckSpec = _cce.PostcheckSpec
ShowClusterRequest = _cce.ShowClusterRequest
ShowUpgradeClusterTaskRequest = _cce.ShowUpgradeClusterTaskRequest

PHASES = ("Success", "Failed", "Error")
# ListNodes pages with ``limit`` (1-2000) and ``marker`` (the uid of the last node read); the answer's
# ``pageInfo.nextMarker`` is absent on the last page (CCE API: "Listing All Nodes in a Cluster",
# https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0244.html).
NODES_PAGE_SIZE = 2000
MAX_NODE_PAGES = 50  # 100,000 nodes: past CCE's largest cluster; a marker that never ends stops here


def post_check_body(cluster_id: str, cluster_version: str | None, target_version: str | None) -> Any:
    """The SDK request body of a post-check (``PostcheckClusterRequestBody``)."""
    return PostcheckClusterRequestBody(
        api_version="v3",
        kind="PostCheckTask",
        spec=PostcheckSpec(cluster_id=cluster_id, cluster_version=cluster_version, target_version=target_version),
    )


def post_check_json(cluster_id: str, cluster_version: str | None, target_version: str | None) -> dict[str, Any]:
    """The JSON the SDK sends for a post-check: what a dry run reports."""
    return sanitize_for_serialization(post_check_body(cluster_id, cluster_version, target_version))


class Cce:
    """The CCE calls of one invocation, bounded by its deadline."""

    def __init__(self, client: Any, deadline: Deadline, backoff: Backoff | None = None) -> None:
        self._client = client
        self._deadline = deadline
        self._policy = CallPolicy(backoff=backoff or Backoff())

    @classmethod
    def connect(cls, endpoint: str, credentials: Credentials, deadline: Deadline, pool_size: int = 10,
                backoff: Backoff | None = None) -> Cce:
        from huaweicloudsdkcce.v3.cce_exception_handler import CceExceptionHandler

        client = client_for("cce", CceClient, CceExceptionHandler(), endpoint, credentials,
                            credentials.project_id, pool_size)
        return cls(client, deadline, backoff)

    def cluster(self, cluster_id: str) -> Cluster:
        invoker = self._client.show_cluster_invoker(ShowClusterRequest(cluster_id=cluster_id))
        answer = self._call("show_cluster", invoker, ok=lambda r: getattr(r, "metadata", None) is not None)
        metadata, spec, status = answer.metadata, answer.spec, answer.status
        return Cluster(
            id=cluster_id,
            name=_name(getattr(metadata, "name", None)),
            version=getattr(spec, "version", None),
            phase=getattr(status, "phase", None),
        )

    def clusters(self) -> list[Cluster]:
        answer = self._call("list_clusters", self._client.list_clusters_invoker(ListClustersRequest()),
                            ok=lambda r: isinstance(getattr(r, "items", None), list))
        found = [Cluster(id=_text(getattr(c.metadata, "uid", None)) or "",
                         name=_name(getattr(c.metadata, "name", None)),
                         version=_text(getattr(c.spec, "version", None)),
                         phase=_text(getattr(c.status, "phase", None)))
                 for c in answer.items if getattr(c, "metadata", None) is not None]
        return [c for c in found if c.id]

    def upgrade_workflows(self, cluster_id: str) -> list[Workflow]:
        request = ListUpgradeWorkFlowsRequest(cluster_id=cluster_id)
        answer = self._call("list_upgrade_work_flows", self._client.list_upgrade_work_flows_invoker(request),
                            ok=lambda r: isinstance(getattr(r, "items", None), list))
        return [_workflow(item) for item in answer.items]

    def upgrade_tasks(self, cluster_id: str) -> list[UpgradeTask]:
        request = ListUpgradeClusterTasksRequest(cluster_id=cluster_id)
        answer = self._call("list_upgrade_cluster_tasks", self._client.list_upgrade_cluster_tasks_invoker(request),
                            ok=lambda r: isinstance(getattr(r, "items", None), list))
        tasks = [_task(item) for item in answer.items]
        return [task for task in tasks if task is not None]

    def upgrade_task(self, cluster_id: str, task_id: str) -> UpgradeTask:
        request = ShowUpgradeClusterTaskRequest(cluster_id=cluster_id, task_id=task_id)
        answer = self._call("show_upgrade_cluster_task", self._client.show_upgrade_cluster_task_invoker(request),
                            ok=lambda r: _task(r) is not None)
        task = _task(answer)
        assert task is not None  # checked by ok=
        return task

    def nodes(self, cluster_id: str) -> list[Node]:
        """Every node of the cluster, page by page. Paging stops on the last page, on a page that brings no node
        not already read (a marker that never ends), or after ``MAX_NODE_PAGES``."""
        found: dict[str, Node] = {}  # by uid (a node without one is kept under its place in the list)
        marker: str | None = None
        for _ in range(MAX_NODE_PAGES):
            request = ListNodesRequest(cluster_id=cluster_id, limit=NODES_PAGE_SIZE, marker=marker)
            answer = self._call("list_nodes", self._client.list_nodes_invoker(request),
                                ok=lambda r: isinstance(getattr(r, "items", None), list))
            page = [Node(uid=_text(getattr(n.metadata, "uid", None)) or "",
                         name=_name(getattr(n.metadata, "name", None)),
                         phase=_text(getattr(getattr(n, "status", None), "phase", None)))
                    for n in answer.items if getattr(n, "metadata", None) is not None]
            fresh = {node.uid or f"#{len(found) + i}": node for i, node in enumerate(page)}
            fresh = {key: node for key, node in fresh.items() if key not in found}
            found.update(fresh)
            following = _text(getattr(getattr(answer, "page_info", None), "next_marker", None))
            if not following or following == marker or not fresh:
                break
            marker = following
        return list(found.values())

    def node_pools(self, cluster_id: str) -> list[NodePool]:
        request = ListNodePoolsRequest(cluster_id=cluster_id)
        answer = self._call("list_node_pools", self._client.list_node_pools_invoker(request),
                            ok=lambda r: isinstance(getattr(r, "items", None), list))
        pools = []
        for pool in answer.items:
            metadata, status = getattr(pool, "metadata", None), getattr(pool, "status", None)
            pools.append(NodePool(uid=_text(getattr(metadata, "uid", None)) or "",
                                  name=_name(getattr(metadata, "name", None)),
                                  phase=_text(getattr(status, "phase", None)),
                                  creating=_count(getattr(status, "creating_node", None)),
                                  deleting=_count(getattr(status, "deleting_node", None))))
        return pools

    def addons(self, cluster_id: str) -> list[Addon]:
        request = ListAddonInstancesRequest(cluster_id=cluster_id)
        answer = self._call("list_addon_instances", self._client.list_addon_instances_invoker(request),
                            ok=lambda r: isinstance(getattr(r, "items", None), list))
        found = []
        for addon in answer.items:
            metadata, spec, status = (getattr(addon, name, None) for name in ("metadata", "spec", "status"))
            name = _name(getattr(spec, "addon_template_name", None)) or _name(getattr(metadata, "name", None))
            found.append(Addon(uid=_text(getattr(metadata, "uid", None)) or "", name=name,
                               status=_text(getattr(status, "status", None)),
                               message=_name(getattr(status, "message", None))))
        return found

    def post_check(self, cluster_id: str, cluster_version: str | None, target_version: str | None) -> PostCheck:
        request = CreatePostCheckRequest(
            cluster_id=cluster_id, body=post_check_body(cluster_id, cluster_version, target_version)
        )
        answer = self._call("create_post_check", self._client.create_post_check_invoker(request),
                            ok=lambda r: _post_check(r) is not None)
        result = _post_check(answer)
        assert result is not None  # checked by ok=
        return replace(result, request_id=last_request_id())

    def _call(self, operation: str, invoker: Any, ok: Any) -> Any:
        return invoke(invoker, operation, self._deadline, self._policy, response_ok=ok)


def _task(item: Any) -> UpgradeTask | None:
    metadata, spec, status = (getattr(item, name, None) for name in ("metadata", "spec", "status"))
    uid = getattr(metadata, "uid", None)
    if not isinstance(uid, str) or not uid:
        return None
    return UpgradeTask(
        uid=uid,
        created=parse_time(getattr(metadata, "creation_timestamp", None)),
        version=getattr(spec, "version", None),
        target_version=getattr(spec, "target_version", None),
        phase=getattr(status, "phase", None),
        completion_time=getattr(status, "completion_time", None),
    )


def _text(value: Any) -> str | None:
    """A string field of an SDK model. The SDK turns an enum value it does not know into an empty
    object instead of the string CCE sent: such a value reads as unknown (None)."""
    return value if isinstance(value, str) else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _name(value: Any) -> str | None:
    """A cluster's name as CCE gives it, made safe to carry (bounded, UTF-8 encodable)."""
    return clean_text(value) if isinstance(value, str) else None


def _workflow(item: Any) -> Workflow:
    metadata, spec, status = (getattr(item, name, None) for name in ("metadata", "spec", "status"))
    points = tuple(
        Point(task_type=_text(getattr(p, "task_type", None)), task_id=_text(getattr(p, "task_id", None)),
              status=_text(getattr(p, "status", None)), ended=parse_time(getattr(p, "end_time_stamp", None)))
        for p in (getattr(status, "point_statuses", None) or [])
    )
    return Workflow(
        uid=_text(getattr(metadata, "uid", None)),
        created=parse_time(getattr(metadata, "creation_timestamp", None)),
        cluster_version=_text(getattr(spec, "cluster_version", None)),
        target_version=_text(getattr(spec, "target_version", None)),
        phase=_text(getattr(status, "phase", None)),
        points=points,
    )


def _post_check(answer: Any) -> PostCheck | None:
    """The answer's phase and task ID, or None when they are not as documented."""
    phase = getattr(getattr(answer, "status", None), "phase", None)
    uid = getattr(getattr(answer, "metadata", None), "uid", None)
    if phase not in PHASES or not isinstance(uid, str) or not uid:
        return None
    return PostCheck(phase=phase, uid=uid)


