"""Waiting for running upgrades, the sweep, and exactly-once checks where CCE's state can tell."""

from __future__ import annotations

import copy

import pytest

from postcheck import errors
from postcheck.policy import WaitPolicy
from tests.support import CLUSTER, DEMO, FAST, OTHER, TOPIC, UPGRADE_TASK, event, operations, two_clusters

TIMER = event("timer")  # 2026-11-28T06:30:00+08:00, i.e. 2026-11-27 22:30 UTC; window: the hour before


def test_an_upgrade_still_running_is_polled_until_it_succeeds(standin, invoke):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Running", "Running", "Running", "Success"]

    result = invoke(event("cts_cluster_upgrade"), policy=FAST)

    assert result["outcome"] == "checked"
    # the list's read, then the task polled until it succeeds, then the list read again after its end
    assert operations(standin).count("show_upgrade_task") == 3
    assert [p["subject"].split(":")[0] for p in standin.published] == [
        "CCE upgrade started", "CCE post-upgrade check Success"]


def test_an_upgrade_that_fails_while_waited_for_is_reported(standin, invoke):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Running", "Failed"]

    result = invoke(event("cts_cluster_upgrade"), policy=FAST)

    assert (result["outcome"], result["error"]["code"]) == ("failed", "UpgradeFailed")
    assert standin.postchecks == []


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_sweep_checks_what_is_due_each_with_its_own_notification(standin, invoke):
    result = invoke(TIMER)

    assert result["outcome"] == "swept"
    by_id = {c["cluster_id"]: c for c in result["clusters"]}
    assert by_id[CLUSTER]["outcome"] == "checked"  # its workflow's PostCheck step was not done
    assert by_id[OTHER]["outcome"] == "checked"  # no workflow: its task ended inside the timer's window
    assert by_id[OTHER]["phase"] == "Failed"
    assert result["summary"]["checked"] == 2
    assert len(standin.published) == 2
    assert {p["message_id"] for p in standin.published} == {c["notification"]["message_id"] for c in by_id.values()}


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_the_sweep_reads_every_clusters_tasks_and_workflows_to_find_its_newest_upgrade(standin, invoke):
    result = invoke(TIMER)

    by_id = {c["cluster_id"]: c for c in result["clusters"]}
    assert by_id[CLUSTER]["upgrade_task_id"] == UPGRADE_TASK  # the task its workflow's Cluster step names
    for operation in ("list_upgrade_tasks", "list_workflows"):
        assert sorted(r["cluster_id"] for r in standin.requests if r["operation"] == operation) == sorted(
            [CLUSTER, OTHER])


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_a_second_sweep_checks_nothing_again(standin, invoke):
    invoke(TIMER)
    later = {**TIMER, "time": "2026-11-28T07:30:00+08:00"}

    result = invoke(later)

    assert result["summary"]["checked"] == 0
    assert all(c["outcome"] == "ignored" for c in result["clusters"])
    assert len(standin.postchecks) == 2 and len(standin.published) == 2


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_an_event_then_a_sweep_checks_the_upgrade_once(standin, invoke, context):
    context._user_data["CLUSTER_IDS"] = CLUSTER
    assert invoke(event("cts_cluster_upgrade"))["outcome"] == "checked"

    result = invoke(TIMER)

    [only] = result["clusters"]
    assert only["outcome"] == "ignored"
    assert "already done" in only["reason"]
    assert len(standin.postchecks) == 1 and len(standin.published) == 1


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_an_event_for_an_upgrade_a_sweep_already_checked_is_ignored(standin, invoke, context):
    context._user_data["CLUSTER_IDS"] = CLUSTER
    invoke(TIMER)

    result = invoke(event("cts_cluster_upgrade"))

    assert result["outcome"] == "ignored"
    assert UPGRADE_TASK in result["reason"]
    assert len(standin.postchecks) == 1 and len(standin.published) == 1


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_one_clusters_failure_does_not_stop_the_others(standin, invoke):
    standin.add_fault({"operation": "list_upgrade_tasks", "kind": "error_json", "status": 403, "cluster_id": OTHER})

    result = invoke(TIMER)

    by_id = {c["cluster_id"]: c for c in result["clusters"]}
    assert by_id[CLUSTER]["outcome"] == "checked"
    assert (by_id[OTHER]["outcome"], by_id[OTHER]["phase"]) == ("failed", "Error")
    assert len(standin.published) == 2


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_an_upgrade_outside_the_window_is_left_to_the_sweep_that_covered_it(standin, invoke, context):
    context._user_data["CLUSTER_IDS"] = OTHER
    earlier = {**TIMER, "time": "2026-11-28T05:00:00+08:00"}  # its window ends before the task did

    result = invoke(earlier)

    assert result["clusters"][0]["outcome"] == "ignored"
    assert "outside this sweep's window" in result["clusters"][0]["reason"]
    assert standin.postchecks == []


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_cluster_ids_limit_the_sweep_and_unknown_ones_are_reported(standin, invoke, context):
    context._user_data["CLUSTER_IDS"] = f"{OTHER}, 99999999-9999-4999-8999-999999999999"

    result = invoke({"sweep": True})

    outcomes = {c["cluster_id"]: c["outcome"] for c in result["clusters"]}
    assert set(outcomes) == {OTHER, "99999999-9999-4999-8999-999999999999"}
    assert outcomes["99999999-9999-4999-8999-999999999999"] == "ignored"
    assert CLUSTER not in {p.get("cluster_id") for p in standin.postchecks}


