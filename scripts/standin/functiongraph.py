"""FunctionGraph, as the deploy command uses it: functions (configuration, code, async settings) and triggers.

Operations (``huaweicloudsdkfunctiongraph.v2`` names; paths under ``/v2/{project_id}/fgs``):

=====================================  ======  ==============================================
operation                              method  path
=====================================  ======  ==============================================
create_function                        POST    ``/functions``
show_function_config                   GET     ``/functions/{function_urn}/config``
update_function_config                 PUT     ``/functions/{function_urn}/config``
update_function_code                   PUT     ``/functions/{function_urn}/code``
show_function_async_invoke_config      GET     ``/functions/{function_urn}/async-invoke-config``
update_function_async_invoke_config    PUT     ``/functions/{function_urn}/async-invoke-config``
list_function_triggers                 GET     ``/triggers/{function_urn}``
create_function_trigger                POST    ``/triggers/{function_urn}``
delete_function_trigger                DELETE  ``/triggers/{function_urn}/{trigger_type_code}/{trigger_id}``
delete_function                        DELETE  ``/functions/{function_urn}`` (with its triggers and settings)
=====================================  ======  ==============================================

Function URNs: ``urn:fss:<region>:<project_id>:function:<package>:<name>[:latest]`` (the stand-in has only the
``latest`` version). Bodies use the SDK models' field names. Errors are FunctionGraph's
``{"error_code": "FSS.xxxx", "error_msg": "..."}``: the codes from its API reference's error code table
(``FSS.0400/0404/0409``, ``FSS.1002`` name, ``1003`` handler, ``1004`` package, ``1005`` runtime, ``1006`` code
type, ``1007`` memory, ``1008`` timeout, ``1009`` user data, ``1011`` code). Which specific code FunctionGraph
returns for a missing function or async configuration is not documented publicly: the generic ``FSS.0404``.

The stand-in keeps what it is sent and checks its form; it does not run functions or fire triggers. It answers
``digest`` as the SHA-512 of the uploaded zip (FunctionGraph documents ``digest`` as the code's SHA-512, not of
what exactly), and only ``zip`` code and ``TIMER``/``CTS`` triggers.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import io
import json
import re
import threading
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scripts.standin import bodies, routes
from scripts.standin.replies import Reply, json_reply

FG = routes.FUNCTIONGRAPH
URN_RE = re.compile(
    r"^urn:fss:(?P<region>[a-z0-9-]+):(?P<project>[0-9a-zA-Z]+):function:(?P<package>[A-Za-z0-9_-]+)"
    r":(?P<name>[A-Za-z0-9_-]+)(?::(?P<version>[A-Za-z0-9_.-]+))?$"
)
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,59}$")
PACKAGE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
RUNTIMES = ("Python2.7", "Python3.6", "Python3.9", "Python3.10", "Python3.12", "Node.js18.15", "Java11", "Go1.x",
            "Custom")
MEMORY_SIZES = (128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096)
TIMER_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
CTS_NAME_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
CTS_OPERATION_RE = re.compile(r"^[A-Za-z]+:[A-Za-z_]+:[A-Za-z0-9]+(?:;[A-Za-z0-9]+)*$")
RATE_RE = re.compile(r"^(?P<count>[1-9][0-9]*)(?P<unit>[mhd])$")
RATE_LIMITS = {"m": 60, "h": 24, "d": 30}
TOPIC_URN_RE = re.compile(r"^urn:smn:[a-z0-9-]+:[0-9a-zA-Z]+:[A-Za-z0-9][A-Za-z0-9_-]{0,255}$")
DESTINATIONS = ("OBS", "SMN", "DIS", "FunctionGraph")
MAX_USER_DATA_BYTES = 4096
MAX_USER_DATA_ENTRIES = 20
DOMAIN_ID = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"


class Rejected(Exception):
    """The request is refused: HTTP status, FunctionGraph error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Trigger:
    id: str
    type: str
    status: str
    event_data: dict[str, Any]
    created: str
    updated: str

    def body(self) -> dict[str, Any]:
        return {"trigger_id": self.id, "trigger_type_code": self.type, "trigger_status": self.status,
                "event_data": copy.deepcopy(self.event_data), "last_updated_time": self.updated,
                "created_time": self.created}


