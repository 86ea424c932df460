"""The handler, driven as FunctionGraph drives it, against the stand-in over real HTTP and the real SDK."""

from __future__ import annotations

import json

import pytest

from postcheck import check
from postcheck.deadline import Deadline
from postcheck.parse import parse_event
from postcheck.runtime import Runtime
from scripts.local_context import LocalContext
from tests.support import CLUSTER, FAST, TOPIC, UPGRADE_TASK, demo_scenario, event, operations, task

OLD_TASK = "7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098"
# Every check: the cluster, its upgrades (tasks and workflows: which is the newest, is its check already
# recorded), the health gate's reads, then the check and its message.
READS = ["show_cluster", "list_upgrade_tasks", "list_workflows"]
GATE = ["list_nodes", "list_node_pools", "list_addon_instances"]
CHECK_OPS = [*READS, *GATE, "postcheck", "publish"]


def test_documented_example_is_sent_verbatim_and_its_answer_reaches_the_result(standin, invoke):
    documented = event("postcheck_task_body")

    result = invoke(documented)

    [sent] = standin.postchecks
    assert sent["body"] == documented  # the JSON the SDK put on the wire
    assert sent["cluster_id"] == documented["spec"]["clusterID"]
    assert result["outcome"] == "checked"
    assert result["phase"] == "Success"
    assert result["task_uid"] == sent["uid"]
    assert (result["cluster_version"], result["target_version"]) == ("v1.15.11-r1", "v1.19.16-r80")
    assert operations(standin) == CHECK_OPS  # the versions are verified against CCE before the check


@pytest.mark.parametrize("phase", ["Failed", "Error"])
def test_the_phase_cce_answers_is_the_phase_reported_and_published(standin, invoke, phase):
    standin.cluster(CLUSTER).postcheck_phase = phase

    result = invoke(event("postcheck_task_body"))

    assert (result["outcome"], result["phase"]) == ("checked", phase)
    [published] = standin.published
    assert f"check {phase}" in published["subject"]
    assert json.loads(published["message_structure"]["https"])["result"]["phase"] == phase


@pytest.mark.parametrize(
    ("name", "trigger", "expected_ops"),
    [
        ("cts_cluster_upgrade", "cts", CHECK_OPS),
        ("eventgrid_cluster_upgrade", "eventgrid", CHECK_OPS),
    ],
)
def test_upgrade_events_follow_the_task_they_started(scenario, standin, invoke, name, trigger, expected_ops):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]

    result = invoke(event(name))

    assert result["outcome"] == "checked"
    assert result["trigger"] == trigger
    assert result["upgrade_task_id"] == UPGRADE_TASK
    # the versions come from the upgrade task, not from the event
    assert (result["cluster_version"], result["target_version"]) == ("v1.15.11-r1", "v1.19.16-r80")
    assert result["cluster_name"] == "prod-east"
    assert result["notification"]["message_id"] == standin.published[0]["message_id"]
    assert operations(standin) == expected_ops


def test_smn_event_carrying_a_manual_request(standin, invoke):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]

    result = invoke(event("smn_manual"))

    assert result["outcome"] == "checked"
    assert result["trigger"] == "smn/manual"
    assert operations(standin) == CHECK_OPS
    assert standin.postchecks[0]["body"]["spec"] == {
        "clusterID": CLUSTER, "clusterVersion": "v1.15.11-r1", "targetVersion": "v1.19.16-r80"}


@pytest.mark.parametrize("as_type", [dict, str, bytes])
def test_event_as_dict_json_text_or_bytes(standin, invoke, as_type):
    raw = json.dumps(event("manual_with_versions"))
    evt = {dict: json.loads, str: str, bytes: str.encode}[as_type](raw)

    assert invoke(evt)["outcome"] == "checked"


