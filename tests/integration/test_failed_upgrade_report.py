"""A newest upgrade that ended Failed (README, "The result": ``error`` ``UpgradeFailed``): the result is failed, no
post-check runs, and the error's message says which upgrade failed, between which versions, and that the
post-upgrade check was not run, so that the owners can tell it from a failed check."""

from __future__ import annotations

import pytest

from tests.support import demo_scenario, event, task

FAILED_TASK = "0b0b0b0b-0000-4000-8000-000000000001"


@pytest.mark.parametrize("scenario", [demo_scenario(workflows=[], upgrade_tasks=[
    task(FAILED_TASK, "v1.19.16-r80", "v1.21.1-r0", "Failed", "2026-11-28 01:00:00.000 +0000 UTC"),
])])
def test_a_failed_upgrade_is_reported_with_a_message_naming_it_and_saying_no_check_ran(standin, invoke):
    result = invoke(event("manual"))

    assert (result["outcome"], result["error"]["code"]) == ("failed", "UpgradeFailed")
    message = result["error"]["message"]
    assert FAILED_TASK in message
    assert "v1.19.16-r80" in message and "v1.21.1-r0" in message
    assert "Failed" in message
    assert "not run" in message
    assert standin.postchecks == []
