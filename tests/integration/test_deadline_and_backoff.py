"""The time budget and the retry backoff, against the documented contract. Pure: a fake clock, no network.

docs/operations.md, "Faults and retries":

- "Transient failures are retried [...] with full-jitter exponential backoff (0.5 s doubling to 8 s) that never
  sleeps past the invocation's deadline: HTTP 5xx, throttling (429, APIG.0308), connection errors and timeouts
  [...]. Other 4xx are final."
- "each attempt's connect/read timeout is cut [...] to the invocation's time left
  (context.getRemainingTimeInMilliSeconds()), minus a reserve (8 s, at most a quarter of the budget) kept for
  publishing what happened."

The retries run through the SDK's own ``SyncInvoker.with_retry`` (the SDK calls the backoff with the number of
attempts made so far: 1 before the first retry), with its ``time.sleep`` replaced by the fake clock.
"""

from __future__ import annotations

import random
import types
from typing import Any

import pytest
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    RequestTimeoutException,
    SdkError,
    ServerResponseException,
)
from huaweicloudsdkcore.invoker import invoker as sdk_invoker
from huaweicloudsdkcore.invoker.invoker import SyncInvoker

from postcheck import sdk
from postcheck.deadline import Deadline
from postcheck.policy import Backoff
from postcheck.sdk import ApiError, CallPolicy, DeadlineBackoff, is_transient

RESERVE_S = 8.0  # docs/operations.md: "a reserve (8 s, at most a quarter of the budget)"
FIRST_S, LAST_S = 0.5, 8.0  # docs/operations.md: "0.5 s doubling to 8 s"
DOUBLING = [FIRST_S, 1.0, 2.0, 4.0, LAST_S, LAST_S, LAST_S]  # the ceiling before retries 1, 2, 3, ...


class Clock:
    """Monotonic seconds that move only when told to (a sleep, an attempt's duration)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[tuple[float, float]] = []  # (when, how long)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append((self.now, seconds))
        self.now += seconds


def highest(low: float, high: float) -> float:
    """A jitter source that always draws the top of its range: the delay is then the backoff's ceiling."""
    return high


# -- the deadline's reserve: 8 s, at most a quarter of the budget -------------------------------------------------

@pytest.mark.parametrize(("budget_s", "usable_s"), [
    (900.0, 900.0 - RESERVE_S),
    (100.0, 100.0 - RESERVE_S),
    (4 * RESERVE_S, 3 * RESERVE_S),  # where the quarter and the 8 s meet
    (20.0, 15.0),  # a quarter of 20 s is 5 s, less than 8 s
    (4.0, 3.0),
    (1.0, 0.75),
    (0.0, 0.0),
])
def test_the_reserve_is_8_seconds_but_at_most_a_quarter_of_the_budget(budget_s: float, usable_s: float) -> None:
    clock = Clock()
    deadline = Deadline(budget_s, clock=clock)

    assert deadline.remaining() == pytest.approx(budget_s)
    assert deadline.usable() == pytest.approx(usable_s)


@pytest.mark.parametrize(("milliseconds", "reserve_s"), [(900_000, 8.0), (12_000, 3.0), (3_000, 0.75)])
def test_the_budget_is_the_contexts_remaining_time(milliseconds: int, reserve_s: float) -> None:
    context = types.SimpleNamespace(getRemainingTimeInMilliSeconds=lambda: milliseconds)

    deadline = Deadline.from_context(context)  # on the real clock: only what cannot depend on time is asserted

    assert 0 < deadline.remaining() <= milliseconds / 1000
    assert deadline.reserve == pytest.approx(reserve_s)
    assert deadline.usable() <= milliseconds / 1000 - reserve_s


def test_time_passing_uses_up_the_budget_and_the_report_may_use_the_reserve() -> None:
    clock = Clock()
    deadline = Deadline(20.0, clock=clock)  # reserve 5 s

    clock.now += 12.0
    assert deadline.remaining() == pytest.approx(8.0)
    assert deadline.usable() == pytest.approx(3.0)
    assert deadline.usable() < deadline.left(for_report=True) <= deadline.remaining()
    clock.now += 30.0
    assert (deadline.remaining(), deadline.usable(), deadline.left(for_report=True)) == (0.0, 0.0, 0.0)