@pytest.mark.parametrize("scenario", [demo_scenario(upgrade_tasks=[
    task(OLD_TASK, "v1.13.10-r0", "v1.15.11-r1", "Success", "2026-06-02 07:10:00.000 +0000 UTC"),
    task(UPGRADE_TASK, "v1.15.11-r1", "v1.19.16-r80", "Success", "2026-11-27 08:00:00.000 +0000 UTC"),
    task("0b0b0b0b-0000-4000-8000-000000000001", "v1.19.16-r80", "v1.21.1-r0", "Failed",
         "2026-11-28 01:00:00.000 +0000 UTC"),
])])
def test_a_newest_upgrade_that_failed_is_reported_not_an_older_success_confirmed(standin, invoke):
    result = invoke(event("manual"))

    assert result["outcome"] == "failed"
    assert result["error"]["code"] == "UpgradeFailed"
    assert result["upgrade_task_id"] == "0b0b0b0b-0000-4000-8000-000000000001"
    assert standin.postchecks == []
    assert "upgrade Failed" in standin.published[0]["subject"]


@pytest.mark.parametrize("scenario", [demo_scenario(upgrade_tasks=[
    task(OLD_TASK, "v1.13.10-r0", "v1.15.11-r1", "Success", "2026-06-02 07:10:00.000 +0000 UTC"),
    task(UPGRADE_TASK, "v1.15.11-r1", "v1.19.16-r80", "Success", "2026-11-27 08:00:00.000 +0000 UTC"),
], workflows=[])])
def test_missing_versions_come_from_the_newest_upgrade(standin, invoke):
    result = invoke(event("manual"))

    assert result["outcome"] == "checked"
    assert result["upgrade_task_id"] == UPGRADE_TASK
    assert standin.postchecks[0]["body"]["spec"]["clusterVersion"] == "v1.15.11-r1"
    assert standin.postchecks[0]["body"]["spec"]["targetVersion"] == "v1.19.16-r80"


@pytest.mark.parametrize("scenario", [demo_scenario(upgrade_tasks=[], workflows=[], version="v1.15.11-r1")])
def test_no_upgrade_to_confirm_is_a_reported_error(standin, invoke):
    result = invoke(event("manual"))

    assert result["outcome"] == "failed"
    assert result["error"]["code"] == "NoUpgradeTask"
    assert result["error"]["status"] is None  # the function's own code: no HTTP answer said it
    assert standin.postchecks == []
    email = standin.published[0]["message_structure"]["email"]
    assert "NoUpgradeTask" in email
    assert "CCE answered" not in email


@pytest.mark.parametrize("scenario", [demo_scenario(upgrade_tasks=[
    task(UPGRADE_TASK, "v1.15.11-r1", "v1.19.16-r80", "Failed", "2026-11-27 08:00:00.000 +0000 UTC")])])
def test_failed_upgrade_is_notified_and_not_checked(standin, invoke):
    result = invoke(event("cts_cluster_upgrade"))

    assert result["outcome"] == "failed"
    assert result["phase"] is None
    assert result["error"]["code"] == "UpgradeFailed"
    assert standin.postchecks == []
    [published] = standin.published
    assert "upgrade Failed" in published["subject"]
    assert "no post-upgrade check was run" in published["message_structure"]["email"]


def test_running_upgrade_is_pending_without_check_and_only_announced(standin, invoke, context):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Running"]
    short = LocalContext(*_keys(standin), standin.project_id, context._user_data, timeout_s=3)

    result = invoke(event("cts_cluster_upgrade"), short)

    assert result["outcome"] == "pending"
    assert UPGRADE_TASK in result["reason"]
    assert standin.postchecks == []
    [started] = standin.published  # the upgrade's start, nothing else
    assert started["subject"].startswith("CCE upgrade started")


def test_trace_naming_a_task_cce_does_not_know_confirms_nothing_for_it(standin, invoke):
    evt = event("cts_cluster_upgrade")
    evt["cts"]["response"] = {"metadata": {"uid": "99999999-9999-4999-8999-999999999999"}}

    result = invoke(evt, policy=FAST)

    # CCE's lists may lag the trace: the task is looked for again for a while, and an older upgrade is never
    # taken for it
    assert result["outcome"] == "pending"
    assert "99999999-9999-4999-8999-999999999999" in result["reason"]
    assert standin.postchecks == [] and standin.published == []
    assert operations(standin).count("show_upgrade_task") >= 2


