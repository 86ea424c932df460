"""The CCE and SMN operations (and FunctionGraph's, for deploy): authenticate, route, check the project,
inject faults, answer.

Order per request, as the real gateway does it: signature first (401), then route (404), then
project (403), then any pending fault for the operation, then the operation itself. Every request,
rejected or not, goes to the request log.

The project is the one in the path; ListAddonInstances (``GET /api/v3/addons?cluster_id=...``) has none in
its path, so there the signed ``X-Project-Id`` header, which the SDK's BasicCredentials always send, names it
(a request without one is refused 403: the stand-in's choice, the real answer is not documented).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from scripts.standin import bodies, replies, routes, smn_rules
from scripts.standin.cts import CtsApi
from scripts.standin.functiongraph import FunctionGraphApi
from scripts.standin.iam import IamApi
from scripts.standin.replies import Reply, json_reply
from scripts.standin.request_parts import first_values as _first_values
from scripts.standin.routes import CCE, SMN, Route
from scripts.standin.signature import SignatureError, verify
from scripts.standin.smn_topics import SmnTopicsApi
from scripts.standin.state import State, UnknownMarker, now_iso

MAX_SUBJECT_BYTES = 512
MAX_MESSAGE_BYTES = 256 * 1024
# ListNodes' limit: "an integer from 1 to 2000 (inclusive)", default 2000 ("Listing All Nodes in a Cluster",
# https://support.huaweicloud.com/intl/zh-cn/ally-visitor-1-api-cce/cce_02_0244.html; SDK ListNodesRequest.limit).
MAX_NODE_LIMIT = 2000


@dataclass(frozen=True)
class Exchange:
    """One incoming request; ``path`` and ``query`` still percent-encoded."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Invalid(Exception):
    """The request body is invalid; the message says why."""


def new_request_id() -> str:
    return uuid.uuid4().hex


