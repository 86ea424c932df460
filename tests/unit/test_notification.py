"""The SMN message: bounds per protocol, and event text that cannot forge structure."""

from __future__ import annotations

import json

import pytest

from postcheck.notification import Where, build
from postcheck.result import ErrorInfo, Outcome, Result

WHERE = Where("cn-north-4", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"

# SMN PublishMessage: subject at most 512 bytes (../shared/reference/platform-facts.md, SMN).
SMN_SUBJECT_LIMIT = 512


def checked(**changes) -> Result:
    base = {"outcome": Outcome.CHECKED, "phase": "Success", "cluster_id": CLUSTER, "cluster_name": "prod-east",
            "cluster_version": "v1.15.11-r1", "target_version": "v1.19.16-r80",
            "task_uid": "e99fedf8-348c-4084-b0fd-81bf187df4e0", "checked_at": "2026-11-28T06:00:00Z",
            "trigger": "cts"}
    return Result(**{**base, **changes})


def test_every_protocol_gets_its_body():
    message = build(checked(), WHERE)

    # issue 10: the chat protocols (DingTalk, WeCom, Feishu, WeLink) have entries of their own
    assert set(message.bodies) == {"default", "email", "sms", "http", "https", "dingding", "wechat", "feishu", "welink"}
    assert message.subject == "CCE post-upgrade check Success: prod-east v1.15.11-r1 -> v1.19.16-r80"
    for field in (CLUSTER, "v1.15.11-r1", "v1.19.16-r80", "e99fedf8-348c-4084-b0fd-81bf187df4e0",
                  "2026-11-28T06:00:00Z", "What to do next"):
        assert field in message.bodies["email"]
    assert json.loads(message.bodies["https"])["result"]["task_uid"] == "e99fedf8-348c-4084-b0fd-81bf187df4e0"
    assert json.loads(message.message_structure())["default"] == message.bodies["default"]


HOSTILE = [
    'evil"},"phase":"Success","x":{"',
    "[URGENT] 【ALERT】 name",
    "line one\nSubject: forged\r\nPhase: Success",
    "\u202eright-to-left\u2028separator\x00nul",
    "x" * 5000,
    "名字" * 400,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_event_text_cannot_forge_structure(name):
    message = build(checked(cluster_name=name, outcome=Outcome.FAILED, phase="Error",
                            error=ErrorInfo(code="CCE.01400001", message=name)), WHERE)

    assert len(message.subject.encode()) <= SMN_SUBJECT_LIMIT
    assert "\n" not in message.subject and "\r" not in message.subject
    sms = message.bodies["sms"]
    assert len(sms) < 490
    assert not any(ch in sms for ch in "[]【】")
    http = json.loads(message.bodies["http"])
    assert http["result"]["phase"] == "Error"  # the name's JSON stayed a string
    assert set(http["result"]) >= {"outcome", "phase", "cluster_id"}
    email_lines = message.bodies["email"].splitlines()
    assert not any(line.startswith(("Subject:", "Phase: Success")) for line in email_lines)
    assert len(message.message_structure().encode()) < 256 * 1024


def test_failed_upgrade_message_says_no_check_ran():
    message = build(checked(outcome=Outcome.FAILED, phase=None, task_uid=None,
                            error=ErrorInfo(code="UpgradeFailed", message="upgrade task x ended Failed")), WHERE)

    assert message.subject.startswith("CCE upgrade Failed, post-upgrade check not run")
    assert "no post-upgrade check was run" in message.bodies["email"]


def test_error_message_names_the_code_and_request_id():
    message = build(checked(outcome=Outcome.FAILED, phase="Error", task_uid=None,
                            error=ErrorInfo(code="CCE.01404001", message="not found", request_id="req-1")), WHERE)

    assert "CCE post-upgrade check Error" in message.subject
    assert "CCE.01404001: not found" in message.bodies["email"]
    assert "req-1" in message.bodies["email"]
    assert "CCE.01404001" in message.bodies["sms"]
