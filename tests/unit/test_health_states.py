"""Each health finding in the result's documented shape (README, `health.findings`): which part (`kind`), its
CCE ID and name, the state CCE reported, and a message naming that state (issue 8; CCE's states in
../shared/reference/platform-facts.md: ListNodes, ListNodePools, ListAddonInstances, the cluster's status.phase)."""

from __future__ import annotations

import pytest

from postcheck.health import judge
from postcheck.records import Addon, Cluster, Node, NodePool

CID = "8978deaa-1743-11ee-8e46-0255ac10004c"
SOUND = Cluster(CID, "prod", "v1.19.16-r80", "Available")
NODES = [Node("n0", "node-0", "Active")]
ADDONS = [Addon("a0", "coredns", "running")]


def _only_finding(cluster=SOUND, nodes=(), pools=(), addons=()):
    health = judge("report", cluster, [*NODES, *nodes], list(pools), [*ADDONS, *addons])
    [finding] = health.as_dict()["findings"]
    assert set(finding) == {"kind", "id", "name", "state", "message"}
    assert all(isinstance(value, str) for value in finding.values())
    return health, finding


@pytest.mark.parametrize(("cluster", "expected"), [
    (Cluster(CID, "prod", "v1.19.16-r80", "Unavailable"), ("cluster", CID, "prod", "Unavailable")),
    (Cluster(CID, None, "v1.19.16-r80", "Upgrading"), ("cluster", CID, "", "Upgrading")),
    (Cluster(CID, "", None, "Hibernation"), ("cluster", CID, "", "Hibernation")),
])
def test_a_cluster_finding_names_the_cluster_and_its_phase(cluster, expected):
    _, finding = _only_finding(cluster=cluster)

    assert (finding["kind"], finding["id"], finding["name"], finding["state"]) == expected
    assert expected[3] in finding["message"]


def test_a_cluster_without_a_phase_is_reported_as_unknown_everywhere():
    health, finding = _only_finding(cluster=Cluster(CID, "prod", "v1.19.16-r80", None))

    assert health.as_dict()["cluster_phase"] == finding["state"] == "unknown"
    assert "unknown" in finding["message"]


@pytest.mark.parametrize(("node", "expected"), [
    (Node("u1", "node-1", "Abnormal"), ("node", "u1", "node-1", "Abnormal")),
    (Node("u2", None, "Installing"), ("node", "u2", "", "Installing")),
    (Node("u3", "", "RepairFailed"), ("node", "u3", "", "RepairFailed")),
    (Node("u4", "node-4", None), ("node", "u4", "node-4", "unknown")),
])
def test_a_node_finding_names_the_node_and_its_phase(node, expected):
    _, finding = _only_finding(nodes=[node])

    assert (finding["kind"], finding["id"], finding["name"], finding["state"]) == expected
    assert expected[3] in finding["message"]


@pytest.mark.parametrize(("addon", "expected"), [
    (Addon("x1", "autoscaler", "abnormal", "2/3 replicas"), ("addon", "x1", "autoscaler", "abnormal")),
    (Addon("x2", None, "available"), ("addon", "x2", "", "available")),
    (Addon("x3", "", "upgrading", ""), ("addon", "x3", "", "upgrading")),
    (Addon("x4", "everest", None), ("addon", "x4", "everest", "unknown")),
])
def test_an_addon_finding_names_the_addon_and_its_status(addon, expected):
    _, finding = _only_finding(addons=[addon])

    assert (finding["kind"], finding["id"], finding["name"], finding["state"]) == expected
    assert expected[3] in finding["message"]


@pytest.mark.parametrize("status", ["abnormal", "available", "installFailed", None])
def test_cce_s_addon_message_is_added_to_the_finding_and_nothing_stands_in_for_a_missing_one(status):
    _, bare = _only_finding(addons=[Addon("x", "autoscaler", status)])
    _, empty = _only_finding(addons=[Addon("x", "autoscaler", status, "")])
    _, told = _only_finding(addons=[Addon("x", "autoscaler", status, "2/3 replicas ready")])

    assert "2/3 replicas ready" in told["message"]
    # the same words, CCE's detail only added to them
    assert told["message"].startswith(bare["message"]) and told["message"] != bare["message"]
    assert empty["message"] == bare["message"]
    assert "None" not in bare["message"]


@pytest.mark.parametrize(("pool", "expected"), [
    (NodePool("p1", "gpu", "Error"), ("node_pool", "p1", "gpu", "Error")),
    (NodePool("p2", None, "Error"), ("node_pool", "p2", "", "Error")),
    (NodePool("p3", "gpu", "Synchronizing"), ("node_pool", "p3", "gpu", "Synchronizing")),
    (NodePool("p4", None, "Synchronized"), ("node_pool", "p4", "", "Synchronized")),
])
def test_a_node_pool_finding_names_the_pool_and_its_phase(pool, expected):
    _, finding = _only_finding(pools=[pool])

    assert (finding["kind"], finding["id"], finding["name"], finding["state"]) == expected
    assert expected[3] in finding["message"]


def test_a_pool_in_error_is_a_lasting_finding_even_while_it_scales():
    health, finding = _only_finding(pools=[NodePool("p", "gpu", "Error", creating=2)])

    assert finding["state"] == "Error" and not health.transient


# CCE's node pool status counts the nodes being created (status.creatingNode) and deleted (status.deletingNode);
# the finding's state names the count that is not zero, creation first.
@pytest.mark.parametrize(("creating", "deleting", "state"), [
    (1, 0, "creatingNode"),
    (3, 0, "creatingNode"),
    (1, 1, "creatingNode"),
    (0, 1, "deletingNode"),
    (0, 4, "deletingNode"),
])
@pytest.mark.parametrize(("name", "shown"), [("gpu", "gpu"), (None, "")])
def test_a_scaling_pool_is_a_transient_finding_naming_what_it_still_does(creating, deleting, state, name, shown):
    health, finding = _only_finding(pools=[NodePool("p9", name, None, creating=creating, deleting=deleting)])

    assert health.transient and not health.healthy
    assert (finding["kind"], finding["id"], finding["name"], finding["state"]) == ("node_pool", "p9", shown, state)
    assert str(creating) in finding["message"] and str(deleting) in finding["message"]


@pytest.mark.parametrize("phase", [None, "", "SoldOut", "Deleting"])
def test_a_pool_neither_in_error_nor_scaling_is_no_finding(phase):
    health = judge("report", SOUND, NODES, [NodePool("p", "gpu", phase)], ADDONS)

    assert health.healthy and health.as_dict()["node_pools"] == {"total": 1, "error": 0}
