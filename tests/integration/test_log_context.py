"""Issue 12: every log line of an invocation names it: ``request_id`` (``context.getRequestID()``) and
``cold_start`` (whether the invocation started this function instance), including the lines written by the
threads a sweep or a delivery of several events starts. Over real HTTP against the stand-in."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from postcheck import logs
from tests.support import event, two_clusters


class Threads(logging.Filter):
    """Notes which thread wrote each line."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int | None] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.seen.append(record.thread)
        return True


@pytest.fixture
def threads() -> Threads:
    return Threads()


@pytest.fixture
def lines(threads):
    """The function's log lines, as JSON objects (``threads`` notes the thread of each)."""
    logger = logs.configure()
    [handler] = [h for h in logger.handlers if getattr(h, "_postcheck", False)]
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    handler.addFilter(threads)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.removeFilter(threads)
        handler.setStream(old)


@pytest.mark.parametrize("scenario", [two_clusters()])
def test_every_line_of_a_sweep_names_the_invocation_even_from_the_sweeps_threads(standin, invoke, context, lines,
                                                                                 threads):
    result = invoke(event("timer"))

    assert result["outcome"] == "swept" and len(result["clusters"]) == 2
    written = lines()
    assert len(written) == len(threads.seen)
    assert set(threads.seen) - {threading.get_ident()}  # some lines come from the sweep's own threads
    assert {line.get("request_id") for line in written} == {context.getRequestID()}
    assert len({line["cold_start"] for line in written}) == 1  # one invocation: one answer


def test_two_invocations_are_told_apart_by_their_request_ids(standin, invoke, context, lines):
    from scripts.local_context import LocalContext

    other = LocalContext(context.getSecurityAccessKey(), context.getSecuritySecretKey(), context.getSecurityToken(),
                         context.getProjectID(), context._user_data)
    invoke(event("manual"))
    invoke(event("manual"), other)

    ids = [line.get("request_id") for line in lines()]
    assert context.getRequestID() != other.getRequestID()
    assert set(ids) == {context.getRequestID(), other.getRequestID()}
    assert ids.index(other.getRequestID()) > max(i for i, rid in enumerate(ids) if rid == context.getRequestID())


def test_only_the_first_invocation_of_an_instance_is_a_cold_start(monkeypatch, lines):
    monkeypatch.setattr(logs, "_started", False)  # a fresh instance
    log = logs.get("test")

    class Context:
        def __init__(self, request_id: str) -> None:
            self.request_id = request_id

        def getRequestID(self) -> str:
            return self.request_id

    for request_id in ("first", "second", "third"):
        with logs.invocation(Context(request_id)):
            log.info("working")

    assert [(line["request_id"], line["cold_start"]) for line in lines()] == [
        ("first", True), ("second", False), ("third", False)]


def test_a_context_without_a_request_id_still_logs(lines):
    with logs.invocation(object()):
        logs.get("test").info("working")
    [line] = lines()
    assert "request_id" not in line and line["message"] == "working"


def test_outside_an_invocation_lines_carry_neither(lines):
    logs.get("test").info("at import")
    [line] = lines()
    assert "request_id" not in line and "cold_start" not in line


class Unprintable:
    """A request ID the platform would never give: its truth or its text raises."""

    def __init__(self, broken: str) -> None:
        self.broken = broken

    def __bool__(self) -> bool:
        if self.broken == "bool":
            raise ValueError("no truth")
        return True

    def __str__(self) -> str:
        raise ValueError("no text")


@pytest.mark.parametrize("broken", ["bool", "str"])
def test_a_request_id_that_cannot_be_shown_leaves_the_lines_without_one_and_the_event_is_handled(
        standin, invoke, context, lines, monkeypatch, broken):
    monkeypatch.setattr(context, "getRequestID", lambda: Unprintable(broken))

    result = invoke(event("manual"))

    assert result["outcome"] == "checked"
    written = lines()
    assert written and all("request_id" not in line for line in written)


def test_of_invocations_starting_together_on_a_fresh_instance_one_is_the_cold_start(monkeypatch, lines):
    monkeypatch.setattr(logs, "_started", False)  # a fresh instance
    barrier = threading.Barrier(8)
    log = logs.get("test")

    def start() -> None:
        barrier.wait()
        with logs.invocation(object()):
            log.info("working")

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(line["cold_start"] for line in lines()) == [False] * 7 + [True]
