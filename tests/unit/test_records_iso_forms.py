"""RFC 3339 / ISO 8601 forms of a time that only ``datetime.fromisoformat`` reads (no seconds), with their offset:
the instant is the one the offset says, in UTC (a time with an offset is never re-read as UTC)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from postcheck.records import parse_time


@pytest.mark.parametrize(("text", "instant"), [
    ("2023-06-01T08:30+08:00", datetime(2023, 6, 1, 0, 30, tzinfo=timezone.utc)),
    ("2023-06-01T08:30-02:00", datetime(2023, 6, 1, 10, 30, tzinfo=timezone.utc)),
    ("2023-06-01T08:30", datetime(2023, 6, 1, 8, 30, tzinfo=timezone.utc)),
])
def test_a_time_without_seconds_keeps_its_offset(text, instant):
    assert parse_time(text) == instant
