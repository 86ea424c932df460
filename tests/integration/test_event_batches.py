"""Deliveries of several events (issue 9): an EventGrid ``{"events": [...]}`` and an SMN trigger event of several
records. README, "The result": one plain result per event, in order, as ``{"outcome": "batch", "results": [...]}``;
each event is handled on its own, one failing does not stop the others, and the invocation fails (for the platform
to deliver it again) only when a result could not be published. Through the real handler, over real HTTP.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

import pytest

from postcheck import dispatch
from postcheck.errors import InvocationFailed
from postcheck.intent import Batch, Ignored
from postcheck.result import Outcome, Result
from tests.support import CLUSTER, DEMO, FAST, TOPIC, UPGRADE_TASK, event, operations, task

OTHER = "11111111-2222-4333-8444-555555555555"
OTHER_TASK = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def two_clusters(other_phases: list[str] | None = None) -> dict[str, Any]:
    scenario = copy.deepcopy(DEMO)
    scenario["clusters"][0]["upgrade_tasks"][0]["phases"] = ["Success"]
    other = task(OTHER_TASK, "v1.27.1-r0", "v1.28.3-r0", "Success", "2026-11-27 22:10:00.000 +0000 UTC")
    if other_phases:
        other["phases"] = other_phases
    scenario["clusters"].append({"id": OTHER, "name": "batch-west", "version": "v1.28.3-r0",
                                 "postcheck_phase": "Success", "upgrade_tasks": [other], "workflows": []})
    return scenario


def upgrade_event(cluster_id: str, task_id: str | None, name: str) -> dict[str, Any]:
    """EventGrid's CloudEvent for a CCE clusterUpgrade trace (the sample's, for another cluster and task)."""
    evt = event("eventgrid_cluster_upgrade")
    evt["data"].update(resource_id=cluster_id, resource_name=name,
                       response={"metadata": {"uid": task_id}} if task_id else {})
    evt["id"] = f"{cluster_id[:8]}-0000-4000-8000-000000000000"
    return evt


def obs_event() -> dict[str, Any]:
    return event("eventgrid_batch")["events"][1]


def ecs_trace_event(index: int, values: int) -> dict[str, Any]:
    """Another service's CloudTrace CloudEvent: an ECS call whose response lists ``values`` short items."""
    return {"specversion": "1.0", "id": f"ecs-{index}", "source": "HC.ECS", "type": "ECS:CloudTrace:ApiCall",
            "datacontenttype": "application/json",
            "data": {"service_type": "ECS", "trace_name": "batchDeleteServerTags", "resource_type": "ecs",
                     "response": {"items": ["a"] * values}}}


