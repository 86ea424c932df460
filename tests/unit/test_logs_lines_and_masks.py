"""Log lines beyond tests/unit/test_log_lines.py (docs/design.md and issue 7: one JSON object per line on stdout, at
most 16 KiB, U+2028/U+2029/U+0085 escaped, secrets masked, the mask set bounded). Pure: records formatted in memory."""

from __future__ import annotations

import datetime
import io
import json
import logging
import re
import sys

import pytest

from postcheck import logs

MAX_LINE_BYTES = 16 * 1024


def format_record(message: str, *args: object, **extra: object) -> str:
    record = logging.LogRecord("postcheck.test", logging.INFO, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return logs.JsonFormatter().format(record)


# -- the fields of a line -----------------------------------------------------------------------------------------

def test_a_line_holds_the_time_level_logger_message_and_the_extras_only():
    line = format_record("cluster %s", "c1", outcome="checked", _private="hidden")

    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message", "outcome"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", entry["time"])  # ISO 8601, to the second
    assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "postcheck.test", "cluster c1")


def test_text_travels_as_itself_and_values_json_cannot_hold_as_their_text():
    when = datetime.datetime(2026, 11, 28, 6, 0, tzinfo=datetime.timezone.utc)

    line = format_record("集群 %s", "生产", at=when, ids={1, 2} and [1, 2])

    assert "集群 生产" in line  # UTF-8, not \\u escapes
    entry = json.loads(line)
    assert entry["at"] == str(when) and entry["ids"] == [1, 2]


def test_a_long_line_with_values_json_cannot_hold_is_still_cut_and_read_back():
    when = datetime.datetime(2026, 11, 28, 6, 0, tzinfo=datetime.timezone.utc)

    line = format_record("m" * 100_000, at=when, detail={"when": when, "text": "d" * 50_000})

    assert len(line.encode()) <= MAX_LINE_BYTES
    entry = json.loads(line)
    assert entry["at"] == str(when)
    assert "[cut: " in entry["message"] and "[cut: " in entry["detail"]


def test_a_line_of_exactly_16_kib_is_written_whole():
    overhead = len(format_record("").encode())
    message = "x" * (MAX_LINE_BYTES - overhead)

    line = format_record(message)

    assert len(line.encode()) == MAX_LINE_BYTES
    assert json.loads(line)["message"] == message


def test_too_many_values_leave_the_start_of_a_long_message_and_count_what_was_left_out():
    message = "start " + "m" * 5_000

    entry = json.loads(format_record(message, **{f"k{i}": "v" * 100 for i in range(2_000)}))

    shown = entry["message"]
    start, marker, rest = shown.rpartition("... [cut: ")
    assert marker and rest == f"{len(message)} characters]" and message.startswith(start) and start
    assert len(shown) < len(message)
    assert "2000 more values left out" in entry["cut"]
    assert not any(key.startswith("k") for key in entry)


# -- masking ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("short", "long"), [
    ("ABCD1234", "ZZABCD1234ZZ-token"),  # the longer sorts after the shorter
    ("BCD12345", "AABCD12345AA-token"),  # and before it
])
def test_a_secret_inside_another_is_masked_without_leaving_part_of_the_longer(short, long):
    masks = logs._Secrets()
    masks.add((short, long))

    assert masks.redact(f"token {long} key {short}") == f"token {logs.MASK} key {logs.MASK}"


def test_nothing_is_masked_before_any_secret_is_registered():
    assert logs._Secrets().redact("AKIDEXAMPLE token") == "AKIDEXAMPLE token"


def test_a_result_is_masked_as_text_or_as_json(monkeypatch):
    monkeypatch.setattr(logs, "SECRETS", logs._Secrets())
    logs.SECRETS.add(("AKIDEXAMPLE01", "secret-key-01"))

    assert logs.redact("key AKIDEXAMPLE01 here") == f"key {logs.MASK} here"
    result = {"error": {"message": "signed with secret-key-01", "status": 403}, "ok": [True, None, 1.5, "集群"]}
    assert logs.redact(result) == {"error": {"message": f"signed with {logs.MASK}", "status": 403},
                                   "ok": [True, None, 1.5, "集群"]}


# -- the function's logger ----------------------------------------------------------------------------------------

def test_loggers_are_children_of_the_functions_logger():
    functions = logging.getLogger("postcheck")
    assert logs.get("service").name == "postcheck.service"
    assert logs.get("service").parent is functions


@pytest.fixture
def bare_logger():
    logger = logging.getLogger("postcheck")
    saved = (list(logger.handlers), logger.propagate, logger.level)
    logger.handlers = [h for h in logger.handlers if not getattr(h, "_postcheck", False)]
    yield logger
    logger.handlers, logger.propagate, logger.level = saved[0], saved[1], saved[2]


def test_configure_attaches_one_masking_json_handler_and_keeps_records_from_the_root(bare_logger, monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(logs, "SECRETS", logs._Secrets())
    logs.SECRETS.add(("AKIDEXAMPLE02",))
    root_stream = io.StringIO()
    root_handler = logging.StreamHandler(root_stream)
    logging.getLogger().addHandler(root_handler)
    foreign = logging.StreamHandler(io.StringIO())  # someone else's handler on the same logger is not ours
    bare_logger.addHandler(foreign)
    try:
        first = logs.configure(stream)
        again = logs.configure(io.StringIO())  # a second call adds nothing

        logs.get("test").info("hello %s", "AKIDEXAMPLE02", extra={"cluster_id": "c1"})
    finally:
        logging.getLogger().removeHandler(root_handler)

    assert first is again is bare_logger
    assert sum(1 for h in bare_logger.handlers if getattr(h, "_postcheck", False)) == 1
    assert foreign in bare_logger.handlers
    assert bare_logger.propagate is False and root_stream.getvalue() == ""
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == f"hello {logs.MASK}" and entry["cluster_id"] == "c1"
    assert entry["logger"] == "postcheck.test" and entry["level"] == "INFO"


def test_configure_writes_to_stdout_by_default(bare_logger, monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stream)

    logs.configure()
    logs.get("test").warning("to stdout")

    assert json.loads(stream.getvalue())["message"] == "to stdout"
