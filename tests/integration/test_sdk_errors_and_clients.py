"""postcheck.sdk without a network: errors as the result reports them, the retry loop around the SDK's own
``SyncInvoker``, and the clients it builds (nothing is sent; building a client with a project ID makes no call).

The contract (docs/operations.md, "Faults and retries"; README, "The result"):

- the result's ``error`` is ``{"code", "message", "request_id", "status", "operation"}``: CCE's (or SMN's) error
  code, message, HTTP status and request ID for API errors; ``status`` null where no HTTP answer said it;
- transient failures are retried within the deadline (5xx, 429 / ``APIG.0308``, connection errors and timeouts,
  a 200 that is not the documented shape); other 4xx are final;
- a non-JSON error body (a gateway's HTML 502) is an ordinary, retryable error with a readable message;
- the SDK's 60/120 s timeouts are never in force: each attempt's timeouts are cut to the deadline, right before
  it is sent; the SDK's urllib3 ``Retry`` adapter is replaced by a plain one;
- no ``~/.huaweicloud`` file is touched: a user agent is always set (platform facts: "Without
  ``HttpConfig.user_agent`` it reads or writes ``~/.huaweicloud/application_id``");
- proxies and a CA bundle named in the environment are honoured as requests honours them.
"""

from __future__ import annotations

import inspect
import json
import sys
import threading
import types
from typing import Any

import pytest
import requests
from huaweicloudsdkcce.v3 import CceClient, ShowClusterRequest
from huaweicloudsdkcce.v3.cce_exception_handler import CceExceptionHandler
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    RequestTimeoutException,
    SdkError,
    SdkException,
    ServerResponseException,
)
from huaweicloudsdkcore.invoker import invoker as sdk_invoker
from huaweicloudsdkcore.invoker.invoker import SyncInvoker
from huaweicloudsdksmn.v2 import SmnClient
from requests.adapters import HTTPAdapter

from postcheck import sdk
from postcheck.config import Credentials
from postcheck.deadline import Deadline
from postcheck.sdk import ApiError, CallPolicy

ENDPOINT = "https://cce.example.invalid"  # never contacted
PROJECT = "0123456789abcdef0123456789abcdef"
CREDS = Credentials("AKUNITTEST0000000001", "sk-unit-test-secret", "token-unit-test", PROJECT)
SDK_MAX_RETRIES = 10  # huaweicloudsdkcore/invoker/invoker.py: "max retries is not in range [1, 10]"
HTML_502 = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                   "no_proxy", "NETRC")  # what requests reads from the environment (requests.utils)
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")  # requests.sessions.merge_environment_settings
# requests' own defaults for an adapter's send (read before any test replaces HTTPAdapter.send)
SEND_DEFAULTS = {name: p.default for name, p in inspect.signature(HTTPAdapter.send).parameters.items()
                 if p.default is not inspect.Parameter.empty}


def frozen(seconds: float, reserve: float = 0.0) -> Deadline:
    """A deadline whose clock stands still."""
    return Deadline(seconds, reserve=reserve, clock=lambda: 0.0)


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's retry loop sleeps through ``time.sleep``: recorded, not waited out."""
    slept: list[float] = []
    monkeypatch.setattr(sdk_invoker, "time", types.SimpleNamespace(sleep=slept.append))
    return slept


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    sdk.forget_clients()
    yield
    sdk.forget_clients()


@pytest.fixture
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, *CA_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _response(status: int, text: str, request_id: str | None = "req-html-1") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = text.encode()
    response.encoding = "utf-8"
    if request_id:
        response.headers["X-Request-Id"] = request_id
    response.url = f"{ENDPOINT}/api/v3/projects/{PROJECT}/clusters/c"
    response.request = requests.Request("GET", response.url).prepare()
    return response


class Answers:
    """A stand-in for an SDK client under ``SyncInvoker``: each attempt takes the next answer (the last repeats);
    an exception is raised, anything else is returned. ``heard`` is remembered as the SDK's response hook would."""

    def __init__(self, *answers: Any, heard: requests.Response | None = None) -> None:
        self.answers = list(answers)
        self.heard = heard
        self.attempts = 0

    def do_http_request(self, **_: Any) -> Any:
        self.attempts += 1
        if self.heard is not None:
            sdk._remember_response(response=self.heard)
        answer = self.answers[min(self.attempts, len(self.answers)) - 1]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def run(client: Answers, policy: CallPolicy | None = None, deadline: Deadline | None = None,
        response_ok: Any = None, operation: str = "show_cluster") -> Any:
    return sdk.invoke(SyncInvoker(client, {}), operation, deadline or frozen(100.0), policy or CallPolicy(),
                      response_ok)


def unavailable(request_id: str | None = "req-503") -> ServerResponseException:
    return ServerResponseException(503, SdkError(request_id, "CCE.01500001", "Service Unavailable"))


OK = types.SimpleNamespace(status_code=200, message_id="m-1")


# -- ApiError: what the result's "error" holds ---------------------------------------------------------------

