"""The one place that deals with the Huawei Cloud SDK's clients, its errors and its gaps.

- Clients are built once per credentials and endpoint and reused by warm invocations, concurrent ones
  included (an instance may run several invocations at once, each in its own thread). A client is never
  closed while an invocation may still use it: when the keys rotate, the old client is dropped from the
  cache and closed by the garbage collector once its last user is done.
- HTTP timeouts come from the calling thread's :class:`~postcheck.deadline.Deadline`, per request, never
  from the client's shared ``HttpConfig`` (nor the SDK's 60/120 s defaults); no ``~/.huaweicloud`` file is
  touched (a user agent is always set).
- Errors become :class:`ApiError`, whatever the SDK raised. Two gaps of the SDK are closed here, at
  their source, so that the SDK's own retrying invoker sees them as SDK exceptions:
  a read timeout escaping as ``requests.exceptions.ReadTimeout``, and a non-JSON error body (a
  gateway's HTML 502) escaping CCE's exception handler as ``json.JSONDecodeError``.
- Transient failures are retried with the SDK's ``SyncInvoker.with_retry`` and a jittered exponential
  backoff (the caller's :class:`~postcheck.policy.Backoff`, carried by its :class:`CallPolicy`) that never
  sleeps past the deadline.
- One adjustment to the SDK's HTTP plumbing, guarded so that a changed SDK is left as it is: plain adapters on
  its session (:class:`DeadlineAdapter`) that take each request's timeouts from the calling thread's call under
  way, in place of the SDK's adapter, whose urllib3 ``Retry`` hides a GET's 429 and turns its read timeout into
  a connection error. The SDK is otherwise used as it comes: it signs each request on its client's thread pool,
  and sends it and reads the answer in the calling thread (see :class:`DeadlineAdapter`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client, ClientBuilder
from huaweicloudsdkcore.exceptions.exception_handler import DefaultExceptionHandler, ExceptionHandler
from huaweicloudsdkcore.exceptions.exceptions import (
    ConnectionException,
    RequestTimeoutException,
    SdkException,
    ServiceResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.retry.backoff_strategy import BackoffStrategy
from requests.adapters import HTTPAdapter

from .config import Credentials
from .deadline import Deadline
from .policy import Backoff

USER_AGENT = "cce-postcheck-function/0.1"
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0
THROTTLE_CODES = frozenset({"APIG.0308"})
# Where requests finds a CA bundle named in the environment: read once, into the client's HttpConfig.
CA_BUNDLE_SETTINGS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
MAX_SDK_RETRIES = 10  # the SDK's own upper bound for with_retry


@dataclass(frozen=True)
class ApiError(Exception):
    """A failed API call, whatever the SDK raised. Holds no credentials."""

    operation: str
    code: str
    message: str
    status: int | None = None
    request_id: str | None = None
    transient: bool = False

    def __str__(self) -> str:
        where = f"HTTP {self.status}" if self.status else "no HTTP answer"
        rid = f", request {self.request_id}" if self.request_id else ""
        return f"{self.operation}: {self.code}: {self.message} ({where}{rid})"


class _LastResponse(threading.local):
    """Per thread: the answer last received, and the time rules of the call under way (set by :func:`invoke`,
    read by :class:`DeadlineAdapter` for each attempt)."""

    status: int | None = None
    request_id: str | None = None
    timing: tuple[Deadline, CallPolicy] | None = None


_last = _LastResponse()


def _remember_response(**kwargs: Any) -> None:
    response = kwargs.get("response")
    if response is not None:
        _last.status = response.status_code
        _last.request_id = response.headers.get("X-Request-Id") or response.headers.get("x-request-id")


def last_request_id() -> str | None:
    """The ``X-Request-Id`` of the last response this thread received."""
    return _last.request_id


class TolerantExceptionHandler(ExceptionHandler):
    """A service's own exception handler, falling back to the SDK's default one for non-JSON bodies.

    CCE's handler calls ``json.loads`` on every error body, so an HTML 502 from a gateway escapes as
    ``json.JSONDecodeError``, and then ``.get`` on the parsed value, so a JSON body that is no object (``[1, 2]``,
    ``null``, ``"Service Unavailable"``) escapes as ``AttributeError``; the default handler turns either into a
    ``ServerResponseException`` (a 5xx, retried) or ``ClientRequestException`` with the body as its message.
    """

    def __init__(self, primary: ExceptionHandler | None) -> None:
        self._primary = primary
        self._fallback = DefaultExceptionHandler()

    def handle_exception(self, request: Any, response: Any) -> None:
        if self._primary is not None:
            try:
                self._primary.handle_exception(request, response)
            except (ValueError, AttributeError, TypeError):  # no JSON, or JSON that is not an object
                pass
            else:
                return
        self._fallback.handle_exception(request, response)


class _TimeoutsAsSdkErrors:
    """Mixin for an SDK client: a read timeout becomes the SDK's RequestTimeoutException."""

    def _do_http_request_sync(self, request: Any) -> Any:
        try:
            return super()._do_http_request_sync(request)  # type: ignore[misc]
        except requests.exceptions.Timeout as exc:
            raise RequestTimeoutException(f"no answer in time from {request.host}") from exc
        except requests.exceptions.RequestException as exc:
            raise ConnectionException(f"{type(exc).__name__} talking to {request.host}") from exc


