"""postcheck.smn without a network: what a publish hands the SDK, which client (project) it uses, and how it retries.

The SDK's real ``SmnClient`` is built (a project ID is given, so nothing is called); only its transport,
``do_http_request``, is replaced by a recorder that answers as SMN would.

Contract:
- SMN PublishMessage (https://support.huaweicloud.com/api-smn/PublishMessage.html, platform facts "SMN:
  PublishMessage"): ``POST /v2/{project_id}/notifications/topics/{topic_urn}/publish`` with ``subject``,
  ``message_structure`` (a JSON string) and ``message_attributes`` (``{"name", "type": "STRING", "value"}``);
  the answer has ``message_id`` and ``request_id``;
- docs/operations.md: a routed topic is published in its own project (the project in its URN); the result's
  ``notification`` is ``{"message_id", "request_id"}``; a publish is retried like any call (5xx, throttling, no answer,
  a 200 that is not the documented shape), other 4xx are final, and the report may use the time kept back for it.
"""

from __future__ import annotations

import json
import types
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkError, ServerResponseException
from huaweicloudsdkcore.invoker import invoker as sdk_invoker
from requests.adapters import HTTPAdapter

from postcheck import sdk
from postcheck.config import Credentials
from postcheck.deadline import Deadline
from postcheck.notification import Message
from postcheck.result import Receipt as Sent
from postcheck.sdk import ApiError
from postcheck.smn import Smn, SmnClient

ENDPOINT = "https://smn.example.invalid"  # never contacted
HOME = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"
TOPIC = f"urn:smn:ap-southeast-1:{HOME}:cce-upgrades"
SIBLING = f"urn:smn:ap-southeast-1:{HOME}:cce-upgrades-prod"
ROUTED = f"urn:smn:ap-southeast-1:{OTHER}:team-b"
CREDS = Credentials("AKUNITTEST0000000001", "sk-unit-test-secret", "token-unit-test", HOME)
NOTE = Message("CCE post-check Success: prod-1", {"default": "all good", "sms": "ok"},
                    (("cluster", "prod_1"), ("outcome", "checked")))


def frozen(seconds: float, reserve: float = 0.0) -> Deadline:
    return Deadline(seconds, reserve=reserve, clock=lambda: 0.0)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(sdk_invoker, "time", types.SimpleNamespace(sleep=lambda seconds: None))
    sdk.forget_clients()
    yield
    sdk.forget_clients()


class Recorder:
    def __init__(self, *answers: Any, request_id_header: str | None = None) -> None:
        self.answers = list(answers) or [types.SimpleNamespace(message_id="msg-1", request_id="req-1")]
        self.header = request_id_header
        self.calls: list[tuple[Any, dict[str, Any]]] = []

    def __call__(self, client: Any, **http_info: Any) -> Any:
        self.calls.append((client, http_info))
        if self.header:
            heard = requests.Response()
            heard.status_code = 200
            heard.headers["X-Request-Id"] = self.header
            sdk._remember_response(response=heard)
        answer = self.answers[min(len(self.calls), len(self.answers)) - 1]
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def bodies(self) -> list[dict[str, Any]]:
        return [info["body"].to_dict() for _, info in self.calls]

    def topics(self) -> list[str]:
        return [info["path_params"]["topic_urn"] for _, info in self.calls]


@pytest.fixture
def smn(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))
    return recorder


def connect(deadline: Deadline | None = None, pool_size: int = 10) -> Smn:
    return Smn.connect(ENDPOINT, CREDS, TOPIC, HOME, deadline or frozen(60.0), pool_size)


def test_a_publish_sends_the_subject_the_message_structure_and_the_attributes(smn: Recorder) -> None:
    sent = connect().publish(NOTE)

    assert sent == Sent(message_id="msg-1", request_id="req-1")
    [body] = smn.bodies()
    assert body["subject"] == NOTE.subject
    assert json.loads(body["message_structure"]) == NOTE.bodies
    assert body["message_attributes"] == [{"name": "cluster", "type": "STRING", "value": "prod_1"},
                                          {"name": "outcome", "type": "STRING", "value": "checked"}]
    [(_, info)] = smn.calls
    assert info["method"] == "POST"
    assert info["resource_path"] == "/v2/{project_id}/notifications/topics/{topic_urn}/publish"
    assert smn.topics() == [TOPIC]


def test_a_notification_without_attributes_sends_none(smn: Recorder) -> None:
    connect().publish(Message("subject", {"default": "text"}))

    [body] = smn.bodies()
    assert not body.get("message_attributes")
    assert body["message_attributes"] is None  # left out of the request, not an empty list


def test_the_request_id_is_smns_answer_or_else_the_answers_header(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(types.SimpleNamespace(message_id="msg-2", request_id=None), request_id_header="req-header")
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))

    assert connect().publish(NOTE) == Sent(message_id="msg-2", request_id="req-header")


def test_the_answers_own_request_id_wins_over_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = types.SimpleNamespace(message_id="msg-3", request_id="req-body")
    recorder = Recorder(answer, request_id_header="req-header")
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))

    assert connect().publish(NOTE).request_id == "req-body"


def test_an_answer_without_a_request_id_field_takes_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(types.SimpleNamespace(message_id="msg-4"), request_id_header="req-only-header")
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))

    assert connect().publish(NOTE) == Sent(message_id="msg-4", request_id="req-only-header")


# -- which topic, which project, which client --------------------------------------------------------------------