def error_fields(error: ApiError) -> dict[str, Any]:
    """What the result's ``error`` takes from an API error."""
    return {name: getattr(error, name) for name in ("code", "message", "status", "request_id", "operation")}


def test_an_api_error_holds_the_results_error_fields() -> None:
    error = ApiError("show_cluster", "CCE.01404001", "not found", 404, "req-9", transient=False)

    assert error_fields(error) == {"code": "CCE.01404001", "message": "not found", "status": 404,
                                   "request_id": "req-9", "operation": "show_cluster"}


def test_an_api_errors_text_names_the_call_the_code_the_message_the_status_and_the_request() -> None:
    text = str(ApiError("create_post_check", "CCE.01500001", "Service Unavailable", 503, "req-7"))

    for part in ("create_post_check", "CCE.01500001", "Service Unavailable", "HTTP 503", "req-7"):
        assert part in text


def test_an_api_errors_text_without_an_http_answer_claims_no_status_and_no_request() -> None:
    text = str(ApiError("show_cluster", "Timeout", "no answer within the time left"))

    assert "None" not in text and "HTTP 0" not in text
    assert "request" not in text
    assert text.startswith("show_cluster: Timeout: no answer within the time left")
    assert text.endswith(")") and "()" not in text


def test_an_api_errors_text_without_a_request_id_ends_with_its_status() -> None:
    assert str(ApiError("show_cluster", "CCE.01400001", "bad", 400)).endswith("(HTTP 400)")


# -- translate: the SDK's exceptions as the result reports them -----------------------------------------------

def test_a_service_error_keeps_cces_code_message_status_and_request_id() -> None:
    error = sdk.translate(ClientRequestException(404, SdkError("req-404", "CCE.01404001", "Cluster not found")),
                          "show_cluster")

    assert error == ApiError("show_cluster", "CCE.01404001", "Cluster not found", 404, "req-404", transient=False)


@pytest.mark.parametrize(("exc", "transient"), [
    pytest.param(ServerResponseException(500, SdkError("r", "CCE.01500001", "boom")), True, id="500"),
    pytest.param(ClientRequestException(429, SdkError("r", "APIG.0308", "throttled")), True, id="429"),
    pytest.param(ClientRequestException(400, SdkError("r", "CCE.01400001", "bad")), False, id="400"),
    pytest.param(ClientRequestException(499, SdkError("r", "X.1", "client")), False, id="499"),
    pytest.param(ClientRequestException(428, SdkError("r", "X.1", "client")), False, id="428"),
    pytest.param(ClientRequestException(430, SdkError("r", "X.1", "client")), False, id="430"),
])
def test_a_service_errors_transient_flag_says_whether_it_is_retried(exc: SdkException, transient: bool) -> None:
    assert sdk.is_transient(exc) is transient
    assert sdk.translate(exc, "show_cluster").transient is transient


def test_a_service_error_without_a_code_or_message_is_named_by_its_status() -> None:
    error = sdk.translate(ServerResponseException(502, SdkError("req-502", None, None)), "show_cluster")

    assert (error.code, error.status, error.request_id, error.transient) == ("502", 502, "req-502", True)
    assert error.message == "HTTP 502"


def test_a_service_error_without_a_request_id_takes_the_one_of_the_last_answer() -> None:
    sdk._remember_response(response=_response(503, "{}", request_id="req-from-header"))

    error = sdk.translate(ServerResponseException(503, SdkError(None, "CCE.01500001", "busy")), "show_cluster")

    assert error.request_id == "req-from-header"


def test_a_service_errors_own_request_id_wins_over_the_last_answers() -> None:
    sdk._remember_response(response=_response(503, "{}", request_id="req-other"))

    error = sdk.translate(ServerResponseException(503, SdkError("req-own", "CCE.01500001", "busy")), "show_cluster")

    assert error.request_id == "req-own"


def test_a_timeout_is_the_functions_timeout_error_without_a_status() -> None:
    error = sdk.translate(RequestTimeoutException("no answer in time from cce.example"), "create_post_check")

    assert (error.operation, error.code, error.status, error.transient) == ("create_post_check", "Timeout", None, True)
    assert error.message and "time" in error.message


def test_a_connection_failure_is_a_transient_connection_error_with_the_sdks_text() -> None:
    error = sdk.translate(ConnectionException("ConnectionResetError talking to cce.example"), "publish_message")

    assert (error.operation, error.code, error.status, error.transient) == (
        "publish_message", "ConnectionError", None, True)
    assert error.message == "ConnectionResetError talking to cce.example"


def test_another_sdk_error_is_final_and_named_by_its_type() -> None:
    error = sdk.translate(SdkException("the SDK refused the request"), "show_cluster")

    assert (error.operation, error.code, error.transient) == ("show_cluster", "SdkException", False)
    assert error.message == "the SDK refused the request"


