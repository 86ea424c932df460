"""What a redelivery of a whole delivery must not redo (docs/operations.md, "Redelivery"): "an upgrade event (by its
trace's ID) that was checked or told is not checked or told again there" (the same instance), however many times
the platform delivers the batch again; and a result carries ``planned`` in dry runs only (README, "The result").
Through the real handler, over real HTTP against the stand-in; the unpublishable result goes to a topic SMN does
not know (answered at once, no retries to wait out)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from postcheck.errors import InvocationFailed
from tests.support import CLUSTER, DEMO, TOPIC, UPGRADE_TASK, event, task

OTHER = "11111111-2222-4333-8444-555555555555"
OTHER_TASK = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
UNPUBLISHABLE = TOPIC.replace("cce-upgrades", "no-such-topic")


def failed_and_done() -> dict[str, Any]:
    """The demo cluster, its upgrade done, and OTHER, whose upgrade failed; no workflow records anything, so only
    this instance remembers what it did."""
    scenario = copy.deepcopy(DEMO)
    scenario["clusters"][0]["upgrade_tasks"][0]["phases"] = ["Success"]
    scenario["clusters"][0]["workflows"] = []
    scenario["clusters"].append({
        "id": OTHER, "name": "batch-west", "version": "v1.27.1-r0", "postcheck_phase": "Success",
        "upgrade_tasks": [task(OTHER_TASK, "v1.27.1-r0", "v1.28.3-r0", "Failed", "2026-11-27 22:10:00.000 +0000 UTC")],
        "workflows": [],
    })
    return scenario


def upgrade_event(cluster_id: str, task_id: str, name: str) -> dict[str, Any]:
    """EventGrid's CloudEvent for a CCE clusterUpgrade trace (the sample's, for another cluster and task)."""
    evt = event("eventgrid_cluster_upgrade")
    evt["data"].update(resource_id=cluster_id, resource_name=name, response={"metadata": {"uid": task_id}})
    evt["id"] = f"{cluster_id[:8]}-0000-4000-8000-000000000000"
    return evt


def told_about(standin: Any, cluster_name: str) -> int:
    return sum(cluster_name in p["subject"] for p in standin.published)


@pytest.mark.parametrize("scenario", [failed_and_done()])
def test_a_failed_upgrade_told_in_a_batch_is_not_told_again_however_often_the_batch_comes_again(standin, invoke,
                                                                                                 context):
    context._user_data["TOPIC_ROUTES"] = json.dumps({CLUSTER: UNPUBLISHABLE})  # this result cannot be published
    batch = {"events": [upgrade_event(OTHER, OTHER_TASK, "batch-west"),
                        upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east")]}

    with pytest.raises(InvocationFailed):
        invoke(batch)
    assert told_about(standin, "batch-west") == 1  # the failed upgrade was told
    assert [p["cluster_id"] for p in standin.postchecks] == [CLUSTER]

    for _ in range(2):  # the platform delivers the whole batch again, to the same instance, twice
        with pytest.raises(InvocationFailed):
            invoke(batch)

    assert told_about(standin, "batch-west") == 1  # told once, not on each redelivery
    assert [p["cluster_id"] for p in standin.postchecks] == [CLUSTER]  # confirmed once


@pytest.mark.parametrize("scenario", [failed_and_done()])
def test_a_checked_upgrade_is_not_checked_again_however_often_the_batch_comes_again(standin, invoke, context):
    context._user_data["TOPIC_ROUTES"] = json.dumps({OTHER: UNPUBLISHABLE})  # the failure cannot be told
    batch = {"events": [upgrade_event(CLUSTER, UPGRADE_TASK, "prod-east"),
                        upgrade_event(OTHER, OTHER_TASK, "batch-west")]}

    for _ in range(3):
        with pytest.raises(InvocationFailed):
            invoke(batch)

    assert [p["cluster_id"] for p in standin.postchecks] == [CLUSTER]
    assert told_about(standin, "prod-east") == 1


def test_a_result_that_is_no_dry_run_carries_no_plan(standin, invoke):
    first = invoke(event("manual"))  # checked and told
    again = invoke(event("manual"))  # its post-check is done now: nothing to do, nothing to tell

    assert (first["outcome"], again["outcome"]) == ("checked", "ignored")
    assert again["notification"] is None
    assert "planned" not in first and "planned" not in again


def test_a_dry_run_plans_the_check_and_the_message(standin, invoke):
    result = invoke(event("manual_dry_run"))

    assert result["outcome"] == "checked" and result["dry_run"] is True
    assert set(result["planned"]) == {"postcheck", "notification"}
    assert result["planned"]["postcheck"] is not None
    assert standin.postchecks == [] and standin.published == []