# EventGrid, "Events" (https://support.huaweicloud.com/usermanual-eg/eg-ug-015.html): at most 64 KB an event,
# 256 KB a request, 20 events a request.
EG_EVENT_BYTES, EG_REQUEST_BYTES, EG_EVENTS = 64 * 1024, 256 * 1024, 20
# docs/design.md: a rejection message is under 1 KiB; docs/operations.md: a delivery of more events than
# EventGrid sends at once is refused as a whole. platform-facts.md: an asynchronous invocation's result is at most
# 256 KB.
MAX_MESSAGE_BYTES = 1024
ASYNC_RESULT_BYTES = 256 * 1024


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_every_upgrade_in_an_eventgrid_batch_is_checked_and_notified_in_order(standin, invoke):
    batch = {"events": [upgrade_event(OTHER, OTHER_TASK, "batch-west"), obs_event(),
                        upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east")]}

    result = invoke(batch)

    assert result["outcome"] == "batch"
    assert [(r["outcome"], r["cluster_id"]) for r in result["results"]] == [
        ("checked", OTHER), ("ignored", None), ("checked", CLUSTER)]
    assert "HC.OBS" in result["results"][1]["reason"]
    assert sorted(p["cluster_id"] for p in standin.postchecks) == sorted([CLUSTER, OTHER])
    assert {p["message_id"] for p in standin.published} == {
        result["results"][0]["notification"]["message_id"], result["results"][2]["notification"]["message_id"]}


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_one_event_failing_does_not_stop_the_others(standin, invoke):
    batch = {"events": [upgrade_event(UNKNOWN, None, "gone"), upgrade_event(OTHER, OTHER_TASK, "batch-west")]}

    result = invoke(batch)

    first, second = result["results"]
    assert (first["outcome"], first["phase"], first["error"]["code"]) == ("failed", "Error", "CCE.01404001")
    assert (second["outcome"], second["phase"]) == ("checked", "Success")
    assert len(standin.published) == 2  # the failure is published too, like any single event's


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_a_result_that_cannot_be_published_fails_the_invocation_after_the_others_are_done(standin, invoke,
                                                                                            context):
    unpublishable = TOPIC.replace("cce-upgrades", "no-such-topic")
    context._user_data["TOPIC_ROUTES"] = json.dumps({OTHER: unpublishable})
    batch = {"events": [upgrade_event(OTHER, OTHER_TASK, "batch-west"), upgrade_event(CLUSTER, UPGRADE_TASK,
                                                                                       "prod-east")]}

    with pytest.raises(InvocationFailed, match=r"1 of 2 events") as raised:
        invoke(batch)

    assert "SMN.0006" in str(raised.value)
    assert sorted(p["cluster_id"] for p in standin.postchecks) == sorted([CLUSTER, OTHER])
    [published] = standin.published  # the other event's result went out
    assert "prod-east" in published["subject"]


@pytest.mark.parametrize("scenario", [two_clusters(other_phases=["Running"] * 3 + ["Success"])])
def test_upgrades_still_running_in_a_batch_are_each_followed_to_their_end(standin, invoke):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Running"] * 3 + ["Success"]
    batch = {"events": [upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east"), upgrade_event(OTHER, OTHER_TASK,
                                                                                         "batch-west")]}

    result = invoke(batch, policy=FAST)

    assert [r["outcome"] for r in result["results"]] == ["checked", "checked"]
    subjects = sorted(p["subject"].split(":")[0] for p in standin.published)
    assert subjects == ["CCE post-upgrade check Success"] * 2 + ["CCE upgrade started"] * 2


def test_the_events_of_a_batch_are_handled_at_the_same_time(context):
    """An upgrade event follows its upgrade for as long as the invocation lasts: one after another, the second
    would wait for the first upgrade to end. Each event here returns only once all are being handled at once
    (a barrier, no timing); at most MAX_CONCURRENCY are (a counter)."""
    context._user_data["MAX_CONCURRENCY"] = "3"
    barrier = threading.Barrier(3, timeout=60)
    lock, running, most = threading.Lock(), [0], [0]

    def one(item: Any) -> Result:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        if item.reason in ("a", "b", "c"):
            barrier.wait()  # a, b and c at the same time
        with lock:
            running[0] -= 1
        return Result(outcome=Outcome.IGNORED, reason=item.reason)

    batch = Batch("eventgrid", tuple(Ignored("eventgrid", reason) for reason in "abcdef"))

    result = dispatch.handle_batch(batch, one, context).to_dict()

    assert [r["reason"] for r in result["results"]] == list("abcdef")  # in the delivery's order
    assert most[0] == 3


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_every_record_of_an_smn_event_is_handled(standin, invoke):
    evt = event("smn_records")
    second = copy.deepcopy(evt["record"][0])
    second["smn"]["message"] = json.dumps({"cluster_id": OTHER})
    second["smn"]["message_attributes"] = ""
    evt["record"].insert(1, second)

    result = invoke(evt)

    assert [(r["outcome"], r["trigger"]) for r in result["results"]] == [
        ("checked", "smn/manual"), ("checked", "smn/manual"), ("rejected", None)]
    assert result["results"][2]["error"]["message"].startswith("record[2].smn.message: ")
    assert sorted(p["cluster_id"] for p in standin.postchecks) == sorted([CLUSTER, OTHER])


def test_a_batch_that_asks_for_nothing_calls_nothing(standin, invoke):
    bad = upgrade_event(CLUSTER, None, "prod-east")
    bad["data"]["resource_id"] = "prod-east"  # clusters are never looked up by name
    batch = {"events": [obs_event(), bad, 7, {**obs_event(), "data": "{not json"}]}

    result = invoke(batch)

    outcomes = [r["outcome"] for r in result["results"]]
    assert outcomes == ["ignored", "rejected", "rejected", "ignored"]
    assert result["results"][1]["error"]["message"].startswith("events[1].data.resource_id: ")
    assert result["results"][2]["error"]["message"].startswith("events[2]: ")
    assert all(len(r["error"]["message"].encode()) < 1024 for r in result["results"] if r["error"])
    assert standin.requests == []


def test_bad_configuration_refuses_each_event_that_needs_work_and_calls_nothing(standin, invoke, context):
    context._user_data["SMN_TOPIC_URN"] = ""
    batch = {"events": [obs_event(), upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east")]}

    result = invoke(batch)

    ignored, refused = result["results"]
    assert ignored["outcome"] == "ignored"
    assert (refused["outcome"], refused["error"]["code"]) == ("rejected", "InvalidConfiguration")
    assert standin.requests == []


def test_one_event_in_a_delivery_gives_the_plain_result(standin, invoke):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]

    result = invoke({"events": [upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east")]})

    assert (result["outcome"], result["trigger"], result["cluster_id"]) == ("checked", "eventgrid", CLUSTER)
    assert "results" not in result
    assert operations(standin)[-1] == "publish"


def _without_workflows() -> dict[str, Any]:
    scenario = two_clusters()
    scenario["clusters"][0]["workflows"] = []  # no record in CCE: only this instance remembers what it did
    return scenario


@pytest.mark.parametrize("scenario", [_without_workflows()])
def test_a_batch_delivered_again_checks_and_tells_nothing_twice(standin, invoke, context):
    unpublishable = TOPIC.replace("cce-upgrades", "no-such-topic")
    context._user_data["TOPIC_ROUTES"] = json.dumps({OTHER: unpublishable})
    batch = {"events": [upgrade_event(OTHER, OTHER_TASK, "batch-west"), upgrade_event(CLUSTER, UPGRADE_TASK,
                                                                                       "prod-east")]}
    with pytest.raises(InvocationFailed):
        invoke(batch)
    assert (len(standin.postchecks), len(standin.published)) == (2, 1)

    with pytest.raises(InvocationFailed):  # the platform delivers the whole batch again, to the same instance
        invoke(batch)

    # neither upgrade was confirmed a second time, and the one that was told is not told again
    assert (len(standin.postchecks), len(standin.published)) == (2, 1)


def test_an_upgrade_in_a_valid_delivery_is_checked_whatever_the_other_events_hold(standin, invoke):
    """The largest delivery EventGrid documents (20 events, each within 64 KB, 256 KB in all), whose other events
    hold more than 20,000 values between them: the bounds are each event's, and the upgrade is checked."""
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]
    delivery = {"events": [upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east")]
                + [ecs_trace_event(i, 1_100) for i in range(EG_EVENTS - 1)]}
    assert all(len(json.dumps(item)) <= EG_EVENT_BYTES for item in delivery["events"])
    assert len(json.dumps(delivery)) <= EG_REQUEST_BYTES

    result = invoke(delivery)

    assert result["outcome"] == "batch"
    assert [r["outcome"] for r in result["results"]] == ["checked"] + ["ignored"] * (EG_EVENTS - 1)
    assert [p["cluster_id"] for p in standin.postchecks] == [CLUSTER]
    assert len(standin.published) == 1


@pytest.mark.parametrize("key", ["events", "record"])
def test_a_delivery_of_more_events_than_eventgrid_sends_is_refused_as_a_whole(standin, invoke, key):
    evt = {"events": [{}] * 19_990} if key == "events" else {"record": event("smn_manual")["record"] * (EG_EVENTS + 1)}
    assert len(json.dumps(evt, separators=(",", ":"))) < EG_REQUEST_BYTES  # small: only the number refuses it

    result = invoke(evt)

    assert (result["outcome"], result["error"]["code"]) == ("rejected", "InvalidEvent")
    assert result["error"]["message"].startswith(f"{key}: expected at most 20")
    assert len(json.dumps(result).encode()) < ASYNC_RESULT_BYTES
    assert len(result["error"]["message"].encode()) < MAX_MESSAGE_BYTES
    assert standin.requests == []


def test_the_batch_log_line_counts_the_outcomes(standin, invoke, caplog):
    """docs/operations.md, "Deliveries of several events": the "batch handled" line gives how many events, how many
    failed and how many of each outcome, never a list as long as the delivery."""
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]
    bad = upgrade_event(CLUSTER, None, "prod-east")
    bad["data"]["resource_id"] = "prod-east"
    delivery = {"events": [upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east"), bad] + [obs_event()] * 18}

    with caplog.at_level("INFO", logger="postcheck.dispatch"):
        invoke(delivery)

    [line] = [r for r in caplog.records if r.getMessage() == "batch handled"]
    assert (line.events, line.failed) == (EG_EVENTS, 0)
    assert line.outcomes == {"checked": 1, "ignored": 18, "rejected": 1}
