"""URL routing: which operation a (method, raw path) is, and its decoded path parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

CCE = "cce"
SMN = "smn"
FUNCTIONGRAPH = "functiongraph"
IAM = "iam"
CTS = "cts"

_SEG = r"[^/]+"
_CLUSTERS = rf"/api/v3/projects/(?P<project_id>{_SEG})/clusters"
_CLUSTER = rf"{_CLUSTERS}/(?P<cluster_id>{_SEG})"
_FGS = rf"/v2/(?P<project_id>{_SEG})/fgs"
_FUNCTION = rf"{_FGS}/functions/(?P<function_urn>{_SEG})"
_TRIGGERS = rf"{_FGS}/triggers/(?P<function_urn>{_SEG})"
_TOPICS = rf"/v2/(?P<project_id>{_SEG})/notifications/topics"
_TOPIC = rf"{_TOPICS}/(?P<topic_urn>{_SEG})"
_TAGS = rf"/v2/(?P<project_id>{_SEG})/(?P<resource_type>smn_topic|smn_sms|smn_application)/(?P<resource_id>{_SEG})/tags"
_ROLES = r"/v3\.0/OS-ROLE/roles"
_AGENCIES = r"/v3\.0/OS-AGENCY/agencies"
_GRANTS = rf"/v3\.0/OS-AGENCY/projects/(?P<project_id>{_SEG})/agencies/(?P<agency_id>{_SEG})/roles"

_TABLE: tuple[tuple[str, re.Pattern[str], str, str], ...] = tuple(
    (method, re.compile(f"^{pattern}/?$"), operation, service)
    for method, pattern, operation, service in (
        ("GET", _CLUSTERS, "list_clusters", CCE),
        ("GET", _CLUSTER, "show_cluster", CCE),
        ("GET", rf"{_CLUSTER}/operation/upgrade/tasks", "list_upgrade_tasks", CCE),
        ("GET", rf"{_CLUSTER}/operation/upgrade/tasks/(?P<task_id>{_SEG})", "show_upgrade_task", CCE),
        ("GET", rf"{_CLUSTER}/operation/upgradeworkflows", "list_workflows", CCE),
        ("GET", rf"{_CLUSTER}/operation/upgradeworkflows/(?P<workflow_id>{_SEG})", "show_workflow", CCE),
        ("POST", rf"{_CLUSTER}/operation/postcheck", "postcheck", CCE),
        # The cluster's health: ListNodes, ListNodePools (https://support.huaweicloud.com/intl/en-us/api-cce/
        # cce_02_0244.html, .../cce_02_0269.html) and ListAddonInstances, which is not under /projects: its
        # project is the X-Project-Id header, its cluster the cluster_id query parameter
        # (https://support.huaweicloud.com/en-us/api-cce/cce_02_0326.html; SDK 3.1.219 CceClient).
        ("GET", rf"{_CLUSTER}/nodes", "list_nodes", CCE),
        ("GET", rf"{_CLUSTER}/nodepools", "list_node_pools", CCE),
        ("GET", r"/api/v3/addons", "list_addon_instances", CCE),
        (
            "POST",
            rf"/v2/(?P<project_id>{_SEG})/notifications/topics/(?P<topic_urn>{_SEG})/publish",
            "publish",
            SMN,
        ),
        # FunctionGraph, for the deploy command (scripts/standin/functiongraph.py)
        ("POST", rf"{_FGS}/functions", "create_function", FUNCTIONGRAPH),
        ("GET", rf"{_FUNCTION}/config", "show_function_config", FUNCTIONGRAPH),
        ("PUT", rf"{_FUNCTION}/config", "update_function_config", FUNCTIONGRAPH),
        ("PUT", rf"{_FUNCTION}/code", "update_function_code", FUNCTIONGRAPH),
        ("GET", rf"{_FUNCTION}/async-invoke-config", "show_function_async_invoke_config", FUNCTIONGRAPH),
        ("PUT", rf"{_FUNCTION}/async-invoke-config", "update_function_async_invoke_config", FUNCTIONGRAPH),
        ("GET", _TRIGGERS, "list_function_triggers", FUNCTIONGRAPH),
        ("POST", _TRIGGERS, "create_function_trigger", FUNCTIONGRAPH),
        (
            "DELETE",
            rf"{_TRIGGERS}/(?P<trigger_type_code>{_SEG})/(?P<trigger_id>{_SEG})",
            "delete_function_trigger",
            FUNCTIONGRAPH,
        ),
        ("DELETE", _FUNCTION, "delete_function", FUNCTIONGRAPH),
        # SMN topics, subscriptions and topic tags, for deploy (scripts/standin/smn_topics.py)
        ("POST", _TOPICS, "create_topic", SMN),
        ("GET", _TOPICS, "list_topics", SMN),
        ("PUT", _TOPIC, "update_topic", SMN),
        ("DELETE", _TOPIC, "delete_topic", SMN),
        ("POST", rf"{_TOPIC}/subscriptions", "add_subscription", SMN),
        ("GET", rf"{_TOPIC}/subscriptions", "list_subscriptions_by_topic", SMN),
        ("DELETE", rf"/v2/(?P<project_id>{_SEG})/notifications/subscriptions/(?P<subscription_urn>{_SEG})",
         "cancel_subscription", SMN),
        ("PUT", rf"{_TOPIC}/subscriptions/(?P<subscription_urn>{_SEG})", "update_subscription", SMN),
        ("POST", _TAGS, "create_resource_tag", SMN),
        ("GET", _TAGS, "list_resource_tags", SMN),
        ("DELETE", rf"{_TAGS}/(?P<key>{_SEG})", "delete_resource_tag", SMN),
        ("POST", rf"/v2/(?P<project_id>{_SEG})/(?P<resource_type>smn_topic|smn_sms|smn_application)"
                 r"/resource_instances/action", "list_resource_instances", SMN),
        # IAM, global, for deploy (scripts/standin/iam.py)
        ("GET", r"/v3/auth/domains", "keystone_list_auth_domains", IAM),
        ("GET", _ROLES, "list_custom_policies", IAM),
        ("POST", _ROLES, "create_cloud_service_custom_policy", IAM),
        ("PATCH", rf"{_ROLES}/(?P<role_id>{_SEG})", "update_cloud_service_custom_policy", IAM),
        ("DELETE", rf"{_ROLES}/(?P<role_id>{_SEG})", "delete_custom_policy", IAM),
        ("GET", _AGENCIES, "list_agencies", IAM),
        ("POST", _AGENCIES, "create_agency", IAM),
        ("PUT", rf"{_AGENCIES}/(?P<agency_id>{_SEG})", "update_agency", IAM),
        ("DELETE", rf"{_AGENCIES}/(?P<agency_id>{_SEG})", "delete_agency", IAM),
        ("GET", _GRANTS, "list_project_permissions_for_agency", IAM),
        ("PUT", rf"{_GRANTS}/(?P<role_id>{_SEG})", "associate_agency_with_project_permission", IAM),
        ("DELETE", rf"{_GRANTS}/(?P<role_id>{_SEG})", "remove_project_permission_from_agency", IAM),
        # CTS's traced operations, for deploy (scripts/standin/cts.py)
        ("GET", rf"/v3/(?P<project_id>{_SEG})/operations", "list_operations", CTS),
    )
)
# Operations whose cluster is a query parameter, lifted into the route's params (the first value counts).
_QUERY_PARAMS = {"list_addon_instances": ("cluster_id",)}


@dataclass(frozen=True)
class Route:
    operation: str
    service: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def cluster_id(self) -> str | None:
        return self.params.get("cluster_id")


def service_of(path: str) -> str:
    """Which service's error body style fits a path, even one no route matches."""
    if path.startswith("/v2/"):
        return FUNCTIONGRAPH if path.split("/")[3:4] == ["fgs"] else SMN
    if path.startswith(("/v3.0/", "/v3/auth/")):
        return IAM
    if path.startswith("/v3/"):
        return CTS
    return CCE


def match(method: str, path: str, query: str = "") -> Route | None:
    """The route for a raw (percent-encoded) path and query, or None."""
    for route_method, pattern, operation, service in _TABLE:
        found = pattern.match(path)
        if found and route_method == method:
            params = {key: unquote(value) for key, value in found.groupdict().items()}
            lifted = _QUERY_PARAMS.get(operation, ())
            for key, value in reversed(parse_qsl(query, keep_blank_values=True) if lifted else []):
                if key in lifted and value:
                    params[key] = value
            return Route(operation, service, params)
    return None
