"""Faults at each call of a post-check, injected by the stand-in: what is retried, what is final, what is reported
and published, and that the report still goes out within the invocation's time budget.

The whole matrix (every fault at every operation, once and persistent) is ``python -m scripts.fault_matrix``; these are
its key behaviours, fast (no slow fault longer than 2.5 s).
"""

from __future__ import annotations

import time

import pytest

from postcheck.errors import NotificationFailed
from postcheck.policy import Backoff, WaitPolicy
from scripts.local_context import LocalContext
from tests.support import CLUSTER, event, operations

# The API's own request body: show_cluster, postcheck, publish.
BODY = "postcheck_task_body"
TRANSIENT = [
    pytest.param({"kind": "error_json", "status": 500}, id="500"),
    pytest.param({"kind": "error_json", "status": 503}, id="503"),
    pytest.param({"kind": "throttle"}, id="429-APIG.0308"),
    pytest.param({"kind": "reset"}, id="reset"),
    pytest.param({"kind": "html_502"}, id="html-502"),
    pytest.param({"kind": "wrong_shape_200"}, id="wrong-shape-200"),
]
CCE_CALLS = ["show_cluster", "postcheck"]


# Retries back off for milliseconds instead of seconds: the same attempts and outcomes, faster tests.
# (test_sdk_gaps.py and scripts/fault_matrix.py run with the real backoff.) The waits are the handler's defaults.
QUICK_BACKOFF = WaitPolicy(backoff=Backoff(base_s=0.01, cap_s=0.04))


@pytest.fixture
def invoke(invoke):
    """conftest's ``invoke``, with the quick backoff unless a test passes a policy of its own."""

    def run(evt, ctx=None, policy=None):
        return invoke(evt, ctx, policy or QUICK_BACKOFF)

    return run


# docs/operations.md promises that transient failures are retried within the invocation's deadline and that other 4xx
# are final; how many times is the code's choice, not a documented number. What bounds it from outside: the
# SDK's SyncInvoker.with_retry accepts at most 10 retries (huaweicloudsdkcore/invoker/invoker.py,
# "max retries is not in range [1, 10]").
SDK_MAX_ATTEMPTS = 1 + 10


def _retried_persistently(attempts: int) -> None:
    """A failure that persists was retried (more than one attempt), and gave up (a bounded number)."""
    assert 1 < attempts <= SDK_MAX_ATTEMPTS, attempts


def _short(standin, context, seconds: float) -> LocalContext:
    cred = standin.credentials
    return LocalContext(cred.ak, cred.sk, cred.security_token, standin.project_id, context._user_data, seconds)


def _secrets(standin) -> list[str]:
    cred = standin.credentials
    return [cred.ak, cred.sk, cred.security_token]


@pytest.mark.parametrize("operation", CCE_CALLS)
@pytest.mark.parametrize("fault", TRANSIENT)
def test_a_transient_cce_failure_is_retried_and_the_check_succeeds(standin, invoke, fault, operation):
    standin.add_fault({**fault, "operation": operation, "times": 1})

    result = invoke(event(BODY))

    assert (result["outcome"], result["phase"], result["error"]) == ("checked", "Success", None)
    assert operations(standin).count(operation) == 2  # the failed attempt and the retry
    assert len(standin.postchecks) == 1
    assert result["task_uid"] == standin.postchecks[0]["uid"]
    assert result["notification"]["message_id"] == standin.published[0]["message_id"]


@pytest.mark.parametrize("operation", CCE_CALLS)
@pytest.mark.parametrize("status", [500, 503])
def test_a_persistent_5xx_ends_failed_with_the_code_and_is_notified(standin, invoke, operation, status):
    standin.add_fault({"kind": "error_json", "status": status, "operation": operation, "times": -1})

    result = invoke(event(BODY))

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    error = result["error"]
    assert (error["code"], error["status"]) == ("CCE.01500001", status)
    assert error["operation"] == {"show_cluster": "show_cluster", "postcheck": "create_post_check"}[operation]
    assert error["request_id"]
    _retried_persistently(operations(standin).count(operation))
    assert standin.postchecks == []
    [published] = standin.published
    assert "check Error" in published["subject"]
    assert "CCE.01500001" in published["message_structure"]["sms"]
    assert error["request_id"] in published["message_structure"]["email"]
    assert result["notification"]["message_id"] == published["message_id"]


def test_persistent_throttling_of_the_post_check_reports_the_gateway_code(standin, invoke):
    standin.add_fault({"kind": "throttle", "operation": "postcheck", "times": -1})

    result = invoke(event(BODY))

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert (result["error"]["code"], result["error"]["status"]) == ("APIG.0308", 429)
    assert result["error"]["request_id"]
    _retried_persistently(operations(standin).count("postcheck"))
    assert "APIG.0308" in standin.published[0]["message_structure"]["sms"]


@pytest.mark.parametrize("operation", CCE_CALLS)
def test_a_client_error_is_final_not_retried(standin, invoke, operation):
    standin.add_fault({"kind": "error_json", "status": 400, "operation": operation, "times": -1})

    result = invoke(event(BODY))

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert result["error"]["status"] == 400
    assert operations(standin).count(operation) == 1
    assert standin.postchecks == []
    assert len(standin.published) == 1


