"""Issue 8 over real HTTP: the handler (or, where time must be simulated, ``check.check_cluster`` with a Runtime
whose clock and sleep are injected) drives the official SDK against the stand-in.

What is asserted is the issue's contract and docs/operations.md ("Which upgrade is confirmed, and when", "Timing",
"What owners see", "The sweep") and the README ("The result"): which upgrade is confirmed, when nothing may be written
or published, the health gate's three modes, waiting out transient states, ``force``, the sweep's judging of held
upgrades and its once-a-day reminders, and the "upgrade started" message.

The scenarios are built as CCE could be (``scripts.standin.consistency.problems`` is empty for each): the
cluster's version follows its newest upgrade task, workflow steps follow their tasks, and the upgrade's end (the
task's ``completionTime`` and its workflow ``Cluster`` step's ``endTimeStamp``) lies in the window of the first
timer event the sweep tests send.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest

from postcheck import check
from postcheck.deadline import Deadline
from postcheck.parse import parse_event
from postcheck.policy import WaitPolicy
from postcheck.runtime import Runtime
from scripts.local_context import LocalContext
from scripts.standin.consistency import problems
from tests.support import CLUSTER, FAST, demo_scenario, event, operations
from tests.support.upgrades import (
    BEIJING,
    ENDED,
    HOUR,
    NEW_TASK,
    UNKNOWN_VERSION,
    UTC,
    V_MID,
    V_NEW,
    V_OLD,
    WORKFLOW,
    SimulatedTime,
    addon_abnormal,
    addon_available,
    cluster_unavailable,
    node_abnormal,
    pool_in_error,
    upgrade_scenario,
)

# The first sweep: tests/events/timer.json's time (2026-11-28T06:30:00+08:00); its window, the hour before
# (SWEEP_WINDOW_MINUTES' default), holds ENDED.
FIRST_SWEEP = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
TIMER = event("timer")

GATE_READS = ("list_nodes", "list_node_pools", "list_addon_instances")
MANUAL = {"cluster_id": CLUSTER}


# -- scenarios ----------------------------------------------------------------------------------------------------


def configure(context: LocalContext, **variables: str) -> None:
    """Set the function's environment variables for the next invocations."""
    context._user_data.update(variables)


def check_simulated(evt: Any, context: LocalContext, time: SimulatedTime, budget_s: float = 900.0,
                    policy: WaitPolicy | None = None) -> dict[str, Any]:
    """One event, as the handler carries it out, but on simulated time: the invocation's deadline runs on
    ``time``'s clock and every pause of the function is recorded, not slept (``handler`` has no seam for the
    sleep, so this goes through ``check.check_cluster`` with a Runtime built the way ``handle`` builds it)."""
    deadline = Deadline(budget_s, clock=time.clock)
    runtime = Runtime.from_context(context, deadline, policy)
    runtime.sleep = time.sleep
    result = check.check_cluster(parse_event(evt), runtime).to_dict()
    json.dumps(result)
    return result


def timer_at(moment: datetime) -> dict[str, Any]:
    """The timer trigger's event for a firing at ``moment`` (its ``time`` in the project's +08:00, as samples)."""
    return {**TIMER, "time": moment.astimezone(BEIJING).isoformat()}


def kinds(standin: Any) -> list[str]:
    """The kind of each published message, from its https body (``started``, ``checked``, ``held``, ...)."""
    return [json.loads(p["message_structure"]["https"])["kind"] for p in standin.published]


def only_reads(standin: Any) -> bool:
    return all(r["method"] == "GET" for r in standin.requests)