def test_a_routed_topic_in_another_project_is_published_with_that_projects_client(smn: Recorder) -> None:
    publisher = connect()

    publisher.publish(NOTE, ROUTED)
    publisher.publish(NOTE)

    assert smn.topics() == [ROUTED, TOPIC]
    (routed_client, _), (home_client, _) = smn.calls
    assert routed_client.get_credentials().project_id == OTHER
    assert home_client.get_credentials().project_id == HOME


def test_a_topic_of_the_default_project_uses_the_default_client(smn: Recorder) -> None:
    publisher = connect()

    publisher.publish(NOTE, SIBLING)
    publisher.publish(NOTE, TOPIC)

    assert smn.topics() == [SIBLING, TOPIC]
    assert smn.calls[0][0] is smn.calls[1][0]
    assert smn.calls[0][0].get_credentials().project_id == HOME


def test_each_project_keeps_its_own_cached_client(smn: Recorder) -> None:
    # postcheck/sdk.py: clients are built once per credentials and endpoint and reused by warm invocations.
    for _ in range(3):
        publisher = connect()
        publisher.publish(NOTE, ROUTED)
        publisher.publish(NOTE)

    routed = {id(client) for client, info in smn.calls if info["path_params"]["topic_urn"] == ROUTED}
    home = {id(client) for client, info in smn.calls if info["path_params"]["topic_urn"] == TOPIC}
    assert len(routed) == 1 and len(home) == 1 and routed != home


def test_a_publisher_made_for_one_client_reaches_other_topics_of_its_project_only(smn: Recorder) -> None:
    client = sdk.client_for("smn", SmnClient, None, ENDPOINT, CREDS, HOME)
    publisher = Smn(client, frozen(60.0), TOPIC)

    assert publisher.publish(NOTE, SIBLING).message_id == "msg-1"
    with pytest.raises(ValueError, match="project"):
        publisher.publish(NOTE, ROUTED)
    assert smn.topics() == [SIBLING]


def test_the_clients_pool_is_the_size_asked_for(smn: Recorder) -> None:
    connect(pool_size=3).publish(NOTE, ROUTED)
    connect(pool_size=3).publish(NOTE)

    assert [client.get_http_client().config.pool_maxsize for client, _ in smn.calls] == [3, 3]


# -- retries, failures and the report's time -------------------------------------------------------------------

def _unavailable() -> ServerResponseException:
    return ServerResponseException(503, SdkError("req-503", "SMN.00010001", "busy"))


def test_a_failed_publish_is_retried_and_its_answer_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(_unavailable(), types.SimpleNamespace(message_id="msg-after", request_id="req-after"))
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))

    assert connect().publish(NOTE) == Sent("msg-after", "req-after")
    assert len(recorder.calls) == 2


@pytest.mark.parametrize("answer", [types.SimpleNamespace(message_id=None, request_id="r"),
                                    types.SimpleNamespace(message_id="", request_id="r"),
                                    types.SimpleNamespace(request_id="r")], ids=["null", "empty", "missing"])
def test_an_answer_without_a_message_id_is_retried_then_reported_as_malformed(monkeypatch: pytest.MonkeyPatch,
                                                                                answer: Any) -> None:
    recorder = Recorder(answer)
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))

    with pytest.raises(ApiError) as raised:
        connect().publish(NOTE)

    assert (raised.value.operation, raised.value.code, raised.value.transient) == (
        "publish_message", "MalformedResponse", True)
    assert len(recorder.calls) > 1


def test_a_client_error_is_final_and_names_the_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(ClientRequestException(404, SdkError("req-404", "SMN.00010008", "topic not found")))
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))

    with pytest.raises(ApiError) as raised:
        connect().publish(NOTE)

    error = raised.value
    assert (error.code, error.message, error.status, error.request_id, error.operation) == (
        "SMN.00010008", "topic not found", 404, "req-404", "publish_message")
    assert len(recorder.calls) == 1


def test_a_report_is_retried_in_the_time_kept_back_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # 40 s budget with 8 s kept back for the report; 34 s gone: nothing usable by a check, 6 s for the report.
    clock = [0.0]
    deadline = Deadline(40.0, reserve=8.0, clock=lambda: clock[0])
    clock[0] = 34.0
    recorder = Recorder(_unavailable(), types.SimpleNamespace(message_id="msg-late", request_id="req-late"))
    monkeypatch.setattr(SmnClient, "do_http_request",
                        lambda self, **info: recorder(self, **info))

    assert connect(deadline).publish(NOTE).message_id == "msg-late"
    assert len(recorder.calls) == 2


def test_a_reports_attempts_take_their_timeouts_from_the_reserve(monkeypatch: pytest.MonkeyPatch) -> None:
    # The whole SDK path but the socket: requests' adapter answers as SMN would, and records each attempt's timeouts.
    clock = [0.0]
    deadline = Deadline(40.0, reserve=8.0, clock=lambda: clock[0])
    clock[0] = 34.0  # nothing usable by a check; 6 s for the report
    timeouts: list[Any] = []

    def send(self: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        timeouts.append(kwargs["timeout"])
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps({"message_id": "msg-wire", "request_id": "req-wire"}).encode()
        response.headers["Content-Type"] = "application/json"
        response.url, response.request = request.url, request
        return response

    monkeypatch.setattr(HTTPAdapter, "send", send)

    assert connect(deadline).publish(NOTE) == Sent("msg-wire", "req-wire")
    [(connect_s, read_s)] = timeouts
    assert 0.1 < connect_s <= read_s <= 6.0  # cut to the report's time, not to the spent check budget (0.1 s)