def test_any_other_exception_is_named_by_its_type_with_its_text() -> None:
    error = sdk.translate(KeyError("status"), "show_cluster")

    assert (error.operation, error.code, error.transient) == ("show_cluster", "KeyError", False)
    assert error.message == "'status'"


# -- error texts: one line, bounded, HTML pages summarised ----------------------------------------------------

@pytest.mark.parametrize("page", [
    HTML_502,
    "<html><body>502 Bad Gateway</body></html>",
    "<HTML><BODY>502</BODY></HTML>",
    "<!doctype html><title>502</title>",
    "\n   <html>\n<body>gateway</body></html>",
])
def test_an_html_error_page_is_summarised_not_copied(page: str) -> None:
    error = sdk.translate(ServerResponseException(502, SdkError("r", "502", page)), "show_cluster")

    assert "HTML page" in error.message
    assert "<" not in error.message and "body" not in error.message


def test_an_error_text_is_one_line_with_single_spaces() -> None:
    error = sdk.translate(ClientRequestException(400, SdkError("r", "CCE.01400001", "bad\n  request\tbody ")),
                          "show_cluster")

    assert error.message == "bad request body"


def test_a_short_error_text_is_kept_whole() -> None:
    text = "x" * 400
    assert sdk.translate(ClientRequestException(400, SdkError("r", "C", text)), "op").message == text


def test_a_long_error_text_is_cut_and_marked_as_cut() -> None:
    text = "".join(f"{n:05d} " for n in range(2000))  # 12,000 characters

    message = sdk.translate(ClientRequestException(400, SdkError("r", "C", text)), "op").message

    assert message.endswith("...")
    assert len(message) < 1000
    assert text.startswith(message[:-3])


def test_an_error_text_at_the_bound_is_not_cut_and_one_over_it_is() -> None:
    # The bound is the module's own (fit for a result and a notification); found from outside: the longest text
    # kept whole. Anything longer is cut to exactly that many characters, the last three being "...".
    def clipped(n: int) -> str:
        return sdk.translate(ClientRequestException(400, SdkError("r", "C", "y" * n)), "op").message

    bound = next(n for n in range(1, 5000) if clipped(n + 1) != "y" * (n + 1))
    assert clipped(bound) == "y" * bound
    assert clipped(bound + 1) == "y" * (bound - 3) + "..."
    assert len(clipped(bound + 50)) == bound
    assert bound >= 200  # room for CCE's own messages


# -- the exception handler: a non-JSON error body is an ordinary SDK error -------------------------------------

@pytest.mark.parametrize("primary", [CceExceptionHandler(), None], ids=["cce-handler", "default-handler"])
def test_an_html_502_becomes_a_server_error_with_its_status_and_request_id(primary: Any) -> None:
    handler = sdk.TolerantExceptionHandler(primary)

    with pytest.raises(ServerResponseException) as raised:
        handler.handle_exception(None, _response(502, HTML_502))

    assert (raised.value.status_code, raised.value.request_id) == (502, "req-html-1")
    error = sdk.translate(raised.value, "show_cluster")
    assert (error.status, error.transient) == (502, True)
    assert "HTML page" in error.message


def test_a_json_error_body_is_handled_by_the_services_own_handler() -> None:
    body = json.dumps({"error_code": "CCE.01404001", "error_msg": "Cluster not found"})

    with pytest.raises(ClientRequestException) as raised:
        sdk.TolerantExceptionHandler(CceExceptionHandler()).handle_exception(None, _response(404, body, "req-4"))

    assert (raised.value.status_code, raised.value.error_code, raised.value.error_msg) == (
        404, "CCE.01404001", "Cluster not found")


def test_the_services_handler_gets_the_request_and_the_response() -> None:
    seen: list[tuple[Any, Any]] = []

    class Recording(CceExceptionHandler):
        def handle_exception(self, request: Any, response: Any) -> None:
            seen.append((request, response))

    request, response = object(), _response(500, "{}")
    sdk.TolerantExceptionHandler(Recording()).handle_exception(request, response)

    assert seen == [(request, response)]  # and nothing raised: the service's handler had its say


@pytest.mark.parametrize("body", ["[1, 2]", "null", '"Service Unavailable"', "503"])
def test_a_json_body_that_is_not_an_object_falls_back_to_the_default_handler(body: str) -> None:
    with pytest.raises(ServerResponseException) as raised:
        sdk.TolerantExceptionHandler(CceExceptionHandler()).handle_exception(None, _response(503, body))

    assert raised.value.status_code == 503


# -- the read-timeout gap, closed in the client class -----------------------------------------------------------

class _Transport:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.sent: list[Any] = []

    def _do_http_request_sync(self, request: Any) -> Any:
        self.sent.append(request)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def test_a_guarded_client_class_is_the_sdks_class_under_its_own_name() -> None:
    guarded = sdk.guarded(CceClient)

    assert issubclass(guarded, CceClient) and guarded.__name__ == "CceClient"