# -- 1. a manual event follows the newest upgrade ---------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",))])
def test_a_manual_event_during_a_running_upgrade_is_pending_and_confirms_nothing(standin, invoke, context):
    configure(context, MANUAL_WAIT_SECONDS="1")

    result = invoke(MANUAL, policy=FAST)

    assert result["outcome"] == "pending"
    # the newest upgrade, not the older one that finished
    assert (result["upgrade_task_id"], result["cluster_version"], result["target_version"]) == (NEW_TASK, V_MID, V_NEW)
    assert operations(standin).count("show_upgrade_task") >= 1  # it did wait, polling the task
    assert standin.postchecks == [] and "postcheck" not in operations(standin)
    assert standin.published == [] and result["notification"] is None
    assert result["health"] is None  # no check was due
    assert standin.cluster(CLUSTER).workflows[0].points[2].status == "Init"


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",))])
def test_a_manual_event_waits_at_most_manual_wait_seconds(standin, context):
    """On simulated time: the invocation could wait 900 s, the manual event waits MANUAL_WAIT_SECONDS."""
    configure(context, MANUAL_WAIT_SECONDS="20")
    time = SimulatedTime()

    result = check_simulated(MANUAL, context, time, budget_s=900.0)

    assert result["outcome"] == "pending"
    assert time.pauses, "a manual event waits for a running upgrade"
    assert sum(time.pauses) <= 20
    assert operations(standin).count("show_upgrade_task") == len(time.pauses)  # one read per pause
    assert standin.postchecks == [] and standin.published == []


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",))])
def test_a_manual_event_with_no_wait_allowed_is_pending_at_once(standin, context):
    configure(context, MANUAL_WAIT_SECONDS="0")
    time = SimulatedTime()

    result = check_simulated(MANUAL, context, time)

    assert result["outcome"] == "pending" and time.pauses == []
    assert standin.postchecks == [] and standin.published == []


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running", "Running", "Success"))])
def test_a_manual_event_during_a_short_upgrade_waits_and_confirms_the_newest(standin, invoke):
    result = invoke(MANUAL, policy=FAST)

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    assert (result["upgrade_task_id"], result["cluster_version"], result["target_version"]) == (NEW_TASK, V_MID, V_NEW)
    [check] = standin.postchecks
    assert check["body"]["spec"] == {"clusterID": CLUSTER, "clusterVersion": V_MID, "targetVersion": V_NEW}
    assert check["workflows"] == [WORKFLOW]
    assert kinds(standin) == ["checked"]  # a manual event never announces a start
    assert result["notification"]["message_id"] == standin.published[0]["message_id"]


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running", "Running", "Success"))])
def test_a_short_upgrade_waited_for_on_simulated_time_is_confirmed_when_it_ends(standin, context):
    time = SimulatedTime()

    result = check_simulated(MANUAL, context, time)

    assert (result["outcome"], result["upgrade_task_id"]) == ("checked", NEW_TASK)
    assert len(time.pauses) == 2  # two polls: Running, then Success
    assert sum(time.pauses) <= 60  # MANUAL_WAIT_SECONDS' default
    assert [c["body"]["spec"]["targetVersion"] for c in standin.postchecks] == [V_NEW]


# -- 2. a newest upgrade that failed ------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Failed",))])
@pytest.mark.parametrize("name", ["manual", "cts_cluster_upgrade", "postcheck_task_body"])
def test_a_newest_upgrade_that_failed_after_an_older_success_is_reported_not_confirmed(standin, invoke, name):
    evt = event(name)
    if name == "postcheck_task_body":  # no versions: the newest upgrade decides
        evt = {**evt, "spec": {"clusterID": CLUSTER}}

    result = invoke(evt, policy=FAST)

    assert (result["outcome"], result["error"]["code"]) == ("failed", "UpgradeFailed")
    assert result["upgrade_task_id"] == NEW_TASK
    assert standin.postchecks == [] and "postcheck" not in operations(standin)
    [published] = standin.published
    assert kinds(standin) == ["failed"]
    assert "Failed" in published["subject"]
    email = published["message_structure"]["email"]
    assert NEW_TASK in email and f"{V_MID} -> {V_NEW}" in email
    assert "CCE answered" not in email  # UpgradeFailed is the function's code, not CCE's answer
    assert result["notification"]["message_id"] == published["message_id"]


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Failed",))])
def test_the_sweep_reports_a_failed_newest_upgrade_once(standin, invoke):
    first = invoke(timer_at(FIRST_SWEEP))["clusters"][0]
    later = [invoke(timer_at(FIRST_SWEEP + k * HOUR))["clusters"][0] for k in (1, 2)]

    assert (first["outcome"], first["error"]["code"]) == ("failed", "UpgradeFailed")
    assert [r["outcome"] for r in later] == ["ignored", "ignored"]
    assert standin.postchecks == []
    assert kinds(standin) == ["failed"]