def test_a_redelivered_event_republishes_without_checking_again(standin, invoke, context):
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(errors.NotificationFailed):
        invoke(event("postcheck_task_body"))
    assert len(standin.postchecks) == 1
    standin.reset()  # SMN recovers; the stand-in's logs start afresh

    result = invoke(event("postcheck_task_body"))  # the platform's retry of the same event

    assert result["outcome"] == "checked"
    assert standin.postchecks == []  # no second post-check
    assert operations(standin) == ["publish"]
    assert len(standin.published) == 1


def test_a_stored_unpublished_result_expires(standin, invoke, context):
    keep_nothing = WaitPolicy(unpublished_ttl_s=0.0)  # the store's time to live, as a policy value
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(errors.NotificationFailed):
        invoke(event("postcheck_task_body"), policy=keep_nothing)
    [first_check] = standin.postchecks
    standin.reset()

    result = invoke(event("postcheck_task_body"), policy=keep_nothing)

    # Expired: decided afresh from CCE's state, not the stored result republished.
    assert result.get("task_uid") != first_check["uid"]
    assert operations(standin) != ["publish"]


SECOND_TOPIC = TOPIC.replace("cce-upgrades", "cce-upgrades-oncall")


def two_topics() -> dict:
    scenario = copy.deepcopy(DEMO)
    scenario["topics"] = [TOPIC, SECOND_TOPIC]
    return scenario


@pytest.mark.parametrize("scenario", [two_topics()])
def test_a_result_stored_for_one_topic_is_not_reused_for_another(standin, invoke, context):
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(errors.NotificationFailed):
        invoke(event("postcheck_task_body"))  # checked, not published to TOPIC
    [first_check] = standin.postchecks
    standin.reset()  # SMN recovers

    context._user_data["SMN_TOPIC_URN"] = SECOND_TOPIC
    result = invoke(event("postcheck_task_body"))  # the same request for another topic: other work

    assert result.get("task_uid") != first_check["uid"]  # decided afresh, not TOPIC's stored result
    assert operations(standin) != ["publish"]
    assert {p["topic_urn"] for p in standin.published} <= {SECOND_TOPIC}
    checks_so_far = len(standin.postchecks)

    context._user_data["SMN_TOPIC_URN"] = TOPIC
    result = invoke(event("postcheck_task_body"))  # the redelivery for TOPIC still finds its own result

    assert (result["outcome"], result["task_uid"]) == ("checked", first_check["uid"])
    assert len(standin.postchecks) == checks_so_far  # no post-check for TOPIC's redelivery
    assert standin.published[-1]["topic_urn"] == TOPIC
    assert result["notification"]["message_id"] == standin.published[-1]["message_id"]


def test_a_dry_run_of_the_same_request_does_not_take_the_stored_result(standin, invoke, context):
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(errors.NotificationFailed):
        invoke(event("postcheck_task_body"))
    standin.reset()

    context._user_data["DRY_RUN"] = "true"
    result = invoke(event("postcheck_task_body"))

    assert result["dry_run"] is True and result["task_uid"] is None  # planned, not the stored real check
    assert standin.postchecks == [] and standin.published == []
