"""The sweep handles clusters concurrently, ``MAX_CONCURRENCY`` at a time (docs/operations.md, "The sweep": "reconciles
the project's clusters, MAX_CONCURRENCY at a time").

The real sweep with a fake CCE (no stand-in, no network) whose first read of each cluster waits for the others:
no timing is asserted. A serial sweep never gets all of one round's clusters in at once (the barrier breaks and
the sweep fails); a sweep that runs more than ``MAX_CONCURRENCY`` at once lets one more in than allowed.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone
from typing import Any

import pytest

from postcheck.config import Credentials, load_settings
from postcheck.deadline import Deadline
from postcheck.intent import SweepIntent
from postcheck.records import Cluster
from postcheck.runtime import Runtime
from postcheck.sweep import sweep

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TOPIC = f"urn:smn:cn-north-4:{PROJECT}:cce-upgrades"
ANCHOR = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)
# Only a broken sweep ever waits this long: the barrier then breaks and the test fails (no assertion on time).
DEADLOCK_GUARD_S = 30.0
# How long a cluster's read holds, waiting to see whether one more cluster than allowed comes in.
HOLD_S = 0.5


class Context:
    """A FunctionGraph context that only answers the configuration."""

    def __init__(self, **variables: str) -> None:
        self.variables = {"SMN_TOPIC_URN": TOPIC, "REGION": "cn-north-4", **variables}

    def getUserData(self, name: str) -> str | None:
        return self.variables.get(name)


class GatedCce:
    """CCE with ``n`` clusters and no upgrades; the first read of each cluster calls ``arrive`` first."""

    def __init__(self, n: int, arrive: Any) -> None:
        self.listed = [Cluster(str(uuid.UUID(int=i + 1)), f"c{i}", "v1.28.3-r0", "Available") for i in range(n)]
        self._arrive = arrive
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def clusters(self) -> list[Cluster]:
        return list(self.listed)

    def _read(self, cluster_id: str) -> list[Any]:
        with self._lock:
            first = cluster_id not in self._seen
            self._seen.add(cluster_id)
        if first:
            self._arrive(cluster_id)
        return []

    def upgrade_tasks(self, cluster_id: str) -> list[Any]:
        return self._read(cluster_id)

    def upgrade_workflows(self, cluster_id: str) -> list[Any]:
        return self._read(cluster_id)


def _sweep(cce: GatedCce, limit: int) -> dict[str, Any]:
    settings = load_settings(Context(MAX_CONCURRENCY=str(limit)))
    credentials = Credentials("ak-test", "sk-test", "token-test", PROJECT)
    runtime = Runtime(settings, credentials, Deadline(120.0), ("https://cce.invalid", "https://smn.invalid"),
                      _cce=cce)  # type: ignore[arg-type]
    return sweep(SweepIntent(trigger="timer", anchor=ANCHOR), runtime).to_dict()


def _all_handled(result: dict[str, Any], cce: GatedCce) -> None:
    assert result["outcome"] == "swept"
    assert sorted(c["cluster_id"] for c in result["clusters"]) == sorted(c.id for c in cce.listed)
    assert {c["outcome"] for c in result["clusters"]} == {"ignored"}  # no upgrade: nothing to do


@pytest.mark.parametrize(("limit", "clusters"), [(4, 4), (3, 6), (2, 2)])
def test_clusters_are_handled_max_concurrency_at_once(limit: int, clusters: int) -> None:
    barrier = threading.Barrier(limit, timeout=DEADLOCK_GUARD_S)  # opens each time `limit` clusters are in

    cce = GatedCce(clusters, lambda _: barrier.wait())
    result = _sweep(cce, limit)

    _all_handled(result, cce)
    assert not barrier.broken


def test_never_more_than_max_concurrency_at_once() -> None:
    limit, clusters = 3, 5
    state = {"in": 0, "peak": 0}
    changed = threading.Condition()

    def arrive(_: str) -> None:
        with changed:
            state["in"] += 1
            state["peak"] = max(state["peak"], state["in"])
            changed.notify_all()
            changed.wait_for(lambda: state["in"] > limit, timeout=HOLD_S)  # one too many would show here
            state["in"] -= 1
            changed.notify_all()

    cce = GatedCce(clusters, arrive)
    result = _sweep(cce, limit)

    _all_handled(result, cce)
    assert 1 <= state["peak"] <= limit
