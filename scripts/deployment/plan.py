"""The plan: which FunctionGraph calls turn what exists into what ``template.yaml`` describes. Pure.

:func:`desired` builds the target from a resolved template and the package's bytes; :func:`plan` compares it with
the :class:`Current` state read from FunctionGraph and returns the write calls, in order. An unchanged template
against the function it deployed yields no call.

What is compared (nothing else is touched):

* configuration: runtime, handler, memory, timeout, agency (``xrole``), description, logs (``enable_lts_log``,
  when FunctionGraph reports it) and the environment (``user_data``, compared as a JSON object) -> one
  ``update_function_config``;
* code: the package's SHA-256 travels in ``code_filename`` (``<stem>.<first 24 hex digits of the SHA-256>.zip``),
  which FunctionGraph keeps and reports; the code is also taken as current when FunctionGraph's ``digest``
  equals the package's SHA-512 (its documented meaning). Neither -> one ``update_function_code``;
* async invocation: retries, maximum event age, failure destination -> one
  ``update_function_async_invoke_config``;
* triggers: the template's CTS and TIMER triggers by (type, name). A changed one is deleted and created again
  (FunctionGraph updates only a trigger's status in place); a CTS or TIMER trigger the template does not name
  is deleted (two timers would sweep twice). Triggers of other types are left alone.

Deploy changes or deletes only its own function: the one whose description carries deploy's mark for it
(``managed by cce-postcheck-deploy for function <name>``, :mod:`scripts.deployment.marks`), which the creating call
writes. A function of the template's name without the mark is someone else's: :func:`refusals` names it, and deploy
writes nothing (``--adopt`` takes it over: the next update writes the mark). So the triggers deploy deletes are
always on a function that is deploy's.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.deployment.marks import marked_description, marker, marks
from scripts.deployment.template import Resolved, shown_endpoint

MANAGED_TRIGGER_TYPES = ("CTS", "TIMER")
# A function's code is sent inline (base64 in the request) up to the console's upload limit; larger packages
# would go through OBS, which this command does not do.
MAX_INLINE_PACKAGE_BYTES = 40 * 1024 * 1024
HASH_DIGITS = 24


@dataclass(frozen=True)
class Package:
    path: Path
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha512(self) -> str:
        return hashlib.sha512(self.data).hexdigest()

    @property
    def filename(self) -> str:
        """The ``code_filename`` that records which package this is: ``<stem>.<sha256 prefix>.zip``."""
        return f"{self.path.stem}.{self.sha256[:HASH_DIGITS]}.zip"

    def describe(self) -> str:
        return f"<zip {self.path.name}, {len(self.data):,} bytes, sha256 {self.sha256[:12]}...>"


@dataclass(frozen=True)
class Config:
    """The function's settings deploy manages (``ShowFunctionConfigResponse`` field names)."""

    runtime: str
    handler: str
    memory_size: int
    timeout: int
    xrole: str | None
    description: str
    enable_lts_log: bool | None  # None: FunctionGraph did not report it (then it is not compared)
    user_data: dict[str, str]


@dataclass(frozen=True)
class Destination:
    destination: str
    param: dict[str, Any]


@dataclass(frozen=True)
class AsyncConfig:
    max_async_retry_attempts: int
    max_async_event_age_in_seconds: int
    on_failure: Destination | None
    on_success: Destination | None = None


@dataclass(frozen=True)
class TriggerSpec:
    type: str
    status: str
    event_data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.event_data.get("name", ""))

    def same_as(self, other: TriggerSpec) -> bool:
        return (self.type, self.status) == (other.type, other.status) and \
            _comparable(self.type, self.event_data) == _comparable(other.type, other.event_data)


@dataclass(frozen=True)
class Desired:
    urn: str
    name: str
    package_name: str
    project_id: str
    config: Config
    code: Package
    async_config: AsyncConfig
    triggers: tuple[TriggerSpec, ...]


@dataclass(frozen=True)
class CurrentTrigger:
    id: str
    spec: TriggerSpec


@dataclass(frozen=True)
class CurrentFunction:
    urn: str
    config: Config
    code_filename: str | None
    digest: str | None