def test_an_attempts_timeouts_never_outlast_the_usable_time() -> None:
    clock = Clock()
    deadline = Deadline(40.0, clock=clock)  # reserve 8 s: 32 s usable
    assert deadline.http_timeout(5.0, 20.0) == (5.0, 20.0)  # short enough already
    clock.now += 20.0  # 12 s usable left
    assert deadline.http_timeout(5.0, 20.0) == pytest.approx((5.0, 12.0))
    clock.now += 10.0  # 2 s usable left
    assert deadline.http_timeout(5.0, 20.0) == pytest.approx((2.0, 2.0))


# -- the backoff: 0.5 s doubling to 8 s, jittered, never past the deadline ----------------------------------------

def test_the_backoff_ceiling_doubles_from_half_a_second_to_eight() -> None:
    backoff = DeadlineBackoff(Deadline(10_000.0, clock=Clock()), rng=highest)

    delays = [backoff.calculate_retry_delay_millis(n) / 1000 for n in range(1, len(DOUBLING) + 1)]

    assert delays == DOUBLING


def test_every_jittered_delay_is_within_its_ceiling() -> None:
    backoff = DeadlineBackoff(Deadline(10_000.0, clock=Clock()), rng=random.Random(20261128).uniform)

    for _ in range(50):
        for n, ceiling in enumerate(DOUBLING, start=1):
            assert 0 <= backoff.calculate_retry_delay_millis(n) / 1000 <= ceiling


@pytest.mark.parametrize("for_report", [False, True])
def test_a_delay_never_reaches_past_the_time_left(for_report: bool) -> None:
    clock = Clock()
    deadline = Deadline(10.0, clock=clock)  # reserve 2.5 s
    backoff = DeadlineBackoff(deadline, rng=highest, for_report=for_report)

    for n in range(1, len(DOUBLING) + 1):
        for spent in (0.0, 3.0, 6.0, 7.4, 7.5, 9.0, 9.6, 12.0):
            clock.now = 1000.0 + spent
            left = deadline.left(for_report)
            assert backoff.delay_s(n) <= left
            assert backoff.calculate_retry_delay_millis(n) <= left * 1000
            assert backoff.delay_s(n) == pytest.approx(min(DOUBLING[n - 1], left))  # and no shorter than needed


# -- through the SDK's retrying invoker -------------------------------------------------------------------------

class FailingClient:
    """A stand-in for an SDK client: answers with the given errors in turn (then succeeds), each after ``took_s``."""

    def __init__(self, clock: Clock, errors: list[BaseException | None], took_s: float = 0.25) -> None:
        self.clock = clock
        self.errors = errors
        self.took_s = took_s
        self.attempts = 0

    def do_http_request(self, **_: Any) -> Any:
        self.attempts += 1
        self.clock.now += self.took_s
        error = self.errors[min(self.attempts, len(self.errors)) - 1]
        if error is not None:
            raise error
        return types.SimpleNamespace(status_code=200)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sdk_invoker, "time", types.SimpleNamespace(sleep=fake.sleep))
    return fake


def drawn_by(rng: Any) -> Backoff:
    """The default backoff, with its jitter drawn by ``rng``."""
    return Backoff(draw=rng)


def _unavailable() -> ServerResponseException:
    return ServerResponseException(503, SdkError("req-1", "CCE.01500001", "Service Unavailable"))


def test_retries_wait_longer_each_time(clock: Clock) -> None:
    client = FailingClient(clock, [_unavailable()])
    deadline = Deadline(10_000.0, clock=clock)

    with pytest.raises(ApiError) as raised:
        sdk.invoke(SyncInvoker(client, {}), "show_cluster", deadline,
                   CallPolicy(max_attempts=len(DOUBLING) + 1, backoff=drawn_by(highest)))

    assert raised.value.status == 503 and raised.value.transient
    assert client.attempts == len(DOUBLING) + 1
    assert [seconds for _, seconds in clock.sleeps] == DOUBLING


