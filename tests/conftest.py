"""Shared fixtures: a stand-in CCE/SMN per test, a FunctionGraph context pointing at it, and the handler."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from postcheck.policy import WaitPolicy
from scripts import harness
from scripts.local_context import LocalContext
from scripts.standin import StandIn

# Property tests explore freely on a developer's machine (random seeds, failures replayed from .hypothesis/);
# under CI (.ci/run sets CI=true) they are derandomized, with no example database, so that one commit gives
# one verdict every time.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "events"
SCENARIOS = ROOT / "tests" / "scenarios"
DEMO = json.loads((SCENARIOS / "demo.json").read_text())
PROJECT = DEMO["project_id"]
TOPIC = DEMO["topics"][0]
CLUSTER = DEMO["clusters"][0]["id"]
UPGRADE_TASK = DEMO["clusters"][0]["upgrade_tasks"][0]["uid"]


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


@pytest.fixture
def scenario() -> dict[str, Any]:
    return demo_scenario()


@pytest.fixture
def standin(scenario: dict[str, Any]) -> Iterator[StandIn]:
    with harness.running(scenario) as server:
        yield server


@pytest.fixture
def env(standin: StandIn) -> dict[str, str]:
    return harness.endpoints(standin.url, TOPIC)


@pytest.fixture
def context(standin: StandIn, env: dict[str, str]) -> LocalContext:
    return harness.context(standin.credentials, standin.project_id, env)


# Waits shortened for tests (the defaults are in postcheck.policy.WaitPolicy): polls 50 ms apart.
FAST = WaitPolicy(poll_first_s=0.05, poll_max_s=0.2, time_to_check_s=0.5, health_poll_s=0.05,
                  unknown_task_wait_s=0.3)


@pytest.fixture
def invoke(context: LocalContext) -> Callable[..., dict[str, Any]]:
    def run(evt: Any, ctx: LocalContext | None = None, policy: WaitPolicy | None = None) -> dict[str, Any]:
        result = harness.invoke(evt, ctx or context, policy)
        json.dumps(result)  # the platform serialises it: it must be JSON
        return result

    return run


def operations(standin: StandIn) -> list[str]:
    return [r["operation"] for r in standin.requests]
