"""The invocation's time budget beyond what tests/integration/test_deadline_and_backoff.py covers: a context that cannot
say how much time is left, a deadline cut shorter for one step, and the final report's share. Pure: a fake clock.

docs/operations.md, "Faults and retries": each attempt's connect/read timeout is cut to the invocation's time left
(``context.getRemainingTimeInMilliSeconds()``), minus a reserve (8 s, at most a quarter of the budget) kept for
publishing what happened.
"""

from __future__ import annotations

import math
import types

import pytest

from postcheck.deadline import Deadline

RESERVE_S = 8.0  # docs/operations.md


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def _raises() -> float:
    raise TypeError("no budget here")


@pytest.mark.parametrize("context", [
    None,
    object(),
    types.SimpleNamespace(getRemainingTimeInMilliSeconds=900_000),  # not callable
    types.SimpleNamespace(getRemainingTimeInMilliSeconds=_raises),
    types.SimpleNamespace(getRemainingTimeInMilliSeconds=lambda: "soon"),
    types.SimpleNamespace(getRemainingTimeInMilliSeconds=lambda: None),
], ids=["none", "no-method", "not-callable", "raises", "not-a-number", "returns-none"])
def test_a_context_that_cannot_say_still_gives_a_finite_budget_with_its_reserve(context):
    deadline = Deadline.from_context(context)
    # all contexts that cannot answer get the same budget (the one a local run gets)
    reference = Deadline.from_context(object())

    assert 0 < deadline.remaining() < math.inf
    assert deadline.remaining() == pytest.approx(reference.remaining(), abs=1.0)
    assert deadline.reserve == pytest.approx(min(RESERVE_S, deadline.remaining() / 4), abs=0.5)
    assert deadline.usable() < deadline.remaining()


@pytest.mark.parametrize("reserve", [2.0, 0.0])
def test_the_reserve_asked_for_is_kept_whatever_the_context_says(reserve):
    answering = types.SimpleNamespace(getRemainingTimeInMilliSeconds=lambda: 600_000)

    assert Deadline.from_context(answering, reserve=reserve).reserve == reserve
    assert Deadline.from_context(object(), reserve=reserve).reserve == reserve


@pytest.mark.parametrize(("budget_s", "reserve_s"), [(0.4, 0.1), (0.8, 0.2), (0.04, 0.01)])
def test_under_a_second_the_reserve_is_still_a_quarter_of_the_budget(budget_s, reserve_s):
    deadline = Deadline(budget_s, clock=Clock())

    assert deadline.reserve == pytest.approx(reserve_s)
    assert deadline.usable() == pytest.approx(budget_s - reserve_s)


@pytest.mark.parametrize(("cap_s", "expected_s"), [(5.0, 5.0), (30.0, 30.0), (45.0, 40.0), (500.0, 40.0)])
def test_a_capped_deadline_ends_at_the_cap_or_with_the_whole_budget_if_sooner(cap_s, expected_s):
    clock = Clock()
    whole = Deadline(60.0, reserve=3.0, clock=clock)
    clock.now += 20.0  # 40 s left

    step = whole.capped(cap_s)

    assert step.remaining() == pytest.approx(expected_s)
    # the whole budget's reserve, at most a quarter of the shorter budget (the documented rule for any budget) ...
    assert step.reserve == pytest.approx(min(whole.reserve, expected_s / 4))
    clock.now += 4.0  # ... and the same clock: time passes for both
    assert step.remaining() == pytest.approx(expected_s - 4.0)
    assert step.now() == whole.now() == clock.now
    assert step.usable() == pytest.approx(max(0.0, expected_s - 4.0 - step.reserve))


def test_a_call_outside_the_final_report_gets_only_the_usable_time():
    clock = Clock()
    deadline = Deadline(40.0, clock=clock)  # reserve 8 s

    clock.now += 10.0
    assert deadline.left() == deadline.usable() == pytest.approx(22.0)
    assert deadline.http_timeout(60.0, 120.0) == pytest.approx((22.0, 22.0))


def test_the_final_report_may_use_the_reserve_up_to_its_last_moments():
    clock = Clock()
    deadline = Deadline(20.0, clock=clock)  # reserve 5 s

    clock.now += 19.0  # 1 s left, none of it usable for work
    assert deadline.usable() == 0.0
    assert 0.0 < deadline.left(for_report=True) < deadline.remaining()
    connect, read = deadline.http_timeout(5.0, 20.0, for_report=True)
    assert 0.0 < connect == read < deadline.remaining()
    # outside the report the same moment leaves no usable time
    assert deadline.http_timeout(5.0, 20.0) < (connect, read)


def test_with_a_fraction_of_a_second_left_a_timeout_is_that_fraction():
    clock = Clock()
    deadline = Deadline(40.0, clock=clock)  # reserve 8 s

    clock.now += 31.7  # 0.3 s usable
    connect, read = deadline.http_timeout(5.0, 20.0)
    assert connect == read == pytest.approx(0.3)