@pytest.mark.parametrize("timeout", [requests.exceptions.ReadTimeout("read"), requests.exceptions.ConnectTimeout("c")])
def test_a_requests_timeout_becomes_the_sdks_timeout_naming_the_host(timeout: Exception) -> None:
    client = sdk.guarded(_Transport)(timeout)  # type: ignore[arg-type]

    with pytest.raises(RequestTimeoutException) as raised:
        client._do_http_request_sync(types.SimpleNamespace(host="cce.example.invalid"))

    assert "cce.example.invalid" in raised.value.error_msg
    assert sdk.translate(raised.value, "show_cluster").code == "Timeout"


def test_another_requests_failure_becomes_the_sdks_connection_error_naming_it_and_the_host() -> None:
    client = sdk.guarded(_Transport)(requests.exceptions.ChunkedEncodingError("cut"))  # type: ignore[arg-type]

    with pytest.raises(ConnectionException) as raised:
        client._do_http_request_sync(types.SimpleNamespace(host="smn.example.invalid"))

    assert "ChunkedEncodingError" in raised.value.error_msg and "smn.example.invalid" in raised.value.error_msg


def test_a_guarded_client_sends_the_request_it_was_given() -> None:
    client = sdk.guarded(_Transport)("answer")  # type: ignore[arg-type]
    request = types.SimpleNamespace(host="h")

    assert client._do_http_request_sync(request) == "answer"
    assert client.sent == [request]


# -- invoke: the retry loop ---------------------------------------------------------------------------------------

def test_a_first_answer_is_returned_without_a_retry() -> None:
    client = Answers(OK)

    assert run(client) is OK and client.attempts == 1


def test_a_call_allowed_one_attempt_is_not_retried(_no_sleep: list[float]) -> None:
    client = Answers(unavailable())

    with pytest.raises(ApiError) as raised:
        run(client, CallPolicy(max_attempts=1))

    assert client.attempts == 1 and _no_sleep == []
    assert (raised.value.status, raised.value.code, raised.value.transient) == (503, "CCE.01500001", True)


@pytest.mark.parametrize("max_attempts", [0, -3])
def test_a_call_allowed_no_attempt_still_makes_one(max_attempts: int) -> None:
    client = Answers(unavailable())

    with pytest.raises(ApiError):
        run(client, CallPolicy(max_attempts=max_attempts))

    assert client.attempts == 1


@pytest.mark.parametrize("max_attempts", [2, 3, 5])
def test_a_persistent_transient_failure_takes_every_attempt_allowed(max_attempts: int) -> None:
    client = Answers(unavailable())

    with pytest.raises(ApiError) as raised:
        run(client, CallPolicy(max_attempts=max_attempts))

    assert client.attempts == max_attempts
    assert raised.value.operation == "show_cluster"


@pytest.mark.parametrize("max_attempts", [SDK_MAX_RETRIES + 2, 50])
def test_more_attempts_than_the_sdk_allows_are_capped_at_its_bound(max_attempts: int) -> None:
    client = Answers(unavailable())

    with pytest.raises(ApiError):
        run(client, CallPolicy(max_attempts=max_attempts))

    assert client.attempts == 1 + SDK_MAX_RETRIES


def test_the_sdks_whole_bound_is_used_when_asked_for() -> None:
    client = Answers(unavailable())

    with pytest.raises(ApiError):
        run(client, CallPolicy(max_attempts=1 + SDK_MAX_RETRIES))

    assert client.attempts == 1 + SDK_MAX_RETRIES


def test_a_final_error_is_not_retried_whatever_the_policy() -> None:
    client = Answers(ClientRequestException(403, SdkError("r", "CCE.01403001", "forbidden")), OK)

    with pytest.raises(ApiError) as raised:
        run(client, CallPolicy(max_attempts=5))

    assert client.attempts == 1 and raised.value.status == 403 and not raised.value.transient


def test_an_sdk_error_reaches_the_caller_translated_and_without_its_chain() -> None:
    with pytest.raises(ApiError) as raised:
        run(Answers(ClientRequestException(404, SdkError("req-x", "CCE.01404001", "gone"))),
            operation="show_upgrade_task")

    assert raised.value == ApiError("show_upgrade_task", "CCE.01404001", "gone", 404, "req-x")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize("left_s", [0.0, 0.5, 0.99])
def test_no_retry_is_started_with_less_time_left_than_the_policy_needs(left_s: float) -> None:
    client = Answers(unavailable(), OK)

    with pytest.raises(ApiError):
        run(client, CallPolicy(max_attempts=4, min_time_for_retry_s=1.0), frozen(left_s))

    assert client.attempts == 1


@pytest.mark.parametrize("left_s", [1.0, 1.5])
def test_a_retry_is_started_with_just_the_time_the_policy_needs(left_s: float) -> None:
    client = Answers(unavailable(), OK)

    assert run(client, CallPolicy(max_attempts=4, min_time_for_retry_s=1.0), frozen(left_s)) is OK
    assert client.attempts == 2


