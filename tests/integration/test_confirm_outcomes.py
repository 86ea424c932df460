"""How a decision is carried out for one cluster (README, "The result"; docs/operations.md, "Which upgrade is
confirmed, and when" and the health gate): each outcome names the upgrade it is about (its task and versions); a
held upgrade's re-judgement by the sweep says why and when reminders come; and an upgrade confirmed by another
invocation while the health gate waited is not confirmed twice. Over real HTTP against the stand-in, the waits on
simulated time."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from postcheck import check
from postcheck.deadline import Deadline
from postcheck.parse import parse_event
from postcheck.policy import WaitPolicy
from postcheck.runtime import Runtime
from scripts.local_context import LocalContext
from tests.support import CLUSTER, event
from tests.support.upgrades import BEIJING, HOUR, NEW_TASK, V_MID, V_NEW, SimulatedTime, upgrade_scenario

MANUAL = {"cluster_id": CLUSTER}
POLICY = WaitPolicy(poll_first_s=1.0, poll_max_s=4.0, jitter=0.5, time_to_check_s=1.0, health_poll_s=1.0)
FIRST_SWEEP = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)  # its hour's window holds the upgrade's end


def run(evt: Any, context: LocalContext, time: SimulatedTime) -> dict[str, Any]:
    """The handler's path for one event, on ``time`` (the deadline runs on its clock; pauses only move it)."""
    runtime = Runtime.from_context(context, Deadline(900.0, clock=time.clock), POLICY)
    runtime.sleep = time.sleep
    runtime.rng = lambda low, high: low
    result = check.check_cluster(parse_event(evt), runtime).to_dict()
    json.dumps(result)
    return result


def not_started() -> dict[str, Any]:
    """The newest upgrade is known only from its workflow: its pre-check passed, its Cluster step has not begun
    (so it names no upgrade task yet, and CCE lists none)."""
    scenario = upgrade_scenario(("Running",))
    cluster = scenario["clusters"][0]
    cluster["upgrade_tasks"] = [t for t in cluster["upgrade_tasks"] if t["uid"] != NEW_TASK]
    points = cluster["workflows"][0]["points"]
    points[1] = {"taskType": "Cluster", "status": "Init"}
    return scenario


@pytest.mark.parametrize("scenario", [not_started()])
def test_an_upgrade_known_only_from_its_workflow_is_pending_with_the_workflows_versions(standin, context):
    result = run(MANUAL, context, SimulatedTime())

    assert result["outcome"] == "pending"
    assert (result["cluster_version"], result["target_version"]) == (V_MID, V_NEW)
    assert result["upgrade_task_id"] is None  # CCE names no task for it yet
    assert "pending" not in result["reason"] and V_NEW in result["reason"]  # says which upgrade runs
    assert standin.postchecks == [] and standin.published == []


def timer_at(moment: datetime) -> dict[str, Any]:
    return {**event("timer"), "time": moment.astimezone(BEIJING).isoformat()}


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_held_upgrade_judged_again_by_the_sweep_names_it_and_says_why_and_when_reminders_come(standin, invoke):
    standin.cluster(CLUSTER).addon("coredns").status = "abnormal"
    invoke(timer_at(FIRST_SWEEP))  # the sweep whose window holds the end: held, and told

    [again] = invoke(timer_at(FIRST_SWEEP + HOUR))["clusters"]  # the next one: held still, not told again

    assert (again["outcome"], again["notification"]) == ("held", None)
    assert (again["upgrade_task_id"], again["cluster_version"], again["target_version"]) == (NEW_TASK, V_MID, V_NEW)
    assert [(f["kind"], f["name"], f["state"]) for f in again["health"]["findings"]] == [
        ("addon", "coredns", "abnormal")]  # the gate's one finding, as the result documents it
    assert "reminders come once a day" in again["reason"]  # at most once a day by default (docs/operations.md)
    assert len(standin.published) == 1 and standin.postchecks == []


def confirmed_by_another_while_waiting(standin: Any, time: SimulatedTime) -> Any:
    """A pause of the health gate during which the add-on settles and another invocation confirms the upgrade
    (CCE's post-check marks the workflow's PostCheck step done)."""
    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        standin.cluster(CLUSTER).addon("coredns").status = "running"
        standin.state.complete_postcheck(CLUSTER, "b1c2d3e4-0000-4000-8000-000000000001",
                                         {"spec": {"clusterVersion": V_MID, "targetVersion": V_NEW}})
    return sleep


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_an_upgrade_confirmed_elsewhere_while_the_health_gate_waited_is_ignored(standin, context):
    standin.cluster(CLUSTER).addon("coredns").status = "installing"  # transient: the gate waits it out
    time = SimulatedTime()
    runtime = Runtime.from_context(context, Deadline(900.0, clock=time.clock), POLICY)
    runtime.sleep = confirmed_by_another_while_waiting(standin, time)
    runtime.rng = lambda low, high: low

    result = check.check_cluster(parse_event(MANUAL), runtime).to_dict()

    assert result["outcome"] == "ignored"
    assert (result["upgrade_task_id"], result["cluster_version"], result["target_version"]) == (NEW_TASK, V_MID,
                                                                                                V_NEW)
    assert result["reason"] and NEW_TASK in result["reason"]
    assert [p["uid"] for p in standin.postchecks] == ["b1c2d3e4-0000-4000-8000-000000000001"]  # only the other's
    assert standin.published == []


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_an_upgrade_still_unconfirmed_after_the_health_gate_waited_is_confirmed(standin, context):
    standin.cluster(CLUSTER).addon("coredns").status = "installing"
    time = SimulatedTime()

    def settle(seconds: float) -> None:
        time.sleep(seconds)
        standin.cluster(CLUSTER).addon("coredns").status = "running"

    runtime = Runtime.from_context(context, Deadline(900.0, clock=time.clock), POLICY)
    runtime.sleep = settle
    runtime.rng = lambda low, high: low

    result = check.check_cluster(parse_event(MANUAL), runtime).to_dict()

    assert time.pauses  # the gate did wait
    assert (result["outcome"], result["upgrade_task_id"]) == ("checked", NEW_TASK)
    [mine] = standin.postchecks
    assert result["task_uid"] == mine["uid"]