@pytest.mark.parametrize("fault", [
    pytest.param({"kind": "error_json", "status": 500}, id="500"),
    pytest.param({"kind": "throttle"}, id="429-APIG.0308"),
    pytest.param({"kind": "reset"}, id="reset"),
    pytest.param({"kind": "malformed_200"}, id="malformed-200"),
])
def test_a_publish_that_fails_once_is_retried_and_succeeds(standin, invoke, fault):
    standin.add_fault({**fault, "operation": "publish", "times": 1})

    result = invoke(event(BODY))

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    assert operations(standin).count("publish") == 2
    [published] = standin.published
    assert result["notification"]["message_id"] == published["message_id"]
    assert len(standin.postchecks) == 1


@pytest.mark.parametrize(("fault", "retried"), [
    pytest.param({"kind": "error_json", "status": 500}, True, id="500-retried"),
    pytest.param({"kind": "error_json", "status": 400}, False, id="400-not-retried"),
])
def test_a_publish_that_keeps_failing_fails_the_invocation_without_secrets(standin, invoke, fault, retried):
    standin.add_fault({**fault, "operation": "publish", "times": -1})

    with pytest.raises(NotificationFailed) as raised:
        invoke(event(BODY))

    message = str(raised.value)
    assert CLUSTER in message and "SMN.00010001" in message
    assert "Traceback" not in message
    for secret in _secrets(standin):
        assert secret not in message and secret not in repr(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # raised "from None"
    if retried:
        _retried_persistently(operations(standin).count("publish"))
    else:
        assert operations(standin).count("publish") == 1  # docs/operations.md: "Other 4xx are final"
    assert standin.published == []
    assert len(standin.postchecks) == 1  # the check ran; only its report is missing


def test_the_redelivered_event_publishes_the_stored_result_without_checking_again(standin, invoke):
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(NotificationFailed):
        invoke(event(BODY))
    [check] = standin.postchecks
    standin.reset()  # SMN recovers

    result = invoke(event(BODY))  # the platform delivers the event again

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    assert result["task_uid"] == check["uid"]
    assert operations(standin) == ["publish"]
    assert len(standin.published) == 1


@pytest.mark.parametrize("operation", CCE_CALLS)
def test_a_redelivered_failure_is_retried_for_real_once_cce_recovered(standin, invoke, operation):
    # A manual request whose first run failed (CCE answered 403, so no post-check ran) and whose failure could not
    # be published: its redelivery, within the platform's retry period and after CCE recovered, must run the check
    # and publish the new result, not republish the old failure.
    standin.add_fault({"kind": "error_json", "status": 403, "operation": operation, "times": -1})
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(NotificationFailed):
        invoke(event("manual"))
    assert standin.postchecks == [] and standin.published == []
    standin.reset()  # CCE and SMN recover

    result = invoke(event("manual"))  # the platform delivers the event again

    assert (result["outcome"], result["phase"], result["error"]) == ("checked", "Success", None)
    [check] = standin.postchecks
    assert result["task_uid"] == check["uid"]
    [published] = standin.published
    assert result["notification"]["message_id"] == published["message_id"]
    assert "Error" not in published["subject"]


def test_a_post_check_slower_than_the_budget_ends_failed_and_is_still_reported_in_time(standin, invoke, context):
    # Budget 3 s: 0.75 s is kept for the report, so the post-check may take ~2.2 s; its answer comes after 2.5 s.
    budget_s = 3.0
    short = _short(standin, context, budget_s)
    standin.add_fault({"kind": "slow", "delay_s": 2.5, "operation": "postcheck", "times": -1})
    started = time.monotonic()

    result = invoke(event(BODY), short)

    elapsed = time.monotonic() - started
    assert elapsed < budget_s  # a correctness bound: the platform would have killed the invocation
    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert (result["error"]["code"], result["error"]["operation"]) == ("Timeout", "create_post_check")
    assert operations(standin).count("postcheck") == 1  # no time left for another attempt
    [published] = standin.published
    assert "Timeout" in published["message_structure"]["sms"]
    assert result["notification"]["message_id"] == published["message_id"]


# -- gaps found by these tests, fixed: kept as regression tests ---------------------------------------------

def test_a_cce_read_slower_than_the_budget_is_reported_as_a_timeout(standin, invoke, context):
    short = _short(standin, context, 3.0)
    standin.add_fault({"kind": "slow", "delay_s": 2.5, "operation": "show_cluster", "times": -1})

    result = invoke(event(BODY), short)

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert result["error"]["code"] == "Timeout"


def test_persistent_throttling_of_a_cce_read_reports_the_gateway_code(standin, invoke):
    standin.add_fault({"kind": "throttle", "operation": "show_cluster", "times": -1})

    result = invoke(event(BODY))

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    _retried_persistently(operations(standin).count("show_cluster"))  # retried all the same
    assert result["error"]["code"] == "APIG.0308"
    assert result["error"]["request_id"]
