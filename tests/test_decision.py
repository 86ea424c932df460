"""Pure decisions from upgrade state."""

from __future__ import annotations

from postcheck.cce import UpgradeTask, parse_time
from postcheck.decision import (
    CannotCheck,
    RunCheck,
    UpgradeFailed,
    UpgradeRunning,
    after_upgrade,
    newest,
    with_versions,
)

CID = "8978deaa-1743-11ee-8e46-0255ac10004c"


def t(uid: str, created: str | None, phase: str = "Success", version: str = "v1.1", target: str = "v1.2"):
    return UpgradeTask(uid=uid, created=parse_time(created), phase=phase, version=version, target_version=target)


def test_newest_sorts_by_creation_time_not_list_order():
    tasks = [t("b", "2026-11-27 08:00:00.000 +0000 UTC"), t("c", "2026-11-28T01:00:00Z"),
             t("a", "2026-01-01 00:00:00 +0000 UTC")]

    assert newest(tasks).uid == "c"
    assert newest(list(reversed(tasks))).uid == "c"


def test_unreadable_timestamps_count_as_oldest():
    assert newest([t("x", "garbage"), t("y", "2020-01-01T00:00:00Z"), t("z", None)]).uid == "y"


def test_newest_successful_skips_failures():
    tasks = [t("ok", "2026-01-01T00:00:00Z"), t("bad", "2026-02-01T00:00:00Z", "Failed")]

    assert newest(tasks, successful_only=True).uid == "ok"
    assert newest([], successful_only=True) is None


def test_after_upgrade_by_phase():
    assert after_upgrade(t("a", None), CID) == RunCheck("v1.1", "v1.2", t("a", None))
    assert isinstance(after_upgrade(t("a", None, "Failed"), CID), UpgradeFailed)
    for phase in ("Init", "Queuing", "Running", "Pause", None):
        assert isinstance(after_upgrade(t("a", None, phase), CID), UpgradeRunning)
    assert isinstance(after_upgrade(None, CID), CannotCheck)


def test_given_versions_win_and_missing_ones_come_from_the_newest_success():
    tasks = [t("old", "2026-01-01T00:00:00Z", version="v1.0", target="v1.1"),
             t("new", "2026-02-01T00:00:00Z", version="v1.1", target="v1.2")]

    assert with_versions("v9.0", "v9.1", None, CID) == RunCheck("v9.0", "v9.1")
    assert with_versions(None, None, tasks, CID) == RunCheck("v1.1", "v1.2", tasks[1])
    assert with_versions("v1.0", None, tasks, CID).target_version == "v1.2"
    assert isinstance(with_versions(None, None, [], CID), CannotCheck)


def test_cce_timestamps_parse_to_utc():
    assert parse_time("2023-06-01 08:30:00.123 +0800 CST").isoformat() == "2023-06-01T00:30:00.123000+00:00"
    assert parse_time("2023-06-01T08:30:00Z").isoformat() == "2023-06-01T08:30:00+00:00"
    assert parse_time("") is None and parse_time(12) is None
