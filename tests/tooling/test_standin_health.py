"""The stand-in's cluster-health reads (ListNodes, ListNodePools, ListAddonInstances, ShowCluster's phase) and its
honest post-check, driven over real HTTP by the official SDK (huaweicloudsdkcce.v3), which must parse every answer.

Documented behaviour asserted here: "Listing All Nodes in a Cluster" (limit 1-2000, default 2000; marker = a node's
uid, the page starts after it; pageInfo.nextMarker = the page's last node, absent on the last page), "Listing All
Node Pools in a Specified Cluster", "Listing Add-on Instances" (GET /api/v3/addons?cluster_id=..., mandatory
cluster_id, ``status.Reason``), and CCE's error body for an unknown cluster.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from huaweicloudsdkcce.v3 import (
    CceClient,
    CreatePostCheckRequest,
    ListAddonInstancesRequest,
    ListClustersRequest,
    ListNodePoolsRequest,
    ListNodesRequest,
    ListUpgradeClusterTasksRequest,
    ListUpgradeWorkFlowsRequest,
    PostcheckClusterRequestBody,
    PostcheckSpec,
    ShowClusterRequest,
    ShowUpgradeClusterTaskRequest,
)
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig

from scripts.standin import ScenarioError, StandIn, load_scenario
from scripts.standin.signature import sign
from tests.support import CLUSTER, DEMO, SCENARIOS, demo_scenario

# AddonMetadata's timestamps are typed "date" in the SDK; without python-dateutil it warns and keeps the string.
pytestmark = pytest.mark.filterwarnings("ignore:Unable to convert string to date:ImportWarning")

UNKNOWN = "00000000-0000-4000-8000-000000000000"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NODE_PHASES = [
    "Build", "Installing", "Upgrading", "Active", "Abnormal", "Deleting", "Error", "Repairing", "RepairFailed",
]  # fmt: skip
ADDON_STATUSES = [
    "running", "abnormal", "installing", "installFailed", "upgrading", "upgradeFailed", "deleting", "deleteFailed",
    "deleteSuccess", "available", "rollbacking", "rollbackFailed", "unknown",
]  # fmt: skip
NEWEST, OLDER = DEMO["clusters"][0]["upgrade_tasks"][0], DEMO["clusters"][0]["upgrade_tasks"][1]


@pytest.fixture
def scenario() -> dict[str, Any]:
    return demo_scenario()


@pytest.fixture
def standin(scenario: dict[str, Any]) -> Iterator[StandIn]:
    with StandIn(scenario) as running:
        yield running


@pytest.fixture
def cce(standin: StandIn) -> Iterator[CceClient]:
    credentials = BasicCredentials(standin.credentials.ak, standin.credentials.sk, standin.project_id)
    credentials = credentials.with_security_token(standin.credentials.security_token)
    config = HttpConfig.get_default_config()
    config.timeout = (2, 5)
    client = CceClient.new_builder().with_credentials(credentials).with_endpoints([standin.url])
    client = client.with_http_config(config).build()
    yield client
    client.close()


def _ops(standin: StandIn) -> list[tuple[str | None, str | None, int | None]]:
    return [(r["operation"], r["cluster_id"], r["status"]) for r in standin.requests]


def _raw(standin: StandIn, path: str, query: str = "", headers: dict[str, str] | None = None) -> requests.Response:
    """A signed GET without the SDK; ``headers`` replace the defaults (None as a value drops one)."""
    base = {"Host": f"127.0.0.1:{standin.port}", "Content-Type": "application/json", "X-Project-Id": standin.project_id}
    merged = {key: value for key, value in {**base, **(headers or {})}.items() if value is not None}
    signed = sign("GET", path, query, merged, b"", standin.credentials)
    return requests.get(standin.url + path + (f"?{query}" if query else ""), headers=signed, timeout=5)


def _with(**cluster_changes: Any) -> dict[str, Any]:
    return demo_scenario(**cluster_changes)


# -- ListNodes ------------------------------------------------------------------------------------------------


def test_a_default_cluster_has_a_few_active_nodes_in_the_documented_body(standin: StandIn, cce: CceClient) -> None:
    listed = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER))

    assert (listed.kind, listed.api_version) == ("List", "v3")
    assert 1 <= len(listed.items) <= 10
    assert (listed.page_info.current_count, listed.page_info.next_marker) == (len(listed.items), None)
    for node in listed.items:
        assert (node.kind, node.api_version) == ("Node", "v3")
        assert UUID.match(node.metadata.uid) and node.metadata.name
        assert node.spec.flavor and node.status.phase == "Active"
        assert UUID.match(node.status.server_id) and node.status.private_ip
    assert len({node.metadata.uid for node in listed.items}) == len(listed.items)
    assert _ops(standin) == [("list_nodes", CLUSTER, 200)]


@pytest.mark.parametrize("scenario", [_with(node_count=2500)])
def test_2500_nodes_are_read_in_pages_of_1000_each_starting_after_the_marker(standin: StandIn, cce: CceClient) -> None:
    pages, marker = [], None
    while True:
        page = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER, limit=1000, marker=marker))
        pages.append(page)
        marker = page.page_info.next_marker
        if marker is None:
            break
        assert marker == page.items[-1].metadata.uid  # the page's last record

    assert [p.page_info.current_count for p in pages] == [1000, 1000, 500]
    assert [len(p.items) for p in pages] == [1000, 1000, 500]
    uids = [node.metadata.uid for p in pages for node in p.items]
    assert len(set(uids)) == 2500
    assert all(node.status.phase == "Active" for p in pages for node in p.items)
    # one listing in scenario order: each page begins with the node right after the previous page's last
    whole = [node.uid for node in standin.cluster(CLUSTER).nodes]
    assert uids == whole
    assert [op for op, _, _ in _ops(standin)] == ["list_nodes"] * 3
    assert pages[-1].to_json_object()["pageInfo"] == {"currentCount": 500}  # no nextMarker on the last page


@pytest.mark.parametrize("scenario", [_with(node_count=2500)])
def test_without_a_limit_a_page_holds_2000_nodes(cce: CceClient) -> None:
    first = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER))
    rest = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER, marker=first.page_info.next_marker))

    assert (len(first.items), len(rest.items), rest.page_info.next_marker) == (2000, 500, None)


@pytest.mark.parametrize("scenario", [_with(node_count=4)])
def test_a_page_ending_on_the_last_node_has_no_next_marker(cce: CceClient) -> None:
    first = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER, limit=2))
    last = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER, limit=2, marker=first.page_info.next_marker))
    after = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER, limit=2, marker=last.items[-1].metadata.uid))

    assert first.page_info.next_marker == first.items[-1].metadata.uid
    assert (len(last.items), last.page_info.next_marker) == (2, None)
    assert (after.items, after.page_info.current_count, after.page_info.next_marker) == ([], 0, None)


@pytest.mark.parametrize("scenario", [_with(node_count=1500)])
def test_generated_nodes_have_the_same_ids_every_time(scenario: dict[str, Any]) -> None:
    first, again = load_scenario(scenario), load_scenario(copy.deepcopy(scenario))
    ids = [node.uid for node in first.clusters[0].nodes]
    assert ids == [node.uid for node in again.clusters[0].nodes]
    assert len(set(ids)) == 1500 and all(UUID.match(uid) for uid in ids)


@pytest.mark.parametrize(
    ("query", "detail"),
    [("limit=0", "limit"), ("limit=2001", "limit"), ("limit=ten", "limit"), (f"marker={UNKNOWN}", "marker")],
)
def test_a_bad_limit_or_an_unknown_marker_is_400(standin: StandIn, query: str, detail: str) -> None:
    response = _raw(standin, f"/api/v3/projects/{standin.project_id}/clusters/{CLUSTER}/nodes", query)

    assert (response.status_code, response.json()["errorCode"]) == (400, "CCE.01400001")
    assert detail in response.json()["errorMessage"]


@pytest.mark.parametrize("limit", [1, 2000])
def test_the_limits_bounds_are_accepted(standin: StandIn, limit: int) -> None:
    response = _raw(standin, f"/api/v3/projects/{standin.project_id}/clusters/{CLUSTER}/nodes", f"limit={limit}")

    assert response.status_code == 200 and len(response.json()["items"]) == min(limit, 3)


NODES_WALKING = [
    {"name": "upgraded-late", "phases": ["Upgrading", "Upgrading", "Active"]},
    {"name": "broken", "phase": "Abnormal"},
]


@pytest.mark.parametrize("scenario", [_with(nodes=NODES_WALKING, node_count=2)])
def test_node_phases_walk_one_step_per_read_of_the_node(standin: StandIn, cce: CceClient) -> None:
    def phases(limit: int = 2000) -> dict[str, str]:
        listed = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER, limit=limit))
        return {node.metadata.name: node.status.phase for node in listed.items}

    everyone = {"upgraded-late": "Upgrading", "broken": "Abnormal", "node-00001": "Active", "node-00002": "Active"}
    assert phases() == everyone
    assert phases(limit=1) == {"upgraded-late": "Upgrading"}  # its second read
    assert standin.cluster(CLUSTER).node("broken").reads == 1  # not on that page: not read, not advanced
    assert phases()["upgraded-late"] == "Active"  # its third read
    assert phases()["upgraded-late"] == "Active"  # stays on the last step


@pytest.mark.parametrize("phase", NODE_PHASES)
def test_every_documented_node_phase_is_served(phase: str) -> None:
    with StandIn(_with(nodes=[{"name": "n1", "phase": phase}])) as standin:
        response = _raw(standin, f"/api/v3/projects/{standin.project_id}/clusters/{CLUSTER}/nodes")
    assert [item["status"]["phase"] for item in response.json()["items"]] == [phase]


# -- ListNodePools --------------------------------------------------------------------------------------------


def test_a_default_cluster_has_one_available_pool_in_the_documented_body(standin: StandIn, cce: CceClient) -> None:
    listed = cce.list_node_pools(ListNodePoolsRequest(cluster_id=CLUSTER))

    assert (listed.kind, listed.api_version) == ("List", "v3")
    (pool,) = listed.items
    assert (pool.kind, pool.api_version) == ("NodePool", "v3")
    assert UUID.match(pool.metadata.uid) and pool.metadata.name
    assert pool.spec.type == "vm" and pool.spec.node_template.flavor
    assert pool.status.phase == ""  # empty: available
    assert (pool.status.creating_node, pool.status.deleting_node) == (0, 0)
    assert pool.status.current_node == len(standin.cluster(CLUSTER).nodes)
    assert _ops(standin) == [("list_node_pools", CLUSTER, 200)]


POOLS = [
    {"name": "scaling", "currentNode": 3, "phases": ["Synchronizing", ""], "creatingNode": [2, 0]},
    {"name": "shrinking", "currentNode": 2, "deletingNode": [1, 1, 0]},
    {"name": "broken", "phase": "Error"},
]


@pytest.mark.parametrize("scenario", [_with(node_pools=POOLS)])
def test_pool_phases_and_counts_walk_together_per_read(cce: CceClient) -> None:
    def read() -> dict[str, tuple[str, int, int]]:
        listed = cce.list_node_pools(ListNodePoolsRequest(cluster_id=CLUSTER))
        return {p.metadata.name: (p.status.phase, p.status.creating_node, p.status.deleting_node) for p in listed.items}

    assert read() == {"scaling": ("Synchronizing", 2, 0), "shrinking": ("", 0, 1), "broken": ("Error", 0, 0)}
    assert read() == {"scaling": ("", 0, 0), "shrinking": ("", 0, 1), "broken": ("Error", 0, 0)}
    assert read() == {"scaling": ("", 0, 0), "shrinking": ("", 0, 0), "broken": ("Error", 0, 0)}


@pytest.mark.parametrize("phase", ["", "Synchronizing", "Synchronized", "SoldOut", "Deleting", "Error"])
def test_every_documented_pool_phase_is_served(phase: str) -> None:
    with StandIn(_with(node_pools=[{"name": "p", "phase": phase}])) as standin:
        response = _raw(standin, f"/api/v3/projects/{standin.project_id}/clusters/{CLUSTER}/nodepools")
    assert [item["status"]["phase"] for item in response.json()["items"]] == [phase]


# -- ListAddonInstances ---------------------------------------------------------------------------------------


def test_a_default_cluster_has_running_addons_in_the_documented_body(standin: StandIn, cce: CceClient) -> None:
    listed = cce.list_addon_instances(ListAddonInstancesRequest(cluster_id=CLUSTER))

    assert (listed.kind, listed.api_version) == ("Addon", "v3")
    assert len(listed.items) >= 2
    for addon in listed.items:
        assert (addon.kind, addon.api_version) == ("Addon", "v3")
        assert UUID.match(addon.metadata.uid) and addon.metadata.name
        assert addon.spec.cluster_id == CLUSTER
        assert addon.spec.addon_template_name and addon.spec.version
        assert addon.status.status == "running"
        assert addon.status.current_version.version == addon.spec.version
    assert "coredns" in {addon.spec.addon_template_name for addon in listed.items}
    # not under /projects: the project travels in the signed X-Project-Id header, the cluster in the query
    (request,) = standin.requests
    assert (request["path"], request["operation"], request["cluster_id"]) == (
        "/api/v3/addons", "list_addon_instances", CLUSTER)  # fmt: skip


ADDONS = [
    {"name": "coredns", "version": "1.30.10", "statuses": ["upgrading", "upgrading", "running"],
     "reason": ["Upgrading", "Upgrading", "Install complete"]},
    {"name": "everest", "status": "abnormal", "reason": "Unhealthy", "message": "2 of 3 pods not ready"},
    {"name": "autoscaler", "status": "available"},
]  # fmt: skip


@pytest.mark.parametrize("scenario", [_with(addons=ADDONS)])
def test_addon_statuses_walk_and_carry_the_reason_and_message(standin: StandIn, cce: CceClient) -> None:
    def read() -> dict[str, tuple[str, str, str]]:
        listed = cce.list_addon_instances(ListAddonInstancesRequest(cluster_id=CLUSTER))
        return {a.metadata.name: (a.status.status, a.status.reason, a.status.message) for a in listed.items}

    first = read()
    assert first == {
        "coredns": ("upgrading", "Upgrading", ""),
        "everest": ("abnormal", "Unhealthy", "2 of 3 pods not ready"),
        "autoscaler": ("available", "", ""),
    }
    read()
    assert read()["coredns"] == ("running", "Install complete", "")
    assert read()["everest"] == first["everest"]


def test_the_reason_is_spelled_as_the_api_page_shows_it(standin: StandIn) -> None:
    response = _raw(standin, "/api/v3/addons", f"cluster_id={CLUSTER}")

    assert response.status_code == 200
    assert all("Reason" in item["status"] for item in response.json()["items"])


@pytest.mark.parametrize("status", ADDON_STATUSES)
def test_every_documented_addon_status_is_served(status: str) -> None:
    with StandIn(_with(addons=[{"name": "a", "status": status}])) as standin:
        response = _raw(standin, "/api/v3/addons", f"cluster_id={CLUSTER}")
    assert [item["status"]["status"] for item in response.json()["items"]] == [status]


@pytest.mark.parametrize(
    ("query", "headers", "status", "code"),
    [
        ("", None, 400, "CCE.01400001"),  # cluster_id is mandatory
        ("cluster_id=", None, 400, "CCE.01400001"),
        (f"cluster_id={UNKNOWN}", None, 404, "CCE.01404001"),
        (f"cluster_id={CLUSTER}", {"X-Project-Id": None}, 403, "CCE.01403001"),  # no project at all
        (f"cluster_id={CLUSTER}", {"X-Project-Id": "f" * 32}, 403, "CCE.01403001"),
    ],
)
def test_addon_requests_without_cluster_or_project_are_refused(
    standin: StandIn, query: str, headers: dict[str, str] | None, status: int, code: str
) -> None:
    response = _raw(standin, "/api/v3/addons", query, headers)

    assert (response.status_code, response.json()["errorCode"]) == (status, code)


# -- unknown clusters, faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        ListNodesRequest(cluster_id=UNKNOWN),
        ListNodePoolsRequest(cluster_id=UNKNOWN),
        ListAddonInstancesRequest(cluster_id=UNKNOWN),
    ],
    ids=["list_nodes", "list_node_pools", "list_addon_instances"],
)
def test_an_unknown_cluster_is_cces_404(cce: CceClient, request_: Any) -> None:
    method = {"ListNodesRequest": cce.list_nodes, "ListNodePoolsRequest": cce.list_node_pools,
              "ListAddonInstancesRequest": cce.list_addon_instances}[type(request_).__name__]  # fmt: skip
    with pytest.raises(ClientRequestException) as exc:
        method(request_)
    assert (exc.value.status_code, exc.value.error_code) == (404, "CCE.01404001")
    assert UNKNOWN in exc.value.error_msg


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("list_nodes", lambda c: c.list_nodes(ListNodesRequest(cluster_id=CLUSTER))),
        ("list_node_pools", lambda c: c.list_node_pools(ListNodePoolsRequest(cluster_id=CLUSTER))),
        ("list_addon_instances", lambda c: c.list_addon_instances(ListAddonInstancesRequest(cluster_id=CLUSTER))),
    ],
)
def test_faults_reach_the_health_reads(standin: StandIn, cce: CceClient, operation: str, call: Any) -> None:
    standin.add_fault({"operation": operation, "kind": "error_json", "status": 503, "cluster_id": CLUSTER})
    with pytest.raises(ServerResponseException) as exc:
        call(cce)
    assert (exc.value.status_code, exc.value.error_code) == (503, "CCE.01500001")

    standin.add_fault({"operation": operation, "kind": "wrong_shape_200"})
    assert call(cce).items is None  # the SDK does not complain about a body without items

    assert call(cce).items  # used up
    assert [(r["operation"], r["fault"]) for r in standin.requests] == [
        (operation, "error_json"), (operation, "wrong_shape_200"), (operation, None)]  # fmt: skip


def test_a_fault_for_another_cluster_leaves_the_addon_read_alone(standin: StandIn, cce: CceClient) -> None:
    standin.add_fault({"operation": "list_addon_instances", "kind": "error_json", "cluster_id": UNKNOWN})

    assert cce.list_addon_instances(ListAddonInstancesRequest(cluster_id=CLUSTER)).items
    assert len(standin.state.faults) == 1


# -- the cluster's phase ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [_with(phases=["Upgrading", "Upgrading", "Available"])])
def test_the_cluster_phase_walks_per_show_cluster_and_list_clusters_does_not_advance_it(cce: CceClient) -> None:
    def shown() -> str:
        return cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER)).status.phase

    def listed() -> str:
        return cce.list_clusters(ListClustersRequest()).items[0].status.phase

    assert (listed(), shown(), listed(), shown(), shown(), shown()) == (
        "Upgrading", "Upgrading", "Upgrading", "Upgrading", "Available", "Available")  # fmt: skip


# -- changed at run time ---------------------------------------------------------------------------------------


def test_tests_change_nodes_pools_and_addons_while_it_runs(standin: StandIn, cce: CceClient) -> None:
    cluster = standin.cluster(CLUSTER)
    first = cluster.nodes[0]
    cluster.node(first.name).walk(["Installing", "Active"])
    cluster.node_pools[0].walk([""], creating=[1, 0])
    cluster.addon("coredns").status = "abnormal"
    cluster.generate_nodes(2, phases=["Build", "Active"], start=len(cluster.nodes))
    cluster.phase = "Unavailable"

    nodes = cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER)).items
    pools = cce.list_node_pools(ListNodePoolsRequest(cluster_id=CLUSTER)).items
    addons = cce.list_addon_instances(ListAddonInstancesRequest(cluster_id=CLUSTER)).items

    assert {n.metadata.name: n.status.phase for n in nodes}[first.name] == "Installing"
    assert [n.status.phase for n in nodes[-2:]] == ["Build", "Build"]
    assert pools[0].status.creating_node == 1
    assert {a.metadata.name: a.status.status for a in addons}["coredns"] == "abnormal"
    assert cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER)).status.phase == "Unavailable"
    again = {n.metadata.name: n.status.phase for n in cce.list_nodes(ListNodesRequest(cluster_id=CLUSTER)).items}
    assert again[first.name] == "Active" and set(again.values()) == {"Active"}


# -- scenario validation of the new fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nodes": [{"name": "a", "phases": ["Active", "Ready"]}]}, "clusters[0].nodes[0].phases[1]: 'Ready' is not"),
        ({"nodes": [{"name": "a", "phases": []}]}, "clusters[0].nodes[0].phases: must not be empty"),
        ({"nodes": [{"phase": "Active"}]}, "clusters[0].nodes[0].name: required"),
        ({"nodes": [{"name": "a"}, {"name": "a"}]}, "clusters[0].nodes: duplicate name 'a'"),
        ({"nodes": [{"name": "node-00001"}], "node_count": 1}, "clusters[0].nodes: duplicate name 'node-00001'"),
        ({"nodes": [{"name": "a", "flavour": "x"}]}, "clusters[0].nodes[0]: unknown field(s) flavour"),
        ({"node_count": -1}, "clusters[0].node_count: must be from 0"),
        ({"node_count": True}, "clusters[0].node_count: expected an integer"),
        ({"node_pools": [{"name": "p", "phase": "Available"}]}, "clusters[0].node_pools[0].phase: 'Available' is not"),
        ({"node_pools": [{"name": "p", "creatingNode": [1, -1]}]}, "node_pools[0].creatingNode[1]: expected an int"),
        ({"node_pools": [{"name": "p", "deletingNode": "1"}]}, "clusters[0].node_pools[0].deletingNode: expected"),
        ({"addons": [{"name": "a", "statuses": ["Running"]}]}, "clusters[0].addons[0].statuses[0]: 'Running' is not"),
        ({"addons": [{"name": "a", "reason": [1]}]}, "clusters[0].addons[0].reason[0]: expected a string"),
        ({"addons": [{"name": "a"}, {"name": "a"}]}, "clusters[0].addons: duplicate name 'a'"),
        ({"phases": ["Available", "Fine"]}, "clusters[0].phases[1]: 'Fine' is not one"),
        ({"phase": "Fine"}, "clusters[0].phase: 'Fine' is not one"),
    ],
)
def test_scenario_errors_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(_with(**change))


def test_empty_lists_mean_none_and_nodes_alone_mean_no_generated_ones() -> None:
    (cluster,) = load_scenario(_with(nodes=[], node_pools=[], addons=[])).clusters
    assert (cluster.nodes, cluster.node_pools, cluster.addons) == ([], [], [])
    (cluster,) = load_scenario(_with(nodes=[{"name": "only"}])).clusters
    assert [node.name for node in cluster.nodes] == ["only"]


# -- the post-check is honest ----------------------------------------------------------------------------------

OLDER_WORKFLOW = {
    "uid": "9e9e9e9e-1111-4222-8333-444444444444",
    "clusterVersion": OLDER["version"], "targetVersion": OLDER["targetVersion"], "phase": "Running",
    "creationTimestamp": "2026-06-02 07:00:00.000 +0000 UTC",
    "points": [
        {"taskType": "Cluster", "taskID": OLDER["uid"], "status": "Success",
         "startTimeStamp": OLDER["creationTimestamp"], "endTimeStamp": OLDER["completionTime"]},
        {"taskType": "PostCheck", "status": "Init"},
    ],
}  # fmt: skip
TWO_WORKFLOWS = _with(workflows=[*DEMO["clusters"][0]["workflows"], OLDER_WORKFLOW])
CCE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \+0000 UTC$")


def _postcheck(cce: CceClient, **versions: str) -> str:
    spec = PostcheckSpec(cluster_id=CLUSTER, **versions)
    body = PostcheckClusterRequestBody(api_version="v3", kind="PostCheckTask", spec=spec)
    return cce.create_post_check(CreatePostCheckRequest(cluster_id=CLUSTER, body=body)).status.phase


def _postcheck_steps(cce: CceClient) -> dict[str, tuple[str, str, str | None]]:
    flows = cce.list_upgrade_work_flows(ListUpgradeWorkFlowsRequest(cluster_id=CLUSTER)).items
    last = {f.spec.target_version: f.status.point_statuses[-1] for f in flows}
    phase = {f.spec.target_version: f.status.phase for f in flows}
    return {target: (phase[target], point.status, point.end_time_stamp) for target, point in last.items()}


@pytest.mark.parametrize("scenario", [TWO_WORKFLOWS])
def test_a_post_check_finishes_only_the_workflow_whose_versions_it_names(standin: StandIn, cce: CceClient) -> None:
    assert _postcheck(cce, cluster_version=OLDER["version"], target_version=OLDER["targetVersion"]) == "Success"

    steps = _postcheck_steps(cce)
    assert steps[NEWEST["targetVersion"]] == ("Running", "Init", None)  # the newer upgrade is untouched
    phase, status, ended = steps[OLDER["targetVersion"]]
    assert (phase, status) == ("Success", "Success") and CCE_TIME.match(ended)
    assert standin.postchecks[0]["workflows"] == [OLDER_WORKFLOW["uid"]]


@pytest.mark.parametrize("scenario", [TWO_WORKFLOWS])
def test_a_post_check_naming_other_or_no_versions_finishes_nothing(standin: StandIn, cce: CceClient) -> None:
    _postcheck(cce, cluster_version="v1.19.16-r80", target_version="v1.21.1-r0")
    _postcheck(cce)
    _postcheck(cce, cluster_version=OLDER["version"], target_version=NEWEST["targetVersion"])  # a mix of both

    assert {status for _, status, _ in _postcheck_steps(cce).values()} == {"Init"}
    assert [record["workflows"] for record in standin.postchecks] == [[], [], []]


def test_a_post_check_naming_only_the_target_finishes_its_workflow(standin: StandIn, cce: CceClient) -> None:
    _postcheck(cce, target_version=NEWEST["targetVersion"])

    assert _postcheck_steps(cce)[NEWEST["targetVersion"]][:2] == ("Success", "Success")


@pytest.mark.parametrize("scenario", [_with(postcheck_phase="Failed")])
def test_a_failed_post_check_marks_the_step_failed_and_the_workflow_stays_running(cce: CceClient) -> None:
    assert _postcheck(cce, cluster_version=NEWEST["version"], target_version=NEWEST["targetVersion"]) == "Failed"

    phase, status, ended = _postcheck_steps(cce)[NEWEST["targetVersion"]]
    assert (phase, status) == ("Running", "Failed") and CCE_TIME.match(ended)


def test_a_post_check_leaves_a_workflow_whose_upgrade_has_not_succeeded(standin: StandIn, cce: CceClient) -> None:
    standin.cluster(CLUSTER).workflows[0].points[1].status = "Running"

    _postcheck(cce, cluster_version=NEWEST["version"], target_version=NEWEST["targetVersion"])

    assert _postcheck_steps(cce)[NEWEST["targetVersion"]][:2] == ("Running", "Init")


# -- an upgrade that ends while it is read -----------------------------------------------------------------------


def _running_upgrade(completion: bool) -> dict[str, Any]:
    scenario = _with(version=NEWEST["version"], phases=["Upgrading", "Upgrading", "Available"])
    cluster = scenario["clusters"][0]
    newest = cluster["upgrade_tasks"][0]
    newest["phases"] = ["Running", "Running", "Success"]
    if not completion:
        del newest["completionTime"]
        newest["updateTimestamp"] = newest["creationTimestamp"]
    point = cluster["workflows"][0]["points"][1]
    point["status"] = "Running"
    del point["endTimeStamp"]
    return scenario


@pytest.mark.parametrize("scenario", [_running_upgrade(completion=False)])
def test_an_upgrade_that_ends_moves_the_cluster_version_and_its_workflow_step(standin: StandIn, cce: CceClient) -> None:
    from scripts.standin.consistency import problems

    assert problems(standin.scenario) == []

    def read() -> tuple[str, str | None, str, str, str]:
        task = cce.show_upgrade_cluster_task(ShowUpgradeClusterTaskRequest(cluster_id=CLUSTER, task_id=NEWEST["uid"]))
        shown = cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))
        flow = cce.list_upgrade_work_flows(ListUpgradeWorkFlowsRequest(cluster_id=CLUSTER)).items[0]
        step = flow.status.point_statuses[1].status
        return task.status.phase, task.status.completion_time, shown.spec.version, shown.status.phase, step

    assert read() == ("Running", None, NEWEST["version"], "Upgrading", "Running")
    assert read() == ("Running", None, NEWEST["version"], "Upgrading", "Running")
    phase, completed, version, cluster_phase, step = read()
    assert (phase, version, cluster_phase, step) == ("Success", NEWEST["targetVersion"], "Available", "Success")
    assert CCE_TIME.match(completed)  # stamped when the walk ended, as CCE writes times
    flow = standin.cluster(CLUSTER).workflows[0]
    assert flow.points[1].end_time_stamp == completed == standin.cluster(CLUSTER).upgrade_tasks[0].completion_time
    listed = cce.list_upgrade_cluster_tasks(ListUpgradeClusterTasksRequest(cluster_id=CLUSTER)).items[0]
    assert listed.status.completion_time == completed  # the end stays put


@pytest.mark.parametrize("scenario", [_running_upgrade(completion=True)])
def test_an_upgrade_that_ends_keeps_the_completion_time_its_scenario_gives(cce: CceClient) -> None:
    for _ in range(3):
        task = cce.show_upgrade_cluster_task(ShowUpgradeClusterTaskRequest(cluster_id=CLUSTER, task_id=NEWEST["uid"]))
    assert (task.status.phase, task.status.completion_time) == ("Success", NEWEST["completionTime"])


@pytest.mark.parametrize("scenario", [_running_upgrade(completion=True)])
def test_a_failed_upgrade_leaves_the_version(standin: StandIn, cce: CceClient) -> None:
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Running", "Failed"]
    for _ in range(2):
        cce.show_upgrade_cluster_task(ShowUpgradeClusterTaskRequest(cluster_id=CLUSTER, task_id=NEWEST["uid"]))

    assert cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER)).spec.version == NEWEST["version"]
    assert standin.cluster(CLUSTER).workflows[0].points[1].status == "Failed"


# -- the example scenario file ----------------------------------------------------------------------------------


def test_the_health_example_scenario_serves_what_it_says() -> None:
    with StandIn(SCENARIOS / "health.json") as standin:
        credentials = BasicCredentials(standin.credentials.ak, standin.credentials.sk, standin.project_id)
        credentials = credentials.with_security_token(standin.credentials.security_token)
        client = CceClient.new_builder().with_credentials(credentials).with_endpoints([standin.url]).build()
        ids = {c.metadata.name: c.metadata.uid for c in client.list_clusters(ListClustersRequest()).items}

        broken = ids["broken"]
        nodes = client.list_nodes(ListNodesRequest(cluster_id=broken)).items
        pools = client.list_node_pools(ListNodePoolsRequest(cluster_id=broken)).items
        addons = client.list_addon_instances(ListAddonInstancesRequest(cluster_id=broken)).items
        big = client.list_nodes(ListNodesRequest(cluster_id=ids["big"]))
        healing = [client.list_nodes(ListNodesRequest(cluster_id=ids["healing"])).items for _ in range(3)]
        client.close()

    assert [n.status.phase for n in nodes] == ["Active", "Abnormal"]
    assert [p.status.phase for p in pools] == ["", "Error"]
    assert [a.status.status for a in addons] == ["running", "abnormal", "available"]
    assert (len(big.items), big.page_info.next_marker) == (1500, None)
    assert [{n.status.phase for n in read} for read in healing] == [
        {"Upgrading", "Installing", "Active"}, {"Upgrading", "Active"}, {"Active"}]  # fmt: skip
