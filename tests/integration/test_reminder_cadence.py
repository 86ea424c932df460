"""The sweep reminds the owners of a held upgrade at the cadence the invocation's policy gives
(``WaitPolicy.remind_every``; once a day by default, which test_right_upgrade_and_health_gate.py holds), over real
HTTP against the stand-in: a value passed in, not a constant patched (issue 12)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from postcheck.policy import WaitPolicy
from tests.support import CLUSTER, event
from tests.support.upgrades import BEIJING, HOUR, upgrade_scenario

FIRST_SWEEP = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)  # its hour's window holds the upgrade's end


def timer_at(moment: datetime) -> dict[str, Any]:
    return {**event("timer"), "time": moment.astimezone(BEIJING).isoformat()}


@pytest.mark.parametrize("scenario", [upgrade_scenario()])
def test_a_held_upgrade_is_reminded_at_the_policys_cadence(standin, invoke):
    standin.cluster(CLUSTER).addon("coredns").status = "abnormal"
    every_six_hours = WaitPolicy(remind_every=timedelta(hours=6))

    results = [invoke(timer_at(FIRST_SWEEP + k * HOUR), policy=every_six_hours)["clusters"][0] for k in range(13)]

    assert [r["outcome"] for r in results] == ["held"] * 13
    told = [k for k, r in enumerate(results) if r["notification"] is not None]
    assert told == [0, 6, 12]  # the sweep whose window holds the end, then every six hours after it
    kinds = [json.loads(p["message_structure"]["https"])["kind"] for p in standin.published]
    assert kinds == ["held", "reminder", "reminder"]
    assert standin.postchecks == []
