"""CCE's records as the decisions read them. Pure: no stand-in, no SDK call.

- Timestamps. CCE answers in Go's ``time.Time`` text form, ``2016-08-01 10:11:02.139235173 +0000 UTC`` (the CCE API
  reference's cluster example, https://docs.otc.t-systems.com/en-us/api/cce/en-us_topic_0035964136.html: nine
  fractional digits, a numeric offset, then the zone's abbreviation), the project's reference shows
  ``2023-06-01 08:30:00.123 +0800 CST``; other Huawei APIs and the SDK's models use ISO 8601/RFC 3339
  (``2021-06-10T17:09:46Z``). Every one is an instant; the records hold it in UTC. Text that is no timestamp is an
  unknown time (``None``), never an exception: an unreadable time must not crash the handler (issue 7).
- Upgrade task phases (../shared/reference/platform-facts.md): ``Init``, ``Queuing``, ``Running``, ``Pause``,
  ``Success``, ``Failed``; only ``Success`` and ``Failed`` end an upgrade. A workflow's ``Cluster`` step uses the same
  words. ``status.completionTime`` is when the task ended.
- A workflow's ``pointStatuses`` each have a ``taskType`` (``PreCheck``, ``Cluster``, ``PostCheck``, ...); the
  ``PostCheck`` step's ``status`` says whether the post-upgrade check is done.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from postcheck.records import Point, Upgrade, UpgradeTask, Workflow, parse_time

UTC = timezone.utc
CST = timezone(timedelta(hours=8))


# -- timestamps ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "instant"), [
    # Go's time.Time.String(): offset, then the zone's abbreviation
    ("2016-08-01 10:11:02.139235 +0000 UTC", datetime(2016, 8, 1, 10, 11, 2, 139235, UTC)),
    ("2023-06-01 08:30:00.123 +0800 CST", datetime(2023, 6, 1, 0, 30, 0, 123000, UTC)),
    ("2023-06-01 08:30:00 +0800 CST", datetime(2023, 6, 1, 0, 30, tzinfo=UTC)),
    ("2023-06-01 08:30:00 -0330 NST", datetime(2023, 6, 1, 12, 0, tzinfo=UTC)),
    ("2023-06-01 08:30:00 +0000 UTC", datetime(2023, 6, 1, 8, 30, tzinfo=UTC)),
    # the same without the abbreviation
    ("2023-06-01 08:30:00.5 +0800", datetime(2023, 6, 1, 0, 30, 0, 500000, UTC)),
    ("2023-06-01 08:30:00 +0800", datetime(2023, 6, 1, 0, 30, tzinfo=UTC)),
    ("2023-06-01 08:30:00.250+08:00", datetime(2023, 6, 1, 0, 30, 0, 250000, UTC)),
    ("2023-06-01 08:30:00+08:00", datetime(2023, 6, 1, 0, 30, tzinfo=UTC)),
    # ISO 8601 / RFC 3339
    ("2021-06-10T17:09:46Z", datetime(2021, 6, 10, 17, 9, 46, tzinfo=UTC)),
    ("2021-06-10T17:09:46.120Z", datetime(2021, 6, 10, 17, 9, 46, 120000, UTC)),
    ("2023-06-01T08:30:00+08:00", datetime(2023, 6, 1, 0, 30, tzinfo=UTC)),
    ("2023-06-01T08:30:00.123456+08:00", datetime(2023, 6, 1, 0, 30, 0, 123456, UTC)),
    ("2023-06-01T08:30:00-02:00", datetime(2023, 6, 1, 10, 30, tzinfo=UTC)),
    # surrounding blanks are no part of the time
    ("  2023-06-01 08:30:00 +0800 CST\n", datetime(2023, 6, 1, 0, 30, tzinfo=UTC)),
    (" 2021-06-10T17:09:46Z ", datetime(2021, 6, 10, 17, 9, 46, tzinfo=UTC)),
])
def test_a_cce_timestamp_is_read_as_its_instant_in_utc(text, instant):
    parsed = parse_time(text)

    assert parsed == instant
    assert parsed.utcoffset() == timedelta(0) and parsed.tzinfo == UTC


@pytest.mark.parametrize(("text", "instant"), [
    ("2023-06-01T08:30:00", datetime(2023, 6, 1, 8, 30, tzinfo=UTC)),
    ("2023-06-01 08:30:00", datetime(2023, 6, 1, 8, 30, tzinfo=UTC)),
    ("2023-06-01T08:30:00.750", datetime(2023, 6, 1, 8, 30, 0, 750000, UTC)),
])
def test_a_timestamp_without_an_offset_is_taken_as_utc(text, instant):
    parsed = parse_time(text)

    assert parsed == instant and parsed.tzinfo == UTC


def test_a_datetime_is_taken_as_it_is_in_utc():
    aware = datetime(2023, 6, 1, 8, 30, tzinfo=CST)
    naive = datetime(2023, 6, 1, 8, 30)

    assert parse_time(aware) == datetime(2023, 6, 1, 0, 30, tzinfo=UTC) and parse_time(aware).tzinfo == UTC
    assert parse_time(naive) == datetime(2023, 6, 1, 8, 30, tzinfo=UTC) and parse_time(naive).tzinfo == UTC


@pytest.mark.parametrize("value", [
    None, "", "   ", "\n", 0, 1685608200, 1685608200.0, True, ["2023-06-01T08:30:00Z"], {"time": "x"},
    "not a time", "2023-13-01 08:30:00 +0800 CST", "2023-06-01 25:30:00 +0000 UTC", "2023-06-01T08:30:00+25:00",
    "Z", "yesterday UTC", "2023-06-01 08:30:00 +0800 CSTXYZW",
    # Go's zero time in a zone east of UTC lies before the year 1 in UTC: no instant Python can hold
    "0001-01-01 00:00:00 +0800 CST", "0001-01-01T00:00:00+08:00",
])
def test_what_is_no_timestamp_is_an_unknown_time_not_an_exception(value):
    assert parse_time(value) is None


def test_gos_nanoseconds_are_read_to_the_microsecond():
    # CCE's own example (module docstring); Python holds microseconds, the last three digits are below that
    assert parse_time("2016-08-01 10:11:02.139235173 +0000 UTC") == datetime(2016, 8, 1, 10, 11, 2, 139235, UTC)
    # the same in a region east of UTC (Go prints the zone the server runs in)
    assert parse_time("2023-06-01 08:30:00.123456789 +0800 CST") == datetime(2023, 6, 1, 0, 30, 0, 123456, UTC)
    assert parse_time("2023-06-01T08:30:00.123456789+08:00") == datetime(2023, 6, 1, 0, 30, 0, 123456, UTC)


def test_gos_zero_time_in_utc_is_still_an_instant():
    assert parse_time("0001-01-01 00:00:00 +0000 UTC") == datetime(1, 1, 1, tzinfo=UTC)


# -- upgrade tasks ---------------------------------------------------------------------------------------------------

PHASES = ("Init", "Queuing", "Running", "Pause", "Success", "Failed")


@pytest.mark.parametrize("phase", [*PHASES, None, "", "success", "Unknown"])
def test_only_success_and_failed_end_an_upgrade(phase):
    ended = phase in ("Success", "Failed")

    assert UpgradeTask(uid="t", phase=phase).terminal is ended
    assert Upgrade(task_id="t", version=None, target_version=None, phase=phase).terminal is ended


def test_a_tasks_end_is_its_completion_time():
    task = UpgradeTask(uid="t", phase="Success", completion_time="2023-06-01 09:30:00.123 +0800 CST")

    assert task.ended == datetime(2023, 6, 1, 1, 30, 0, 123000, UTC)
    assert UpgradeTask(uid="t", phase="Running").ended is None
    assert UpgradeTask(uid="t", phase="Success", completion_time="").ended is None


# -- workflows: their steps ------------------------------------------------------------------------------------------

def test_a_workflows_step_is_found_by_its_task_type():
    pre, cluster, post = Point("PreCheck", None, "Success"), Point("Cluster", "task-1", "Success"), \
        Point("PostCheck", None, "Init")
    flow = Workflow(uid="wf", points=(pre, cluster, post))

    assert flow.point("PreCheck") is pre
    assert flow.point("Cluster") is cluster
    assert flow.point("PostCheck") is post
    assert flow.point("Rollback") is None
    assert flow.point("postcheck") is None  # CCE's words, as CCE spells them
    assert Workflow().point("Cluster") is None


def test_the_first_step_of_a_type_counts():
    first, second = Point("PostCheck", None, "Success"), Point("PostCheck", None, "Failed")

    assert Workflow(points=(first, second)).point("PostCheck") is first


# -- an upgrade: its post-check step, how messages name it ---------------------------------------------------------

def a_flow(postcheck: str | None, uid: str | None = "wf-1") -> Workflow:
    points = [Point("PreCheck", None, "Success"), Point("Cluster", "task-1", "Success")]
    if postcheck is not None:
        points.append(Point("PostCheck", None, postcheck))
    return Workflow(uid=uid, points=tuple(points))


@pytest.mark.parametrize("status", ["Init", "Queuing", "Running", "Success", "Failed"])
def test_the_post_check_status_is_the_workflows_postcheck_step(status):
    upgrade = Upgrade(task_id="task-1", version="v1.27.1-r0", target_version="v1.28.3-r0", phase="Success",
                      workflow=a_flow(status))

    assert upgrade.postcheck == status


def test_without_a_workflow_or_its_postcheck_step_nothing_records_the_post_check():
    assert Upgrade(task_id="task-1", version=None, target_version=None, phase="Success").postcheck is None
    assert Upgrade(task_id="task-1", version=None, target_version=None, phase="Success",
                   workflow=a_flow(None)).postcheck is None


def test_an_upgrade_is_named_by_its_task_else_its_workflow():
    by_task = Upgrade(task_id="task-1", version=None, target_version=None, phase="Success", workflow=a_flow("Init"))
    by_flow = Upgrade(task_id=None, version=None, target_version=None, phase="Success", workflow=a_flow("Init"))
    empty_task = Upgrade(task_id="", version=None, target_version=None, phase="Success", workflow=a_flow("Init"))
    nameless = Upgrade(task_id=None, version=None, target_version=None, phase="Success")

    assert by_task.label == "upgrade task task-1"
    assert by_flow.label == "upgrade workflow wf-1"
    assert empty_task.label == "upgrade workflow wf-1"
    assert nameless.label == "upgrade workflow ?"


def test_an_upgrades_versions_read_from_source_to_target():
    assert Upgrade(task_id="t", version="v1.15.11-r1", target_version="v1.19.16-r80",
                   phase="Success").versions == "v1.15.11-r1 -> v1.19.16-r80"
    assert Upgrade(task_id="t", version=None, target_version="v1.28", phase="Success").versions == "? -> v1.28"
    assert Upgrade(task_id="t", version="v1.27", target_version="", phase="Success").versions == "v1.27 -> ?"


@pytest.fixture
def local_zone_far_from_utc(monkeypatch: pytest.MonkeyPatch):
    """The machine's own zone is no part of a CCE timestamp (a FunctionGraph instance may run in UTC+8)."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("value", "instant"), [
    ("2023-06-01 08:30:00.123 +0800 CST", datetime(2023, 6, 1, 0, 30, 0, 123000, UTC)),
    ("2023-06-01 08:30:00 +0000 UTC", datetime(2023, 6, 1, 8, 30, tzinfo=UTC)),
    ("2021-06-10T17:09:46Z", datetime(2021, 6, 10, 17, 9, 46, tzinfo=UTC)),
    ("2023-06-01T08:30:00", datetime(2023, 6, 1, 8, 30, tzinfo=UTC)),
    ("2023-06-01T08:30:00+08:00", datetime(2023, 6, 1, 0, 30, tzinfo=UTC)),
    (datetime(2023, 6, 1, 8, 30), datetime(2023, 6, 1, 8, 30, tzinfo=UTC)),
    (datetime(2023, 6, 1, 8, 30, tzinfo=CST), datetime(2023, 6, 1, 0, 30, tzinfo=UTC)),
])
def test_the_result_is_in_utc_whatever_the_machines_local_zone(local_zone_far_from_utc, value, instant):
    parsed = parse_time(value)

    assert parsed == instant
    assert parsed.utcoffset() == timedelta(0)  # held in UTC, not in the machine's zone
