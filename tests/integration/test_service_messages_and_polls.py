"""Over real HTTP against the stand-in (docs/operations.md, "Faults and retries"; "What owners see"; TOPIC_ROUTES): a
poll of a running upgrade that CCE refuses with a final 4xx ends the check as ``failed`` with CCE's error (only
transient failures are polled through), and the "upgrade started" message goes where the cluster's name routes, like the
outcome's message.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import CLUSTER, FAST, TOPIC, event, operations
from tests.support.upgrades import NEW_TASK, upgrade_scenario

MANUAL = {"cluster_id": CLUSTER}
TEAM_A = TOPIC.replace("cce-upgrades", "team-a-upgrades")


def kinds(standin: Any) -> list[str]:
    return [json.loads(p["message_structure"]["https"])["kind"] for p in standin.published]


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running", "Running", "Running", "Success"))])
def test_a_poll_refused_with_a_final_4xx_ends_the_check_as_failed_with_cces_error(standin, invoke):
    standin.add_fault({"operation": "show_upgrade_task", "kind": "error_json", "status": 403, "times": 1})

    result = invoke(MANUAL, policy=FAST)

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert result["error"]["status"] == 403
    assert result["error"]["operation"] == "show_upgrade_cluster_task"  # CCE API ShowUpgradeClusterTask
    assert standin.postchecks == [] and "postcheck" not in operations(standin)
    assert kinds(standin) == ["failed"]


def routed_scenario() -> dict[str, Any]:
    scenario = upgrade_scenario(("Running", "Running", "Success"))
    scenario["topics"] = [TOPIC, TEAM_A]
    return scenario


@pytest.mark.parametrize("scenario", [routed_scenario()])
@pytest.mark.parametrize("route", ["prod-*", CLUSTER], ids=["by-name", "by-id"])
def test_the_started_message_goes_where_the_clusters_name_routes(standin, invoke, context, route):
    context._user_data["TOPIC_ROUTES"] = json.dumps({route: TEAM_A})
    evt = event("cts_cluster_upgrade")  # the cluster CCE names prod-east; its trace returned NEW_TASK

    result = invoke(evt, policy=FAST)

    assert result["outcome"] == "checked"
    assert kinds(standin) == ["started", "checked"]
    assert [p["topic_urn"] for p in standin.published] == [TEAM_A, TEAM_A]
    started = standin.published[0]["message_structure"]["email"]
    assert NEW_TASK in started
