"""A delivery of several events, through the handler's front door (postcheck.dispatch.handle): its events are
handled at the same time, at most ``MAX_CONCURRENCY`` at once, as the invocation's configuration says
(docs/operations.md, "Deliveries of several events"; dispatch.handle_batch: "one after another, the last would
start hours late"). Each event's check waits at a barrier until all three are in (no timing is asserted; only a
serial handler lets the barrier's guard run out, and the test fails)."""

from __future__ import annotations

import threading
from typing import Any

from postcheck import dispatch
from postcheck.result import Outcome, Result
from tests.support import FAST, event

CLUSTERS = ("11111111-2222-4333-8444-555555555551", "11111111-2222-4333-8444-555555555552",
            "11111111-2222-4333-8444-555555555553")
DEADLOCK_GUARD_S = 20.0  # only a handler that takes one event at a time waits this long


def upgrade_event(cluster_id: str) -> dict[str, Any]:
    evt = event("eventgrid_cluster_upgrade")
    evt["data"].update(resource_id=cluster_id, resource_name=f"c-{cluster_id[-1]}",
                       response={"metadata": {"uid": cluster_id.replace("1111", "aaaa")}})
    evt["id"] = f"{cluster_id[-8:]}-0000-4000-8000-000000000000"
    return evt


def test_the_events_of_a_delivery_are_handled_together_as_the_configuration_allows(context, monkeypatch):
    context._user_data["MAX_CONCURRENCY"] = str(len(CLUSTERS))
    barrier = threading.Barrier(len(CLUSTERS), timeout=DEADLOCK_GUARD_S)

    def check(intent: Any, runtime: Any) -> Result:
        barrier.wait()  # every event of the delivery is being handled at once
        return Result(outcome=Outcome.IGNORED, cluster_id=intent.cluster_id, reason="stand-in check")

    monkeypatch.setattr(dispatch, "check_cluster", check)

    result = dispatch.handle({"events": [upgrade_event(c) for c in CLUSTERS]}, context, FAST).to_dict()

    assert [r["cluster_id"] for r in result["results"]] == list(CLUSTERS)  # in the delivery's order
    assert not barrier.broken
