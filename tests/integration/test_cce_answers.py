"""What :class:`postcheck.cce.Cce` reads out of CCE's answers, and what it asks for.

Each answer is the JSON CCE documents, turned into the SDK's own response model by the SDK's own deserializer
(``CceClient._deserialize``, as the real client does with a 200 body), and handed to ``Cce`` through a client
that records the requests instead of sending them: no stand-in, no sockets.

Field names and shapes: ../shared/reference/platform-facts.md ("CCE upgrade state", the API table),
../shared/reference/cce-postcheck-api.md, and CCE's API pages: "Listing All Nodes in a Cluster"
(https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0244.html: ``limit`` 1-2000, ``marker`` = the uid of
the last node read, ``pageInfo.nextMarker`` absent on the last page), "Listing All Node Pools in a Specified
Cluster" (https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0269.html: ``status.phase`` empty =
available, ``creatingNode``/``deletingNode`` counts), "Listing Add-on Instances"
(https://support.huaweicloud.com/en-us/api-cce/cce_02_0326.html: ``spec.addonTemplateName``, ``status.status``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from huaweicloudsdkcce.v3 import CceClient
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization

from postcheck import sdk
from postcheck.cce import Cce, post_check_json
from postcheck.deadline import Deadline
from postcheck.records import Addon, Cluster, Node, NodePool, Point, PostCheck, UpgradeTask, Workflow
from postcheck.sdk import ApiError

CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"
TASK = "e99fedf8-348c-4084-b0fd-81bf187df4e0"
UTC = timezone.utc
_SDK = CceClient()  # only its deserializer is used


class Answer:
    """What CCE answers an operation: one JSON body, or a function of the SDK request."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def for_request(self, request: Any) -> Any:
        return self.body(request) if callable(self.body) else self.body


class FakeInvoker:
    def __init__(self, client: FakeClient, operation: str, request: Any) -> None:
        self._client, self._operation, self._request = client, operation, request

    def with_retry(self, *_: Any) -> FakeInvoker:
        return self  # retries are sdk.py's business; one answer is enough here

    def invoke(self) -> Any:
        self._client.requests.append((self._operation, self._request))
        body = self._client.answers[self._operation].for_request(self._request)
        response_type = "".join(part.title() for part in self._operation.split("_")) + "Response"
        if self._client.request_id:  # what the SDK's response hook records for the post-check's request ID
            sdk._remember_response(response=_Http(self._client.request_id))
        if not isinstance(body, dict):  # already an SDK model
            return body
        return _SDK._deserialize(body, response_type)


class _Http:
    status_code = 200

    def __init__(self, request_id: str) -> None:
        self.headers = {"X-Request-Id": request_id}


class FakeClient:
    """A CceClient whose ``<operation>_invoker(request)`` answers from ``answers`` and records the request."""

    def __init__(self, request_id: str | None = None, **answers: Any) -> None:
        self.answers = {op: Answer(body) for op, body in answers.items()}
        self.requests: list[tuple[str, Any]] = []
        self.request_id = request_id

    def __getattr__(self, name: str) -> Any:
        if not name.endswith("_invoker"):
            raise AttributeError(name)
        operation = name.removesuffix("_invoker")
        return lambda request: FakeInvoker(self, operation, request)


def cce(**answers: Any) -> tuple[Cce, FakeClient]:
    client = FakeClient(**answers)
    return Cce(client, Deadline(60.0)), client


def carryable(text: str, prefix: str, longer_than: int | None = None) -> bool:
    """``text`` kept what came before the bad part, is encodable as UTF-8 (SMN and the logs need that), and is
    shorter than ``longer_than`` when given."""
    text.encode("utf-8")
    return text.startswith(prefix) and "\ufffd" in text and (longer_than is None or len(text) < longer_than)


