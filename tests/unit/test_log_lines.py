"""Log lines alone (no stand-in): one JSON object per line, never over 16 KiB, no character a log reader takes
for a line break, secrets masked even where a value is cut, and a bounded set of secrets to mask."""

from __future__ import annotations

import json
import logging
import secrets
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postcheck import logs

MAX_LINE_BYTES = 16 * 1024  # issue 7: no log line over 16 KiB
# What a log reader may take for the end of a line: besides \n and \r, str.splitlines() splits on these, and
# JavaScript (a log console) on U+2028 and U+2029.
LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
GENEROUS_SETS = 64  # the brief: a secret stays masked while any invocation might use it; the last 64 sets


def format_record(message: str, *args: object, exc: bool = False, **extra: object) -> str:
    record = logging.LogRecord("postcheck.test", logging.WARNING, __file__, 1, message, args,
                               sys.exc_info() if exc else None)
    record.__dict__.update(extra)
    return logs.JsonFormatter().format(record)


def check_line(line: str) -> dict[str, object]:
    assert len(line.encode("utf-8")) <= MAX_LINE_BYTES  # UTF-8 text (no lone surrogate) and short enough
    assert len(line.splitlines()) == 1
    assert not any(ch in line for ch in LINE_BREAKS)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "postcheck.test"
    return entry


def assert_cut(shown: object, original: str) -> None:
    """A cut value: the start of the original, then says it was cut and how long the original was."""
    assert isinstance(shown, str)
    start, marker, rest = shown.rpartition("... [cut: ")
    assert marker, shown[-80:]
    assert rest == f"{len(original)} characters]"
    assert original.startswith(start)


def test_a_short_line_is_written_whole():
    entry = check_line(format_record("cluster %s handled", "c1", outcome="checked", summary={"checked": 2, "n": [1]}))

    assert entry["message"] == "cluster c1 handled"
    assert entry["outcome"] == "checked" and entry["summary"] == {"checked": 2, "n": [1]}


@pytest.mark.parametrize("char", ["x", "\u4e2d", "\U0001f389", "\x00", "\u2028", '"'])
def test_long_values_are_cut_saying_so_and_the_line_stays_under_16_kib(char):
    message, reason = char * 600_000, "r" * 70_000
    error = {"detail": char * 100_000}

    entry = check_line(format_record(message, reason=reason, error=error, small="kept"))

    assert_cut(entry["message"], message)
    assert_cut(entry["reason"], reason)
    assert_cut(entry["error"], json.dumps(error, ensure_ascii=False))
    assert entry["small"] == "kept"
    assert len(json.dumps(entry["message"]).encode()) > MAX_LINE_BYTES // 8  # cut to a share of the line, not emptied


def test_ten_60_kb_values_are_each_cut():
    values = {f"value{i}": chr(0x41 + i) * 60_000 for i in range(10)}

    entry = check_line(format_record("many", **values))

    for key, value in values.items():
        assert_cut(entry[key], value)


def test_a_long_traceback_is_cut():
    def recurse(n: int) -> None:
        if n:
            recurse(n - 1)
        raise ValueError("x" * 50_000)

    try:
        recurse(200)
    except ValueError:
        entry = check_line(format_record("internal error", exc=True))

    assert entry["exception"].startswith("Traceback")
    assert "[cut: " in entry["exception"]


def test_too_many_values_to_show_leave_the_message():
    entry = check_line(format_record("kept message", **{f"k{i}": "v" * 100 for i in range(2_000)}))

    assert entry["message"] == "kept message"
    assert "left out" in str(entry["cut"])


@pytest.mark.parametrize("char", [*LINE_BREAKS, "\ud800", "\udfff", "\x00", "\u202e"])
def test_no_character_breaks_the_line_and_each_reads_back(char):
    text = f"a{char}b"

    entry = check_line(format_record(text, reason=text, **{f"key{char}": text}))

    assert entry["message"] == text and entry["reason"] == text and entry[f"key{char}"] == text


@settings(max_examples=200, deadline=None)
@given(message=st.text(st.characters(exclude_categories=()), max_size=40),
       extra=st.dictionaries(st.sampled_from(["reason", "error", "cluster_id"]),
                             st.text(st.characters(exclude_categories=()), max_size=40), max_size=3),
       repeat=st.sampled_from([1, 10, 3_000]))
def test_any_text_gives_one_bounded_line(message, extra, repeat):
    entry = check_line(format_record(message * repeat, **{k: v * repeat for k, v in extra.items()}))

    assert set(extra) <= set(entry)


# -- secrets ------------------------------------------------------------------------------------------------

def credentials() -> tuple[str, str, str]:
    return secrets.token_hex(10), secrets.token_hex(20), secrets.token_urlsafe(300)


def test_a_secret_is_masked_where_a_value_is_cut(monkeypatch):
    ak, sk, token = credentials()
    monkeypatch.setattr(logs, "SECRETS", logs._Secrets())
    logs.SECRETS.add((ak, sk, token))
    # wherever the cut falls, it falls among secrets
    leaky = "".join(f"{sk} {token} {ak} " for _ in range(2_000))

    line = format_record("leak %s", leaky, reason=leaky, error={"text": leaky})

    entry = check_line(line)
    assert logs.MASK in entry["message"]
    for secret in (ak, sk, token):
        assert secret[:8] not in line  # not even a part of one


def test_the_mask_set_is_bounded_and_keeps_the_recent_sets():
    masks = logs._Secrets()
    issued = [credentials() for _ in range(1_000)]
    for keys in issued:
        masks.add(keys)

    for keys in issued[-GENEROUS_SETS:]:  # the sets the latest invocations used: masked
        assert masks.redact(" ".join(keys)) == " ".join([logs.MASK] * 3)
    assert masks.redact(issued[0][1]) == issued[0][1]  # the first set, long gone, is not kept
    assert len(masks._values) <= 3 * len(issued) // 10  # bounded, far below what was registered


def test_a_set_in_use_stays_masked_however_many_others_come_and_go():
    masks = logs._Secrets()
    in_use = credentials()
    masks.add(in_use)
    for round_ in range(500):
        masks.add(credentials())
        if round_ % 20 == 0:
            masks.add(in_use)  # each invocation registers the keys it runs with

    assert masks.redact(in_use[1]) == logs.MASK


def test_short_or_missing_values_are_not_registered():
    masks = logs._Secrets()
    masks.add(("abc", "", None, "abcd"))

    assert masks.redact("abc abcd") == f"abc {logs.MASK}"
