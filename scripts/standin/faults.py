"""Fault specifications: what can go wrong with which operation, and how often.

A fault spec is ``{"operation": <name or "*">, "kind": <kind>, "times": N (default 1, -1 = always),
"status": int (error_json only), "delay_s": float (slow only), "cluster_id": str (optional), "after": N (optional:
let the first N matching calls through untouched, default 0)}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OPERATIONS = (
    "list_clusters",
    "show_cluster",
    "list_upgrade_tasks",
    "show_upgrade_task",
    "list_workflows",
    "show_workflow",
    "postcheck",
    "list_nodes",
    "list_node_pools",
    "list_addon_instances",
    "publish",
    # FunctionGraph (the deploy command)
    "create_function",
    "show_function_config",
    "update_function_config",
    "update_function_code",
    "show_function_async_invoke_config",
    "update_function_async_invoke_config",
    "list_function_triggers",
    "create_function_trigger",
    "delete_function_trigger",
    "delete_function",
    # SMN topics and subscriptions, IAM, CTS (the deploy command)
    "create_topic",
    "list_topics",
    "update_topic",
    "delete_topic",
    "add_subscription",
    "list_subscriptions_by_topic",
    "cancel_subscription",
    "create_resource_tag",
    "list_resource_tags",
    "keystone_list_auth_domains",
    "list_custom_policies",
    "create_cloud_service_custom_policy",
    "update_cloud_service_custom_policy",
    "delete_custom_policy",
    "list_agencies",
    "create_agency",
    "update_agency",
    "delete_agency",
    "list_project_permissions_for_agency",
    "associate_agency_with_project_permission",
    "remove_project_permission_from_agency",
    "list_operations",
)
KINDS = ("error_json", "html_502", "throttle", "slow", "reset", "malformed_200", "wrong_shape_200")
ALWAYS = -1
DEFAULT_DELAY_S = 1.0
_KEYS = {"operation", "kind", "times", "status", "delay_s", "cluster_id", "after"}


class FaultError(ValueError):
    """A fault spec is invalid."""


@dataclass
class Fault:
    operation: str
    kind: str
    times: int = 1
    status: int = 500
    delay_s: float = DEFAULT_DELAY_S
    cluster_id: str | None = None
    after: int = 0  # matching calls still to let through before the fault applies

    def matches(self, operation: str, cluster_id: str | None) -> bool:
        if self.operation not in ("*", operation):
            return False
        return self.cluster_id is None or self.cluster_id == cluster_id

    def consume(self) -> bool:
        """Count one use down; True when the fault is used up."""
        if self.times == ALWAYS:
            return False
        self.times -= 1
        return self.times <= 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "kind": self.kind,
            "times": self.times,
            "status": self.status,
            "delay_s": self.delay_s,
            "cluster_id": self.cluster_id,
            "after": self.after,
        }


def _number(spec: Mapping[str, Any], key: str, default: float) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FaultError(f"fault {key} must be a number, got {value!r}")
    return value


def parse_fault(spec: Any) -> Fault:
    """Validate a fault spec (a JSON object) and build the :class:`Fault`."""
    if not isinstance(spec, Mapping):
        raise FaultError(f"a fault must be a JSON object, got {type(spec).__name__}")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise FaultError(f"unknown fault field(s): {', '.join(unknown)}")
    operation = spec.get("operation")
    if operation != "*" and operation not in OPERATIONS:
        raise FaultError(f"fault operation must be '*' or one of {', '.join(OPERATIONS)}; got {operation!r}")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise FaultError(f"fault kind must be one of {', '.join(KINDS)}; got {kind!r}")
    times = spec.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or (times < 1 and times != ALWAYS):
        raise FaultError(f"fault times must be a positive integer or -1, got {times!r}")
    status = _number(spec, "status", 500)
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise FaultError(f"fault status must be an integer from 400 to 599, got {status!r}")
    delay_s = _number(spec, "delay_s", DEFAULT_DELAY_S)
    if delay_s < 0:
        raise FaultError(f"fault delay_s must not be negative, got {delay_s!r}")
    cluster_id = spec.get("cluster_id")
    if cluster_id is not None and not isinstance(cluster_id, str):
        raise FaultError(f"fault cluster_id must be a string, got {cluster_id!r}")
    after = spec.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise FaultError(f"fault after must be a non-negative integer, got {after!r}")
    return Fault(operation, kind, times, status, float(delay_s), cluster_id, after)