@dataclass(frozen=True)
class Current:
    """What FunctionGraph has: ``function`` None when there is no such function."""

    function: CurrentFunction | None
    async_config: AsyncConfig | None = None
    triggers: tuple[CurrentTrigger, ...] = ()


@dataclass(frozen=True)
class Call:
    """One API call: the SDK operation, its HTTP method and path, the JSON body, and what it changes.

    ``needs`` names parameters that an earlier call of the same run produces (``(parameter, result key)``: the ID
    of a policy, agency or topic created just before); ``produces`` is the result key of the ID this call's answer
    gives. Deploy fills ``needs`` from the results when it sends the call.
    """

    operation: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    changes: tuple[str, ...] = ()
    params: dict[str, str] = field(default_factory=dict)
    needs: tuple[tuple[str, str], ...] = ()
    produces: str | None = None

    @property
    def is_write(self) -> bool:
        return self.method != "GET"


def function_urn(region: str, project_id: str, package: str, name: str) -> str:
    """The function's URN, version ``latest``: ``urn:fss:<region>:<project>:function:<package>:<name>:latest``."""
    return f"urn:fss:{region}:{project_id}:function:{package}:{name}:latest"


def desired(resolved: Resolved, package: Package, region: str, project_id: str, cts_resource_type: str) -> Desired:
    """The function as the template describes it; ``cts_resource_type``: the resource type CTS lists the CTS
    trigger's operations under (``scripts/deployment/cts_api.py``)."""
    function = resolved.template.function
    settings = function.async_invocation
    on_failure = None
    if resolved.failure_topic_urn is not None:
        on_failure = Destination("SMN", {"topic_urn": resolved.failure_topic_urn})
    triggers = tuple(TriggerSpec(t.type, t.status, t.event_data(cts_resource_type) if t.type == "CTS" else
                                 t.event_data()) for t in resolved.template.triggers)
    return Desired(
        urn=function_urn(region, project_id, function.package, function.name),
        name=function.name,
        package_name=function.package,
        project_id=project_id,
        config=Config(runtime=function.runtime, handler=function.handler, memory_size=function.memory_mb,
                      timeout=function.timeout_s, xrole=resolved.template.agency.name,
                      description=marked_description(function.description, function.name),
                      enable_lts_log=function.logs,
                      user_data=dict(resolved.environment)),
        code=package,
        async_config=AsyncConfig(settings.max_retries, settings.max_event_age_s, on_failure),
        triggers=triggers,
    )


def is_deploys(name: str, function: CurrentFunction) -> bool:
    """Whether the function carries deploy's mark for ``name`` in its description."""
    return name in marks(function.config.description)


def refusals(name: str, current: Current, adopt: bool, destroy: bool = False) -> list[str]:
    """Why deploy (or ``--destroy``) must not touch the function of the template's name: it exists without deploy's
    mark and ``--adopt`` was not given. Empty otherwise."""
    if current.function is None or adopt or is_deploys(name, current.function):
        return []
    verb = "delete" if destroy else "update"
    return [f"function {name}: FunctionGraph has a function of that name that deploy did not create (its description "
            f"lacks {marker(name)!r}); deploy does not {verb} it. If deploy made it before it marked the functions it "
            "creates, run once with --adopt to take it over (see docs/deployment.md, \"What deploy does\"); "
            "otherwise give function.name another name"]


def plan(target: Desired, current: Current) -> list[Call]:
    """The write calls, in the order to send them; empty when FunctionGraph already matches."""
    paths = _Paths(target.project_id, target.urn)
    calls: list[Call] = []
    if current.function is None:
        calls.append(Call("create_function", "POST", paths.functions, _create_body(target),
                          ("create the function with its code and configuration",)))
    else:
        changes = config_changes(target.config, current.function.config)
        if changes:
            calls.append(Call("update_function_config", "PUT", paths.config, _config_body(target), tuple(changes),
                              {"function_urn": target.urn}))
        if not code_is_current(target.code, current.function):
            was = current.function.code_filename or "unknown"
            calls.append(Call("update_function_code", "PUT", paths.code, _code_body(target.code),
                              (f"code {was} -> {target.code.filename}",), {"function_urn": target.urn}))
    if current.async_config != target.async_config:
        calls.append(Call("update_function_async_invoke_config", "PUT", paths.async_config,
                          _async_body(target.async_config), tuple(_async_changes(target.async_config,
                                                                                 current.async_config)),
                          {"function_urn": target.urn}))
    calls.extend(_trigger_calls(target, current, paths))
    return calls


