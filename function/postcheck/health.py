"""The health gate's judgement: is the cluster sound enough to confirm its upgrade? Pure: no SDK, no I/O.

What "healthy" means (issue 8; the states are CCE's, see ../shared/reference/platform-facts.md):

- the cluster's ``status.phase`` is ``Available``;
- every node's ``status.phase`` is ``Active``;
- no node pool is in ``Error``;
- every add-on instance's ``status.status`` is ``running`` (``available`` means partly ready: a finding).

Some states are on their way somewhere (a node still ``Installing``, a pool still creating nodes, an add-on
``upgrading``, the cluster ``Upgrading``): they are *transient*. The caller waits them out, polling, for at
most ``HEALTH_WAIT_SECONDS``; after that they count as findings like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from .records import Addon, Cluster, Node, NodePool

Gate = Literal["block", "report", "off"]
GATES: tuple[Gate, ...] = ("block", "report", "off")

CLUSTER_OK = "Available"
CLUSTER_TRANSIENT = frozenset({"Upgrading"})
NODE_OK = "Active"
NODE_TRANSIENT = frozenset({"Build", "Installing", "Upgrading"})
POOL_ERROR = "Error"
# Deprecated pool phases that CCE still sends while a pool scales (platform facts: ListNodePools).
POOL_TRANSIENT = frozenset({"Synchronizing", "Synchronized"})
ADDON_OK = "running"
ADDON_TRANSIENT = frozenset({"installing", "upgrading", "rollbacking"})
# A result and its notification carry at most this many findings; the rest are counted.
MAX_FINDINGS = 50


@dataclass(frozen=True)
class Finding:
    kind: Literal["cluster", "node", "node_pool", "addon"]
    id: str
    name: str
    state: str
    message: str
    transient: bool = False

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "state": self.state, "message": self.message}


@dataclass(frozen=True)
class Health:
    """The gate's view of one cluster, in the result's documented shape (:meth:`as_dict`)."""

    gate: Gate
    cluster_phase: str | None
    nodes: tuple[int, int]  # total, active
    node_pools: tuple[int, int]  # total, in error
    addons: tuple[int, int]  # total, running
    findings: tuple[Finding, ...] = field(default=())

    @property
    def healthy(self) -> bool:
        return not self.findings

    @property
    def transient(self) -> bool:
        """Every finding is of a state on its way somewhere: worth waiting for."""
        return bool(self.findings) and all(f.transient for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        shown = self.findings[:MAX_FINDINGS]
        return {
            "gate": self.gate,
            "healthy": self.healthy,
            "cluster_phase": self.cluster_phase or "unknown",
            "nodes": {"total": self.nodes[0], "active": self.nodes[1]},
            "node_pools": {"total": self.node_pools[0], "error": self.node_pools[1]},
            "addons": {"total": self.addons[0], "running": self.addons[1]},
            "findings": [f.as_dict() for f in shown],
            "findings_omitted": len(self.findings) - len(shown),
        }


def judge(gate: Gate, cluster: Cluster, nodes: Iterable[Node], pools: Iterable[NodePool],
          addons: Iterable[Addon]) -> Health:
    """What the gate finds in what CCE says about the cluster and its parts."""
    nodes, pools, addons = list(nodes), list(pools), list(addons)
    findings: list[Finding] = []
    if cluster.phase != CLUSTER_OK:
        findings.append(Finding("cluster", cluster.id, cluster.name or "", _state(cluster.phase),
                                f"cluster is {_state(cluster.phase)}, expected {CLUSTER_OK}",
                                transient=cluster.phase in CLUSTER_TRANSIENT))
    for node in nodes:
        if node.phase != NODE_OK:
            findings.append(Finding("node", node.uid, node.name or "", _state(node.phase),
                                    f"node is {_state(node.phase)}, expected {NODE_OK}",
                                    transient=node.phase in NODE_TRANSIENT))
    for pool in pools:
        finding = _pool_finding(pool)
        if finding is not None:
            findings.append(finding)
    for addon in addons:
        if addon.status != ADDON_OK:
            detail = f": {addon.message}" if addon.message else ""
            findings.append(Finding("addon", addon.uid, addon.name or "", _state(addon.status),
                                    f"add-on is {_state(addon.status)}, expected {ADDON_OK}{detail}",
                                    transient=addon.status in ADDON_TRANSIENT))
    return Health(
        gate=gate,
        cluster_phase=cluster.phase,
        nodes=(len(nodes), sum(1 for n in nodes if n.phase == NODE_OK)),
        node_pools=(len(pools), sum(1 for p in pools if p.phase == POOL_ERROR)),
        addons=(len(addons), sum(1 for a in addons if a.status == ADDON_OK)),
        findings=tuple(findings),
    )


def _pool_finding(pool: NodePool) -> Finding | None:
    if pool.phase == POOL_ERROR:
        return Finding("node_pool", pool.uid, pool.name or "", POOL_ERROR, "node pool is in Error")
    if pool.creating > 0 or pool.deleting > 0:
        state = "creatingNode" if pool.creating > 0 else "deletingNode"
        return Finding("node_pool", pool.uid, pool.name or "", state,
                       f"node pool is still creating {pool.creating} and deleting {pool.deleting} node(s)",
                       transient=True)
    if pool.phase in POOL_TRANSIENT:
        return Finding("node_pool", pool.uid, pool.name or "", pool.phase, f"node pool is {pool.phase}",
                       transient=True)
    return None


def _state(value: str | None) -> str:
    return value if value else "unknown"
