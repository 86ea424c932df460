"""The health gate's judgement (issue 8, part 2): CCE's documented states, and which of them are waited out."""

from __future__ import annotations

import pytest

from postcheck.health import judge
from postcheck.records import Addon, Cluster, Node, NodePool

CID = "8978deaa-1743-11ee-8e46-0255ac10004c"
SOUND = Cluster(CID, "prod", "v1.19.16-r80", "Available")
NODES = [Node(f"n{i}", f"node-{i}", "Active") for i in range(3)]
POOLS = [NodePool("p0", "default", None), NodePool("p1", "gpu", "")]
ADDONS = [Addon("a0", "coredns", "running"), Addon("a1", "everest", "running")]


def test_a_sound_cluster_is_healthy_and_counted():
    health = judge("block", SOUND, NODES, POOLS, ADDONS)

    assert health.healthy
    assert health.as_dict() == {
        "gate": "block", "healthy": True, "cluster_phase": "Available",
        "nodes": {"total": 3, "active": 3}, "node_pools": {"total": 2, "error": 0},
        "addons": {"total": 2, "running": 2}, "findings": [], "findings_omitted": 0,
    }


@pytest.mark.parametrize(("phase", "transient"), [
    ("Upgrading", True), ("Unavailable", False), ("Error", False), ("RollbackFailed", False), (None, False),
])
def test_the_cluster_must_be_available(phase, transient):
    health = judge("block", Cluster(CID, "prod", "v1.19.16-r80", phase), NODES, POOLS, ADDONS)

    assert not health.healthy and health.transient is transient
    [finding] = health.as_dict()["findings"]
    assert (finding["kind"], finding["id"], finding["state"]) == ("cluster", CID, phase or "unknown")


@pytest.mark.parametrize(("phase", "transient"), [
    ("Build", True), ("Installing", True), ("Upgrading", True), ("Abnormal", False), ("Deleting", False),
    ("Error", False), ("Repairing", False), ("RepairFailed", False), (None, False),
])
def test_every_node_must_be_active(phase, transient):
    health = judge("block", SOUND, [*NODES, Node("bad", "node-x", phase)], POOLS, ADDONS)

    assert not health.healthy and health.transient is transient
    assert health.as_dict()["nodes"] == {"total": 4, "active": 3}
    [finding] = health.as_dict()["findings"]
    assert (finding["kind"], finding["id"], finding["name"]) == ("node", "bad", "node-x")
    assert (phase or "unknown") in finding["message"]


@pytest.mark.parametrize(("pool", "healthy", "transient"), [
    (NodePool("p", "x", "Error"), False, False),
    (NodePool("p", "x", None, creating=2), False, True),
    (NodePool("p", "x", "", deleting=1), False, True),
    (NodePool("p", "x", "Synchronizing"), False, True),
    (NodePool("p", "x", "Synchronized"), False, True),
    (NodePool("p", "x", "SoldOut"), True, False),  # only Error is a finding
    (NodePool("p", "x", "Deleting"), True, False),
])
def test_no_node_pool_in_error_and_none_still_scaling(pool, healthy, transient):
    health = judge("block", SOUND, NODES, [*POOLS, pool], ADDONS)

    assert health.healthy is healthy and health.transient is transient
    assert health.as_dict()["node_pools"]["error"] == (1 if pool.phase == "Error" else 0)


@pytest.mark.parametrize(("status", "transient"), [
    ("installing", True), ("upgrading", True), ("rollbacking", True), ("available", False), ("abnormal", False),
    ("installFailed", False), ("upgradeFailed", False), ("rollbackFailed", False), ("unknown", False), (None, False),
])
def test_every_addon_must_be_running(status, transient):
    health = judge("block", SOUND, NODES, POOLS, [*ADDONS, Addon("a9", "autoscaler", status, "2/3 replicas")])

    assert not health.healthy and health.transient is transient
    assert health.as_dict()["addons"] == {"total": 3, "running": 2}
    [finding] = health.as_dict()["findings"]
    assert finding["kind"] == "addon" and "2/3 replicas" in finding["message"]


def test_one_lasting_problem_among_transient_ones_is_not_worth_waiting_for():
    health = judge("block", SOUND, [Node("a", "a", "Installing"), Node("b", "b", "Error")], POOLS, ADDONS)

    assert not health.transient


def test_findings_are_bounded_and_the_rest_counted():
    nodes = [Node(f"n{i}", f"node-{i}", "Abnormal") for i in range(1500)]

    shown = judge("report", SOUND, nodes, POOLS, ADDONS).as_dict()

    assert shown["nodes"] == {"total": 1500, "active": 0}
    assert len(shown["findings"]) + shown["findings_omitted"] == 1500
    assert len(shown["findings"]) <= 100