def config_changes(want: Config, have: Config) -> list[str]:
    changes = []
    for name in ("runtime", "handler", "memory_size", "timeout", "xrole", "description", "enable_lts_log"):
        old, new = getattr(have, name), getattr(want, name)
        if old != new and not (name == "enable_lts_log" and old is None):
            changes.append(f"{name}: {old!r} -> {new!r}")
    for key in sorted(set(want.user_data) | set(have.user_data)):
        old, new = have.user_data.get(key), want.user_data.get(key)
        if old != new:
            changes.append(f"environment {key}: {_shown(old)} -> {_shown(new)}")
    return changes


def code_is_current(package: Package, function: CurrentFunction) -> bool:
    if function.code_filename == package.filename:
        return True
    return bool(function.digest) and str(function.digest).lower() == package.sha512


def _trigger_calls(target: Desired, current: Current, paths: _Paths) -> list[Call]:
    wanted = {(t.type, t.name): t for t in target.triggers}
    deletes, creates = [], []
    kept: set[tuple[str, str]] = set()
    for existing in current.triggers:
        if existing.spec.type not in MANAGED_TRIGGER_TYPES:
            continue
        key = (existing.spec.type, existing.spec.name)
        spec = wanted.get(key)
        if spec is not None and key not in kept and spec.same_as(existing.spec):
            kept.add(key)
            continue
        why = "not in the template" if spec is None or key in kept else "changed: delete, then create it again"
        deletes.append(Call("delete_function_trigger", "DELETE",
                            paths.trigger(existing.spec.type, existing.id), None,
                            (f"{existing.spec.type} trigger {existing.spec.name!r} ({existing.id}): {why}",),
                            {"function_urn": target.urn, "trigger_type_code": existing.spec.type,
                             "trigger_id": existing.id}))
    for key, spec in wanted.items():
        if key not in kept:
            creates.append(Call("create_function_trigger", "POST", paths.triggers,
                                {"trigger_type_code": spec.type, "trigger_status": spec.status,
                                 "event_data": dict(spec.event_data)},
                                (f"{spec.type} trigger {spec.name!r}",), {"function_urn": target.urn}))
    return deletes + creates


def destroy_function(urn: str, project_id: str, current: Current) -> tuple[list[Call], list[str]]:
    """The calls that remove the function deploy manages at ``urn`` (its CTS and TIMER triggers, then the function
    with its settings), and the reasons not to: a trigger of another type is not deploy's, and deleting the
    function would take it along."""
    if current.function is None:
        return [], []
    paths = _Paths(project_id, urn)
    foreign = [t for t in current.triggers if t.spec.type not in MANAGED_TRIGGER_TYPES]
    if foreign:
        names = ", ".join(f"{t.spec.type} {t.spec.name or t.id}" for t in foreign)
        return [], [f"function {urn}: it has trigger(s) deploy does not manage ({names}); deleting the function would "
                    "delete them: remove them first, or delete the function yourself"]
    calls = [Call("delete_function_trigger", "DELETE", paths.trigger(t.spec.type, t.id), None,
                  (f"{t.spec.type} trigger {t.spec.name!r} ({t.id})",),
                  {"function_urn": urn, "trigger_type_code": t.spec.type, "trigger_id": t.id})
             for t in current.triggers]
    calls.append(Call("delete_function", "DELETE", f"{paths.functions}/{urn}", None,
                      ("the function, its code, configuration and asynchronous settings",), {"function_urn": urn}))
    return calls, []