def malformed(call: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    assert caught.value.code == "MalformedResponse"
    return caught.value


# -- the cluster --------------------------------------------------------------------------------------------------


def test_a_cluster_is_its_name_the_version_it_runs_and_its_phase():
    reader, client = cce(show_cluster={
        "kind": "Cluster", "apiVersion": "v3",
        "metadata": {"uid": CLUSTER, "name": "prod-east"},
        "spec": {"type": "VirtualMachine", "flavor": "cce.s1.small", "version": "v1.19.16-r80"},
        "status": {"phase": "Available"},
    })

    assert reader.cluster(CLUSTER) == Cluster(id=CLUSTER, name="prod-east", version="v1.19.16-r80",
                                              phase="Available")
    [(operation, request)] = client.requests
    assert (operation, request.cluster_id) == ("show_cluster", CLUSTER)


def test_a_cluster_answer_without_metadata_is_not_the_documented_shape():
    reader, _ = cce(show_cluster={"kind": "Cluster", "spec": {"version": "v1.19.16-r80"},
                                  "status": {"phase": "Available"}})

    error = malformed(lambda: reader.cluster(CLUSTER))
    assert error.operation == "show_cluster"


def test_a_cluster_answer_without_spec_or_status_has_unknown_version_and_phase():
    reader, _ = cce(show_cluster={"kind": "Cluster", "metadata": {"uid": CLUSTER, "name": "prod-east"}})

    assert reader.cluster(CLUSTER) == Cluster(id=CLUSTER, name="prod-east", version=None, phase=None)


def test_a_clusters_name_is_made_safe_to_carry():
    long_name = "n" * 10_000
    reader, _ = cce(show_cluster={"metadata": {"uid": CLUSTER, "name": long_name}, "spec": {}, "status": {}})

    name = reader.cluster(CLUSTER).name

    assert name is not None and 0 < len(name) < len(long_name) and long_name.startswith(name)


def test_a_lone_surrogate_in_a_name_becomes_the_replacement_character():
    reader, _ = cce(show_cluster={"metadata": {"uid": CLUSTER, "name": "prod-\ud800"}, "spec": {}, "status": {}})

    name = reader.cluster(CLUSTER).name

    assert name is not None and carryable(name, "prod-")


def test_the_project_clusters_are_listed_by_their_uid():
    other = "11111111-2222-4333-8444-555555555555"
    reader, client = cce(list_clusters={"kind": "Cluster", "apiVersion": "v3", "items": [
        {"metadata": {"uid": CLUSTER, "name": "prod-east"}, "spec": {"version": "v1.19.16-r80"},
         "status": {"phase": "Available"}},
        {"metadata": {"uid": other, "name": "batch-west"}, "spec": {"version": "v1.28.3-r0"},
         "status": {"phase": "Upgrading"}},
        {"metadata": {"name": "no-uid"}, "spec": {}, "status": {}},  # no ID to act on: left out
        {"spec": {"version": "v1.28.3-r0"}},  # no metadata at all: left out
    ]})

    assert reader.clusters() == [
        Cluster(id=CLUSTER, name="prod-east", version="v1.19.16-r80", phase="Available"),
        Cluster(id=other, name="batch-west", version="v1.28.3-r0", phase="Upgrading"),
    ]
    assert [op for op, _ in client.requests] == ["list_clusters"]


def test_a_listed_cluster_without_spec_or_status_has_unknown_version_and_phase():
    reader, _ = cce(list_clusters={"items": [{"metadata": {"uid": CLUSTER}}]})

    assert reader.clusters() == [Cluster(id=CLUSTER, name=None, version=None, phase=None)]


def test_a_listed_clusters_name_is_made_safe_to_carry():
    reader, _ = cce(list_clusters={"items": [{"metadata": {"uid": CLUSTER, "name": "a\udfffb" + "x" * 5000}}]})

    [cluster] = reader.clusters()

    assert cluster.name is not None and carryable(cluster.name, "a", 5000)


@pytest.mark.parametrize("body", [{"kind": "Cluster"}, {"items": None}])
def test_a_cluster_list_without_items_is_not_the_documented_shape(body):
    reader, _ = cce(list_clusters=body)

    assert malformed(reader.clusters).operation == "list_clusters"


def test_an_empty_project_has_no_clusters():
    reader, _ = cce(list_clusters={"items": []})

    assert reader.clusters() == []


# -- upgrade tasks ------------------------------------------------------------------------------------------------


def upgrade_task_body(uid: str | None, phase: str = "Success", **status: Any) -> dict[str, Any]:
    metadata = {"creationTimestamp": "2026-11-27 21:30:00.000 +0000 UTC",
                "updateTimestamp": "2026-11-27 22:10:00.000 +0000 UTC"}
    if uid is not None:
        metadata["uid"] = uid
    return {"metadata": metadata, "spec": {"version": "v1.15.11-r1", "targetVersion": "v1.19.16-r80"},
            "status": {"phase": phase, **status}}


def test_an_upgrade_task_is_read_with_its_versions_phase_and_times():
    reader, client = cce(show_upgrade_cluster_task={
        "apiVersion": "v3", "kind": "UpgradeTask",
        **upgrade_task_body(TASK, completionTime="2026-11-27 22:10:00.000 +0000 UTC", progress="100"),
    })

    task = reader.upgrade_task(CLUSTER, TASK)

    assert task == UpgradeTask(uid=TASK, created=datetime(2026, 11, 27, 21, 30, tzinfo=UTC), version="v1.15.11-r1",
                               target_version="v1.19.16-r80", phase="Success",
                               completion_time="2026-11-27 22:10:00.000 +0000 UTC")
    assert task.ended == datetime(2026, 11, 27, 22, 10, tzinfo=UTC)
    [(operation, request)] = client.requests
    assert (operation, request.cluster_id, request.task_id) == ("show_upgrade_cluster_task", CLUSTER, TASK)


@pytest.mark.parametrize("metadata", [{}, {"uid": ""}, None])
def test_an_upgrade_task_answer_without_its_uid_is_not_the_documented_shape(metadata):
    body = upgrade_task_body(None)
    if metadata is None:
        del body["metadata"]
    else:
        body["metadata"].update(metadata)
    reader, _ = cce(show_upgrade_cluster_task=body)

    assert malformed(lambda: reader.upgrade_task(CLUSTER, TASK)).operation == "show_upgrade_cluster_task"


def test_a_running_upgrade_task_has_no_completion_time():
    reader, _ = cce(show_upgrade_cluster_task=upgrade_task_body(TASK, "Running"))

    task = reader.upgrade_task(CLUSTER, TASK)

    assert (task.phase, task.completion_time, task.ended, task.terminal) == ("Running", None, None, False)


def test_the_upgrade_task_list_keeps_the_tasks_that_have_a_uid():
    older = "7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098"
    reader, client = cce(list_upgrade_cluster_tasks={"apiVersion": "v3", "kind": "UpgradeTaskList", "items": [
        upgrade_task_body(TASK, "Running"),
        upgrade_task_body(None),
        upgrade_task_body(""),
        upgrade_task_body(older, completionTime="2026-06-02 07:52:31.000 +0000 UTC"),
        {"spec": {"version": "v1.13.10-r0"}},
    ]})

    tasks = reader.upgrade_tasks(CLUSTER)

    assert [(t.uid, t.phase) for t in tasks] == [(TASK, "Running"), (older, "Success")]
    assert tasks[1].ended == datetime(2026, 6, 2, 7, 52, 31, tzinfo=UTC)
    [(operation, request)] = client.requests
    assert (operation, request.cluster_id) == ("list_upgrade_cluster_tasks", CLUSTER)


def test_an_upgrade_task_without_spec_or_status_has_unknown_versions_and_phase():
    reader, _ = cce(list_upgrade_cluster_tasks={"items": [
        {"metadata": {"uid": TASK, "creationTimestamp": "2026-11-27 21:30:00.000 +0000 UTC"}}]})

    assert reader.upgrade_tasks(CLUSTER) == [UpgradeTask(uid=TASK, created=datetime(2026, 11, 27, 21, 30, tzinfo=UTC))]


def test_an_upgrade_task_list_without_items_is_not_the_documented_shape():
    reader, _ = cce(list_upgrade_cluster_tasks={"kind": "UpgradeTaskList"})

    assert malformed(lambda: reader.upgrade_tasks(CLUSTER)).operation == "list_upgrade_cluster_tasks"


# -- upgrade workflows --------------------------------------------------------------------------------------------


def test_an_upgrade_workflow_is_read_step_by_step():
    reader, client = cce(list_upgrade_work_flows={"kind": "List", "apiVersion": "v3", "items": [{
        "kind": "WorkFlowTask", "apiVersion": "v3",
        "metadata": {"uid": "c4e1f6a2-5b3d-4e8f-9a0b-1c2d3e4f5a6b",
                     "creationTimestamp": "2026-11-27 21:15:00.000 +0000 UTC"},
        "spec": {"clusterID": CLUSTER, "clusterVersion": "v1.15.11-r1", "targetVersion": "v1.19.16-r80"},
        "status": {"phase": "Running", "pointStatuses": [
            {"taskType": "PreCheck", "taskID": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "status": "Success",
             "startTimeStamp": "2026-11-27 21:16:00.000 +0000 UTC",
             "endTimeStamp": "2026-11-27 21:21:00.000 +0000 UTC"},
            {"taskType": "Cluster", "taskID": TASK, "status": "Success",
             "endTimeStamp": "2026-11-27 22:10:00.000 +0000 UTC"},
            {"taskType": "PostCheck", "status": "Init"},
        ]},
    }]})

    [workflow] = reader.upgrade_workflows(CLUSTER)

    assert workflow == Workflow(
        uid="c4e1f6a2-5b3d-4e8f-9a0b-1c2d3e4f5a6b", created=datetime(2026, 11, 27, 21, 15, tzinfo=UTC),
        cluster_version="v1.15.11-r1", target_version="v1.19.16-r80", phase="Running",
        points=(
            Point(task_type="PreCheck", task_id="5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", status="Success",
                  ended=datetime(2026, 11, 27, 21, 21, tzinfo=UTC)),
            Point(task_type="Cluster", task_id=TASK, status="Success",
                  ended=datetime(2026, 11, 27, 22, 10, tzinfo=UTC)),
            Point(task_type="PostCheck", task_id=None, status="Init", ended=None),
        ))
    assert workflow.point("PostCheck").status == "Init"
    [(operation, request)] = client.requests
    assert (operation, request.cluster_id) == ("list_upgrade_work_flows", CLUSTER)


def test_a_workflow_without_spec_status_or_steps_is_read_as_unknown():
    reader, _ = cce(list_upgrade_work_flows={"items": [{"metadata": {"uid": "w-1"}}, {}]})

    assert reader.upgrade_workflows(CLUSTER) == [Workflow(uid="w-1"), Workflow()]


def test_a_workflow_list_without_items_is_not_the_documented_shape():
    reader, _ = cce(list_upgrade_work_flows={"kind": "List"})

    assert malformed(lambda: reader.upgrade_workflows(CLUSTER)).operation == "list_upgrade_work_flows"


# -- nodes, paged -------------------------------------------------------------------------------------------------


def node_body(uid: str | None, phase: str = "Active", name: str | None = None) -> dict[str, Any]:
    metadata = {"name": name or f"node-{uid}"}
    if uid is not None:
        metadata["uid"] = uid
    return {"kind": "Node", "apiVersion": "v3", "metadata": metadata, "spec": {"flavor": "c7.large.2"},
            "status": {"phase": phase}}


def paged(nodes: list[dict[str, Any]], per_page: int) -> Any:
    """ListNodes as CCE documents it: the nodes after the one whose uid is ``marker``, ``per_page`` at most (the
    server may send fewer than ``limit``), ``pageInfo.nextMarker`` the page's last uid, absent on the last page."""

    def answer(request: Any) -> dict[str, Any]:
        start = 0
        if request.marker:
            start = next(i + 1 for i, n in enumerate(nodes) if n["metadata"].get("uid") == request.marker)
        page = nodes[start:start + per_page]
        info: dict[str, Any] = {"currentCount": len(page)}
        if start + per_page < len(nodes):
            info["nextMarker"] = page[-1]["metadata"]["uid"]
        return {"kind": "List", "apiVersion": "v3", "items": page, "pageInfo": info}

    return answer


def node_requests(client: FakeClient) -> list[tuple[str | None, int | None]]:
    return [(r.marker, r.limit) for op, r in client.requests if op == "list_nodes"]


def test_a_single_page_of_nodes_is_read_once_with_the_largest_page_size():
    reader, client = cce(list_nodes={"kind": "List", "apiVersion": "v3",
                                     "items": [node_body("n-1"), node_body("n-2", "Installing")],
                                     "pageInfo": {"currentCount": 2}})

    nodes = reader.nodes(CLUSTER)

    assert nodes == [Node(uid="n-1", name="node-n-1", phase="Active"),
                     Node(uid="n-2", name="node-n-2", phase="Installing")]
    assert node_requests(client) == [(None, 2000)]  # limit: 1-2000, the fewest pages
    assert client.requests[0][1].cluster_id == CLUSTER


def test_every_page_is_read_each_from_the_last_uid_of_the_one_before():
    nodes = [node_body(f"n-{i}", "Abnormal" if i == 7 else "Active") for i in range(10)]
    reader, client = cce(list_nodes=paged(nodes, per_page=3))

    found = reader.nodes(CLUSTER)

    assert [n.uid for n in found] == [f"n-{i}" for i in range(10)]
    assert found[7].phase == "Abnormal"
    assert [marker for marker, _ in node_requests(client)] == [None, "n-2", "n-5", "n-8"]
    assert {limit for _, limit in node_requests(client)} == {2000}


def test_a_page_with_an_empty_next_marker_is_the_last():
    reader, client = cce(list_nodes={"items": [node_body("n-1")], "pageInfo": {"currentCount": 1, "nextMarker": ""}})

    assert [n.uid for n in reader.nodes(CLUSTER)] == ["n-1"]
    assert len(node_requests(client)) == 1


def test_a_next_marker_that_repeats_the_request_ends_the_paging():
    def answer(request: Any) -> dict[str, Any]:
        if request.marker is None:
            return {"items": [node_body("n-1")], "pageInfo": {"nextMarker": "n-1"}}
        return {"items": [node_body("n-2")], "pageInfo": {"nextMarker": "n-1"}}  # the same marker again

    reader, client = cce(list_nodes=answer)

    assert [n.uid for n in reader.nodes(CLUSTER)] == ["n-1", "n-2"]
    assert [m for m, _ in node_requests(client)] == [None, "n-1"]


def test_a_page_that_brings_no_new_node_ends_the_paging():
    def answer(request: Any) -> dict[str, Any]:
        # a marker that never ends: each page a new marker, but the same nodes
        following = "m-1" if request.marker is None else f"{request.marker}+"
        return {"items": [node_body("n-1"), node_body("n-2")], "pageInfo": {"nextMarker": following}}

    reader, client = cce(list_nodes=answer)

    assert [n.uid for n in reader.nodes(CLUSTER)] == ["n-1", "n-2"]
    assert len(node_requests(client)) == 2  # the second page brought nothing new


def test_a_node_listed_on_two_pages_is_counted_once():
    def answer(request: Any) -> dict[str, Any]:
        if request.marker is None:
            return {"items": [node_body("n-1"), node_body("n-2")], "pageInfo": {"nextMarker": "n-2"}}
        return {"items": [node_body("n-2", "Abnormal"), node_body("n-3")]}

    reader, _ = cce(list_nodes=answer)

    nodes = reader.nodes(CLUSTER)

    assert [(n.uid, n.phase) for n in nodes] == [("n-1", "Active"), ("n-2", "Active"), ("n-3", "Active")]


def test_a_marker_that_never_ends_stops_after_a_bounded_number_of_pages():
    def answer(request: Any) -> dict[str, Any]:
        k = int(request.marker or "0") + 1
        return {"items": [node_body(f"n-{k}")], "pageInfo": {"nextMarker": str(k)}}

    reader, client = cce(list_nodes=answer)

    nodes = reader.nodes(CLUSTER)

    pages = len(node_requests(client))
    # 2000 a page: more pages than CCE's largest cluster needs (several tens of thousands of nodes), but a bound
    assert 10 <= pages <= 1000
    assert len(nodes) == pages


def test_nodes_without_a_uid_are_each_kept():
    reader, _ = cce(list_nodes={"items": [node_body(None, name="a"), node_body(None, "Error", name="b"),
                                          node_body("n-3")]})

    nodes = reader.nodes(CLUSTER)

    assert nodes == [Node(uid="", name="a", phase="Active"), Node(uid="", name="b", phase="Error"),
                     Node(uid="n-3", name="node-n-3", phase="Active")]


def test_nodes_without_a_uid_on_a_later_page_are_kept_beside_the_earlier_ones():
    def answer(request: Any) -> dict[str, Any]:
        if request.marker is None:
            return {"items": [node_body(None, name="a"), node_body("n-2")], "pageInfo": {"nextMarker": "n-2"}}
        return {"items": [node_body(None, "Error", name="c"), node_body(None, name="d"), node_body(None, name="e")]}

    reader, _ = cce(list_nodes=answer)

    assert [(n.name, n.phase) for n in reader.nodes(CLUSTER)] == [
        ("a", "Active"), ("node-n-2", "Active"), ("c", "Error"), ("d", "Active"), ("e", "Active")]


def test_a_node_without_metadata_or_status():
    reader, _ = cce(list_nodes={"items": [{"spec": {"flavor": "c7.large.2"}}, {"metadata": {"uid": "n-2"}}]})

    assert reader.nodes(CLUSTER) == [Node(uid="n-2", name=None, phase=None)]


def test_a_nodes_name_is_made_safe_to_carry():
    reader, _ = cce(list_nodes={"items": [node_body("n-1", name="w\ud800" + "k" * 3000)]})

    [node] = reader.nodes(CLUSTER)

    assert node.name is not None and carryable(node.name, "w", 3000)


def test_a_node_page_without_items_is_not_the_documented_shape():
    reader, _ = cce(list_nodes={"kind": "List", "pageInfo": {}})

    assert malformed(lambda: reader.nodes(CLUSTER)).operation == "list_nodes"


# -- node pools ---------------------------------------------------------------------------------------------------


def test_node_pools_are_read_with_their_phase_and_nodes_coming_and_going():
    reader, client = cce(list_node_pools={"kind": "List", "apiVersion": "v3", "items": [
        {"metadata": {"uid": "p-1", "name": "pool-a"}, "spec": {},
         "status": {"currentNode": 3, "creatingNode": 2, "deletingNode": 1, "phase": "Synchronizing"}},
        {"metadata": {"uid": "p-2", "name": "pool-b"}, "status": {"currentNode": 3, "phase": ""}},
        {"metadata": {"uid": "p-3", "name": "pool-c"}, "status": {"phase": "Error"}},
        {"metadata": {"name": "pool-d"}},
        {"status": {"phase": "Error"}},  # no metadata: still a pool in Error
    ]})

    assert reader.node_pools(CLUSTER) == [
        NodePool(uid="p-1", name="pool-a", phase="Synchronizing", creating=2, deleting=1),
        NodePool(uid="p-2", name="pool-b", phase="", creating=0, deleting=0),
        NodePool(uid="p-3", name="pool-c", phase="Error", creating=0, deleting=0),
        NodePool(uid="", name="pool-d", phase=None, creating=0, deleting=0),
        NodePool(uid="", name=None, phase="Error", creating=0, deleting=0),
    ]
    [(operation, request)] = client.requests
    assert (operation, request.cluster_id) == ("list_node_pools", CLUSTER)


@pytest.mark.parametrize(("creating", "deleting", "expected"), [
    (1, 1, (1, 1)), (5, 0, (5, 0)), (0, 3, (0, 3)), (0, 0, (0, 0)), (-2, -1, (0, 0)), (True, True, (0, 0)),
    ("2", "1", (0, 0)), (None, None, (0, 0)), (1.5, 2.0, (0, 0)),
])
def test_a_node_pools_counts_of_nodes_coming_and_going_are_whole_numbers_of_nodes(creating, deleting, expected):
    """creatingNode/deletingNode are counts of nodes (integers); anything else (a negative, a bool, text or a
    float set on the model as it came) counts as none."""
    answer = _SDK._deserialize({"items": [{"metadata": {"uid": "p-1", "name": "pool-a"}, "status": {}}]},
                               "ListNodePoolsResponse")
    answer.items[0].status.creating_node = creating
    answer.items[0].status.deleting_node = deleting
    reader, _ = cce(list_node_pools=lambda _request: answer)  # an SDK model as it is, not JSON

    [pool] = reader.node_pools(CLUSTER)

    assert (pool.creating, pool.deleting) == expected


def test_a_node_pools_name_is_made_safe_to_carry():
    reader, _ = cce(list_node_pools={"items": [{"metadata": {"uid": "p-1", "name": "p\udc00" + "q" * 4000}}]})

    [pool] = reader.node_pools(CLUSTER)

    assert pool.name is not None and carryable(pool.name, "p", 4000)


def test_a_node_pool_list_without_items_is_not_the_documented_shape():
    reader, _ = cce(list_node_pools={"kind": "List"})

    assert malformed(lambda: reader.node_pools(CLUSTER)).operation == "list_node_pools"


# -- add-ons ------------------------------------------------------------------------------------------------------


def test_add_ons_are_named_by_their_template_and_read_with_their_status_and_message():
    reader, client = cce(list_addon_instances={"kind": "Addon", "apiVersion": "v3", "items": [
        {"metadata": {"uid": "a-1", "name": "coredns-instance"},
         "spec": {"clusterID": CLUSTER, "version": "1.30.10", "addonTemplateName": "coredns"},
         "status": {"status": "running", "Reason": "", "message": ""}},
        {"metadata": {"uid": "a-2", "name": "everest"},
         "spec": {"clusterID": CLUSTER, "version": "2.4.21"},
         "status": {"status": "abnormal", "Reason": "Unhealthy", "message": "2 of 3 replicas not ready"}},
        {"metadata": {"uid": "a-3"}, "spec": {"addonTemplateName": "metrics-server"}},
        {},
    ]})

    assert reader.addons(CLUSTER) == [
        Addon(uid="a-1", name="coredns", status="running", message=""),
        Addon(uid="a-2", name="everest", status="abnormal", message="2 of 3 replicas not ready"),
        Addon(uid="a-3", name="metrics-server", status=None, message=None),
        Addon(uid="", name=None, status=None, message=None),
    ]
    [(operation, request)] = client.requests
    assert (operation, request.cluster_id) == ("list_addon_instances", CLUSTER)


def test_an_add_ons_name_and_message_are_made_safe_to_carry():
    reader, _ = cce(list_addon_instances={"items": [
        {"metadata": {"uid": "a-1", "name": "x\ud800" + "y" * 3000},
         "status": {"status": "abnormal", "message": "m\udbff" + "z" * 3000}},
    ]})

    [addon] = reader.addons(CLUSTER)

    assert addon.name is not None and carryable(addon.name, "x", 3000)
    assert addon.message is not None and carryable(addon.message, "m", 3000)


def test_an_add_on_list_without_items_is_not_the_documented_shape():
    reader, _ = cce(list_addon_instances={"kind": "Addon"})

    assert malformed(lambda: reader.addons(CLUSTER)).operation == "list_addon_instances"


# -- the post-check -----------------------------------------------------------------------------------------------


def test_the_post_check_sends_the_documented_body_and_reads_phase_uid_and_request_id():
    client = FakeClient(request_id="req-4711", create_post_check={
        "kind": "PostCheckTask", "apiVersion": "v3", "metadata": {"uid": TASK},
        "spec": {"clusterID": CLUSTER, "clusterVersion": "v1.15.11-r1", "targetVersion": "v1.19.16-r80"},
        "status": {"phase": "Success"},
    })

    result = Cce(client, Deadline(60.0)).post_check(CLUSTER, "v1.15.11-r1", "v1.19.16-r80")

    assert result == PostCheck(phase="Success", uid=TASK, request_id="req-4711")
    [(operation, request)] = client.requests
    assert (operation, request.cluster_id) == ("create_post_check", CLUSTER)
    assert sanitize_for_serialization(request.body) == {
        "apiVersion": "v3", "kind": "PostCheckTask",
        "spec": {"clusterID": CLUSTER, "clusterVersion": "v1.15.11-r1", "targetVersion": "v1.19.16-r80"}}


@pytest.mark.parametrize("phase", ["Failed", "Error"])
def test_a_post_check_that_did_not_succeed_is_read_as_cce_answered(phase):
    reader, _ = cce(create_post_check={"metadata": {"uid": TASK}, "status": {"phase": phase}})

    assert reader.post_check(CLUSTER, None, None).phase == phase


@pytest.mark.parametrize("body", [
    {"metadata": {"uid": TASK}, "status": {"phase": "Running"}},
    {"metadata": {"uid": TASK}, "status": {}},
    {"metadata": {"uid": TASK}},
    {"metadata": {"uid": ""}, "status": {"phase": "Success"}},
    {"metadata": {}, "status": {"phase": "Success"}},
    {"status": {"phase": "Success"}},
])
def test_a_post_check_answer_without_a_documented_phase_or_a_uid_is_not_the_documented_shape(body):
    reader, _ = cce(create_post_check=body)

    assert malformed(lambda: reader.post_check(CLUSTER, "v1.15.11-r1", "v1.19.16-r80")).operation == (
        "create_post_check")


def test_a_dry_run_reports_the_json_the_sdk_sends():
    assert post_check_json(CLUSTER, "v1.15.11-r1", "v1.19.16-r80") == {
        "apiVersion": "v3", "kind": "PostCheckTask",
        "spec": {"clusterID": CLUSTER, "clusterVersion": "v1.15.11-r1", "targetVersion": "v1.19.16-r80"}}


def test_a_post_check_without_versions_sends_only_the_cluster():
    """spec.clusterVersion and spec.targetVersion are optional (the API page)."""
    assert post_check_json(CLUSTER, None, None) == {
        "apiVersion": "v3", "kind": "PostCheckTask", "spec": {"clusterID": CLUSTER}}


def test_a_state_the_sdk_could_not_read_as_text_is_unknown():
    """The SDK turns an enum value it does not know into an empty object instead of the string CCE sent: such a
    phase, status, version or ID is unknown (None), never an object passed on as if it were CCE's word."""
    not_text = object()
    clusters = _SDK._deserialize({"items": [{"metadata": {"uid": CLUSTER, "name": "prod"}, "spec": {},
                                              "status": {}}]}, "ListClustersResponse")
    clusters.items[0].spec.version = not_text
    clusters.items[0].status.phase = not_text
    nodes = _SDK._deserialize({"items": [node_body("n-1")]}, "ListNodesResponse")
    nodes.items[0].status.phase = not_text
    addons = _SDK._deserialize({"items": [{"metadata": {"uid": "a-1"}, "spec": {"addonTemplateName": "coredns"},
                                            "status": {"status": "running"}}]}, "ListAddonInstancesResponse")
    addons.items[0].status.status = not_text
    reader, _ = cce(list_clusters=lambda _r: clusters, list_nodes=lambda _r: nodes,
                    list_addon_instances=lambda _r: addons)

    assert reader.clusters() == [Cluster(id=CLUSTER, name="prod", version=None, phase=None)]
    assert reader.nodes(CLUSTER) == [Node(uid="n-1", name="node-n-1", phase=None)]
    assert reader.addons(CLUSTER) == [Addon(uid="a-1", name="coredns", status=None, message=None)]


def test_a_null_item_in_a_list_is_no_cluster_task_or_node_and_an_unknown_workflow_step_or_add_on():
    """JSON ``null`` where CCE's lists hold objects (the SDK keeps it as None): never taken for a cluster, a task
    or a node (nothing to act on), never a crash; a workflow, a workflow step or an add-on read from it is
    unknown in every field."""
    reader, _ = cce(
        list_clusters={"items": [None, {"metadata": {"uid": CLUSTER}}]},
        list_upgrade_cluster_tasks={"items": [None, upgrade_task_body(TASK)]},
        list_nodes={"items": [None, node_body("n-1")]},
        list_upgrade_work_flows={"items": [None, {"metadata": {"uid": "w-1"}, "status": {"pointStatuses": [
            None, {"taskType": "Cluster", "taskID": TASK, "status": "Success"}]}}]},
        list_addon_instances={"items": [None]},
    )

    assert [c.id for c in reader.clusters()] == [CLUSTER]
    assert [t.uid for t in reader.upgrade_tasks(CLUSTER)] == [TASK]
    assert [n.uid for n in reader.nodes(CLUSTER)] == ["n-1"]
    assert reader.upgrade_workflows(CLUSTER) == [
        Workflow(), Workflow(uid="w-1", points=(Point(), Point(task_type="Cluster", task_id=TASK, status="Success")))]
    assert reader.addons(CLUSTER) == [Addon(uid="", name=None, status=None, message=None)]


def test_a_null_item_in_the_node_pool_list_is_an_unknown_pool():
    reader, _ = cce(list_node_pools={"items": [None]})

    assert reader.node_pools(CLUSTER) == [NodePool(uid="", name=None, phase=None)]
