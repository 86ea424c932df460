"""The notification's chat entries and started message agree with its e-mail (docs/operations.md, "What owners see" and
"Chat apps"): the same heading for what to do, the same name for a cluster without name or ID, the health summary's
verdict. Pure; every message is built inside its test."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from postcheck.notification import Where, build, build_started
from postcheck.result import Outcome, Result

WHERE = Where("cn-north-4", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"
CHAT = ("dingding", "wechat", "feishu", "welink")


def result(**changes: Any) -> Result:
    base: dict[str, Any] = {"outcome": Outcome.CHECKED, "phase": "Success", "cluster_id": CLUSTER,
                            "cluster_name": "prod-east", "cluster_version": "v1.27.1-r0",
                            "target_version": "v1.28.3-r0", "checked_at": "2026-11-28T06:00:00Z", "trigger": "cts"}
    return Result(**{**base, **changes})


def chat_text(message, protocol: str) -> str:
    entry = json.loads(message.bodies[protocol])
    body = entry[entry["msgType"]]
    return body.get("text") or body["content"]


def email_heading(message) -> str:
    return next(line for line in message.bodies["email"].splitlines()
                if line.startswith("What ") and line.endswith(":"))


@pytest.mark.parametrize("kind", ["checked", "started"])
@pytest.mark.parametrize("protocol", CHAT)
def test_each_chat_app_heads_what_to_do_exactly_as_the_email(kind, protocol):
    message = build(result(), WHERE) if kind == "checked" else \
        build_started(result(outcome=Outcome.PENDING, phase=None), WHERE)

    heading = email_heading(message)  # "What to do next:" / "What comes next:"

    assert re.search(rf"(^|\*\*){re.escape(heading)}(\*\*)? ", chat_text(message, protocol), re.M)


def test_a_started_message_names_a_cluster_without_name_or_id_as_the_other_messages_do():
    anonymous = {"cluster_name": None, "cluster_id": None}
    checked = build(result(**anonymous), WHERE).subject
    started = build_started(result(outcome=Outcome.PENDING, phase=None, **anonymous), WHERE).subject

    assert checked.split(": ", 1)[1] == started.split(": ", 1)[1] == "unknown cluster v1.27.1-r0 -> v1.28.3-r0"


@pytest.mark.parametrize("protocol", CHAT)
def test_a_healthy_cluster_is_called_healthy_on_every_chat_app(protocol):
    health = {"gate": "report", "healthy": True, "cluster_phase": "Available", "nodes": {"total": 3, "active": 3},
              "node_pools": {"total": 1, "error": 0}, "addons": {"total": 2, "running": 2}, "findings": [],
              "findings_omitted": 0}

    text = chat_text(build(result(health=health), WHERE), protocol)

    assert re.search(r"\bhealthy\b", text) and "problem" not in text
