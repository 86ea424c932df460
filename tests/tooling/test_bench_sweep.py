"""The sweep benchmark (scripts/bench_sweep.py) runs end to end with tiny numbers. No assertion on time."""

from __future__ import annotations

import dataclasses

import pytest

from scripts import bench_sweep
from scripts.standin import load_scenario

# Workflow timestamps are typed "date" in the SDK model; without python-dateutil the SDK warns and keeps the string.
pytestmark = pytest.mark.filterwarnings("ignore:Unable to convert string to date:ImportWarning")


def test_the_benchmark_checks_every_cluster_and_reports_each_concurrency(monkeypatch):
    monkeypatch.delenv("CLUSTER_IDS", raising=False)

    report = bench_sweep.run_benchmark(clusters=6, concurrencies=(2,), latency_ms=0, repeat=1)

    assert (report.clusters, report.latency_ms, report.repeat) == (6, 0, 1)
    assert [row.concurrency for row in report.rows] == [2]
    assert [len(s.samples) for s in (report.fixed, report.one, report.rows[0].wall)] == [1, 1, 1]
    assert sorted(run.kind for run in report.runs) == ["fixed", "one", "sweep"]
    sweep = next(run for run in report.runs if run.kind == "sweep")
    assert sweep.summary["clusters"] == sweep.summary["checked"] == 6
    assert sweep.published == 6
    # every cluster has a workflow: its Cluster step stands for the upgrade task, no task list is read
    assert sweep.operations == {"list_clusters": 1, "list_upgrade_tasks": 6, "list_workflows": 6, "list_nodes": 6,
                                "list_node_pools": 6, "list_addon_instances": 6, "postcheck": 6, "publish": 6}
    one = next(run for run in report.runs if run.kind == "one")
    assert (one.summary["checked"], one.published) == (1, 1)
    lines = bench_sweep.table(report).splitlines()
    assert lines[0].startswith("| concurrency | median wall (s) |") and lines[0].endswith("| ideal (s) | ratio |")
    assert lines[2].startswith("| 2 | ") and len(lines) == 3
    assert "N = 6 clusters" in bench_sweep.describe(report)


def test_the_generated_scenario_is_one_the_standin_accepts():
    scenario = load_scenario(bench_sweep.make_scenario(3))

    assert [c.id for c in scenario.clusters] == bench_sweep.cluster_ids(3)
    for cluster in scenario.clusters:
        (task,), (workflow,) = cluster.upgrade_tasks, cluster.workflows
        points = {p.task_type: p for p in workflow.points}
        assert task.phase == "Success" and task.completion_time
        assert (points["Cluster"].status, points["Cluster"].task_id, points["PostCheck"].status) == (
            "Success", task.uid, "Init")


def test_a_run_that_did_not_check_every_cluster_fails_loudly():
    run = bench_sweep.Run("sweep", 2, 1.0, 0.5, None, {"clusters": 6, "checked": 5, "failed": 1}, 6,
                          {"list_clusters": 1, **dict.fromkeys(bench_sweep.PER_CLUSTER_CALLS, 6)})

    with pytest.raises(bench_sweep.BenchmarkError, match=r"summary\.checked is 5"):
        bench_sweep._expect(run, 6)
    with pytest.raises(bench_sweep.BenchmarkError, match="5 notifications published"):
        bench_sweep._expect(dataclasses.replace(run, summary={"checked": 6}, published=5), 6)
