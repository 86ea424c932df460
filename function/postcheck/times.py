"""Times as events carry them: ISO 8601 with any offset (a timer's ``time``), and a CTS trace's ``time`` and
``record_time`` in each form they are documented in.

Python 3.10's ``datetime.fromisoformat`` reads only its own output (no ``Z``, no ``+0800``, three or six
fractional digits), so ISO 8601 is read here.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

# ISO 8601 date and time (extended format), a fraction of any length, and an offset: Z, +HH:MM, +HHMM or +HH.
# A time without an offset is taken as UTC.
_ISO = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<h>[0-9]{2}):(?P<m>[0-9]{2})"
    r"(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?"
    r"(?P<tz>Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?",
    re.ASCII,
)
# CTS's trace files and the CTS trigger's older samples: "2016/12/08 11:07:28 GMT+08:00"
# (CTS, "Example Traces": https://support.huaweicloud.com/intl/en-us/usermanual-cts/cts_03_0011.html).
_CTS_TEXT = re.compile(
    r"(?P<y>[0-9]{4})/(?P<mo>[0-9]{2})/(?P<d>[0-9]{2}) (?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})"
    r"(?: ?(?:GMT|UTC)(?:(?P<sign>[+-])(?P<th>[0-9]{1,2})(?::?(?P<tm>[0-9]{2}))?)?)?",
    re.ASCII,
)
# An epoch number at or above this is milliseconds (CTS: "the number of milliseconds since 1970"); below it,
# seconds (other FunctionGraph runtimes' CTS samples carry 1529996047). 10**11 s is the year 5138, 10**11 ms
# March 1973: no trace is from either side of the line it would be misread on.
EPOCH_MS_FROM = 10**11
MAX_TEXT = 64


def iso8601(text: str) -> datetime:
    """``text`` as an aware datetime (UTC when it names no offset), or ValueError."""
    found = _ISO.fullmatch(text.strip())
    if not found:
        raise ValueError("not an ISO 8601 time")
    fraction = (found["f"] or "0")[:6].ljust(6, "0")
    moment = datetime.fromisoformat(f"{found['date']}T{found['h']}:{found['m']}:{found['s'] or '00'}.{fraction}")
    return moment.replace(tzinfo=_offset(found["tz"]))


def _offset(text: str | None) -> timezone:
    if not text or text in ("Z", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def trace_time(value: object) -> datetime | None:
    """A CTS trace's ``time`` or ``record_time`` in any documented form, as an aware datetime; None when it is
    empty or unreadable (the time is informative: it never decides anything, so it never refuses a trace).

    Forms: epoch milliseconds (CTS's trace structure, the FunctionGraph CTS trigger sample), epoch seconds (other
    FunctionGraph runtimes' samples), as a number or as digits; ISO 8601; "2016/12/08 11:07:28 GMT+08:00"; "".
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > MAX_TEXT:
            return None
        if text.isascii() and text.isdigit():
            return _epoch(int(text))
        try:
            return iso8601(text)
        except ValueError:
            pass
        found = _CTS_TEXT.fullmatch(text)
        if not found:
            return None
        try:
            moment = datetime(int(found["y"]), int(found["mo"]), int(found["d"]), int(found["h"]), int(found["m"]),
                              int(found["s"]))
            zone = f"{found['sign']}{int(found['th']):02}{found['tm'] or '00'}" if found["sign"] else None
            return moment.replace(tzinfo=_offset(zone))
        except ValueError:
            return None
    if isinstance(value, (int, float)):
        return _epoch(value)
    return None


def _epoch(number: float) -> datetime | None:
    if isinstance(number, float) and not math.isfinite(number):
        return None
    seconds = number / 1000 if abs(number) >= EPOCH_MS_FROM else number
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
