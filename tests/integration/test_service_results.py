"""The result of one cluster's check, field by field, over real HTTP against the stand-in (README, "The result";
"The health gate"; "Faults and retries"): every decided result says when it was decided (UTC), a dry run plans the
very post-check body CCE's API takes and the "checked" message, a CCE error keeps CCE's own message and the
event's fields, and a held upgrade says why.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from tests.support import CLUSTER, event, operations
from tests.support.upgrades import (
    NEW_TASK,
    V_MID,
    V_NEW,
    node_abnormal,
    upgrade_scenario,
)

MANUAL = {"cluster_id": CLUSTER}
# "when it was decided (UTC)": an ISO 8601 time in UTC, written with Z, to the second.
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def decided_in_utc(result: dict[str, Any]) -> bool:
    stamp = result["checked_at"]
    if not isinstance(stamp, str) or not UTC_TIME.fullmatch(stamp):
        return False
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.tzinfo is not None and moment.utcoffset() == timezone.utc.utcoffset(None)


def kinds(standin: Any) -> list[str]:
    return [json.loads(p["message_structure"]["https"])["kind"] for p in standin.published]


# -- checked_at ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_confirmed_upgrade_says_when_it_was_checked(standin, invoke):
    result = invoke(MANUAL)

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    assert decided_in_utc(result), result["checked_at"]


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_dry_run_says_when_it_was_decided(standin, invoke):
    result = invoke({**MANUAL, "dry_run": True})

    assert (result["outcome"], result["dry_run"]) == ("checked", True)
    assert decided_in_utc(result), result["checked_at"]


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_held_upgrade_says_when_and_why_it_was_held(standin, invoke):
    node_abnormal(standin.cluster(CLUSTER))

    result = invoke(MANUAL)

    assert result["outcome"] == "held"
    assert decided_in_utc(result), result["checked_at"]
    reason = result["reason"]
    assert isinstance(reason, str) and "health" in reason
    # its owners are told now (the message is the "held" one), so the reason does not say they were told before
    assert kinds(standin) == ["held"]
    assert "reminder" not in reason.lower() and "were told" not in reason


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Failed",))])
def test_a_failed_upgrade_says_when_it_was_judged(standin, invoke):
    result = invoke(MANUAL)

    assert (result["outcome"], result["error"]["code"]) == ("failed", "UpgradeFailed")
    assert decided_in_utc(result), result["checked_at"]


# -- a CCE error --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_cce_error_before_anything_is_known_keeps_the_events_fields_and_cces_message(standin, invoke):
    """The cluster cannot even be read: the failed result names what the event named (cluster, the upgrade task
    its trace returned; a trace's request is never read) and CCE's own error (code, message, status, request
    ID), and says when."""
    standin.add_fault({"operation": "show_cluster", "kind": "error_json", "status": 403})
    evt = event("cts_cluster_upgrade")
    response = json.loads(evt["cts"]["response"])

    result = invoke(evt)

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert result["cluster_id"] == evt["cts"]["resource_id"]
    assert result["cluster_name"] == evt["cts"]["resource_name"]
    assert result["upgrade_task_id"] == response["metadata"]["uid"]
    error = result["error"]
    assert error["status"] == 403
    assert error["message"] == "Internal error (injected)"  # what the stand-in's CCE answered
    assert error["code"] and error["request_id"]
    assert decided_in_utc(result), result["checked_at"]
    assert kinds(standin) == ["failed"]
    assert standin.postchecks == []


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_manual_events_versions_stay_in_a_failed_result(standin, invoke):
    standin.add_fault({"operation": "show_cluster", "kind": "error_json", "status": 403})

    result = invoke({**MANUAL, "cluster_version": V_MID, "target_version": V_NEW})

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert (result["cluster_id"], result["cluster_version"], result["target_version"]) == (CLUSTER, V_MID, V_NEW)


# -- a dry run's plan ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_dry_run_plans_cces_post_check_body_with_the_upgrades_versions_and_the_checked_message(standin, invoke):
    """The planned body is the one CCE's post-check API takes: spec.clusterID, clusterVersion (before) and
    targetVersion (after) of the newest upgrade; the planned message is the "checked" one."""
    result = invoke({**MANUAL, "dry_run": True})

    assert result["outcome"] == "checked"
    spec = result["planned"]["postcheck"]["spec"]
    assert spec == {"clusterID": CLUSTER, "clusterVersion": V_MID, "targetVersion": V_NEW}
    assert result["upgrade_task_id"] == NEW_TASK
    notification = result["planned"]["notification"]
    assert json.loads(notification["message_structure"]["https"])["kind"] == "checked"
    assert standin.postchecks == [] and standin.published == []
    assert "postcheck" not in operations(standin) and "publish" not in operations(standin)


# -- upgrades CCE gives no creation time for ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_upgrades_without_a_creation_time_leave_the_newest_unknown_and_nothing_is_confirmed(standin, invoke):
    """Which upgrade is newest is told by creation time; when CCE gives none for one of several upgrades, the
    newest cannot be known: the check fails (and says so to the owners), and no post-check runs."""
    for task in standin.cluster(CLUSTER).upgrade_tasks:
        if task.uid != NEW_TASK:
            task.creation_timestamp = None

    result = invoke(MANUAL)

    assert result["outcome"] == "failed"
    assert result["error"]["code"] == "UndatedUpgrades"  # README, "The result": the function's own codes
    assert CLUSTER in result["error"]["message"]
    assert result["error"]["status"] is None  # the function's own finding, not a CCE error
    assert decided_in_utc(result), result["checked_at"]
    assert standin.postchecks == [] and "postcheck" not in operations(standin)
    assert kinds(standin) == ["failed"]
    assert result["notification"]["message_id"] == standin.published[0]["message_id"]