# -- 3. explicit versions that contradict CCE ---------------------------------------------------------------------


def api_body(cluster_version: str | None, target_version: str | None) -> dict[str, Any]:
    spec = {"clusterID": CLUSTER, "clusterVersion": cluster_version, "targetVersion": target_version}
    return {**event("postcheck_task_body"), "spec": {k: v for k, v in spec.items() if v is not None}}


def manual(cluster_version: str | None, target_version: str | None) -> dict[str, Any]:
    fields = {"cluster_version": cluster_version, "target_version": target_version}
    return {"cluster_id": CLUSTER, **{k: v for k, v in fields.items() if v is not None}}


NO_UPGRADES = demo_scenario(upgrade_tasks=[], workflows=[])
assert problems(NO_UPGRADES) == []

MISMATCHES = [
    # (id, scenario, event, what CCE says: versions the message must name)
    pytest.param(upgrade_scenario(), manual(V_OLD, V_MID), (V_MID, V_NEW), id="older-pair"),
    pytest.param(upgrade_scenario(), api_body(V_OLD, V_MID), (V_MID, V_NEW), id="older-pair-in-the-api-body"),
    pytest.param(upgrade_scenario(), manual(V_MID, UNKNOWN_VERSION), (V_NEW,), id="wrong-target"),
    pytest.param(upgrade_scenario(), manual(None, V_MID), (V_NEW,), id="older-target-only"),
    pytest.param(upgrade_scenario(), api_body(V_OLD, None), (V_MID,), id="older-source-only"),
    pytest.param(NO_UPGRADES, manual(V_MID, V_NEW), (V_NEW,), id="cluster-without-upgrades"),
    pytest.param(upgrade_scenario(workflow=False), manual(V_OLD, V_MID), (V_MID, V_NEW), id="older-pair-no-workflow"),
]


@pytest.mark.parametrize(("scenario", "evt", "cce_says"), MISMATCHES)
def test_versions_that_contradict_cce_are_rejected_with_nothing_written_or_published(standin, invoke, evt, cce_says):
    result = invoke(evt)

    assert result["outcome"] == "rejected"
    assert result["error"]["code"] == "VersionMismatch"
    message = result["error"]["message"]
    asked = evt.get("spec", evt)
    for version in (asked.get("cluster_version") or asked.get("clusterVersion"),
                    asked.get("target_version") or asked.get("targetVersion")):
        if version is not None:
            assert version in message  # the event's versions
    for version in cce_says:
        assert version in message  # and CCE's
    assert standin.postchecks == [] and standin.published == []
    assert result["notification"] is None
    assert only_reads(standin), operations(standin)
    assert "postcheck" not in operations(standin) and "publish" not in operations(standin)


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_target_that_is_not_the_clusters_version_is_rejected(standin, invoke):
    """The target must be the version the cluster runs (spec.version), even where a task names the pair."""
    standin.cluster(CLUSTER).version = UNKNOWN_VERSION

    result = invoke(manual(V_MID, V_NEW))

    assert (result["outcome"], result["error"]["code"]) == ("rejected", "VersionMismatch")
    assert UNKNOWN_VERSION in result["error"]["message"] and V_NEW in result["error"]["message"]
    assert standin.postchecks == [] and standin.published == [] and only_reads(standin)


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
@pytest.mark.parametrize("evt", [manual(V_MID, V_NEW), api_body(V_MID, V_NEW), manual(None, V_NEW)],
                         ids=["manual", "api-body", "target-only"])