class Api:
    def __init__(self, state: State) -> None:
        self.state = state
        self._operations: dict[str, Callable[[Exchange, Route, str], Reply]] = {
            "list_clusters": self._list_clusters,
            "show_cluster": self._show_cluster,
            "list_upgrade_tasks": self._list_upgrade_tasks,
            "show_upgrade_task": self._show_upgrade_task,
            "list_workflows": self._list_workflows,
            "show_workflow": self._show_workflow,
            "postcheck": self._postcheck,
            "list_nodes": self._list_nodes,
            "list_node_pools": self._list_node_pools,
            "list_addon_instances": self._list_addon_instances,
            "publish": self._publish,
        }
        functiongraph = FunctionGraphApi(state.functiongraph)
        for operation in functiongraph.operations:
            self._operations[operation] = functiongraph_operation(functiongraph)
        # deploy's SMN topic and subscription calls, IAM's and CTS's (scripts/standin/smn_topics.py, iam.py, cts.py)
        for api in (SmnTopicsApi(state.smn), IamApi(state.iam)):
            for operation in api.operations:
                self._operations[operation] = query_operation(api)
        cts = CtsApi(state.cts)
        self._operations["list_operations"] = lambda exchange, route, request_id: cts.handle(
            route.operation, exchange.query, request_id)

    def handle(self, exchange: Exchange) -> Reply:
        request_id = new_request_id()
        route = routes.match(exchange.method, exchange.path, exchange.query)
        fault_kind = None
        try:
            verify(
                exchange.method,
                exchange.path,
                exchange.query,
                exchange.headers,
                exchange.body,
                self.state.credentials,
            )
        except SignatureError as failure:
            reply = replies.unauthorized(failure.reason, request_id)
        else:
            reply, fault_kind = self._authorized(exchange, route, request_id)
        self.state.log_request(
            {
                "method": exchange.method,
                "path": exchange.path,
                "operation": route.operation if route else None,
                "status": None if reply.reset else reply.status,
                "cluster_id": route.cluster_id if route else None,
                "fault": fault_kind,
            }
        )
        return reply

    def _authorized(
        self, exchange: Exchange, route: Route | None, request_id: str
    ) -> tuple[Reply, str | None]:
        if route is None:
            message = f"Resource not found: no API {exchange.method} {exchange.path}"
            return replies.error(CCE, 404, message, request_id), None
        if route.service == routes.IAM:  # global: the account (X-Domain-Id), not a project
            forbidden = IamApi.domain_problem(route.operation, exchange.headers)
        else:
            forbidden = self._project_problem(exchange, route)
        if forbidden:
            return replies.error(route.service, 403, forbidden, request_id), None
        fault = self.state.take_fault(route.operation, route.cluster_id)
        if fault is not None:
            faulted = replies.for_fault(fault, route.service, request_id)
            if faulted is not None:
                return faulted, fault.kind
        reply = self._operations[route.operation](exchange, route, request_id)
        if fault is not None:
            reply.delay_s += fault.delay_s
        return reply, fault.kind if fault else None

    def _project_problem(self, exchange: Exchange, route: Route) -> str | None:
        header = next((v for k, v in exchange.headers if k.lower() == "x-project-id"), None)
        project_id = route.params.get("project_id")
        if project_id is None:  # not in the path (ListAddonInstances): the header names it
            if header is None:
                return "Forbidden: this API needs the X-Project-Id header"
            project_id = header.strip()
        if project_id != self.state.project_id:
            return f"Forbidden: project {project_id} is not accessible with these credentials"
        if header is not None and header.strip() != project_id:
            return "Forbidden: the X-Project-Id header does not match the project in the path"
        return None

    # -- CCE ------------------------------------------------------------------------------------

    @staticmethod
    def _cluster_not_found(route: Route, request_id: str) -> Reply:
        message = f"Resource not found: cluster {route.params['cluster_id']}"
        return replies.error(CCE, 404, message, request_id)

    def _missing_cluster(self, route: Route, request_id: str) -> Reply | None:
        if self.state.cluster(route.params["cluster_id"]) is None:
            return self._cluster_not_found(route, request_id)
        return None

    def _list_clusters(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        query = dict(parse_qsl(exchange.query, keep_blank_values=True))
        wanted = {"status": "phase", "type": "type", "version": "version"}
        clusters = [
            cluster
            for cluster in self.state.cluster_summaries()
            if all(query.get(key) in (None, "", getattr(cluster, attr)) for key, attr in wanted.items())
        ]
        return json_reply(200, bodies.cluster_list(clusters), request_id)

    def _show_cluster(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        cluster = self.state.read_cluster(route.params["cluster_id"])
        if cluster is None:
            return self._cluster_not_found(route, request_id)
        return json_reply(200, bodies.cluster(cluster), request_id)

    def _list_upgrade_tasks(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        tasks = self.state.read_tasks(route.params["cluster_id"])
        return json_reply(200, bodies.upgrade_task_list(tasks), request_id)

    def _show_upgrade_task(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        found = self.state.read_task(route.params["cluster_id"], route.params["task_id"])
        if found is None:
            message = f"Resource not found: upgrade task {route.params['task_id']}"
            return replies.error(CCE, 404, message, request_id)
        return json_reply(200, bodies.upgrade_task(*found), request_id)

    def _list_workflows(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        cluster_id = route.params["cluster_id"]
        return json_reply(200, bodies.workflow_list(self.state.workflows(cluster_id), cluster_id), request_id)

    def _show_workflow(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        cluster_id, workflow_id = route.params["cluster_id"], route.params["workflow_id"]
        for workflow in self.state.workflows(cluster_id):
            if workflow.uid == workflow_id:
                return json_reply(200, bodies.workflow(workflow, cluster_id), request_id)
        return replies.error(CCE, 404, f"Resource not found: upgrade workflow {workflow_id}", request_id)

    def _postcheck(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        cluster_id = route.params["cluster_id"]
        try:
            body, spec = postcheck_spec(exchange.body, cluster_id)
        except Invalid as problem:
            return replies.error(CCE, 400, f"Invalid request. {problem}", request_id)
        uid = str(uuid.uuid4())
        phase = self.state.complete_postcheck(cluster_id, uid, body)
        return json_reply(200, bodies.postcheck(uid, spec, phase), request_id)

    def _list_nodes(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        query = _first_values(exchange.query)
        try:
            limit = node_limit(query.get("limit"))
        except Invalid as problem:
            return replies.error(CCE, 400, f"Invalid request. {problem}", request_id)
        marker = query.get("marker") or None
        try:
            nodes, next_marker = self.state.read_nodes(route.params["cluster_id"], limit, marker)
        except UnknownMarker:
            # The stand-in's choice: what CCE answers for a marker that names no node is not documented.
            message = f"Invalid request. marker {marker} is not a node of this cluster."
            return replies.error(CCE, 400, message, request_id)
        return json_reply(200, bodies.node_list(nodes, next_marker), request_id)

    def _list_node_pools(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        # showDefaultNodePool and advanceStatus are accepted and ignored: the scenario's pools are served.
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        pools = self.state.read_node_pools(route.params["cluster_id"])
        return json_reply(200, bodies.node_pool_list(pools), request_id)

    def _list_addon_instances(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        cluster_id = route.params.get("cluster_id")
        if cluster_id is None:  # the API page: cluster_id is a mandatory query parameter
            return replies.error(CCE, 400, "Invalid request. The query parameter cluster_id is required.", request_id)
        missing = self._missing_cluster(route, request_id)
        if missing:
            return missing
        return json_reply(200, bodies.addon_list(self.state.read_addons(cluster_id), cluster_id), request_id)

    # -- SMN ------------------------------------------------------------------------------------

    def _publish(self, exchange: Exchange, route: Route, request_id: str) -> Reply:
        topic_urn = route.params["topic_urn"]
        if topic_urn not in self.state.topics:
            return replies.error(SMN, 404, "Topic not found.", request_id)
        try:
            record = publish_fields(exchange.body)
        except Invalid as problem:
            return replies.error(SMN, 400, str(problem), request_id)
        except smn_rules.Refused as problem:  # a documented code where SMN has one (SMN.0021), else the generic 400
            if problem.code is None:
                return replies.error(SMN, 400, str(problem), request_id)
            return json_reply(400, bodies.smn_error(problem.code, str(problem), request_id), request_id)
        message_id = uuid.uuid4().hex
        record.update(topic_urn=topic_urn, message_id=message_id, request_id=request_id)
        self.state.record_publish(record)
        return json_reply(200, {"request_id": request_id, "message_id": message_id}, request_id)


def functiongraph_operation(api: FunctionGraphApi) -> Callable[[Exchange, Route, str], Reply]:
    def serve(exchange: Exchange, route: Route, request_id: str) -> Reply:
        return api.handle(route.operation, exchange.body, route.params, request_id)

    return serve


def query_operation(api: SmnTopicsApi | IamApi) -> Callable[[Exchange, Route, str], Reply]:
    def serve(exchange: Exchange, route: Route, request_id: str) -> Reply:
        return api.handle(route.operation, exchange.body, route.params, exchange.query, request_id)

    return serve


def node_limit(raw: str | None) -> int:
    """ListNodes' ``limit``: absent -> 2000; otherwise an integer from 1 to 2000."""
    if raw is None or raw == "":
        return MAX_NODE_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_NODE_LIMIT:
        raise Invalid(f"limit must be an integer from 1 to {MAX_NODE_LIMIT}, got {raw!r}.")
    return int(raw)


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise Invalid("The request body is empty.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Invalid(f"The request body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.")
    return data


def postcheck_spec(raw: bytes, cluster_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate a post-check body as CCE documents it; returns (body, spec to confirm)."""
    body = _json_object(raw)
    if body.get("apiVersion") != "v3":
        raise Invalid(f"apiVersion must be v3, got {body.get('apiVersion')!r}.")
    if body.get("kind") != "PostCheckTask":
        raise Invalid(f"kind must be PostCheckTask, got {body.get('kind')!r}.")
    spec = body.get("spec")
    if not isinstance(spec, dict):
        raise Invalid("spec is required and must be an object.")
    if "clusterID" in spec and spec["clusterID"] != cluster_id:
        raise Invalid(f"spec.clusterID {spec['clusterID']!r} does not match the cluster in the path.")
    confirmed: dict[str, Any] = {"clusterID": cluster_id}
    for key in ("clusterVersion", "targetVersion"):
        if key in spec:
            if not isinstance(spec[key], str):
                raise Invalid(f"spec.{key} must be a string.")
            confirmed[key] = spec[key]
    return body, confirmed


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{key} must be a string.")
    return value


def _structure(text: str) -> dict[str, Any]:
    try:
        structure = json.loads(text)
    except json.JSONDecodeError:
        raise Invalid("message_structure must be a JSON string of an object.") from None
    if not isinstance(structure, dict):
        raise Invalid("message_structure must be a JSON string of an object.")
    default = structure.get("default")
    if not isinstance(default, str) or not default:
        raise Invalid("message_structure must have a non-empty string default key.")
    return structure


def publish_fields(raw: bytes) -> dict[str, Any]:
    """Validate a PublishMessage body like SMN; returns what to record."""
    body = _json_object(raw)
    keys = ("subject", "message", "message_structure", "message_template_name")
    subject, message, structure_text, template = (_optional_text(body, key) for key in keys)
    if not (message or structure_text or template):
        raise Invalid("One of message, message_structure or message_template_name is required.")
    if subject is not None and len(subject.encode("utf-8")) > MAX_SUBJECT_BYTES:
        raise Invalid(f"subject is longer than {MAX_SUBJECT_BYTES} bytes.")
    for key, value in (("message", message), ("message_structure", structure_text)):
        if value is not None and len(value.encode("utf-8")) > MAX_MESSAGE_BYTES:
            raise Invalid(f"{key} is larger than 256 KB.")
    time_to_live = _optional_text(body, "time_to_live")
    if time_to_live is not None and not time_to_live.isdigit():
        raise Invalid("time_to_live must be a string of a whole number of seconds.")
    tags = body.get("tags")
    if tags is not None and not (isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())):
        raise Invalid("tags must be an object of strings.")
    structure = _structure(structure_text) if structure_text else None
    if structure is not None:
        smn_rules.chat_entries(structure)  # dingding, wechat, feishu, welink: see scripts/standin/smn_rules.py
    attributes = smn_rules.message_attributes(body.get("message_attributes"))
    return {
        "subject": subject,
        "message": message,
        "message_structure": structure,
        "message_attributes": attributes,
        "message_template_name": template,
        "tags": tags,
        "time_to_live": time_to_live,
        "time": now_iso(),
    }
