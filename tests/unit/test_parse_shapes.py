"""Which shape an event is read as, and the bound on a trace's response text, parsed alone (no stand-in).

Sources: README, "Events it accepts" (the API's own body, verbatim, ``{"apiVersion": "v3", "kind": "PostCheckTask",
"spec": {...}}``; a body that breaks its schema is rejected naming the field; a CTS trace on its own), CTS's trace
structure (``service_type`` and ``trace_name`` are both mandatory in a trace:
https://support.huaweicloud.com/intl/en-us/usermanual-cts/cts_03_0010.html) and docs/design.md, "How events are read and
bounded" (a trace's ``response`` as JSON text: a text over 64 KiB is refused).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from postcheck.intent import CheckIntent, Ignored, InvalidEvent
from postcheck.parse import parse_event
from tests.support import CLUSTER, UPGRADE_TASK, event

RESPONSE_CHARS = 64 * 1024


def rejection(evt: Any) -> str:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(evt)
    return str(raised.value)


@pytest.mark.parametrize("missing", ["apiVersion", "kind"])
def test_the_api_body_without_its_api_version_or_kind_is_rejected_naming_it(missing):
    body = {k: v for k, v in event("postcheck_task_body").items() if k != missing}

    assert rejection(body).startswith(f"{missing}: required")


@pytest.mark.parametrize("present", ["apiVersion", "kind"])
def test_the_api_body_is_known_by_its_api_version_or_its_kind_alone(present):
    message = rejection({present: event("postcheck_task_body")[present]})

    assert not message.startswith("event: unrecognised")
    assert "spec: required" in message


@pytest.mark.parametrize("field", ["service_type", "trace_name"])
def test_an_object_with_one_of_a_traces_two_mandatory_fields_is_no_trace(field):
    trace = event("cts_trace")
    evt = {field: trace[field], "resource_id": CLUSTER}

    assert rejection(evt).startswith("event: unrecognised event")


def test_a_trace_on_its_own_with_both_fields_is_a_trace():
    assert isinstance(parse_event({"service_type": "ECS", "trace_name": "createServer"}), Ignored)


def response_of(size: int) -> str:
    """JSON text naming the upgrade task, of exactly ``size`` characters (blanks after it are JSON's whitespace)."""
    text = json.dumps({"metadata": {"uid": UPGRADE_TASK}})
    return text + " " * (size - len(text))


def test_a_response_of_64_kib_is_read_and_one_character_more_refused():
    evt = copy.deepcopy(event("cts_cluster_upgrade"))
    evt["cts"]["response"] = response_of(RESPONSE_CHARS)

    intent = parse_event(evt)

    assert isinstance(intent, CheckIntent) and intent.upgrade_task_id == UPGRADE_TASK
    evt["cts"]["response"] = response_of(RESPONSE_CHARS + 1)
    message = rejection(evt)
    assert message.startswith("cts.response: ") and str(RESPONSE_CHARS + 1) in message