def test_versions_that_agree_with_cce_are_confirmed(standin, invoke, evt):
    """The control for the rejections above: the newest upgrade's own versions are accepted."""
    result = invoke(evt)

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    [check] = standin.postchecks
    assert check["body"]["spec"]["targetVersion"] == V_NEW


# -- 4. the health gate under block, report and off ---------------------------------------------------------------


UNHEALTHY = [cluster_unavailable, node_abnormal, pool_in_error, addon_available, addon_abnormal]


def counts(health: dict[str, Any]) -> tuple[Any, ...]:
    return (health["cluster_phase"], health["nodes"], health["node_pools"], health["addons"])


SOUND_NODES, SOUND_POOLS, SOUND_ADDONS = {"total": 3, "active": 3}, {"total": 1, "error": 0}, {"total": 3, "running": 3}
EXPECTED_COUNTS = {
    # the demo cluster: 3 nodes, 1 node pool, 3 add-ons
    cluster_unavailable: ("Unavailable", SOUND_NODES, SOUND_POOLS, SOUND_ADDONS),
    node_abnormal: ("Available", {"total": 3, "active": 2}, SOUND_POOLS, SOUND_ADDONS),
    pool_in_error: ("Available", SOUND_NODES, {"total": 1, "error": 1}, SOUND_ADDONS),
    addon_available: ("Available", SOUND_NODES, SOUND_POOLS, {"total": 3, "running": 2}),
    addon_abnormal: ("Available", SOUND_NODES, SOUND_POOLS, {"total": 3, "running": 2}),
}


def the_finding(health: dict[str, Any]) -> dict[str, str]:
    [finding] = health["findings"]
    assert finding["message"]  # says what is wrong
    return {key: finding[key] for key in ("kind", "id", "name", "state")}


def names_the_finding(text: str, finding: dict[str, str]) -> bool:
    return finding["id"] in text and finding["state"] in text


def says_one_finding(sms: str) -> bool:
    return re.search(r"\b1 health finding", sms) is not None


@pytest.mark.parametrize("unhealthy", UNHEALTHY)
def test_block_holds_an_unhealthy_cluster_and_tells_its_owners_once(standin, invoke, unhealthy):
    expected = unhealthy(standin.cluster(CLUSTER))

    result = invoke(MANUAL)

    assert result["outcome"] == "held"
    assert standin.postchecks == [] and "postcheck" not in operations(standin)
    health = result["health"]
    assert (health["gate"], health["healthy"]) == ("block", False)
    assert the_finding(health) == expected
    assert counts(health) == EXPECTED_COUNTS[unhealthy]
    [published] = standin.published
    assert kinds(standin) == ["held"]
    assert "held" in published["subject"] and "Reminder" not in published["subject"]
    assert names_the_finding(published["message_structure"]["email"], expected)
    assert says_one_finding(published["message_structure"]["sms"])
    assert result["notification"]["message_id"] == published["message_id"]
    assert standin.cluster(CLUSTER).workflows[0].points[2].status == "Init"  # not confirmed in CCE's record


@pytest.mark.parametrize("unhealthy", UNHEALTHY)
def test_report_confirms_anyway_with_the_findings_in_the_result_and_the_message(standin, invoke, context,
                                                                                unhealthy):
    configure(context, HEALTH_GATE="report")
    expected = unhealthy(standin.cluster(CLUSTER))

    result = invoke(MANUAL)

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    assert len(standin.postchecks) == 1
    health = result["health"]
    assert (health["gate"], health["healthy"]) == ("report", False)
    assert the_finding(health) == expected
    assert counts(health) == EXPECTED_COUNTS[unhealthy]
    assert result["forced"] is False
    [published] = standin.published
    assert kinds(standin) == ["checked"]
    assert names_the_finding(published["message_structure"]["email"], expected)
    assert says_one_finding(published["message_structure"]["sms"])


