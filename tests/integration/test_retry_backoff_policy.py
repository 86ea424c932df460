"""The pause between attempts of one API call is a value the caller passes (issue 12: "Policies (waits, retries,
reminders) are values passed in, not constants patched"): the invocation's ``WaitPolicy.backoff`` reaches every
CCE and SMN call, and a call's ``CallPolicy.backoff`` is the one the SDK's retry loop sleeps.

The SDK's real clients are built (a project ID is given, so building calls nothing); only their transport,
``do_http_request``, is replaced: it fails once with a 503 (transient, docs/operations.md, "Faults and retries"),
then answers.
"""

from __future__ import annotations

import types
from typing import Any

import pytest
from huaweicloudsdkcce.v3 import CceClient
from huaweicloudsdkcore.exceptions.exceptions import SdkError, ServerResponseException
from huaweicloudsdkcore.invoker import invoker as sdk_invoker
from huaweicloudsdksmn.v2 import SmnClient

from postcheck import sdk
from postcheck.config import Credentials, load_settings
from postcheck.deadline import Deadline
from postcheck.notification import Message
from postcheck.policy import Backoff, WaitPolicy
from postcheck.runtime import Runtime

PROJECT = "0123456789abcdef0123456789abcdef"
TOPIC = f"urn:smn:cn-north-4:{PROJECT}:cce-upgrades"
NOTE = Message("CCE post-check Success: prod-1", {"default": "all good"}, ())


def highest(low: float, high: float) -> float:
    return high


# base 0.2 s, capped at 0.3 s, always the top of the range: pauses of 0.2 s, then 0.3 s.
PAUSES = Backoff(base_s=0.2, cap_s=0.3, draw=highest)


class Context:
    def getUserData(self, name: str) -> str | None:
        return {"SMN_TOPIC_URN": TOPIC, "REGION": "cn-north-4", "CCE_ENDPOINT": "https://cce.example.invalid",
                "SMN_ENDPOINT": "https://smn.example.invalid"}.get(name)


@pytest.fixture(autouse=True)
def slept(monkeypatch: pytest.MonkeyPatch) -> Any:
    sleeps: list[float] = []
    monkeypatch.setattr(sdk_invoker, "time", types.SimpleNamespace(sleep=sleeps.append))
    sdk.forget_clients()
    yield sleeps
    sdk.forget_clients()


def failing_twice_then(answer: Any) -> Any:
    attempts = [0]

    def do_http_request(self: Any, **_: Any) -> Any:
        attempts[0] += 1
        if attempts[0] <= 2:
            raise ServerResponseException(503, SdkError("req-503", "CCE.01500001", "Service Unavailable"))
        return answer

    return do_http_request


def runtime(policy: WaitPolicy) -> Runtime:
    credentials = Credentials("AKUNITTEST0000000001", "sk-unit-test-secret", "token-unit-test", PROJECT)
    return Runtime(load_settings(Context()), credentials, Deadline(600.0),
                   ("https://cce.example.invalid", "https://smn.example.invalid"), policy=policy)


def test_the_invocations_backoff_is_the_pause_between_attempts_of_a_cce_call(slept: list[float],
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CceClient, "do_http_request", failing_twice_then(types.SimpleNamespace(items=[])))

    assert runtime(WaitPolicy(backoff=PAUSES)).cce.clusters() == []

    assert slept == [0.2, 0.3]


def test_the_invocations_backoff_is_the_pause_between_attempts_of_a_publish(slept: list[float],
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SmnClient, "do_http_request",
                        failing_twice_then(types.SimpleNamespace(message_id="msg-1", request_id="req-1")))

    assert runtime(WaitPolicy(backoff=PAUSES)).smn.publish(NOTE).message_id == "msg-1"

    assert slept == [0.2, 0.3]


def test_without_a_backoff_of_its_own_an_invocation_pauses_as_documented(slept: list[float],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # docs/operations.md, "Faults and retries": 0.5 s doubling to 8 s, each delay drawn between half of that and all
    # of it.
    monkeypatch.setattr(CceClient, "do_http_request", failing_twice_then(types.SimpleNamespace(items=[])))

    runtime(WaitPolicy()).cce.clusters()

    first, second = slept
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0