def test_a_report_may_retry_in_the_time_kept_back_for_it_and_a_check_may_not() -> None:
    # 40 s budget, 8 s reserve; 30 s gone: 2 s usable by a check, 10 s left for the report.
    clock = [0.0]
    deadline = Deadline(40.0, reserve=8.0, clock=lambda: clock[0])
    clock[0] = 30.0
    for_check = Answers(unavailable(), OK)
    for_report = Answers(unavailable(), OK)

    with pytest.raises(ApiError):
        run(for_check, CallPolicy(max_attempts=3, min_time_for_retry_s=5.0), deadline)
    answer = run(for_report, CallPolicy(max_attempts=3, min_time_for_retry_s=5.0, for_report=True), deadline)

    assert (for_check.attempts, for_report.attempts, answer) == (1, 2, OK)


def test_a_reports_backoff_may_use_the_time_kept_back_for_it(_no_sleep: list[float]) -> None:
    clock = [0.0]
    deadline = Deadline(40.0, reserve=8.0, clock=lambda: clock[0])
    clock[0] = 31.9  # 0.1 s usable by a check; 8.1 s left for the report

    run(Answers(unavailable(), OK), CallPolicy(max_attempts=2, min_time_for_retry_s=0.0, for_report=True), deadline)

    [slept] = _no_sleep
    assert slept >= 0.25  # docs/operations.md: the first delay is drawn between half of 0.5 s and all of it


def test_the_backoff_sleeps_between_attempts_within_the_documented_range(_no_sleep: list[float]) -> None:
    run(Answers(unavailable(), unavailable(), OK), CallPolicy(max_attempts=3))

    first, second = _no_sleep
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0  # docs: 0.5 s doubling, each between half and all


def test_a_backoff_made_without_options_is_the_documented_one() -> None:
    # docs/operations.md: "0.5 s doubling to 8 s, each delay drawn between half of that and all of it", within the
    # deadline; a check's backoff does not use the reserve kept for the report.
    clock = [0.0]
    deadline = Deadline(10_000.0, reserve=8.0, clock=lambda: clock[0])
    backoff = sdk.DeadlineBackoff(deadline)

    for _ in range(20):
        assert 0.25 <= backoff.delay_s(1) <= 0.5
        assert 4.0 <= backoff.delay_s(20) <= 8.0
    clock[0] = 10_000.0 - 8.0 - 0.1  # 0.1 s usable, 8.1 s left for a report
    assert backoff.delay_s(5) <= 0.1 + 1e-9
    assert sdk.DeadlineBackoff(deadline, for_report=True).delay_s(5) >= 4.0


def test_the_backoff_in_milliseconds_is_its_delay() -> None:
    backoff = sdk.DeadlineBackoff(frozen(100.0), rng=lambda low, high: high)

    assert [backoff.calculate_retry_delay_millis(n) for n in (1, 2, 3)] == [500, 1000, 2000]


# -- invoke: answers that are not the documented shape ---------------------------------------------------------

def test_a_malformed_200_is_retried_and_the_good_answer_taken() -> None:
    bad = types.SimpleNamespace(status_code=200, message_id=None)
    client = Answers(bad, OK)

    answer = run(client, CallPolicy(max_attempts=3), response_ok=lambda r: bool(r.message_id))

    assert answer is OK and client.attempts == 2


def test_a_good_answer_is_not_retried_when_the_shape_is_checked() -> None:
    client = Answers(OK, OK)
    judged: list[Any] = []

    def ok(response: Any) -> bool:
        judged.append(response)
        return True

    assert run(client, CallPolicy(max_attempts=3), response_ok=ok) is OK
    assert client.attempts == 1 and judged and all(r is OK for r in judged)


def test_a_persistently_malformed_200_is_a_transient_malformed_response_error() -> None:
    bad = types.SimpleNamespace(status_code=200, message_id=None)
    heard = _response(200, "{}", request_id="req-200")
    client = Answers(bad, heard=heard)

    with pytest.raises(ApiError) as raised:
        run(client, CallPolicy(max_attempts=3), response_ok=lambda r: bool(r.message_id), operation="publish_message")

    error = raised.value
    assert client.attempts == 3
    assert (error.operation, error.code, error.status, error.request_id, error.transient) == (
        "publish_message", "MalformedResponse", 200, "req-200", True)
    assert "shape" in error.message


def test_an_answer_is_not_judged_when_no_judge_is_given() -> None:
    client = Answers(types.SimpleNamespace(status_code=200))

    assert run(client, CallPolicy(max_attempts=3)).status_code == 200
    assert client.attempts == 1


def test_an_undecodable_answer_is_a_transient_malformed_response_with_the_answers_status_and_id() -> None:
    heard = _response(200, "not json", request_id="req-undecodable")
    client = Answers(json.JSONDecodeError("Expecting value", "not json", 0), heard=heard)

    with pytest.raises(ApiError) as raised:
        run(client, operation="show_cluster")

    error = raised.value
    assert (error.operation, error.code, error.status, error.request_id, error.transient) == (
        "show_cluster", "MalformedResponse", 200, "req-undecodable", True)
    assert "JSONDecodeError" in error.message
    assert error.__cause__ is None and error.__suppress_context__