def test_trace_naming_a_task_that_cce_lists_late_follows_that_task(standin, context):
    cluster = standin.cluster(CLUSTER)
    late = cluster.upgrade_tasks.pop(0)  # neither listed nor found: CCE's lists lag the trace
    evt = event("cts_cluster_upgrade")
    assert late.uid == UPGRADE_TASK  # the task the sample trace names
    runtime = Runtime.from_context(context, Deadline(60.0), FAST)
    runtime.sleep = lambda _: cluster.upgrade_tasks.insert(0, late) if late not in cluster.upgrade_tasks else None

    result = check.check_cluster(parse_event(evt), runtime)

    assert result.outcome.value == "checked"
    assert result.upgrade_task_id == late.uid
    assert standin.postchecks[0]["body"]["spec"]["targetVersion"] == late.target_version


def test_ignored_trace_calls_nothing(standin, invoke):
    result = invoke(event("cts_other_trace"))

    assert result["outcome"] == "ignored"
    assert "deleteCluster" in result["reason"]
    assert standin.requests == []


def test_failed_upgrade_request_in_the_trace_is_ignored(standin, invoke):
    evt = event("cts_cluster_upgrade")
    evt["cts"]["code"] = 400

    result = invoke(evt)

    assert result["outcome"] == "ignored"
    assert "HTTP 400" in result["reason"]
    assert standin.requests == []


def test_unknown_cluster_is_a_failed_result_with_cce_error_and_still_notified(standin, invoke):
    result = invoke({"cluster_id": "00000000-0000-4000-8000-000000000000", "cluster_version": "v1.25",
                     "target_version": "v1.27"})

    assert result["outcome"] == "failed"
    assert result["phase"] == "Error"
    assert result["error"]["code"] == "CCE.01404001"
    assert result["error"]["request_id"]
    [published] = standin.published
    assert "CCE.01404001" in published["message_structure"]["email"]
    assert "CCE.01404001" in published["message_structure"]["sms"]
    assert result["error"]["request_id"] in published["message_structure"]["email"]


def test_post_check_4xx_is_failed_with_code_and_not_retried(standin, invoke):
    standin.add_fault({"operation": "postcheck", "kind": "error_json", "status": 400})

    result = invoke(event("postcheck_task_body"))

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert result["error"]["status"] == 400
    assert operations(standin).count("postcheck") == 1
    assert result["error"]["code"] in standin.published[0]["message_structure"]["sms"]


def test_dry_run_reports_the_request_and_message_and_sends_neither(standin, invoke):
    result = invoke(event("manual_dry_run"))

    assert result["dry_run"] is True
    assert result["outcome"] == "checked"
    assert result["phase"] is None
    assert standin.postchecks == []
    assert standin.published == []
    assert "postcheck" not in operations(standin)
    assert result["planned"]["postcheck"]["spec"]["clusterID"] == CLUSTER
    assert result["planned"]["postcheck"]["kind"] == "PostCheckTask"
    assert "dry run" in result["planned"]["notification"]["subject"]


def test_dry_run_from_configuration_cannot_be_turned_off_by_the_event(standin, invoke, context):
    context._user_data["DRY_RUN"] = "true"

    result = invoke({**event("manual_with_versions"), "dry_run": False})

    assert result["dry_run"] is True
    assert standin.postchecks == [] and standin.published == []


def test_region_defaults_to_the_topic_region(standin, invoke):
    result = invoke(event("postcheck_task_body"))

    assert "cn-north-4" in standin.published[0]["message_structure"]["email"]
    assert result["outcome"] == "checked"


def test_unpublishable_result_fails_the_invocation(standin, invoke, context):
    context._user_data["SMN_TOPIC_URN"] = TOPIC.replace("cce-upgrades", "no-such-topic")

    with pytest.raises(Exception, match=r"SMN\.0006") as raised:
        invoke(event("postcheck_task_body"))

    assert "Traceback" not in str(raised.value)
    assert len(standin.postchecks) == 1


def _keys(standin):
    cred = standin.credentials
    return cred.ak, cred.sk, cred.security_token
