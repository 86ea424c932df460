"""Helpers the tests share: the sample events, the demo scenario and its IDs, upgrade tasks, the short wait policy,
and the stand-in's request log. Pure: importing this loads no SDK (tests/unit uses it).

``tests.support.upgrades`` holds the scenarios of a cluster after two upgrades (the integration tests').
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from postcheck.policy import WaitPolicy

ROOT = Path(__file__).resolve().parent.parent.parent
EVENTS = ROOT / "tests" / "events"
SCENARIOS = ROOT / "tests" / "scenarios"
DEMO = json.loads((SCENARIOS / "demo.json").read_text())
PROJECT = DEMO["project_id"]
TOPIC = DEMO["topics"][0]
CLUSTER = DEMO["clusters"][0]["id"]
UPGRADE_TASK = DEMO["clusters"][0]["upgrade_tasks"][0]["uid"]

# Waits shortened for tests (the defaults are in postcheck.policy.WaitPolicy): polls 50 ms apart.
FAST = WaitPolicy(poll_first_s=0.05, poll_max_s=0.2, time_to_check_s=0.5, health_poll_s=0.05,
                  unknown_task_wait_s=0.3)

# The function's configuration variables, cleared from the process environment by tests of the configuration
# (postcheck.config reads ``os.environ`` where the context does not answer).
CONFIGURATION = ("SMN_TOPIC_URN", "REGION", "CCE_ENDPOINT", "SMN_ENDPOINT", "DRY_RUN", "CLUSTER_IDS",
                 "MAX_CONCURRENCY", "SWEEP_WINDOW_MINUTES", "MANUAL_WAIT_SECONDS", "HEALTH_GATE",
                 "HEALTH_WAIT_SECONDS", "NOTIFY_STARTED", "TOPIC_ROUTES", "RUNTIME_PROJECT_ID")


def event(name: str) -> Any:
    return json.loads((EVENTS / f"{name}.json").read_text())


def demo_scenario(**cluster_changes: Any) -> dict[str, Any]:
    """The demo scenario, with the first cluster's fields replaced by ``cluster_changes``."""
    scenario = copy.deepcopy(DEMO)
    scenario["clusters"][0].update(cluster_changes)
    return scenario


def task(uid: str, version: str, target: str, phase: str, created: str, **extra: Any) -> dict[str, Any]:
    done = phase in ("Success", "Failed")
    return {"uid": uid, "version": version, "targetVersion": target, "phase": phase,
            "creationTimestamp": created, "updateTimestamp": created,
            **({"completionTime": created} if done else {}), **extra}


OTHER = "11111111-2222-4333-8444-555555555555"  # a second cluster (two_clusters)


def two_clusters() -> dict:
    """The sweep tests' scenario: the demo cluster, its upgrade done, and OTHER, whose upgrade ended inside the
    first timer event's window and has no workflow."""
    scenario = copy.deepcopy(DEMO)
    scenario["clusters"][0]["upgrade_tasks"][0]["phases"] = ["Success"]
    scenario["clusters"].append({
        "id": OTHER, "name": "batch-west", "version": "v1.28.3-r0", "postcheck_phase": "Failed",
        "upgrade_tasks": [task("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "v1.27.1-r0", "v1.28.3-r0", "Success",
                               "2026-11-27 22:10:00.000 +0000 UTC")],
        "workflows": [],
    })
    return scenario


def operations(standin: Any) -> list[str]:
    return [r["operation"] for r in standin.requests]


def clear_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """No configuration variable in the process environment (for this test)."""
    for name in CONFIGURATION:
        monkeypatch.delenv(name, raising=False)
