"""Every scenario the tests and the demo run against is a state CCE could be in (scripts/standin/consistency.py).

The files under tests/scenarios/, the demo as conftest hands it out, the sweep tests' two clusters and the sweep
benchmark's generated clusters are checked; then the checker itself is shown to catch each kind of contradiction,
among them the one the demo used to have (issue 8: its newest upgrade task read ``Running`` while the cluster's
``spec.version`` already was the target, and its workflow's ``Cluster`` step already ``Success``).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scripts.bench_sweep import make_scenario
from scripts.standin.consistency import parse_timestamp, problems
from tests.support import SCENARIOS, demo_scenario, task

FILES = sorted(SCENARIOS.glob("*.json"))


def test_there_are_scenario_files() -> None:
    assert SCENARIOS / "demo.json" in FILES


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_every_scenario_file_is_consistent(path: Path) -> None:
    assert problems(path) == []


def _two_clusters() -> dict[str, Any]:
    from tests.support import two_clusters  # the sweep tests' scenario, as they build it

    return two_clusters()


@pytest.mark.parametrize(
    "build",
    [demo_scenario, _two_clusters, lambda: make_scenario(5)],
    ids=["conftest.demo_scenario", "sweep-two_clusters", "bench_sweep.make_scenario"],
)
def test_scenarios_built_by_tests_are_consistent(build: Any) -> None:
    assert problems(build()) == []


# -- the checker catches each contradiction -------------------------------------------------------------------


def _demo(change: Any) -> dict[str, Any]:
    scenario = demo_scenario()
    change(scenario["clusters"][0])
    return scenario


def _newest(cluster: dict[str, Any]) -> dict[str, Any]:
    return cluster["upgrade_tasks"][0]


def _one(found: list[str], *fragments: str) -> None:
    assert any(all(fragment in problem for fragment in fragments) for problem in found), found


def test_the_demo_as_issue_8_found_it_is_inconsistent() -> None:
    found = problems(_demo(lambda c: _newest(c).update(phases=["Running", "Success"])))

    _one(found, "clusters[0].version: v1.19.16-r80", "is Running", "the cluster is at v1.15.11-r1")
    _one(found, "clusters[0].workflows[0].points[1]", "status Success", "is Running")


def test_a_running_upgrade_is_consistent_when_the_cluster_is_still_at_its_source_version() -> None:
    def running(cluster: dict[str, Any]) -> None:
        cluster.update(version="v1.15.11-r1", phases=["Upgrading", "Available"])
        _newest(cluster).update(phases=["Running", "Running", "Success"])
        cluster["workflows"][0]["points"][1]["status"] = "Running"
        del cluster["workflows"][0]["points"][1]["endTimeStamp"]

    assert problems(_demo(running)) == []


@pytest.mark.parametrize(
    ("phases", "fragment"),
    [
        (["Success", "Running"], "phases: Running after the terminal phase Success"),
        (["Failed", "Success"], "phases: Success after the terminal phase Failed"),
        (["Running", "Queuing", "Success"], "phases: Queuing after Running"),
        (["Queuing", "Init", "Success"], "phases: Init after Queuing"),
    ],
)
def test_an_impossible_phase_history_is_reported(phases: list[str], fragment: str) -> None:
    found = problems(_demo(lambda c: _newest(c).update(phases=phases)))

    _one(found, "clusters[0].upgrade_tasks[0]." + fragment)


def test_running_and_pausing_back_and_forth_is_a_possible_history() -> None:
    def paused(cluster: dict[str, Any]) -> None:
        _newest(cluster).update(phases=["Init", "Queuing", "Running", "Pause", "Running", "Success", "Success"])
        cluster.update(version="v1.15.11-r1")
        cluster["workflows"][0]["points"][1]["status"] = "Init"
        del cluster["workflows"][0]["points"][1]["endTimeStamp"]

    assert problems(_demo(paused)) == []


def test_a_terminal_task_needs_a_completion_time_and_a_running_one_has_none() -> None:
    _one(problems(_demo(lambda c: _newest(c).pop("completionTime"))), "is Success without a completionTime")

    def running(cluster: dict[str, Any]) -> None:
        _newest(cluster).update(phases=["Running"])
        cluster.update(version="v1.15.11-r1")
        cluster["workflows"][0]["points"][1]["status"] = "Running"
        del cluster["workflows"][0]["points"][1]["endTimeStamp"]

    _one(problems(_demo(running)), "has a completionTime but never ends")


def test_a_task_ending_before_it_began_is_reported() -> None:
    found = problems(_demo(lambda c: _newest(c).update(completionTime="2026-11-27 07:59:59.000 +0000 UTC")))

    _one(found, "upgrade_tasks[0].completionTime", "before its creationTimestamp")


def test_the_cluster_is_at_the_version_its_newest_upgrade_left() -> None:
    failed = problems(_demo(lambda c: _newest(c).update(phase="Failed")))
    _one(failed, "clusters[0].version: v1.19.16-r80", "failed", "the cluster is at v1.15.11-r1")

    behind = problems(_demo(lambda c: c.update(version="v1.15.11-r1")))
    _one(behind, "clusters[0].version: v1.15.11-r1", "succeeded", "the cluster is at v1.19.16-r80")


def test_upgrades_chain_one_at_a_time() -> None:
    gap = problems(_demo(lambda c: c["upgrade_tasks"][1].update(targetVersion="v1.15.11-r0")))
    _one(gap, "upgrade_tasks[0]: upgrades from v1.15.11-r1, but the upgrade before it left v1.15.11-r0")

    def overlapping_older(cluster: dict[str, Any]) -> None:
        cluster["upgrade_tasks"][1].update(phase="Running")
        del cluster["upgrade_tasks"][1]["completionTime"]

    overlapping = problems(_demo(overlapping_older))
    _one(overlapping, "upgrade_tasks[1]: still Running while a newer upgrade task exists")

    early = problems(
        _demo(lambda c: c["upgrade_tasks"][1].update(completionTime="2026-11-27 09:00:00.000 +0000 UTC"))
    )
    _one(early, "upgrade_tasks[0]: began", "before the upgrade before it ended")


def test_newest_is_by_creation_time_not_by_position() -> None:
    scenario = demo_scenario(
        version="v1.21.1-r0",
        upgrade_tasks=[
            task("0b0b0b0b-0000-4000-8000-000000000001", "v1.19.16-r80", "v1.21.1-r0", "Success",
                 "2026-11-28 01:00:00.000 +0000 UTC"),
            *copy.deepcopy(demo_scenario()["clusters"][0]["upgrade_tasks"]),
        ],
    )  # fmt: skip
    assert problems(scenario) == []


def test_a_workflow_agrees_with_its_upgrade_task() -> None:
    versions = problems(_demo(lambda c: c["workflows"][0].update(clusterVersion="v1.13.10-r0")))
    _one(versions, "workflows[0]: versions v1.13.10-r0 -> v1.19.16-r80", "is v1.15.11-r1 -> v1.19.16-r80")

    status = problems(_demo(lambda c: c["workflows"][0]["points"][1].update(status="Failed")))
    _one(status, "workflows[0].points[1]: status Failed", "is Success")

    end = problems(
        _demo(lambda c: c["workflows"][0]["points"][1].update(endTimeStamp="2026-11-27 08:41:00.000 +0000 UTC"))
    )
    _one(end, "points[1].endTimeStamp", "its task completed 2026-11-27 08:40:00.000 +0000 UTC")

    unnamed = problems(_demo(lambda c: c["workflows"][0]["points"][1].pop("taskID")))
    _one(unnamed, "points[1]: a Cluster step that is Success names no upgrade task")


def test_a_workflows_steps_come_in_order() -> None:
    def postcheck_first(cluster: dict[str, Any]) -> None:
        cluster.update(version="v1.15.11-r1")
        _newest(cluster).update(phase="Running")
        del _newest(cluster)["completionTime"]
        cluster["workflows"][0]["points"][1].update(status="Running")
        del cluster["workflows"][0]["points"][1]["endTimeStamp"]
        cluster["workflows"][0]["points"][2].update(status="Success")

    _one(problems(_demo(postcheck_first)), "PostCheck step is Success before the Cluster step succeeded")
    _one(problems(_demo(lambda c: c["workflows"][0].update(phase="Success"))), "phase Success with steps not Success")
    ended = problems(
        _demo(lambda c: c["workflows"][0]["points"][2].update(endTimeStamp="2026-11-27 09:00:00.000 +0000 UTC"))
    )
    _one(ended, "points[2]: has an endTimeStamp but is Init")


def test_an_unparsable_timestamp_is_reported() -> None:
    found = problems(_demo(lambda c: _newest(c).update(completionTime="yesterday")))

    _one(found, "upgrade_tasks[0].completionTime: 'yesterday' is not a timestamp")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-11-27 08:40:00.000 +0000 UTC", "2026-11-27T08:40:00+00:00"),
        ("2026-11-27 08:40:00.123456789 +0000 UTC", "2026-11-27T08:40:00.123456+00:00"),
        ("2023-07-01 09:12:44.316 +0000 UTC", "2023-07-01T09:12:44.316000+00:00"),
        ("2026-11-27T08:40:00Z", "2026-11-27T08:40:00+00:00"),
        ("2026-11-27T16:40:00+08:00", "2026-11-27T16:40:00+08:00"),
        ("2026-11-27 08:40:00", "2026-11-27T08:40:00+00:00"),
    ],
)
def test_timestamps_cce_writes_are_read(text: str, iso: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed is not None and parsed.isoformat() == iso


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01 00:00:00 +0000 UTC", "2026-11-27"])
def test_what_is_not_a_timestamp_is_none(text: str) -> None:
    assert parse_timestamp(text) is None

