"""The result the handler returns, against the README's contract ("The result"). Pure: results built by hand.

The README's table is the contract: the result is a JSON-serialisable dict with exactly the keys it lists
(``planned`` in dry runs only), ``outcome`` one of the values it names, ``notification`` and ``error`` either
null or objects with the keys it gives. The keys and values are read from the README, so that a key the code
adds or drops without documenting it fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from postcheck.result import ErrorInfo, Outcome, Receipt, Result

README = Path(__file__).resolve().parents[2] / "README.md"
CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"


def _result_table() -> dict[str, str]:
    """The README's result table: each documented key -> its description."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### The result"):text.index("### The notification")]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        names, description = line[2:].split(" | ", 1)
        for name in re.findall(r"`([a-z_]+)`", names):
            rows[name] = description
    return rows


TABLE = _result_table()
DOCUMENTED = set(TABLE)


def _object_keys(name: str) -> set[str]:
    """The keys of a documented ``{"a", "b"}`` object."""
    found = re.search(r"`\{([^}]*)\}`", TABLE[name])
    assert found, f"README: {name} documents its keys"
    return set(re.findall(r'"([a-z_]+)"', found.group(1)))


def full() -> Result:
    return Result(outcome=Outcome.CHECKED, phase="Success", cluster_id=CLUSTER, cluster_name="prod-east",
                  cluster_version="v1.27.1-r0", target_version="v1.28.3-r0", task_uid="task-1",
                  upgrade_task_id="upgrade-1", notification=Receipt("msg-1", "req-1"),
                  error=None, dry_run=False, trigger="cts", reason=None, checked_at="2026-11-28T06:00:00Z")


def test_the_readme_documents_the_result():
    assert {"outcome", "phase", "cluster_id", "notification", "error", "dry_run", "planned"} <= DOCUMENTED


def test_a_result_has_exactly_the_documented_keys_with_planned_only_in_dry_runs():
    data = full().to_dict()
    assert set(data) == DOCUMENTED - {"planned"}

    planned = {"postcheck": {"kind": "PostCheckTask"}, "notification": {"subject": "s"}}
    dry = full().updated(dry_run=True, planned=planned).to_dict()
    assert set(dry) == DOCUMENTED
    assert dry["planned"] == planned
    assert dry["dry_run"] is True


def test_every_outcome_is_documented_and_carried_as_its_name():
    documented = set(re.findall(r"`([a-z]+)`", TABLE["outcome"]))
    assert {outcome.value for outcome in Outcome} <= documented
    for outcome in Outcome:
        data = Result(outcome=outcome).to_dict()
        assert data["outcome"] == outcome.value
        assert type(data["outcome"]) is str  # the plain string, not the enum: the platform serialises it
        assert json.loads(json.dumps(data))["outcome"] == outcome.value


def test_the_outcomes_are_the_documented_words():
    assert {o.value for o in Outcome} >= {"checked", "ignored", "pending", "failed", "rejected"}


def test_a_result_is_json_as_the_platform_returns_it():
    data = full().to_dict()
    assert json.loads(json.dumps(data)) == data


def test_the_notification_and_the_error_are_objects_with_the_documented_keys():
    result = full().updated(outcome=Outcome.FAILED, phase="Error",
                            error=ErrorInfo("CCE.01404001", "not found", "req-9", 404, "show_cluster"))
    data = result.to_dict()
    assert data["notification"] == {"message_id": "msg-1", "request_id": "req-1"}
    assert set(data["notification"]) == _object_keys("notification")
    assert data["error"] == {"code": "CCE.01404001", "message": "not found", "request_id": "req-9", "status": 404,
                             "operation": "show_cluster"}
    assert set(data["error"]) == _object_keys("error")


def test_absent_parts_are_null():
    data = Result(outcome=Outcome.IGNORED, trigger="cts", reason="another trace").to_dict()
    assert data["notification"] is None
    assert data["error"] is None
    assert data["phase"] is None
    assert data["dry_run"] is False
    assert "planned" not in data
    assert (data["trigger"], data["reason"]) == ("cts", "another trace")


@pytest.mark.parametrize("code", ["InvalidEvent", "InvalidConfiguration", "VersionMismatch", "UpgradeFailed",
                                  "NoUpgradeTask"])
def test_the_functions_own_error_codes_are_documented(code):
    assert f"`{code}`" in TABLE["error"]


def test_updated_changes_only_what_it_is_given_and_leaves_the_original():
    original = full()
    changed = original.updated(outcome=Outcome.FAILED, reason="why")
    assert (changed.outcome, changed.reason) == (Outcome.FAILED, "why")
    assert (original.outcome, original.reason) == (Outcome.CHECKED, None)
    assert changed.to_dict() == {**original.to_dict(), "outcome": "failed", "reason": "why"}
    assert original.updated() == original


def test_the_result_given_back_cannot_change_the_result():
    result = full()
    data = result.to_dict()
    data["notification"]["message_id"] = "forged"
    data["outcome"] = "rejected"
    assert result.notification is not None and result.notification.message_id == "msg-1"
    assert result.to_dict()["outcome"] == "checked"