def test_an_answer_heard_by_an_earlier_call_is_not_blamed_on_the_next() -> None:
    run(Answers(OK, heard=_response(200, "{}", request_id="req-earlier")))

    with pytest.raises(ApiError) as raised:
        run(Answers(json.JSONDecodeError("Expecting value", "x", 0)))

    assert (raised.value.status, raised.value.request_id) == (None, None)


def test_the_last_request_id_is_the_last_answers() -> None:
    sdk._remember_response(response=_response(200, "{}", request_id="req-a"))
    assert sdk.last_request_id() == "req-a"
    lower = _response(200, "{}", request_id=None)
    lower.headers = {"x-request-id": "req-lower"}  # a plain dict: only the lower-case spelling answers
    sdk._remember_response(response=lower)
    assert sdk.last_request_id() == "req-lower"
    sdk._remember_response(response=_response(200, "{}", request_id=None))
    assert sdk.last_request_id() is None
    sdk._remember_response(request=object())  # a hook call without a response changes nothing
    assert sdk.last_request_id() is None


def test_the_header_spelled_as_documented_is_read_first() -> None:
    response = _response(200, "{}", request_id=None)
    response.headers = {"X-Request-Id": "req-upper", "x-request-id": "req-lower"}

    sdk._remember_response(response=response)

    assert sdk.last_request_id() == "req-upper"


# -- per-request timeouts: DeadlineAdapter ------------------------------------------------------------------------

