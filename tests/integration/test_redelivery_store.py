"""The redelivery store (issue 7, docs/operations.md, "Redelivery"): only a result whose post-check really ran is kept
for a redelivery to republish; a failure is always redone for real. Through the real handler, over real HTTP."""

from __future__ import annotations

import pytest

from postcheck import redelivery, report
from postcheck.errors import NotificationFailed
from tests.support import event

BODY = "postcheck_task_body"  # an upgrade event that names its upgrade task: the task is known from the start


def test_a_redelivered_failure_of_a_known_upgrade_task_is_checked_for_real_once_cce_recovered(standin, invoke):
    # CCE refuses the post-check itself (403): the result is failed, with the task's ID and phase Error, and no
    # post-check ran. Its report cannot be published either; the redelivery must run the check, not republish.
    standin.add_fault({"kind": "error_json", "status": 403, "operation": "postcheck", "times": -1})
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(NotificationFailed):
        invoke(event(BODY))
    assert standin.postchecks == []
    standin.reset()  # CCE and SMN recover

    result = invoke(event(BODY))

    assert (result["outcome"], result["phase"], result["error"]) == ("checked", "Success", None)
    [check] = standin.postchecks
    assert result["task_uid"] == check["uid"]
    assert len(standin.published) == 1


def test_the_store_keeps_a_bounded_number_of_results_dropping_the_oldest():
    redelivery.forget()
    try:
        bound = redelivery.MAX_ENTRIES
        for i in range(bound + 5):
            redelivery.STORE.keep(("event", i), report.Handled(None))  # type: ignore[arg-type]
        kept = redelivery.STORE.keys()
        assert len(kept) == bound
        assert kept[0] == ("event", 5) and kept[-1] == ("event", bound + 4)
    finally:
        redelivery.forget()