@pytest.mark.parametrize("unhealthy", UNHEALTHY)
def test_off_confirms_without_reading_the_clusters_parts(standin, invoke, context, unhealthy):
    configure(context, HEALTH_GATE="off")
    unhealthy(standin.cluster(CLUSTER))

    result = invoke(MANUAL)

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    assert result["health"] is None
    assert not set(GATE_READS) & set(operations(standin)), operations(standin)
    assert len(standin.postchecks) == 1
    assert kinds(standin) == ["checked"]


def test_a_healthy_cluster_is_confirmed_with_its_health_summary(standin, invoke):
    result = invoke(MANUAL)

    assert result["outcome"] == "checked"
    health = result["health"]
    assert (health["gate"], health["healthy"], health["findings"]) == ("block", True, [])
    assert counts(health) == ("Available", SOUND_NODES, SOUND_POOLS, SOUND_ADDONS)
    assert all(op in operations(standin) for op in GATE_READS)
    # the gate's reads come before the confirmation
    ops = operations(standin)
    assert max(ops.index(op) for op in GATE_READS) < ops.index("postcheck")


# ListNodes answers at most 2000 nodes a page ("Listing All Nodes in a Cluster", limit 1-2000,
# https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0244.html): 2100 nodes take two pages.
@pytest.mark.parametrize("scenario", [demo_scenario(node_count=2100)])
def test_every_node_of_a_cluster_over_a_thousand_nodes_is_judged(standin, invoke):
    last = standin.cluster(CLUSTER).nodes[-1]
    last.phase = "Abnormal"

    result = invoke(MANUAL)

    assert result["outcome"] == "held"
    assert result["health"]["nodes"] == {"total": 2100, "active": 2099}
    assert the_finding(result["health"])["id"] == last.uid


# -- 5. transient states are waited out ---------------------------------------------------------------------------


def node_installing(cluster: Any) -> str:
    cluster.nodes[0].walk(["Installing", "Active"])
    return "list_nodes"


def addon_upgrading(cluster: Any) -> str:
    cluster.addon("metrics-server").walk(["upgrading", "running"])
    return "list_addon_instances"


def pool_creating_nodes(cluster: Any) -> str:
    cluster.node_pools[0].walk(["", ""], creating=[2, 0])
    return "list_node_pools"


def cluster_upgrading(cluster: Any) -> str:
    cluster.walk(["Upgrading", "Available"])
    return "show_cluster"


@pytest.mark.parametrize("transient", [node_installing, addon_upgrading, pool_creating_nodes, cluster_upgrading])
def test_a_transient_state_is_waited_out_and_then_confirmed(standin, invoke, transient):
    read = transient(standin.cluster(CLUSTER))

    result = invoke(MANUAL, policy=FAST)

    assert result["outcome"] == "checked"
    assert (result["health"]["healthy"], result["health"]["findings"]) == (True, [])
    assert operations(standin).count(read) >= 2  # read again after the transient state
    assert len(standin.postchecks) == 1
    assert kinds(standin) == ["checked"]


@pytest.mark.parametrize("transient", [node_installing, addon_upgrading])
def test_a_transient_state_is_waited_out_on_simulated_time(standin, context, transient):
    read = transient(standin.cluster(CLUSTER))
    time = SimulatedTime()

    result = check_simulated(MANUAL, context, time)

    assert result["outcome"] == "checked" and result["health"]["healthy"] is True
    assert len(time.pauses) == 1  # one pause, then the healed state is read
    assert operations(standin).count(read) == 2


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
@pytest.mark.parametrize(("name", "wait"), [("manual", 30), ("cts_cluster_upgrade", 60)])
def test_a_transient_state_that_outlasts_health_wait_seconds_counts_as_a_finding(standin, context, name, wait):
    configure(context, HEALTH_WAIT_SECONDS=str(wait))
    node = standin.cluster(CLUSTER).nodes[0]
    node.walk(["Installing"])  # never heals
    time = SimulatedTime()

    result = check_simulated(event(name), context, time, budget_s=900.0)

    assert result["outcome"] == "held"
    assert the_finding(result["health"]) == {"kind": "node", "id": node.uid, "name": node.name,
                                             "state": "Installing"}
    assert time.pauses, "it waited before counting the state as a finding"
    assert sum(time.pauses) <= wait
    assert standin.postchecks == []
    assert kinds(standin) == ["held"]


