"""FunctionGraph through the official SDK (``huaweicloudsdkfunctiongraph.v2``): read the current state, send calls;
and what every service client of deploy shares (:func:`http_config`, the credentials, :func:`call`).

Credentials come from the caller (the deploy command reads them from the environment); they go into the SDK's
signer only and never into a message: errors carry the operation, HTTP status, the service's error code and
message, and the request ID.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import SdkException, ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkfunctiongraph.v2 import (
    CreateFunctionRequest,
    CreateFunctionRequestBody,
    CreateFunctionTriggerRequest,
    CreateFunctionTriggerRequestBody,
    DeleteFunctionRequest,
    DeleteFunctionTriggerRequest,
    FuncAsyncDestinationConfig,
    FuncCode,
    FuncDestinationConfig,
    FunctionGraphClient,
    ListFunctionTriggersRequest,
    ShowFunctionAsyncInvokeConfigRequest,
    ShowFunctionConfigRequest,
    TriggerEventDataRequestBody,
    UpdateFunctionAsyncInvokeConfigRequest,
    UpdateFunctionAsyncInvokeConfigRequestBody,
    UpdateFunctionCodeRequest,
    UpdateFunctionCodeRequestBody,
    UpdateFunctionConfigRequest,
    UpdateFunctionConfigRequestBody,
)

from scripts.deployment.plan import (
    AsyncConfig,
    Call,
    Config,
    Current,
    CurrentFunction,
    CurrentTrigger,
    Destination,
    TriggerSpec,
)

USER_AGENT = "cce-postcheck-deploy/0.1"  # also keeps the SDK from writing ~/.huaweicloud/application_id


class CloudError(RuntimeError):
    """A FunctionGraph call failed. ``str()`` holds no credentials."""

    def __init__(self, operation: str, status: int | None, code: str, message: str, request_id: str | None) -> None:
        where = f"HTTP {status}" if status else "no HTTP answer"
        rid = f", request {request_id}" if request_id else ""
        super().__init__(f"{operation}: {code}: {message} ({where}{rid})")
        self.operation, self.status, self.code = operation, status, code


@dataclass(frozen=True)
class Keys:
    access_key: str
    secret_key: str
    security_token: str | None
    project_id: str

    def __repr__(self) -> str:
        return f"Keys(project_id={self.project_id!r})"


def http_config(read_timeout_s: int = 60) -> HttpConfig:
    config = HttpConfig.get_default_config()
    config.timeout = (10, read_timeout_s)
    config.user_agent = USER_AGENT
    return config


def basic_credentials(keys: Keys) -> BasicCredentials:
    """For regional services (FunctionGraph, SMN, CTS): signed with the project (``X-Project-Id``)."""
    credentials = BasicCredentials(keys.access_key, keys.secret_key, keys.project_id)
    return credentials.with_security_token(keys.security_token) if keys.security_token else credentials


def global_credentials(keys: Keys, domain_id: str | None) -> GlobalCredentials:
    """For IAM, a global service: signed with the account (``X-Domain-Id``) once its ID is known; None to look it
    up first (``KeystoneListAuthDomains`` needs none)."""
    credentials = GlobalCredentials(keys.access_key, keys.secret_key, domain_id)
    return credentials.with_security_token(keys.security_token) if keys.security_token else credentials


def connect(keys: Keys, endpoint: str) -> FunctionGraphClient:
    config = http_config(read_timeout_s=180)  # a code upload is one large request
    return (FunctionGraphClient.new_builder().with_http_config(config).with_credentials(basic_credentials(keys))
            .with_endpoints([endpoint]).build())


def call(operation: str, send: Callable[[], Any]) -> Any:
    """``send()``, its failures as :class:`CloudError` (no credentials in it)."""
    try:
        return send()
    except ServiceResponseException as error:
        raise CloudError(operation, error.status_code, str(error.error_code), str(error.error_msg),
                         error.request_id) from None
    except SdkException as error:
        raise CloudError(operation, None, type(error).__name__, str(getattr(error, "error_msg", "")) or
                         "the request failed", None) from None
    except requests.exceptions.RequestException as error:  # the SDK lets a read timeout escape as is
        raise CloudError(operation, None, type(error).__name__, "no answer in time", None) from None


def found(operation: str, send: Callable[[], Any]) -> Any | None:
    """``call()``, None for a 404."""
    try:
        return call(operation, send)
    except CloudError as error:
        if error.status == 404:
            return None
        raise


class FunctionGraph:
    def __init__(self, client: FunctionGraphClient) -> None:
        self._client = client

    def read(self, urn: str, on_read: Callable[[str, str], None] = lambda operation, outcome: None) -> Current:
        """The function at ``urn``, its async settings and triggers; ``on_read`` hears of each read."""
        config = self._found("show_function_config", lambda: self._client.show_function_config(
            ShowFunctionConfigRequest(function_urn=urn)))
        on_read("show_function_config", "found" if config is not None else "not found")
        if config is None:
            return Current(function=None)
        async_config = self._found("show_function_async_invoke_config", lambda: self._client
                                   .show_function_async_invoke_config(ShowFunctionAsyncInvokeConfigRequest(
                                       function_urn=urn)))
        on_read("show_function_async_invoke_config", "found" if async_config is not None else "not set")
        listed = self._call("list_function_triggers",
                            lambda: self._client.list_function_triggers(ListFunctionTriggersRequest(function_urn=urn)))
        triggers = tuple(_trigger(item) for item in (listed.body or []))
        on_read("list_function_triggers", f"{len(triggers)} trigger(s)")
        return Current(function=_function(config), async_config=_async(async_config), triggers=triggers)

    operations = frozenset({
        "create_function", "update_function_config", "update_function_code", "update_function_async_invoke_config",
        "create_function_trigger", "delete_function_trigger", "delete_function"})

    def send(self, call: Call) -> Any:
        """Send one planned write call; the SDK's answer."""
        build = _REQUESTS[call.operation]
        method = getattr(self._client, call.operation)
        return self._call(call.operation, lambda: method(build(call)))

    _found = staticmethod(found)
    _call = staticmethod(call)