def guarded(client_class: type[Client]) -> type[Client]:
    """The SDK client class with the read-timeout gap closed."""
    return type(client_class.__name__, (_TimeoutsAsSdkErrors, client_class), {})


# One client per (kind, endpoint): a handful in practice; the bound only matters for a process whose
# configuration keeps changing. Evicted clients are not closed (see client_for).
MAX_CACHED_CLIENTS = 8
_cache: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {}
_cache_lock = threading.Lock()


def client_for(kind: str, client_class: type[Client], exception_handler: ExceptionHandler | None,
               endpoint: str, credentials: Credentials, project_id: str, pool_size: int = 10) -> Any:
    """A client for ``endpoint``, reused across invocations while the credentials stay the same.

    A client replaced (the keys rotated) or evicted is not closed: an invocation that started with the old
    keys may still be using it. It goes when its last user drops it; its pooled connections close with it.
    """
    key = (endpoint, project_id, credentials.access_key, credentials.secret_key, credentials.security_token,
           pool_size)
    with _cache_lock:
        cached = _cache.pop((kind, endpoint), None)
        if cached and cached[0] == key:
            _cache[(kind, endpoint)] = cached  # the most recently used last
            return cached[1]
        ca_bundle = next((os.environ[name] for name in CA_BUNDLE_SETTINGS if os.environ.get(name)), None)
        config = HttpConfig(timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S), retry_times=0, ssl_ca_cert=ca_bundle,
                            pool_connections=2, pool_maxsize=pool_size, user_agent=USER_AGENT)
        basic = BasicCredentials(credentials.access_key, credentials.secret_key, project_id)
        if credentials.security_token:
            basic = basic.with_security_token(credentials.security_token)
        client = (
            ClientBuilder(guarded(client_class))
            .with_exception_handler(TolerantExceptionHandler(exception_handler))
            .with_http_handler(HttpHandler().add_response_handler(_remember_response))
            .with_http_config(config)
            .with_credentials(basic)
            .with_endpoints([endpoint])
            .build()
        )
        _without_hidden_retries(client, config)
        while len(_cache) >= MAX_CACHED_CLIENTS:
            _cache.pop(next(iter(_cache)))  # the least recently used; not closed, it may be in use
        _cache[(kind, endpoint)] = (key, client)
        return client


class DeadlineAdapter(HTTPAdapter):
    """A plain adapter (no urllib3 retries) that gives each request the timeouts of the calling thread's call
    under way, cut to the time its deadline leaves now (not at the first try); a request made outside
    :func:`invoke` keeps the timeouts it was given (the client's defaults).

    The timeouts are the request's own: invocations that share a client (an instance running several at
    once, the sweep's threads) each keep their own deadline. That the thread-local is the caller's rests on where
    the SDK (huaweicloudsdkcore 3.1.219) does what, for a synchronous call:

    - ``SyncInvoker.invoke`` (invoker/invoker.py) calls ``Client.do_http_request`` in the calling thread, retries
      included;
    - ``Client.do_http_request`` (client.py) hands only the signing to the client's thread pool and waits for it
      (``build_future_request(...).result()``; auth/credentials.py ``process_auth_request``:
      ``http_client.executor.submit(self.sign_request, request)``), then calls ``_do_http_request_sync(request)``
      itself;
    - ``HttpClient.do_request_sync`` (http/http_client.py) sends through the session (so this adapter's ``send``)
      and then runs the response hook (the http handler's response handlers, :func:`_remember_response`
      among them, then the exception handler), all in the calling thread.

    Signing reads nothing of this module's. ``tests/unit/test_sdk_errors_and_clients.py`` holds a test that calls
    a real client from threads of its own and checks each one's timeouts and request ID.
    """

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        timing = _last.timing
        if timing is not None:
            deadline, policy = timing
            timeout = deadline.http_timeout(policy.connect_s, policy.read_s, policy.for_report)
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