# -- 6. force --------------------------------------------------------------------------------------------------------


def test_force_confirms_despite_findings_and_says_so(standin, invoke):
    expected = node_abnormal(standin.cluster(CLUSTER))

    result = invoke({"cluster_id": CLUSTER, "force": True})

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    assert result["forced"] is True
    assert the_finding(result["health"]) == expected
    assert len(standin.postchecks) == 1
    [published] = standin.published
    assert "forced" in published["subject"].lower()
    assert "forced" in published["message_structure"]["email"].lower()
    assert names_the_finding(published["message_structure"]["email"], expected)
    assert json.loads(published["message_structure"]["https"])["result"]["forced"] is True


def test_force_on_a_healthy_cluster_is_not_reported_as_forced(standin, invoke):
    result = invoke({"cluster_id": CLUSTER, "force": True})

    assert result["outcome"] == "checked" and result["forced"] is False
    assert "forced" not in standin.published[0]["subject"].lower()


def suggested_events(text: str) -> list[dict[str, Any]]:
    """The test events a message suggests (JSON objects in its text)."""
    found = []
    for candidate in re.findall(r"\{[^{}]*\}", text):
        try:
            found.append(json.loads(candidate))
        except ValueError:
            continue
    return [evt for evt in found if isinstance(evt, dict) and "cluster_id" in evt]


def test_the_events_a_held_message_suggests_work_as_written(standin, invoke):
    """Issue 8, part 4: every next step a message suggests can succeed as written."""
    node = standin.cluster(CLUSTER).nodes[0]
    node.phase = "Abnormal"
    invoke(MANUAL)
    [held] = standin.published
    suggested = suggested_events(held["message_structure"]["email"])
    forcing = [evt for evt in suggested if evt.get("force") is True]
    plain = [evt for evt in suggested if "force" not in evt]
    assert forcing and plain, held["message_structure"]["email"]

    assert invoke(plain[0])["outcome"] == "held"  # still unhealthy: it holds again, as the message says
    forced = invoke(forcing[0])

    assert (forced["outcome"], forced["forced"]) == ("checked", True)
    assert len(standin.postchecks) == 1


def test_once_healthy_the_suggested_test_event_confirms(standin, invoke):
    node = standin.cluster(CLUSTER).nodes[0]
    node.phase = "Abnormal"
    invoke(MANUAL)
    [plain] = [e for e in suggested_events(standin.published[0]["message_structure"]["email"]) if "force" not in e]
    node.phase = "Active"

    result = invoke(plain)

    assert (result["outcome"], result["forced"]) == ("checked", False)
    assert result["health"]["healthy"] is True
    assert len(standin.postchecks) == 1
    confirmation = standin.published[-1]
    assert "healthy" in confirmation["message_structure"]["email"]  # every checked message carries the summary
    assert "healthy" in confirmation["message_structure"]["sms"]


