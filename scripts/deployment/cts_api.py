"""The CTS trigger's ``SERVICE:resource_type:operation``, from CTS's own list of traced operations.

A CTS trigger's filter names the service, the resource type and the operations (``event_data.operations``, e.g.
``"ECS:ecs;server:restartServer"``, ../shared/reference/platform-facts.md). The resource type's spelling is the
one CTS uses, which CCE's documents do not settle ("Cluster" in CCE's table, "cluster" in traces), so deploy asks
CTS: ``list_operations`` (``GET /v3/{project_id}/operations?service_type=CCE``, "Querying All Operations on a Cloud
Service", https://support.huaweicloud.com/eu/api-cts/cts_api_0332.html) lists, per resource type, the operations
it traces, and the trigger takes the resource type whose ``operation_list`` holds every operation the template
names. A list without them is an error that stops deploy before any write.

CTS's answer is read whatever the case of its ``service_type``: the page's own example answer spells the service in
lower case (``"service_type" : "cts"``; the Chinese edition,
https://support.huaweicloud.com/intl/zh-cn/ally-visitor-1-api-cts/cts_api_0332.html), the query and CCE's traces in
capitals (``CCE``). The trigger's filter keeps the template's spelling of the service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from huaweicloudsdkcts.v3 import CtsClient, ListOperationsRequest

from scripts.deployment.cloud import Keys, basic_credentials, call, http_config


class NotTraced(Exception):
    """CTS does not list the operations: the message says what it lists."""


def connect(keys: Keys, endpoint: str) -> CtsClient:
    return (CtsClient.new_builder().with_http_config(http_config()).with_credentials(basic_credentials(keys))
            .with_endpoints([endpoint]).build())


def resource_type(client: CtsClient, service: str, operations: Sequence[str],
                  on_read: Callable[[str, str], None]) -> str:
    """The resource type CTS lists ``operations`` of ``service`` under; :class:`NotTraced` when there is none."""
    answer = call("list_operations", lambda: client.list_operations(ListOperationsRequest(service_type=service)))
    listed = [entry for entry in answer.operations or []
              if str(entry.service_type or "").casefold() == service.casefold()]
    for entry in listed:
        if set(operations) <= set(entry.operation_list or []):
            on_read("list_operations", f"{service}: {', '.join(operations)} traced under resource type "
                                       f"{entry.resource_type}")
            return str(entry.resource_type)
    on_read("list_operations", f"{service}: {len(listed)} resource type(s), none with {', '.join(operations)}")
    shown = "; ".join(f"{e.resource_type}: {', '.join((e.operation_list or [])[:8])}"
                      f"{', ...' if len(e.operation_list or []) > 8 else ''}" for e in listed) or "nothing"
    raise NotTraced(f"CTS does not list the operation(s) {', '.join(operations)} for service {service} in this "
                    f"region (it lists {shown}), so no CTS trigger can subscribe to upgrade events: check that CTS "
                    "has a tracker in this region and that CCE is traced there")