@pytest.mark.parametrize("rng", [highest, random.Random(7).uniform], ids=["ceiling", "random"])
@pytest.mark.parametrize("budget_s", [12.0, 20.0, 33.0])
def test_retries_never_sleep_past_the_usable_time(clock: Clock, rng: Any, budget_s: float) -> None:
    client = FailingClient(clock, [_unavailable()])
    start = clock.now
    deadline = Deadline(budget_s, clock=clock)
    usable_end = start + deadline.usable()

    with pytest.raises(ApiError):
        sdk.invoke(SyncInvoker(client, {}), "show_cluster", deadline,
                   CallPolicy(max_attempts=11, min_time_for_retry_s=0.0, backoff=drawn_by(rng)))

    assert client.attempts > 1
    for when, seconds in clock.sleeps:
        assert when + seconds <= usable_end + 1e-9, (when - start, seconds)


# -- what is retried: 5xx, throttling (429 with or without APIG.0308), no answer; other 4xx are final -------------

@pytest.mark.parametrize(("error", "transient"), [
    pytest.param(ServerResponseException(500, SdkError("r", "CCE.01500001", "boom")), True, id="500"),
    pytest.param(ServerResponseException(502, SdkError("r", None, "Bad Gateway")), True, id="502-no-code"),
    pytest.param(ServerResponseException(503, SdkError("r", "SMN.00010001", "busy")), True, id="503"),
    pytest.param(ClientRequestException(429, SdkError("r", "APIG.0308", "throttled")), True, id="429-APIG.0308"),
    pytest.param(ClientRequestException(429, SdkError("r", None, "Too Many Requests")), True, id="bare-429"),
    # Huawei's FAQs identify throttling by the code alone ("How Do I Handle the Error APIG.0308?",
    # https://support.huaweicloud.com/intl/en-us/ocr_faq/ocr_01_0041.html: retry after a short wait).
    pytest.param(ClientRequestException(400, SdkError("r", "APIG.0308", "throttled")), True, id="APIG.0308-any-status"),
    pytest.param(ClientRequestException(429, SdkError("r", "", "")), True, id="bare-429-empty-code"),
    pytest.param(ClientRequestException(429, SdkError("r", "429", "too many 429 error responses")), True,
                 id="429-code-429"),
    pytest.param(ConnectionException("reset"), True, id="connection"),
    pytest.param(RequestTimeoutException("slow"), True, id="timeout"),
    pytest.param(ClientRequestException(400, SdkError("r", "CCE.01400001", "Invalid request.")), False, id="400"),
    pytest.param(ClientRequestException(401, SdkError("r", "APIG.0301", "bad signature")), False, id="401"),
    pytest.param(ClientRequestException(403, SdkError("r", "CCE.01403001", "forbidden")), False, id="403"),
    pytest.param(ClientRequestException(404, SdkError("r", "CCE.01404001", "not found")), False, id="404"),
])
def test_what_is_transient(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient


@pytest.mark.parametrize("error", [
    ClientRequestException(429, SdkError("r", None, "Too Many Requests")),
    ClientRequestException(429, SdkError("r", "APIG.0308", "throttled")),
], ids=["bare-429", "APIG.0308"])
def test_a_throttled_call_is_retried_and_succeeds(clock: Clock, error: BaseException) -> None:
    client = FailingClient(clock, [error, None])

    response = sdk.invoke(SyncInvoker(client, {}), "create_post_check", Deadline(100.0, clock=clock))

    assert response.status_code == 200
    assert client.attempts == 2


def test_a_client_error_is_not_retried(clock: Clock) -> None:
    client = FailingClient(clock, [ClientRequestException(400, SdkError("r", "CCE.01400001", "Invalid request."))])

    with pytest.raises(ApiError) as raised:
        sdk.invoke(SyncInvoker(client, {}), "create_post_check", Deadline(100.0, clock=clock))

    assert (raised.value.status, raised.value.transient, client.attempts) == (400, False, 1)
    assert clock.sleeps == []
