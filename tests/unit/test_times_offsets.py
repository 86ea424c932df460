"""ISO 8601 times and their UTC offsets, as a timer's ``time`` and a CTS trace's ``time`` carry them. Pure.

ISO 8601: an offset is ``Z`` or ``±hh:mm`` / ``±hhmm`` / ``±hh``, hours 00-23 and minutes 00-59; the fraction of a
second has any number of digits (a time is kept to the microsecond). A trace's time that cannot be read is
informative only: it reads as unknown (None), never as an error (docs/design.md, CTS trace fields)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from postcheck.times import iso8601, trace_time

LOCAL = "2023-06-01T08:30:00"


@pytest.mark.parametrize(("offset", "delta"), [
    ("+00:00", timedelta(0)),
    ("+00:59", timedelta(minutes=59)),
    ("-00:59", -timedelta(minutes=59)),
    ("+05:45", timedelta(hours=5, minutes=45)),
    ("+0545", timedelta(hours=5, minutes=45)),
    ("+23:00", timedelta(hours=23)),
    ("-23:59", -timedelta(hours=23, minutes=59)),
    ("+2359", timedelta(hours=23, minutes=59)),
    ("+22", timedelta(hours=22)),
])
def test_every_offset_iso_8601_allows_is_read(offset, delta):
    moment = iso8601(LOCAL + offset)

    assert moment.utcoffset() == delta
    assert moment == datetime(2023, 6, 1, 8, 30, tzinfo=timezone(delta))
    assert trace_time(LOCAL + offset) == moment


@pytest.mark.parametrize("offset", ["+24:00", "+24", "-25:00", "+99:00", "+05:60", "+0560", "-00:60", "+05:75",
                                    "+23:99", "+0099"])
def test_an_offset_beyond_23_hours_or_59_minutes_is_no_offset(offset):
    with pytest.raises(ValueError):
        iso8601(LOCAL + offset)
    assert trace_time(LOCAL + offset) is None


@pytest.mark.parametrize(("fraction", "microseconds"), [
    ("5", 500_000), ("123", 123_000), ("123456", 123_456), ("1234567", 123_456), ("123456789", 123_456),
    ("000000999", 0),
])
def test_a_fraction_of_any_length_is_kept_to_the_microsecond(fraction, microseconds):
    assert iso8601(f"{LOCAL}.{fraction}Z").microsecond == microseconds
    assert iso8601(f"{LOCAL},{fraction}+08:00").microsecond == microseconds


@pytest.mark.parametrize(("text", "offset"), [
    ("2016/12/08 11:07:28 GMT+08:00", timedelta(hours=8)),
    ("2016/12/08 11:07:28 GMT-23:59", -timedelta(hours=23, minutes=59)),
    ("2016/12/08 11:07:28 GMT+5", timedelta(hours=5)),
    ("2016/12/08 11:07:28 UTC", timedelta(0)),
])
def test_cts_trace_file_times_with_their_offsets(text, offset):
    assert trace_time(text) == datetime(2016, 12, 8, 11, 7, 28, tzinfo=timezone(offset))


@pytest.mark.parametrize("text", ["2016/12/08 11:07:28 GMT+24:00", "2016/12/08 11:07:28 GMT+08:60"])
def test_a_cts_trace_file_time_with_an_impossible_offset_is_unknown(text):
    assert trace_time(text) is None


@pytest.mark.parametrize("text", ["2023-06-01T08:30+08:00", "2023-06-01T00:30Z", "2023-06-01 08:30+0800"])
def test_a_time_without_seconds_is_read_at_the_full_minute(text):
    assert iso8601(text) == datetime(2023, 6, 1, 0, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["0" * 65, "1" * 80, "2023-06-01T00:30:00Z" + " " * 10 + "x" * 50])
def test_a_trace_time_longer_than_any_documented_form_is_unknown(text):
    assert trace_time(text) is None
