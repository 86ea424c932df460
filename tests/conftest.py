"""Shared fixtures: a stand-in CCE/SMN per test, a FunctionGraph context pointing at it, and the handler (all
through scripts/harness.py). The helpers the tests import (events, the demo scenario, FAST, ...) are in
tests/support."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from tests.support import TOPIC, demo_scenario

if TYPE_CHECKING:
    from postcheck.policy import WaitPolicy
    from scripts.local_context import LocalContext
    from scripts.standin import StandIn

# The harness (and with it the stand-in and the SDK) is imported by the fixtures that use it, so that the pure
# tests of tests/unit/ load neither (tests/unit/test_unit_tests_load_no_sdk.py imports this file too).

# Property tests explore freely on a developer's machine (random seeds, failures replayed from .hypothesis/);
# under CI (.ci/run sets CI=true) they are derandomized, with no example database, so that one commit gives
# one verdict every time.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def scenario() -> dict[str, Any]:
    return demo_scenario()


@pytest.fixture
def standin(scenario: dict[str, Any]) -> Iterator[StandIn]:
    from scripts import harness

    with harness.running(scenario) as server:
        yield server


@pytest.fixture
def env(standin: StandIn) -> dict[str, str]:
    from scripts import harness

    return harness.endpoints(standin.url, TOPIC)


@pytest.fixture
def context(standin: StandIn, env: dict[str, str]) -> LocalContext:
    from scripts import harness

    return harness.context(standin.credentials, standin.project_id, env)


@pytest.fixture
def invoke(context: LocalContext) -> Callable[..., dict[str, Any]]:
    from scripts import harness

    def run(evt: Any, ctx: LocalContext | None = None, policy: WaitPolicy | None = None) -> dict[str, Any]:
        result = harness.invoke(evt, ctx or context, policy)
        json.dumps(result)  # the platform serialises it: it must be JSON
        return result

    return run

