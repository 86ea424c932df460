"""Unsigned admin endpoints under ``/_standin/`` for tests and the CLI (not part of any cloud API).

GET ``published`` | ``postchecks`` | ``requests`` | ``faults``: the recorded lists, as JSON; ``functions``: the
FunctionGraph functions deploy made.
POST ``faults`` (a fault spec as body): queue a fault. POST ``reset``: clear faults and logs.
Admin calls are not written to the request log.
"""

from __future__ import annotations

import json

from scripts.standin.faults import FaultError, parse_fault
from scripts.standin.replies import Reply, json_reply
from scripts.standin.state import State

PREFIX = "/_standin/"


def is_admin(path: str) -> bool:
    return path.startswith(PREFIX)


def handle(state: State, method: str, path: str, body: bytes, request_id: str) -> Reply:
    name = path[len(PREFIX) :].strip("/")
    if method == "GET" and name == "published":
        return json_reply(200, state.published, request_id)
    if method == "GET" and name == "postchecks":
        return json_reply(200, state.postchecks, request_id)
    if method == "GET" and name == "requests":
        return json_reply(200, state.requests, request_id)
    if method == "GET" and name == "functions":
        return json_reply(200, state.functiongraph.snapshot(), request_id)
    if method == "GET" and name == "faults":
        return json_reply(200, [fault.to_dict() for fault in state.faults], request_id)
    if method == "POST" and name == "faults":
        return _add_fault(state, body, request_id)
    if method == "POST" and name == "reset":
        state.reset()
        return json_reply(200, {"reset": True}, request_id)
    return json_reply(404, {"error": f"no admin endpoint {method} {path}"}, request_id)


def _add_fault(state: State, body: bytes, request_id: str) -> Reply:
    try:
        fault = parse_fault(json.loads(body.decode("utf-8") or "null"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return json_reply(400, {"error": f"fault body is not valid JSON: {error}"}, request_id)
    except FaultError as error:
        return json_reply(400, {"error": str(error)}, request_id)
    state.add_fault(fault)
    return json_reply(200, {"added": fault.to_dict()}, request_id)
