"""A local stand-in for the CCE and SMN APIs the post-upgrade check function calls, and the FunctionGraph
APIs the deploy command calls.

Real HTTP on 127.0.0.1, SDK-HMAC-SHA256 signatures verified, bodies in the official SDK's shapes,
and injectable faults. ``StandIn`` runs one; ``load_scenario`` reads and validates a scenario.
"""

from scripts.standin.scenario import Scenario, ScenarioError, load_scenario
from scripts.standin.server import StandIn

__all__ = ["Scenario", "ScenarioError", "StandIn", "load_scenario"]