# -- 7. held, healed, confirmed by a later sweep ---------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_held_upgrade_is_confirmed_by_the_sweep_once_healed(standin, invoke):
    node = standin.cluster(CLUSTER).nodes[0]
    node.phase = "Abnormal"
    outcomes = []

    outcomes.append(invoke(timer_at(FIRST_SWEEP))["clusters"][0])  # its window holds the upgrade's end
    outcomes.append(invoke(timer_at(FIRST_SWEEP + HOUR))["clusters"][0])  # still unhealthy
    node.phase = "Active"
    outcomes.append(invoke(timer_at(FIRST_SWEEP + 2 * HOUR))["clusters"][0])  # healed
    outcomes.append(invoke(timer_at(FIRST_SWEEP + 3 * HOUR))["clusters"][0])  # nothing left to do

    assert [r["outcome"] for r in outcomes] == ["held", "held", "checked", "ignored"]
    assert [r["notification"] is not None for r in outcomes] == [True, False, True, False]
    [check] = standin.postchecks
    assert (check["body"]["spec"]["clusterVersion"], check["body"]["spec"]["targetVersion"]) == (V_MID, V_NEW)
    assert kinds(standin) == ["held", "checked"]
    assert outcomes[2]["health"]["healthy"] is True


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_an_upgrade_an_event_held_is_confirmed_by_a_later_sweep(standin, invoke):
    node = standin.cluster(CLUSTER).nodes[2]
    node.phase = "Abnormal"

    held = invoke(MANUAL)
    # windows after the one that holds the upgrade's end, and less than a day after it: no message
    still = invoke(timer_at(FIRST_SWEEP + HOUR))["clusters"][0]
    node.phase = "Active"
    confirmed = invoke(timer_at(FIRST_SWEEP + 2 * HOUR))["clusters"][0]

    assert (held["outcome"], still["outcome"], confirmed["outcome"]) == ("held", "held", "checked")
    assert still["notification"] is None
    assert len(standin.postchecks) == 1
    assert kinds(standin) == ["held", "checked"]
    assert confirmed["notification"]["message_id"] == standin.published[-1]["message_id"]


@pytest.mark.parametrize("scenario", [upgrade_scenario(workflow=False)])
def test_without_a_workflow_only_the_sweep_whose_window_holds_the_end_judges_the_upgrade(standin, invoke):
    """The README's limit: CCE keeps no record of a held upgrade without a workflow, so later sweeps leave it
    (it is confirmed by hand), and send no reminder."""
    node = standin.cluster(CLUSTER).nodes[0]
    node.phase = "Abnormal"

    first = invoke(timer_at(FIRST_SWEEP))["clusters"][0]
    node.phase = "Active"
    later = [invoke(timer_at(FIRST_SWEEP + k * HOUR))["clusters"][0] for k in (1, 2, 24)]

    assert first["outcome"] == "held" and first["notification"] is not None
    assert [r["outcome"] for r in later] == ["ignored"] * 3
    assert standin.postchecks == []
    assert kinds(standin) == ["held"]


# -- 8. reminders over a simulated day of hourly sweeps ---------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_held_upgrade_is_announced_once_and_reminded_once_a_day(standin, invoke):
    standin.cluster(CLUSTER).addon("coredns").status = "abnormal"

    sweeps = [invoke(timer_at(FIRST_SWEEP + k * HOUR)) for k in range(25)]

    results = [s["clusters"][0] for s in sweeps]
    assert [r["outcome"] for r in results] == ["held"] * 25
    told = [k for k, r in enumerate(results) if r["notification"] is not None]
    assert told == [0, 24]  # the sweep whose window holds the upgrade's end, and the one 24 h later
    assert standin.postchecks == [] and "postcheck" not in operations(standin)
    first, reminder = standin.published
    assert "Reminder" not in first["subject"] and "held" in first["subject"]
    assert "Reminder" in reminder["subject"]
    assert says_one_finding(reminder["message_structure"]["sms"])
    # consecutive windows tile the day
    windows = [s["window"] for s in sweeps]
    assert all(a["end"] == b["start"] for a, b in pairwise(windows))


@pytest.mark.parametrize("scenario", [upgrade_scenario(postcheck_phase="Failed")])
def test_a_confirmation_cce_answered_failed_is_run_again_once_a_day(standin, invoke):
    sweeps = [invoke(timer_at(FIRST_SWEEP + k * HOUR))["clusters"][0] for k in range(25)]

    ran = [k for k, r in enumerate(sweeps) if r["outcome"] == "checked"]
    assert ran == [0, 24]
    assert [c["phase"] for c in standin.postchecks] == ["Failed", "Failed"]
    assert len(standin.published) == 2
    assert all(r["outcome"] == "ignored" for k, r in enumerate(sweeps) if k not in ran)


