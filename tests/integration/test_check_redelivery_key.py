"""What a redelivered event may reuse (docs/operations.md, "Redelivery"): a post-check that ran but whose result
could not be published is kept "keyed by the event ..., the dry-run flag, the endpoints, the project and the SMN
topic", where the topic is the one "the event's cluster routes to" (by its ID or by the name the event gives). The
same event for another topic or endpoint is other work: decided afresh, never handed the stored result. Over real
HTTP against the stand-in; the SDK's backoff is a policy value, so SMN's refusals cost no real time."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from postcheck import errors
from postcheck.policy import Backoff
from tests.support import CLUSTER, FAST, TOPIC, event
from tests.support.upgrades import upgrade_scenario

QUICK = replace(FAST, backoff=Backoff(base_s=0.001, cap_s=0.002))
TEAM_A = TOPIC.replace("cce-upgrades", "team-a-upgrades")
ONCALL = TOPIC.replace("cce-upgrades", "oncall")
TRACE = "cts_cluster_upgrade"  # an upgrade trace that names its cluster ("prod-east") and its trace ID


def topics() -> dict[str, Any]:
    """An upgrade that succeeded, with no workflow (CCE keeps no record of a post-check, so work decided afresh
    checks again), and three topics."""
    scenario = upgrade_scenario(workflow=False)
    scenario["topics"] = [TOPIC, TEAM_A, ONCALL]
    return scenario


def checked_but_not_published(standin: Any, invoke: Any, evt: Any) -> dict[str, Any]:
    """Deliver ``evt`` while SMN refuses every publish: its post-check runs, its result is kept for a redelivery."""
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(errors.NotificationFailed):
        invoke(evt, policy=QUICK)
    [first] = standin.postchecks
    standin.reset()  # SMN recovers; the stand-in's logs start afresh
    return first


def decided_afresh(standin: Any, result: dict[str, Any], first: dict[str, Any], topic: str) -> None:
    assert result["outcome"] == "checked"
    [again] = standin.postchecks  # the post-check ran again: the stored result was not handed to other work
    assert result["task_uid"] == again["uid"] != first["uid"]
    assert [p["topic_urn"] for p in standin.published] == [topic]


@pytest.mark.parametrize("scenario", [topics()])
def test_the_same_event_for_another_default_topic_is_other_work(standin, invoke, context):
    first = checked_but_not_published(standin, invoke, event(TRACE))

    context._user_data["SMN_TOPIC_URN"] = ONCALL
    result = invoke(event(TRACE), policy=QUICK)

    decided_afresh(standin, result, first, ONCALL)


@pytest.mark.parametrize("scenario", [topics()])
@pytest.mark.parametrize("route", [CLUSTER, "prod-*"], ids=["by-cluster-id", "by-the-name-it-gives"])
def test_the_same_event_routed_to_another_topic_is_other_work(standin, invoke, context, route):
    context._user_data["TOPIC_ROUTES"] = json.dumps({route: TEAM_A})
    first = checked_but_not_published(standin, invoke, event(TRACE))

    context._user_data["TOPIC_ROUTES"] = json.dumps({route: ONCALL})
    result = invoke(event(TRACE), policy=QUICK)

    decided_afresh(standin, result, first, ONCALL)


@pytest.mark.parametrize("scenario", [topics()])
def test_the_same_event_for_another_cce_endpoint_is_other_work(standin, invoke, context):
    first = checked_but_not_published(standin, invoke, event(TRACE))

    context._user_data["CCE_ENDPOINT"] = standin.url.replace("127.0.0.1", "localhost")  # the same CCE, named otherwise
    result = invoke(event(TRACE), policy=QUICK)

    decided_afresh(standin, result, first, TOPIC)


@pytest.mark.parametrize("scenario", [topics()])
def test_a_redelivery_under_the_same_key_still_publishes_the_stored_result(standin, invoke, context):
    context._user_data["TOPIC_ROUTES"] = json.dumps({"prod-*": TEAM_A})
    first = checked_but_not_published(standin, invoke, event(TRACE))

    result = invoke(event(TRACE), policy=QUICK)

    assert (result["outcome"], result["task_uid"]) == ("checked", first["uid"])
    assert standin.postchecks == []
    assert [p["topic_urn"] for p in standin.published] == [TEAM_A]
