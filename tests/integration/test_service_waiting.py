"""Waiting, over real HTTP against the stand-in but on simulated time (docs/operations.md, "Timing";
postcheck.policy.WaitPolicy): the poll cadence (``poll_first_s``, doubling to ``poll_max_s``, each pause jittered by
±``jitter``), and how long an upgrade event waits for CCE to list the task its trace names (``unknown_task_wait_s``, and
never past what its trigger allows: an EventGrid event, a sweep's budget).

The function's random jitter is replaced by its two extremes, so that every pause is known exactly.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from postcheck import check
from postcheck.deadline import Deadline
from postcheck.parse import parse_event
from postcheck.policy import WaitPolicy
from postcheck.runtime import Runtime
from scripts.local_context import LocalContext
from tests.support import CLUSTER, event, operations
from tests.support.upgrades import (
    NEW_TASK,
    UNKNOWN_VERSION,
    V_MID,
    V_NEW,
    SimulatedTime,
    upgrade_scenario,
)

MANUAL = {"cluster_id": CLUSTER}
UNLISTED_TASK = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a"  # a task ID CCE does not know for the cluster


def run(evt: Any, context: LocalContext, time: SimulatedTime, policy: WaitPolicy,
        jitter_at: str = "low", budget_s: float = 900.0) -> dict[str, Any]:
    """The handler's path for one event, on ``time``: the deadline runs on its clock, every pause is recorded, and
    each jittered pause takes the ``low`` or ``high`` end of its range."""
    runtime = Runtime.from_context(context, Deadline(budget_s, clock=time.clock), policy)
    runtime.sleep = time.sleep
    runtime.rng = (lambda low, high: low) if jitter_at == "low" else (lambda low, high: high)
    result = check.check_cluster(parse_event(evt), runtime).to_dict()
    json.dumps(result)
    return result


CADENCE = WaitPolicy(poll_first_s=1.0, poll_max_s=4.0, jitter=0.5, time_to_check_s=1.0, health_poll_s=1.0,
                     unknown_task_wait_s=30.0)


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",) * 5 + ("Success",))])
@pytest.mark.parametrize(("jitter_at", "factor"), [("low", 0.5), ("high", 1.5)])
def test_a_running_upgrade_is_polled_at_a_doubling_jittered_cadence(standin, context, jitter_at, factor):
    time = SimulatedTime()

    result = run(MANUAL, context, time, CADENCE, jitter_at)

    assert (result["outcome"], result["upgrade_task_id"]) == ("checked", NEW_TASK)
    # 1 s, doubling, held at 4 s; each pause at the end of its ±50 % range
    expected = [factor * delay for delay in (1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0)]
    assert len(time.pauses) >= 3
    assert time.pauses == pytest.approx(expected[:len(time.pauses)])


def naming_an_unlisted_task(name: str) -> dict[str, Any]:
    evt = copy.deepcopy(event(name))
    if name == "eventgrid_cluster_upgrade":
        evt["data"]["response"]["metadata"]["uid"] = UNLISTED_TASK
    else:
        evt["cts"]["response"] = json.dumps({"metadata": {"uid": UNLISTED_TASK}})
    return evt


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
@pytest.mark.parametrize("name", ["cts_cluster_upgrade", "eventgrid_cluster_upgrade"])
def test_a_task_cce_never_lists_is_pending_after_the_unknown_task_wait(standin, context, name):
    time = SimulatedTime()

    result = run(naming_an_unlisted_task(name), context, time, CADENCE)

    assert result["outcome"] == "pending"
    assert UNLISTED_TASK in result["reason"]
    assert time.pauses, "CCE's lists may lag the trace: it looks again"
    assert sum(time.pauses) <= CADENCE.unknown_task_wait_s
    assert standin.postchecks == [] and standin.published == []
    assert "postcheck" not in operations(standin)


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
@pytest.mark.parametrize("name", ["cts_cluster_upgrade", "eventgrid_cluster_upgrade"])
def test_with_no_wait_for_an_unlisted_task_it_is_pending_at_once(standin, context, name):
    time = SimulatedTime()
    policy = WaitPolicy(**{**CADENCE.__dict__, "unknown_task_wait_s": 0.0})

    result = run(naming_an_unlisted_task(name), context, time, policy)

    assert result["outcome"] == "pending" and UNLISTED_TASK in result["reason"]
    assert time.pauses == []
    assert standin.postchecks == [] and standin.published == []


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_an_eventgrid_event_waits_for_an_unlisted_task_no_longer_than_a_sweeps_budget(standin, context):
    """EventGrid's invocation mode is not documented: its event waits as if cut at a sweep's budget, even when
    ``unknown_task_wait_s`` would allow longer."""
    time = SimulatedTime()
    policy = WaitPolicy(**{**CADENCE.__dict__, "unknown_task_wait_s": 600.0, "sweep_budget_s": 20.0})

    result = run(naming_an_unlisted_task("eventgrid_cluster_upgrade"), context, time, policy)

    assert result["outcome"] == "pending"
    assert time.pauses, "it did look again"
    assert sum(time.pauses) <= 20.0


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_cts_event_waits_for_an_unlisted_task_up_to_the_unknown_task_wait(standin, context):
    """The control for the EventGrid bound above: CTS invokes asynchronously, so its event may wait the whole
    ``unknown_task_wait_s`` (here 600 s of a 900 s invocation), well past a sweep's budget."""
    time = SimulatedTime()
    policy = WaitPolicy(**{**CADENCE.__dict__, "unknown_task_wait_s": 600.0, "sweep_budget_s": 20.0})

    result = run(naming_an_unlisted_task("cts_cluster_upgrade"), context, time, policy)

    assert result["outcome"] == "pending"
    assert 20.0 < sum(time.pauses) <= 600.0


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_manual_events_health_gate_waits_only_within_its_manual_wait(standin, context):
    """docs/operations.md, the health gate: transient states are re-read for at most HEALTH_WAIT_SECONDS, a manual
    event's within its MANUAL_WAIT_SECONDS from the start: here 10 s, though the gate alone would wait 300 s."""
    context._user_data.update({"MANUAL_WAIT_SECONDS": "10", "HEALTH_WAIT_SECONDS": "300"})
    node = standin.cluster(CLUSTER).nodes[0]
    node.walk(["Installing"])  # never heals
    time = SimulatedTime()

    result = run(MANUAL, context, time, CADENCE)

    assert result["outcome"] == "held"
    assert time.pauses, "it waited before counting the state as a finding"
    assert sum(time.pauses) <= 10.0
    assert standin.postchecks == []


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running", "Running", "Success"))])
@pytest.mark.parametrize("asked", [{"cluster_version": V_MID, "target_version": V_NEW}, {"target_version": V_NEW},
                                   {"cluster_version": V_MID}], ids=["both", "target-only", "source-only"])