def _comparable(kind: str, event_data: dict[str, Any]) -> dict[str, Any]:
    if kind == "CTS":
        return {"name": event_data.get("name"), "operations": sorted(event_data.get("operations") or [])}
    return {"name": event_data.get("name"), "schedule_type": event_data.get("schedule_type"),
            "schedule": event_data.get("schedule"), "user_event": event_data.get("user_event") or ""}


def _create_body(target: Desired) -> dict[str, Any]:
    return {"func_name": target.name, "package": target.package_name, **_settings(target.config),
            **_code_body(target.code)}


def _config_body(target: Desired) -> dict[str, Any]:
    return {"func_name": target.name, **_settings(target.config)}


def _settings(config: Config) -> dict[str, Any]:
    return {"runtime": config.runtime, "handler": config.handler, "memory_size": config.memory_size,
            "timeout": config.timeout, "xrole": config.xrole, "description": config.description,
            "enable_lts_log": config.enable_lts_log,
            "user_data": json.dumps(config.user_data, sort_keys=True, separators=(",", ":"))}


def _code_body(package: Package) -> dict[str, Any]:
    return {"code_type": "zip", "code_filename": package.filename,
            "func_code": {"file": base64.b64encode(package.data).decode("ascii")}}


def _async_body(config: AsyncConfig) -> dict[str, Any]:
    def destination(target: Destination | None) -> dict[str, str] | None:
        if target is None:
            return None
        return {"destination": target.destination, "param": json.dumps(target.param, separators=(",", ":"))}

    return {"max_async_retry_attempts": config.max_async_retry_attempts,
            "max_async_event_age_in_seconds": config.max_async_event_age_in_seconds,
            "destination_config": {"on_success": destination(config.on_success),
                                   "on_failure": destination(config.on_failure)}}


def _async_changes(want: AsyncConfig, have: AsyncConfig | None) -> list[str]:
    if have is None:
        return ["set asynchronous invocation: retries, maximum event age, failure destination"]
    return [f"{name}: {getattr(have, name)!r} -> {getattr(want, name)!r}"
            for name in ("max_async_retry_attempts", "max_async_event_age_in_seconds", "on_failure", "on_success")
            if getattr(have, name) != getattr(want, name)]


def _shown(value: str | None) -> str:
    return "(not set)" if value is None else repr(value)


@dataclass(frozen=True)
class _Paths:
    project_id: str
    urn: str

    @property
    def functions(self) -> str:
        return f"/v2/{self.project_id}/fgs/functions"

    @property
    def config(self) -> str:
        return f"{self.functions}/{self.urn}/config"

    @property
    def code(self) -> str:
        return f"{self.functions}/{self.urn}/code"

    @property
    def async_config(self) -> str:
        return f"{self.functions}/{self.urn}/async-invoke-config"

    @property
    def triggers(self) -> str:
        return f"/v2/{self.project_id}/fgs/triggers/{self.urn}"

    def trigger(self, kind: str, trigger_id: str) -> str:
        return f"{self.triggers}/{kind}/{trigger_id}"


def read_paths(project_id: str, urn: str) -> dict[str, tuple[str, str]]:
    """The reads deploy makes before planning: operation -> (method, path)."""
    paths = _Paths(project_id, urn)
    return {"show_function_config": ("GET", paths.config),
            "show_function_async_invoke_config": ("GET", paths.async_config),
            "list_function_triggers": ("GET", paths.triggers)}


def summarize(call: Call) -> str:
    """The body in one line, with the code as size and hash (never its bytes)."""
    if call.body is None:
        return ""
    return json.dumps(_summarized(call.body), ensure_ascii=False, separators=(", ", ": "))


def _summarized(value: Any, key: str = "") -> Any:
    if key == "extension" and isinstance(value, dict):  # a subscription's robot secrets
        return {k: "<hidden>" for k in value}
    if isinstance(value, dict):
        return {k: _summarized(v, k) for k, v in value.items()}
    if key == "file" and isinstance(value, str):
        size = len(base64.b64decode(value))
        return f"<base64 of {size:,} bytes>"
    if key == "endpoint" and isinstance(value, str):
        return shown_endpoint(value)  # a webhook's user info, path and query may hold its secrets
    return value
