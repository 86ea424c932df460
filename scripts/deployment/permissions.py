"""Which IAM action each SDK operation of the function needs: the source of the agency's least-privilege policy.

The function's calls are the ``<operation>_invoker(`` calls in ``function/postcheck/cce.py`` and ``smn.py``;
:func:`operations_called` finds them, and the tests check that the policy in ``template.yaml`` grants exactly
the actions they map to here, and nothing with a wildcard.

Old-IAM (policy ``Version`` ``"1.1"``) action names; how sure each one is, from the public documents:

* ``cce:cluster:list``, ``cce:cluster:get``: the CCE API reference's "Permissions and Supported Actions"
  (ListClusters, ShowCluster). For the upgrade task and workflow reads, the identity-policy tables of
  ListUpgradeClusterTasks and ShowUpgradeClusterTask name ``cce:cluster:getCluster`` with the alias
  ``cce:cluster:get``; ListUpgradeWorkFlows names none publicly: ``cce:cluster:get`` is the assumption.
* ``cce:cluster:upgrade`` for PostCheck: **unconfirmed**. The CCE API reference says the post-check needs no
  identity-policy action, and points to the role/policy tables for old IAM without listing PostCheck there;
  CCE Autopilot's PostCheck documents ``cce:cluster:upgrade``. It is the narrowest action that can cover it
  (it also allows upgrading a cluster, which is broader than this function needs).
* ``smn:topic:publish``: the SMN API reference (PublishMessage).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The function modules that call cloud APIs.
CALLER_MODULES = (ROOT / "function" / "postcheck" / "cce.py", ROOT / "function" / "postcheck" / "smn.py")
_INVOKER_CALL = re.compile(r"\.(?P<operation>[a-z][a-z0-9_]*)_invoker\(")


@dataclass(frozen=True)
class Permission:
    action: str
    confirmed: bool
    source: str


OPERATION_ACTIONS: dict[str, Permission] = {
    "list_clusters": Permission("cce:cluster:list", True, "CCE API: ListClusters"),
    "show_cluster": Permission("cce:cluster:get", True, "CCE API: ShowCluster"),
    "list_upgrade_cluster_tasks": Permission("cce:cluster:get", True,
                                             "CCE API: ListUpgradeClusterTasks (cce:cluster:getCluster, alias get)"),
    "show_upgrade_cluster_task": Permission("cce:cluster:get", True,
                                            "CCE API: ShowUpgradeClusterTask (cce:cluster:getCluster, alias get)"),
    "list_upgrade_work_flows": Permission("cce:cluster:get", False, "CCE API: ListUpgradeWorkFlows (none published)"),
    "create_post_check": Permission("cce:cluster:upgrade", False,
                                    "CCE API: PostCheck (none published; Autopilot's PostCheck: cce:cluster:upgrade)"),
    # The health gate's reads: CCE's "Permissions and Supported Actions" tables name cce:node:list (ListNodes)
    # and cce:nodepool:list (ListNodePools); cce:addonInstance:list ("list all add-on instances") is in CCE's
    # Chinese action table, not in the English copy found.
    "list_nodes": Permission("cce:node:list", True, "CCE API: ListNodes"),
    "list_node_pools": Permission("cce:nodepool:list", True, "CCE API: ListNodePools"),
    "list_addon_instances": Permission("cce:addonInstance:list", False,
                                       "CCE API: ListAddonInstances (Chinese action table only)"),
    "publish_message": Permission("smn:topic:publish", True, "SMN API: PublishMessage"),
}


def operations_called(paths: Iterable[Path] = CALLER_MODULES) -> set[str]:
    """The SDK operations the function's code calls (``client.<operation>_invoker(...)``)."""
    found: set[str] = set()
    for path in paths:
        found.update(match.group("operation") for match in _INVOKER_CALL.finditer(path.read_text(encoding="utf-8")))
    return found


def required_actions(operations: Iterable[str]) -> set[str]:
    """The IAM actions the operations need; KeyError names an operation this table does not know."""
    missing = sorted(set(operations) - set(OPERATION_ACTIONS))
    if missing:
        raise KeyError(f"no IAM action known for SDK operation(s) {', '.join(missing)}: add them to OPERATION_ACTIONS")
    return {OPERATION_ACTIONS[operation].action for operation in operations}