def _function(config: Any) -> CurrentFunction:
    return CurrentFunction(
        urn=config.func_urn or "",
        config=Config(runtime=config.runtime, handler=config.handler, memory_size=config.memory_size,
                      timeout=config.timeout, xrole=config.xrole or None, description=config.description or "",
                      enable_lts_log=config.enable_lts_log, user_data=_user_data(config.user_data)),
        code_filename=config.code_filename,
        digest=config.digest,
    )


def _user_data(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        return {"(unparsable user_data)": text}
    return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}


def _async(answer: Any | None) -> AsyncConfig | None:
    if answer is None:
        return None
    destinations = answer.destination_config
    return AsyncConfig(answer.max_async_retry_attempts, answer.max_async_event_age_in_seconds,
                       _destination(getattr(destinations, "on_failure", None)),
                       _destination(getattr(destinations, "on_success", None)))


def _destination(target: Any | None) -> Destination | None:
    if target is None or not target.destination:
        return None
    try:
        param = json.loads(target.param or "{}")
    except json.JSONDecodeError:
        param = {"(unparsable param)": target.param}
    return Destination(target.destination, param if isinstance(param, dict) else {})


def _trigger(item: Any) -> CurrentTrigger:
    event_data = sanitize_for_serialization(item.event_data) if item.event_data is not None else {}
    return CurrentTrigger(item.trigger_id, TriggerSpec(item.trigger_type_code, item.trigger_status, event_data))


def _create_function(call: Call) -> Any:
    body = dict(call.body or {})
    code = FuncCode(file=body.pop("func_code")["file"])
    return CreateFunctionRequest(body=CreateFunctionRequestBody(func_code=code, **body))


def _update_config(call: Call) -> Any:
    return UpdateFunctionConfigRequest(function_urn=call.params["function_urn"],
                                       body=UpdateFunctionConfigRequestBody(**(call.body or {})))


def _update_code(call: Call) -> Any:
    body = dict(call.body or {})
    code = FuncCode(file=body.pop("func_code")["file"])
    return UpdateFunctionCodeRequest(function_urn=call.params["function_urn"],
                                     body=UpdateFunctionCodeRequestBody(func_code=code, **body))


def _update_async(call: Call) -> Any:
    body = dict(call.body or {})
    targets = body.pop("destination_config")
    destinations = FuncAsyncDestinationConfig(**{
        key: FuncDestinationConfig(**value) for key, value in targets.items() if value is not None
    })
    return UpdateFunctionAsyncInvokeConfigRequest(
        function_urn=call.params["function_urn"],
        body=UpdateFunctionAsyncInvokeConfigRequestBody(destination_config=destinations, **body))


def _create_trigger(call: Call) -> Any:
    body = dict(call.body or {})
    event_data = TriggerEventDataRequestBody(**body.pop("event_data"))
    return CreateFunctionTriggerRequest(function_urn=call.params["function_urn"],
                                        body=CreateFunctionTriggerRequestBody(event_data=event_data, **body))


def _delete_trigger(call: Call) -> Any:
    return DeleteFunctionTriggerRequest(**call.params)


_REQUESTS: dict[str, Callable[[Call], Any]] = {
    "create_function": _create_function,
    "update_function_config": _update_config,
    "update_function_code": _update_code,
    "update_function_async_invoke_config": _update_async,
    "create_function_trigger": _create_trigger,
    "delete_function_trigger": _delete_trigger,
    "delete_function": lambda call: DeleteFunctionRequest(function_urn=call.params["function_urn"]),
}
