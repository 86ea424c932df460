"""CTS's list of the operations it traces, which the deploy command reads to spell the CTS trigger's filter.

``list_operations``: ``GET /v3/{project_id}/operations?service_type=...&resource_type=...`` ("Querying All
Operations on a Cloud Service", https://support.huaweicloud.com/eu/api-cts/cts_api_0332.html): both query
parameters optional, ``resource_type`` only together with ``service_type``; the answer
``{"operations": [{"service_type", "resource_type", "operation_list": [...]}]}``; errors
``{"error_code": "CTS.XXX", "error_msg"}``.

What the stand-in lists for CCE follows CCE's table of traced operations ("CCE Operations Supported by CTS",
https://support.huaweicloud.com/intl/en-us/usermanual-cce/cce_10_0025.html: "Upgrading a cluster | Cluster |
clusterUpgrade", with the other cluster, node and node pool operations). How CTS's API spells the resource type
is not documented; the stand-in answers ``cluster``, the spelling CTS traces of CCE carry
(../shared/reference/platform-facts.md, "Trigger event shapes"). The service it spells in lower case (``cce``), as
the page's own example answer does (``"service_type" : "cts"``, the Chinese edition
https://support.huaweicloud.com/intl/zh-cn/ally-visitor-1-api-cts/cts_api_0332.html), and it takes the
``service_type`` and ``resource_type`` query parameters in any case (``CCE`` or ``cce``): which case CTS itself
compares in is not documented. Tests set :attr:`CtsState.operations` to any list.
"""

from __future__ import annotations

import copy
import threading
from typing import Any
from urllib.parse import parse_qsl

from scripts.standin.replies import Reply, json_reply

DEFAULT_OPERATIONS: list[dict[str, Any]] = [
    {"service_type": "cce", "resource_type": "cluster",
     "operation_list": ["createCluster", "updateCluster", "clusterUpgrade", "deleteCluster", "hibernateCluster",
                        "awakeCluster"]},
    {"service_type": "cce", "resource_type": "node", "operation_list": ["createNode", "updateNode", "deleteNode"]},
    {"service_type": "cce", "resource_type": "nodepool",
     "operation_list": ["createNodePool", "updateNodePool", "deleteNodePool"]},
    {"service_type": "functiongraph", "resource_type": "function",
     "operation_list": ["createFunction", "deleteFunction", "updateFunctionCode"]},
]


class CtsState:
    def __init__(self) -> None:
        self._operations = copy.deepcopy(DEFAULT_OPERATIONS)
        self._lock = threading.Lock()

    @property
    def operations(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._operations)

    @operations.setter
    def operations(self, value: list[dict[str, Any]]) -> None:
        with self._lock:
            self._operations = copy.deepcopy(value)


class CtsApi:
    operations = ("list_operations",)

    def __init__(self, state: CtsState) -> None:
        self.state = state

    def handle(self, operation: str, query: str, request_id: str) -> Reply:
        values = dict(parse_qsl(query, keep_blank_values=True))
        service, resource = values.get("service_type") or None, values.get("resource_type") or None
        if resource and not service:
            return json_reply(400, {"error_code": "CTS.0001",
                                    "error_msg": "resource_type needs service_type."}, request_id)
        found = [entry for entry in self.state.operations
                 if _same(service, entry["service_type"]) and _same(resource, entry["resource_type"])]
        return json_reply(200, {"operations": found}, request_id)


def _same(asked: str | None, listed: str) -> bool:
    """A query parameter matches when absent or equal in any case."""
    return asked is None or asked.casefold() == str(listed).casefold()
