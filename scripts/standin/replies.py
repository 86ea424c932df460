"""What the stand-in answers: the :class:`Reply` value, error replies per service, and fault replies.

Error codes. Documented by Huawei Cloud: ``APIG.0301`` (401, bad IAM authentication),
``APIG.0308`` (429, throttled), ``CCE.01400001`` (400, invalid request). The others follow the
same patterns but are the stand-in's choice:

=====  ====================  ========================================================
HTTP   CCE errorCode         SMN code
=====  ====================  ========================================================
400    CCE.01400001          SMN.00010004 (invalid request parameter)
403    CCE.01403001          SMN.00010002 (project in the path not the caller's)
404    CCE.01404001          SMN.0006 (topic not found)
5xx    CCE.01500001          SMN.00010001 (internal error, injected faults only)
=====  ====================  ========================================================

FunctionGraph (the deploy command's calls) answers ``{"error_code": "FSS.xxxx", "error_msg": "..."}`` with the
generic codes of its error code table: ``FSS.0400``, ``FSS.0403``, ``FSS.0404``, ``FSS.0500``; the specific
ones come from :mod:`scripts.standin.functiongraph`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scripts.standin import bodies
from scripts.standin.faults import Fault
from scripts.standin.routes import CTS, FUNCTIONGRAPH, IAM, SMN

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html"

CCE_CODES = {400: "CCE.01400001", 403: "CCE.01403001", 404: "CCE.01404001", 500: "CCE.01500001"}
SMN_CODES = {400: "SMN.00010004", 403: "SMN.00010002", 404: "SMN.0006", 500: "SMN.00010001"}
FUNCTIONGRAPH_CODES = {400: "FSS.0400", 403: "FSS.0403", 404: "FSS.0404", 500: "FSS.0500"}
# CTS: {"error_code": "CTS.XXX", "error_msg"} (https://support.huaweicloud.com/eu/api-cts/cts_api_0332.html); the
# numbers are the stand-in's. IAM: {"error": {"code": <HTTP status>, "message", "title"}} (scripts/standin/iam.py).
CTS_CODES = {400: "CTS.0001", 403: "CTS.0003", 404: "CTS.0004", 500: "CTS.0500"}

MALFORMED_BODY = b'{"kind": "PostCheckTask", "apiVersion": "v3", "status": '
WRONG_SHAPE_BODY = b'{"unexpected": true}'
HTML_502_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Reply:
    """An answer to send after ``delay_s`` seconds; ``reset`` means drop the connection instead."""

    status: int
    body: bytes
    request_id: str
    content_type: str = JSON_TYPE
    delay_s: float = 0.0
    reset: bool = False


def json_reply(status: int, payload: Any, request_id: str) -> Reply:
    return Reply(status, json.dumps(payload).encode(), request_id)


def error(service: str, status: int, message: str, request_id: str, code_of: int | None = None) -> Reply:
    """The service's own error body; the code is the one for ``code_of`` (default: ``status``)."""
    key = code_of or status
    if service == SMN:
        return json_reply(status, bodies.smn_error(SMN_CODES[key], message, request_id), request_id)
    if service == FUNCTIONGRAPH:
        return json_reply(status, bodies.functiongraph_error(FUNCTIONGRAPH_CODES[key], message), request_id)
    if service == CTS:
        return json_reply(status, {"error_code": CTS_CODES[key], "error_msg": message}, request_id)
    if service == IAM:
        return json_reply(status, {"error": {"code": status, "message": message, "title": "Error"}}, request_id)
    return json_reply(status, bodies.cce_error(CCE_CODES[key], message), request_id)


def unauthorized(reason: str, request_id: str) -> Reply:
    message = f"Incorrect IAM authentication information: {reason}"
    return json_reply(401, bodies.apig_error("APIG.0301", message, request_id), request_id)


def for_fault(fault: Fault, service: str, request_id: str) -> Reply | None:
    """The reply a fault replaces the real answer with; None for ``slow`` (answer normally, late)."""
    if fault.kind == "error_json":
        return error(service, fault.status, "Internal error (injected)", request_id, code_of=500)
    if fault.kind == "html_502":
        return Reply(502, HTML_502_BODY, request_id, content_type=HTML_TYPE)
    if fault.kind == "throttle":
        payload = bodies.apig_error("APIG.0308", "The request is throttled.", request_id)
        return json_reply(429, payload, request_id)
    if fault.kind == "reset":
        return Reply(0, b"", request_id, reset=True)
    if fault.kind == "malformed_200":
        return Reply(200, MALFORMED_BODY, request_id)
    if fault.kind == "wrong_shape_200":
        return Reply(200, WRONG_SHAPE_BODY, request_id)
    return None
