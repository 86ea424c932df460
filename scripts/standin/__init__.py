"""A local stand-in for the CCE and SMN APIs the post-upgrade check function calls, and the FunctionGraph, SMN
(topics, subscriptions), IAM and CTS APIs the deploy command calls.

Real HTTP on 127.0.0.1, SDK-HMAC-SHA256 signatures verified, bodies in the official SDK's shapes,
and injectable faults. ``StandIn`` runs one; ``load_scenario`` reads and validates a scenario;
``scripts.standin.consistency.problems`` says whether a scenario is a state CCE could be in.
"""

from scripts.standin.scenario import (
    Addon,
    Cluster,
    Node,
    NodePool,
    Scenario,
    ScenarioError,
    generated_nodes,
    load_scenario,
)
from scripts.standin.server import StandIn

__all__ = [
    "Addon",
    "Cluster",
    "Node",
    "NodePool",
    "Scenario",
    "ScenarioError",
    "StandIn",
    "generated_nodes",
    "load_scenario",
]