# -- 9. the "upgrade started" message ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running", "Running", "Success"))])
@pytest.mark.parametrize("name", ["cts_cluster_upgrade", "eventgrid_cluster_upgrade"])
def test_an_upgrade_event_that_finds_its_upgrade_running_announces_it_first(standin, invoke, name):
    result = invoke(event(name), policy=FAST)

    assert result["outcome"] == "checked"
    assert kinds(standin) == ["started", "checked"]
    started, outcome = standin.published
    assert started["subject"].startswith("CCE upgrade started")
    assert "prod-east" in started["subject"] and f"{V_MID} -> {V_NEW}" in started["subject"]
    assert NEW_TASK in started["message_structure"]["email"]
    assert NEW_TASK in started["message_structure"]["sms"]
    assert outcome["subject"].startswith("CCE post-upgrade check Success")
    assert result["notification"]["message_id"] == outcome["message_id"]


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running", "Running", "Success"))])
def test_notify_started_false_sends_no_started_message(standin, invoke, context):
    configure(context, NOTIFY_STARTED="false")

    result = invoke(event("cts_cluster_upgrade"), policy=FAST)

    assert result["outcome"] == "checked"
    assert kinds(standin) == ["checked"]


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running", "Running", "Success"))])
def test_a_manual_event_never_announces_a_start(standin, invoke):
    result = invoke(MANUAL, policy=FAST)

    assert result["outcome"] == "checked"
    assert kinds(standin) == ["checked"]


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",))])
def test_a_sweep_never_announces_a_start(standin, invoke):
    result = invoke(timer_at(FIRST_SWEEP))

    assert result["clusters"][0]["outcome"] == "pending"
    assert standin.published == [] and standin.postchecks == []


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_an_upgrade_event_whose_upgrade_already_ended_announces_no_start(standin, invoke):
    result = invoke(event("cts_cluster_upgrade"))

    assert result["outcome"] == "checked"
    assert kinds(standin) == ["checked"]


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",))])
def test_an_upgrade_event_without_time_to_wait_announces_the_start_and_is_pending(standin, invoke, context):
    """A 12 s invocation whose first pause (4-6 s) and the time kept to check (10 s) do not fit stops at once:
    the start was announced, the outcome is ``pending`` and nothing is confirmed."""
    cred = standin.credentials
    short = LocalContext(cred.ak, cred.sk, cred.security_token, standin.project_id, dict(context._user_data),
                         timeout_s=12.0)

    result = invoke(event("cts_cluster_upgrade"), short, policy=WaitPolicy(poll_first_s=5.0, time_to_check_s=10.0))

    assert result["outcome"] == "pending"
    assert (result["upgrade_task_id"], result["cluster_version"], result["target_version"]) == (NEW_TASK, V_MID, V_NEW)
    assert kinds(standin) == ["started"]
    assert standin.postchecks == []


@pytest.mark.parametrize("scenario", [upgrade_scenario(("Running",))])
def test_an_upgrade_event_follows_its_upgrade_until_the_invocation_must_stop(standin, context):
    """On simulated time: an upgrade event is not bound by MANUAL_WAIT_SECONDS; it polls as long as the invocation
    lasts, keeping time to report, then returns ``pending``."""
    time = SimulatedTime()

    result = check_simulated(event("cts_cluster_upgrade"), context, time, budget_s=600.0)

    assert result["outcome"] == "pending"
    assert 60 < sum(time.pauses) < 600
    assert kinds(standin) == ["started"]
    assert standin.postchecks == []


# -- the scenarios themselves ------------------------------------------------------------------------------------------


def test_the_scenarios_follow_the_upgrades_they_describe():
    """The builders' states are ones CCE could be in (checked on build too) and place the upgrade's end in the
    first sweep's window."""
    window = (FIRST_SWEEP - HOUR, FIRST_SWEEP)
    assert window[0] < ENDED <= window[1]
    assert timer_at(FIRST_SWEEP)["time"] == TIMER["time"]
    for phases in [("Success",), ("Failed",), ("Running",), ("Running", "Running", "Success")]:
        scenario = upgrade_scenario(phases)
        assert problems(copy.deepcopy(scenario)) == []