@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the plain adapter would have sent (nothing leaves the process)."""
    calls: list[dict[str, Any]] = []

    def send(self: HTTPAdapter, request: Any, **kwargs: Any) -> Any:
        calls.append({"request": request, **kwargs})
        return OK

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return calls


class _Sending:
    """A client whose one request goes through a DeadlineAdapter, from inside :func:`sdk.invoke`."""

    def __init__(self, adapter: HTTPAdapter, request: Any, **kwargs: Any) -> None:
        self.adapter, self.request, self.kwargs = adapter, request, kwargs

    def do_http_request(self, **_: Any) -> Any:
        return self.adapter.send(self.request, **self.kwargs)


def test_a_request_inside_a_call_has_the_calls_timeouts_cut_to_the_deadline(sent: list[dict[str, Any]]) -> None:
    adapter = sdk.DeadlineAdapter(max_retries=0)
    request = object()
    policy = CallPolicy(max_attempts=1, connect_s=2.0, read_s=7.0)

    run(_Sending(adapter, request, timeout=(60, 120), verify="/ca.pem", cert=("c", "k"), proxies={"https": "p"},
                 stream=True), policy, frozen(3.0))
    run(_Sending(adapter, request, timeout=(60, 120)), policy, frozen(60.0))

    assert sent[0] == {"request": request, "timeout": (2.0, 3.0), "verify": "/ca.pem", "cert": ("c", "k"),
                       "proxies": {"https": "p"}, "stream": True}
    assert sent[1]["timeout"] == (2.0, 7.0)


def test_a_reports_request_may_use_the_time_kept_back_for_it(sent: list[dict[str, Any]]) -> None:
    adapter = sdk.DeadlineAdapter(max_retries=0)
    deadline = frozen(12.0, reserve=3.0)  # 9 s usable by a check, 12 s by the report

    run(_Sending(adapter, object()), CallPolicy(max_attempts=1, connect_s=5.0, read_s=20.0), deadline)
    run(_Sending(adapter, object()), CallPolicy(max_attempts=1, connect_s=5.0, read_s=20.0, for_report=True), deadline)

    check, report = (call["timeout"] for call in sent)
    assert check == (5.0, 9.0)
    assert report[0] == 5.0 and 9.0 < report[1] <= 12.0


def test_a_request_outside_a_call_keeps_the_timeouts_it_was_given(sent: list[dict[str, Any]]) -> None:
    adapter = sdk.DeadlineAdapter(max_retries=0)
    run(Answers(OK))  # a call came and went in this thread

    adapter.send("req", timeout=(4, 9), verify=False)

    assert sent[-1]["timeout"] == (4, 9) and sent[-1]["verify"] is False


def test_the_adapter_keeps_requests_defaults(sent: list[dict[str, Any]]) -> None:
    # A drop-in for requests' HTTPAdapter: what a caller leaves out is what requests would have used.
    sdk.DeadlineAdapter(max_retries=0).send("req")

    assert SEND_DEFAULTS and {name: sent[-1][name] for name in SEND_DEFAULTS} == SEND_DEFAULTS
    assert sent[-1]["stream"] is False
    assert sent[-1]["verify"] is True  # certificates are checked unless told otherwise


def test_threads_sharing_a_real_client_each_send_with_their_own_timeouts_and_hear_their_own_request_id(
        quiet_env: pytest.MonkeyPatch) -> None:
    # The SDK, as it comes, signs each request on its client's thread pool; what DeadlineAdapter and the request-ID
    # capture rely on is that the request is sent and its answer heard in the calling thread (DeadlineAdapter's
    # docstring names the SDK's code). Two threads share one client, both requests in flight at once.
    client = _client()
    both_sending = threading.Barrier(2, timeout=30)
    sent: dict[str, Any] = {}

    def send(self: HTTPAdapter, request: Any, **kwargs: Any) -> requests.Response:
        name = threading.current_thread().name
        sent[name] = kwargs.get("timeout")
        both_sending.wait()  # a timing kept anywhere but in the sending thread would now hold only one of the two
        return _response(200, "{}", request_id=f"req-{name}")

    quiet_env.setattr(HTTPAdapter, "send", send)
    policy = CallPolicy(max_attempts=1, connect_s=2.0, read_s=7.0)
    # "short" has 3 s left, less than the policy's read timeout: cut to 3 s; "long" has the policy's own.
    calls = {"short": (frozen(3.0), (2.0, 3.0)), "long": (frozen(60.0), (2.0, 7.0))}
    heard: dict[str, str | None] = {}
    errors: list[BaseException] = []

    def call(name: str) -> None:
        try:
            sdk.invoke(client.show_cluster_invoker(ShowClusterRequest(cluster_id="c")), "show_cluster",
                       calls[name][0], policy)
            heard[name] = sdk.last_request_id()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(name,), name=name) for name in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sent == {name: timeouts for name, (_, timeouts) in calls.items()}
    assert heard == {name: f"req-{name}" for name in calls}


# -- the clients: built once, configured for a function ---------------------------------------------------------

def _client(kind: str = "cce", endpoint: str = ENDPOINT, creds: Credentials = CREDS, project: str = PROJECT,
            **kwargs: Any) -> Any:
    return sdk.client_for(kind, CceClient, CceExceptionHandler(), endpoint, creds, project, **kwargs)


def test_a_client_is_reused_while_nothing_changes(quiet_env: Any) -> None:
    client = _client()

    assert _client() is client
    assert _client() is client


@pytest.mark.parametrize("change", [
    {"creds": Credentials("AKROTATED00000000002", CREDS.secret_key, CREDS.security_token, PROJECT)},
    {"creds": Credentials(CREDS.access_key, "sk-rotated", CREDS.security_token, PROJECT)},
    {"creds": Credentials(CREDS.access_key, CREDS.secret_key, "token-rotated", PROJECT)},
    {"project": "fedcba9876543210fedcba9876543210"},
    {"pool_size": 3},
    {"endpoint": "https://cce.other.invalid"},
    {"kind": "smn"},
], ids=["ak", "sk", "token", "project", "pool", "endpoint", "kind"])
def test_a_changed_key_project_pool_endpoint_or_kind_gets_another_client(quiet_env: Any,
                                                                         change: dict[str, Any]) -> None:
    first = _client()

    other = _client(**change)

    assert other is not first
    assert _client(**change) is other


def test_the_client_for_rotated_keys_replaces_the_old_one_without_closing_it(quiet_env: Any,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[Any] = []
    old = _client()
    monkeypatch.setattr(type(old), "close", lambda self: closed.append(self))
    rotated = Credentials("AKROTATED00000000002", "sk-rotated", "token-rotated", PROJECT)

    new = _client(creds=rotated)

    assert new is not old and closed == []
    assert _client(creds=rotated) is new


def test_the_cache_is_bounded_and_drops_the_least_recently_used(quiet_env: Any) -> None:
    kept = _client()
    made = []
    for port in range(1, 3 * sdk.MAX_CACHED_CLIENTS):
        made.append(_client(endpoint=f"https://127.0.0.1:{port}"))
        assert _client() is kept  # used by every invocation: never the least recently used
        assert len(sdk._cache) <= sdk.MAX_CACHED_CLIENTS

    assert _client(endpoint=f"https://127.0.0.1:{3 * sdk.MAX_CACHED_CLIENTS - 1}") is made[-1]
    assert _client(endpoint="https://127.0.0.1:1") is not made[0]  # long unused: dropped, made again


def test_forgetting_the_clients_closes_them_and_builds_new_ones(quiet_env: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[Any] = []
    first = _client()
    monkeypatch.setattr(type(first), "close", lambda self: closed.append(self))

    sdk.forget_clients()

    assert closed == [first]
    assert _client() is not first


def test_a_clients_configuration_fits_a_function(quiet_env: Any) -> None:
    config = _client(pool_size=6).get_http_client().config

    assert config.user_agent  # platform facts: without one the SDK reads or writes ~/.huaweicloud
    connect_s, read_s = config.timeout
    assert 0 < connect_s < 60 and 0 < read_s < 120  # docs/operations.md: the SDK's 60/120 s are never in force
    assert config.retry_times == 0  # retrying is the function's (docs/operations.md: through SyncInvoker.with_retry)
    assert config.pool_maxsize == 6
    assert config.ssl_ca_cert is None  # none named: the SDK verifies with its default bundle


def test_building_a_client_never_uses_the_sdks_default_user_agent(quiet_env: pytest.MonkeyPatch) -> None:
    # The SDK's default user agent is made by huaweicloudsdkcore.http.user_agent, which reads or writes
    # ~/.huaweicloud/application_id (platform facts): a client of the function must never need it.
    default = types.ModuleType("huaweicloudsdkcore.http.user_agent")
    default.user_agent_string = "the SDK's default, from ~/.huaweicloud"  # type: ignore[attr-defined]
    quiet_env.setitem(sys.modules, "huaweicloudsdkcore.http.user_agent", default)

    config = _client().get_http_client().config

    assert config.user_agent and config.user_agent != default.user_agent_string


def test_a_client_without_a_pool_size_gets_a_pool_of_several_connections(quiet_env: Any) -> None:
    config = _client().get_http_client().config

    assert config.pool_maxsize > 1 and config.pool_connections >= 1


@pytest.mark.parametrize("name", CA_VARIABLES)
def test_a_ca_bundle_named_in_the_environment_is_used(quiet_env: pytest.MonkeyPatch, name: str) -> None:
    quiet_env.setenv(name, "/etc/ssl/private-ca.pem")

    assert _client().get_http_client().config.ssl_ca_cert == "/etc/ssl/private-ca.pem"


def test_requests_own_ca_variable_wins_over_curls(quiet_env: pytest.MonkeyPatch) -> None:
    quiet_env.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/requests.pem")
    quiet_env.setenv("CURL_CA_BUNDLE", "/etc/ssl/curl.pem")

    assert _client().get_http_client().config.ssl_ca_cert == "/etc/ssl/requests.pem"


def test_an_empty_ca_variable_names_no_bundle(quiet_env: pytest.MonkeyPatch) -> None:
    quiet_env.setenv("REQUESTS_CA_BUNDLE", "")
    quiet_env.setenv("CURL_CA_BUNDLE", "/etc/ssl/curl.pem")

    assert _client().get_http_client().config.ssl_ca_cert == "/etc/ssl/curl.pem"


def test_a_client_signs_with_the_given_keys_project_and_token(quiet_env: Any) -> None:
    signing = _client().get_credentials()

    assert (signing.ak, signing.sk, signing.project_id, signing.security_token) == (
        CREDS.access_key, CREDS.secret_key, PROJECT, CREDS.security_token)


def test_a_client_without_a_security_token_sends_none(quiet_env: Any) -> None:
    permanent = Credentials(CREDS.access_key, CREDS.secret_key, None, PROJECT)

    signing = _client(creds=permanent).get_credentials()

    assert (signing.ak, signing.sk, signing.project_id) == (CREDS.access_key, CREDS.secret_key, PROJECT)
    assert not signing.security_token


def test_a_client_is_the_guarded_class_for_the_given_endpoint(quiet_env: Any) -> None:
    client = sdk.client_for("smn", SmnClient, None, "https://smn.example.invalid", CREDS, PROJECT)

    assert isinstance(client, SmnClient) and isinstance(client, sdk._TimeoutsAsSdkErrors)
    assert client.get_http_client()._http_handler is not None
    assert "https://smn.example.invalid" in client._endpoints


def test_a_client_tolerates_html_error_bodies_and_remembers_request_ids(quiet_env: Any) -> None:
    # The SDK's own response hook: the http handler sees the answer, then the exception handler judges it.
    http = _client().get_http_client()

    with pytest.raises(ServerResponseException) as raised:
        http.response_error_hook_factory()(_response(502, HTML_502, request_id="req-gw"))

    assert raised.value.status_code == 502
    assert sdk.last_request_id() == "req-gw"


def test_a_clients_session_has_plain_adapters_without_hidden_retries(quiet_env: Any) -> None:
    http = _client(pool_size=4).get_http_client()
    session = http._session

    for scheme in ("https://", "http://"):
        adapter = session.get_adapter(scheme + "cce.example.invalid/x")
        assert isinstance(adapter, sdk.DeadlineAdapter)
        assert adapter.max_retries.total == 0 and not adapter.max_retries.status_forcelist
        assert adapter._pool_maxsize == 4
        assert adapter._pool_connections == http.config.pool_connections


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "https_proxy", "NO_PROXY", "ALL_PROXY", "NETRC"])
def test_a_proxy_setting_in_the_environment_is_honoured(quiet_env: pytest.MonkeyPatch, name: str) -> None:
    quiet_env.setenv(name, "http://proxy.example.invalid:3128")

    assert _client().get_http_client()._session.trust_env is True


def test_a_client_without_a_session_is_left_as_the_sdk_made_it() -> None:
    config = types.SimpleNamespace(pool_connections=2, pool_maxsize=4)
    client = types.SimpleNamespace(get_http_client=lambda: types.SimpleNamespace())

    sdk._without_hidden_retries(client, config)  # an SDK whose layout changed: no error