def test_versions_asked_for_are_judged_again_when_the_waited_for_upgrade_ends(standin, context, asked):
    """The control case of the "target is not the cluster's version" rejection, reached after waiting: a manual
    event with versions waits for the running upgrade; when it ends, the cluster runs another version than the
    upgrade's target, so the versions asked for are contradicted by CCE: rejected, nothing confirmed."""
    standin.cluster(CLUSTER).version = UNKNOWN_VERSION
    time = SimulatedTime()

    result = run({**MANUAL, **asked}, context, time, CADENCE)

    assert time.pauses, "it waited for the running upgrade"
    assert (result["outcome"], result["error"]["code"]) == ("rejected", "VersionMismatch")
    assert UNKNOWN_VERSION in result["error"]["message"]
    assert standin.postchecks == [] and standin.published == []


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",))])
@pytest.mark.parametrize("jitter_at", ["low", "high"])
def test_following_an_upgrade_stops_while_there_is_still_time_to_check_and_report(standin, context, jitter_at):
    """docs/operations.md, Faults and retries: waiting for a running upgrade stops while there is still time to check
    and report (``time_to_check_s`` before the deadline's reserve); the result is then pending."""
    policy = WaitPolicy(**{**CADENCE.__dict__, "time_to_check_s": 3.0})
    time = SimulatedTime()
    deadline = Deadline(60.0, clock=time.clock)
    runtime = Runtime.from_context(context, deadline, policy)
    runtime.sleep = time.sleep
    runtime.rng = (lambda low, high: low) if jitter_at == "low" else (lambda low, high: high)

    result = check.check_cluster(parse_event(event("cts_cluster_upgrade")), runtime).to_dict()

    assert result["outcome"] == "pending"
    assert len(time.pauses) > 3, "it followed the upgrade"
    assert deadline.usable() >= policy.time_to_check_s
    # and it did not stop early: one more pause of the longest kind would have left less than that
    assert deadline.usable() < policy.poll_max_s * (1 + policy.jitter) + policy.time_to_check_s