@dataclass
class Function:
    id: str
    region: str
    project: str
    name: str
    package: str
    runtime: str
    handler: str
    memory_size: int
    timeout: int
    code_filename: str
    code: bytes
    user_data: str = ""
    xrole: str | None = None
    description: str = ""
    enable_lts_log: bool = False
    last_modified: str = field(default_factory=_now)
    async_config: dict[str, Any] | None = None
    triggers: list[Trigger] = field(default_factory=list)

    @property
    def urn(self) -> str:
        return f"urn:fss:{self.region}:{self.project}:function:{self.package}:{self.name}"

    def config(self) -> dict[str, Any]:
        """``ShowFunctionConfigResponse`` (and the create/update answers)."""
        return {
            "func_id": self.id, "resource_id": self.id, "func_urn": f"{self.urn}:latest", "func_name": self.name,
            "domain_id": DOMAIN_ID, "namespace": self.project, "project_name": self.region,
            "package": self.package, "runtime": self.runtime, "timeout": self.timeout, "handler": self.handler,
            "memory_size": self.memory_size, "cpu": max(1, self.memory_size // 128) * 100, "code_type": "zip",
            "code_url": "", "code_filename": self.code_filename, "code_size": len(self.code),
            "user_data": self.user_data, "encrypted_user_data": "", "digest": hashlib.sha512(self.code).hexdigest(),
            "version": "latest", "xrole": self.xrole, "app_xrole": self.xrole, "description": self.description,
            "last_modified": self.last_modified, "type": "v2", "enable_lts_log": self.enable_lts_log,
        }

    def code_answer(self) -> dict[str, Any]:
        """``UpdateFunctionCodeResponse``."""
        return {"func_urn": f"{self.urn}:latest", "func_name": self.name, "domain_id": DOMAIN_ID,
                "runtime": self.runtime, "code_type": "zip", "code_url": "", "code_filename": self.code_filename,
                "code_size": len(self.code), "digest": hashlib.sha512(self.code).hexdigest(),
                "last_modified": self.last_modified}


class FunctionGraphState:
    """The functions of the stand-in's one project, in one region; guarded by its own lock."""

    def __init__(self, project_id: str, region: str) -> None:
        self.project_id = project_id
        self.region = region
        self._functions: dict[str, Function] = {}
        self._lock = threading.Lock()

    def urn_of(self, name: str, package: str = "default") -> str:
        return f"urn:fss:{self.region}:{self.project_id}:function:{package}:{name}"

    def _find(self, urn: str) -> Function:
        match = URN_RE.fullmatch(urn)
        if not match or match["version"] not in (None, "latest"):
            raise Rejected(404, "FSS.0404", f"The function {urn} was not found (the stand-in has only latest).")
        found = self._functions.get(urn if match["version"] is None else urn.rsplit(":", 1)[0])
        if found is None:
            raise Rejected(404, "FSS.0404", f"The function {urn} was not found.")
        return found

    def apply(self, urn: str | None, change: Callable[[Function | None], Any]) -> Any:
        """Run ``change`` on the function at ``urn`` (None: no function, for create) under the lock."""
        with self._lock:
            return change(self._find(urn) if urn is not None else None)

    def add(self, function: Function) -> None:
        """Called from inside :meth:`apply`."""
        if function.urn in self._functions:
            raise Rejected(409, "FSS.0409", f"The function {function.name} already exists.")
        self._functions[function.urn] = function

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Every function by name: configuration, code hash, async settings and triggers (for tests)."""
        with self._lock:
            return {
                f.name: {
                    "urn": f.urn, "config": f.config(), "code_sha256": hashlib.sha256(f.code).hexdigest(),
                    "async_config": copy.deepcopy(f.async_config), "triggers": [t.body() for t in f.triggers],
                }
                for f in self._functions.values()
            }


class FunctionGraphApi:
    """The operations; each takes (parsed JSON body or None, path parameters) and returns (status, body)."""

    def __init__(self, state: FunctionGraphState) -> None:
        self.state = state
        self.operations: dict[str, Callable[[Any, dict[str, str]], tuple[int, Any]]] = {
            "create_function": self._create_function,
            "show_function_config": self._show_function_config,
            "update_function_config": self._update_function_config,
            "update_function_code": self._update_function_code,
            "show_function_async_invoke_config": self._show_async,
            "update_function_async_invoke_config": self._update_async,
            "list_function_triggers": self._list_triggers,
            "create_function_trigger": self._create_trigger,
            "delete_function_trigger": self._delete_trigger,
            "delete_function": self._delete_function,
        }

    def handle(self, operation: str, raw_body: bytes, params: dict[str, str], request_id: str) -> Reply:
        try:
            body = _json_body(raw_body) if operation in _WITH_BODY else None
            status, answer = self.operations[operation](body, params)
        except Rejected as rejected:
            return json_reply(rejected.status, bodies.functiongraph_error(rejected.code, rejected.message), request_id)
        if answer is None:
            return Reply(status, b"", request_id)
        return json_reply(status, answer, request_id)

    # -- functions --------------------------------------------------------------------------------------

    def _create_function(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        name = _text(body, "func_name", required=True)
        if not NAME_RE.fullmatch(name):
            raise Rejected(400, "FSS.1002", f"Invalid function name {name!r}.")
        package = _text(body, "package") or "default"
        if not PACKAGE_RE.fullmatch(package):
            raise Rejected(400, "FSS.1004", f"Invalid Package (function app) {package!r}.")
        settings = _settings(body, required=True)
        code_filename, code = _code(body)
        state = self.state

        def create(_: Function | None) -> dict[str, Any]:
            function = Function(id=str(uuid.uuid4()), region=state.region, project=state.project_id, name=name,
                                package=package, code_filename=code_filename, code=code, **settings)
            state.add(function)
            return function.config()

        return 200, state.apply(None, create)

    def _show_function_config(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        return 200, self.state.apply(params["function_urn"], lambda f: f.config())

    def _update_function_config(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        name = _text(body, "func_name", required=True)
        settings = _settings(body, required=True)

        def update(function: Function) -> dict[str, Any]:
            if name != function.name:
                raise Rejected(400, "FSS.1002", f"func_name {name!r} is not the name of {function.urn}.")
            for key, value in settings.items():
                setattr(function, key, value)
            function.last_modified = _now()
            return function.config()

        return 200, self.state.apply(params["function_urn"], update)

    def _update_function_code(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        code_filename, code = _code(body)

        def update(function: Function) -> dict[str, Any]:
            function.code_filename, function.code, function.last_modified = code_filename, code, _now()
            return function.code_answer()

        return 200, self.state.apply(params["function_urn"], update)

    # -- asynchronous invocation ------------------------------------------------------------------------

    def _show_async(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        def show(function: Function) -> dict[str, Any]:
            if function.async_config is None:
                raise Rejected(404, "FSS.0404", f"No asynchronous invocation configuration for {function.urn}.")
            return copy.deepcopy(function.async_config)

        return 200, self.state.apply(params["function_urn"], show)

    def _update_async(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        age = _integer(body, "max_async_event_age_in_seconds", 1, 86_400, "FSS.0400", default=3600)
        retries = _integer(body, "max_async_retry_attempts", 0, 3, "FSS.0400", default=1)
        destinations = _destinations(body.get("destination_config"))

        def update(function: Function) -> dict[str, Any]:
            now = _now()
            created = function.async_config["created_time"] if function.async_config else now
            function.async_config = {
                "func_urn": f"{function.urn}:latest", "max_async_event_age_in_seconds": age,
                "max_async_retry_attempts": retries, "destination_config": destinations,
                "created_time": created, "last_modified": now, "enable_async_status_log": False,
            }
            return copy.deepcopy(function.async_config)

        return 200, self.state.apply(params["function_urn"], update)

    # -- triggers ---------------------------------------------------------------------------------------

    def _list_triggers(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        return 200, self.state.apply(params["function_urn"], lambda f: [t.body() for t in f.triggers])

    def _create_trigger(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        kind = _text(body, "trigger_type_code", required=True)
        status = _text(body, "trigger_status") or "ACTIVE"
        if status not in ("ACTIVE", "DISABLED"):
            raise Rejected(400, "FSS.0400", f"trigger_status must be ACTIVE or DISABLED, got {status!r}.")
        event_data = body.get("event_data")
        if not isinstance(event_data, dict):
            raise Rejected(400, "FSS.0400", "event_data is required and must be an object.")
        if kind == "TIMER":
            event_data = _timer(event_data)
        elif kind == "CTS":
            if status != "ACTIVE":
                raise Rejected(400, "FSS.0400", "A CTS trigger cannot be created DISABLED.")
            event_data = _cts(event_data)
        else:
            raise Rejected(400, "FSS.0400", f"trigger_type_code {kind!r}: the stand-in serves TIMER and CTS only.")

        def create(function: Function) -> dict[str, Any]:
            if any(t.type == kind and t.event_data.get("name") == event_data["name"] for t in function.triggers):
                raise Rejected(409, "FSS.0409", f"A {kind} trigger named {event_data['name']!r} already exists.")
            now = _now()
            trigger = Trigger(str(uuid.uuid4()), kind, status, event_data, now, now)
            function.triggers.append(trigger)
            return trigger.body()

        return 201, self.state.apply(params["function_urn"], create)

    def _delete_trigger(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        kind, trigger_id = params["trigger_type_code"], params["trigger_id"]

        def delete(function: Function) -> None:
            for index, trigger in enumerate(function.triggers):
                if trigger.id == trigger_id and trigger.type == kind:
                    del function.triggers[index]
                    return
            raise Rejected(404, "FSS.0404", f"No {kind} trigger {trigger_id} on {function.urn}.")

        self.state.apply(params["function_urn"], delete)
        return 204, None


    def _delete_function(self, body: Any, params: dict[str, str]) -> tuple[int, Any]:
        """DeleteFunction: the function, its versions' triggers and settings go (204); the stand-in has only latest."""
        state = self.state

        def delete(function: Function) -> None:
            del state._functions[function.urn]

        state.apply(params["function_urn"], delete)
        return 204, None


_WITH_BODY = frozenset({"create_function", "update_function_config", "update_function_code",
                        "update_function_async_invoke_config", "create_function_trigger"})


def _json_body(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Rejected(400, "FSS.0400", f"The request body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise Rejected(400, "FSS.0400", "The request body must be a JSON object.")
    return data


def _text(body: dict[str, Any], key: str, required: bool = False, code: str = "FSS.0400") -> str:
    value = body.get(key)
    if value is None:
        if required:
            raise Rejected(400, code, f"{key} is required.")
        return ""
    if not isinstance(value, str):
        raise Rejected(400, code, f"{key} must be a string.")
    return value


def _integer(body: dict[str, Any], key: str, low: int, high: int, code: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Rejected(400, code, f"{key} must be an integer from {low} to {high}, got {value!r}.")
    return value


def _settings(body: dict[str, Any], required: bool) -> dict[str, Any]:
    """The configuration fields of a create or update-config body, checked."""
    runtime = _text(body, "runtime", required=required, code="FSS.1005")
    if runtime not in RUNTIMES:
        raise Rejected(400, "FSS.1005", f"Invalid runtime {runtime!r}.")
    handler = _text(body, "handler", required=required, code="FSS.1003")
    if "." not in handler:
        raise Rejected(400, "FSS.1003", f"Invalid function handler {handler!r}: expected file.function.")
    memory = body.get("memory_size")
    if memory not in MEMORY_SIZES or isinstance(memory, bool):
        raise Rejected(400, "FSS.1007", f"Invalid function memory {memory!r}.")
    timeout = _integer(body, "timeout", 3, 259_200, "FSS.1008")
    user_data = _text(body, "user_data", code="FSS.1009")
    if user_data:
        _check_user_data(user_data)
    xrole = _text(body, "xrole") or None
    description = _text(body, "description")
    if len(description) > 512:
        raise Rejected(400, "FSS.0400", "description is longer than 512 characters.")
    logs = body.get("enable_lts_log", False)
    if not isinstance(logs, bool):
        raise Rejected(400, "FSS.0400", "enable_lts_log must be a boolean.")
    return {"runtime": runtime, "handler": handler, "memory_size": memory, "timeout": timeout,
            "user_data": user_data, "xrole": xrole, "description": description, "enable_lts_log": logs}


def _check_user_data(text: str) -> None:
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        raise Rejected(400, "FSS.1009", "Invalid function UserData: expected a JSON object string.") from None
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise Rejected(400, "FSS.1009", "Invalid function UserData: expected a JSON object of strings.")
    if len(values) > MAX_USER_DATA_ENTRIES or len(text.encode("utf-8")) > MAX_USER_DATA_BYTES:
        raise Rejected(400, "FSS.1009", "Invalid function UserData: at most 20 variables and 4 KB.")


def _code(body: dict[str, Any]) -> tuple[str, bytes]:
    code_type = _text(body, "code_type", required=True, code="FSS.1006")
    if code_type != "zip":
        raise Rejected(400, "FSS.1006", f"code_type {code_type!r}: the stand-in takes zip code only.")
    filename = _text(body, "code_filename", required=True, code="FSS.1011")
    if not filename.endswith(".zip"):
        raise Rejected(400, "FSS.1013", f"Invalid file type {filename!r}: expected a .zip.")
    func_code = body.get("func_code")
    encoded = func_code.get("file") if isinstance(func_code, dict) else None
    if not isinstance(encoded, str) or not encoded:
        raise Rejected(400, "FSS.1012", "The function code must be configured (func_code.file).")
    try:
        code = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected(400, "FSS.1011", "Invalid function code: func_code.file is not base64.") from None
    if not zipfile.is_zipfile(io.BytesIO(code)):
        raise Rejected(400, "FSS.1011", "Invalid function code: func_code.file is not a zip archive.")
    return filename, code


def _destinations(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"on_success", "on_failure"}:
        raise Rejected(400, "FSS.0400", "destination_config takes on_success and on_failure only.")
    checked: dict[str, Any] = {}
    for key, target in value.items():
        if target is None:
            continue
        if not isinstance(target, dict) or target.get("destination") not in DESTINATIONS:
            raise Rejected(400, "FSS.0400", f"{key}.destination must be one of {', '.join(DESTINATIONS)}.")
        try:
            param = json.loads(target.get("param") or "")
        except (TypeError, json.JSONDecodeError):
            raise Rejected(400, "FSS.0400", f"{key}.param must be a JSON object string.") from None
        if target["destination"] == "SMN" and not TOPIC_URN_RE.fullmatch(str(param.get("topic_urn", ""))):
            raise Rejected(400, "FSS.0400", f"{key}.param must name an SMN topic_urn.")
        checked[key] = {"destination": target["destination"], "param": target["param"]}
    return checked


def _timer(data: dict[str, Any]) -> dict[str, Any]:
    name = _text(data, "name", required=True)
    if not TIMER_NAME_RE.fullmatch(name):
        raise Rejected(400, "FSS.0400", f"Invalid timer name {name!r}.")
    schedule_type = _text(data, "schedule_type", required=True)
    schedule = _text(data, "schedule", required=True)
    if schedule_type == "Rate":
        match = RATE_RE.fullmatch(schedule)
        if not match or int(match["count"]) > RATE_LIMITS[match["unit"]]:
            raise Rejected(400, "FSS.0400", f"Invalid rate {schedule!r}: 1-60m, 1-24h or 1-30d.")
    elif schedule_type != "Cron" or not schedule.strip():
        raise Rejected(400, "FSS.0400", "schedule_type must be Rate or Cron, with a schedule.")
    user_event = _text(data, "user_event")
    return {"name": name, "schedule_type": schedule_type, "schedule": schedule, "user_event": user_event}


def _cts(data: dict[str, Any]) -> dict[str, Any]:
    name = _text(data, "name", required=True)
    if not CTS_NAME_RE.fullmatch(name):
        raise Rejected(400, "FSS.0400", f"Invalid CTS notification name {name!r}.")
    operations = data.get("operations")
    if not isinstance(operations, list) or not operations or not all(
        isinstance(op, str) and CTS_OPERATION_RE.fullmatch(op) for op in operations
    ):
        raise Rejected(400, "FSS.0400", "operations must be a list of service:resource:operation[;operation...].")
    return {"name": name, "operations": list(operations)}