def _without_hidden_retries(client: Any, config: HttpConfig) -> None:
    """Mount :class:`DeadlineAdapter` on the SDK's session, replacing the one it mounts with urllib3's
    ``Retry(total=retry_times, status_forcelist=[429])``.

    With that adapter a GET answered 429 never reaches the exception handler (the gateway's ``APIG.0308`` and
    request ID are lost to urllib3's "Max retries exceeded" text, which names the endpoint), and a read
    timeout on a GET becomes a connection error. Retrying is this module's job (:func:`invoke`).
    """
    session = getattr(client.get_http_client(), "_session", None)
    if session is None:  # the SDK's layout changed: keep its adapter (and its timeouts), retries still work
        return
    adapter = DeadlineAdapter(pool_connections=config.pool_connections, pool_maxsize=config.pool_maxsize,
                              max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


def forget_clients() -> None:
    """Close and drop every cached client (tests, between stand-ins: no invocation may be under way)."""
    with _cache_lock:
        for _, client in _cache.values():
            client.close()
        _cache.clear()


_BACKOFF = Backoff()


class DeadlineBackoff(BackoffStrategy):
    """Exponential backoff with equal jitter (:class:`~postcheck.policy.Backoff`): a delay drawn between half of
    ``base * 2**n`` (capped) and all of it, never sleeping past the deadline."""

    def __init__(self, deadline: Deadline, base_s: float = _BACKOFF.base_s, cap_s: float = _BACKOFF.cap_s,
                 rng: Callable[[float, float], float] = _BACKOFF.draw, for_report: bool = False) -> None:
        self._deadline = deadline
        self._for_report = for_report
        self._base = base_s
        self._cap = cap_s
        self._rng = rng

    def delay_s(self, retries: int) -> float:
        ceiling = min(self._cap, self._base * (2 ** max(0, retries - 1)))
        return min(self._rng(ceiling / 2, ceiling), self._deadline.left(self._for_report))

    def calculate_retry_delay_millis(self, retries: int) -> int:
        return int(self.delay_s(retries) * 1000)


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: 5xx, throttling, no answer. Other client errors are final."""
    if isinstance(exc, ServiceResponseException):
        return exc.status_code >= 500 or exc.status_code == 429 or exc.error_code in THROTTLE_CODES
    return isinstance(exc, (ConnectionException, RequestTimeoutException))


@dataclass(frozen=True)
class CallPolicy:
    """How hard to try one call, how long each attempt may take (cut to the deadline), and how long to pause
    between attempts."""

    max_attempts: int = 4
    min_time_for_retry_s: float = 1.0
    connect_s: float = CONNECT_TIMEOUT_S
    read_s: float = READ_TIMEOUT_S
    for_report: bool = False  # a report may use the time kept back for it
    backoff: Backoff = field(default_factory=Backoff)


def invoke(invoker: Any, operation: str, deadline: Deadline, policy: CallPolicy = CallPolicy(),
           response_ok: Callable[[Any], bool] | None = None) -> Any:
    """Run an SDK invoker, retrying transient failures within the deadline; raise :class:`ApiError`.

    ``response_ok`` judges a 200 answer: one it rejects (a malformed body) is retried like a transient
    failure.
    """
    _last.status = _last.request_id = None
    _last.timing = (deadline, policy)

    def retry(response: Any, exc: SdkException | None) -> bool:
        if deadline.left(policy.for_report) < policy.min_time_for_retry_s:
            return False
        if exc is not None:
            return is_transient(exc)
        return response_ok is not None and not response_ok(response)

    retries = max(0, min(policy.max_attempts - 1, MAX_SDK_RETRIES))
    if retries:
        pause = policy.backoff
        invoker = invoker.with_retry(retry, retries, DeadlineBackoff(deadline, pause.base_s, pause.cap_s, pause.draw,
                                                                     for_report=policy.for_report))
    try:
        response = invoker.invoke()
    except SdkException as exc:
        raise translate(exc, operation) from None
    except ValueError as exc:  # a body the SDK could not decode, past our handler
        raise ApiError(operation, "MalformedResponse", f"undecodable answer: {type(exc).__name__}",
                       _last.status, _last.request_id, transient=True) from None
    finally:
        _last.timing = None
    if response_ok is not None and not response_ok(response):
        raise ApiError(operation, "MalformedResponse", "the answer did not have the documented shape",
                       getattr(response, "status_code", None), _last.request_id, transient=True)
    return response


def translate(exc: BaseException, operation: str) -> ApiError:
    if isinstance(exc, ServiceResponseException):
        return ApiError(
            operation,
            code=str(exc.error_code or exc.status_code),
            message=_clip(str(exc.error_msg or "")) or f"HTTP {exc.status_code}",
            status=exc.status_code,
            request_id=exc.request_id or _last.request_id,
            transient=is_transient(exc),
        )
    if isinstance(exc, RequestTimeoutException):
        return ApiError(operation, "Timeout", "no answer within the time left", transient=True)
    if isinstance(exc, ConnectionException):
        return ApiError(operation, "ConnectionError", _clip(str(exc.error_msg)), transient=True)
    message = exc.error_msg if isinstance(exc, SdkException) else str(exc)
    return ApiError(operation, type(exc).__name__, _clip(str(message)))


def _clip(text: str, limit: int = 500) -> str:
    """An error text fit for a result and a notification: one line, bounded, HTML pages summarised."""
    flat = " ".join(text.split())
    if flat.lower().startswith(("<!doctype", "<html")):
        return "the gateway answered with an HTML page instead of JSON"
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
