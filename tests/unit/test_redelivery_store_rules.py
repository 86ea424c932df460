"""The redelivery store's rules (docs/operations.md, "Redelivery"; postcheck.redelivery): a stored entry is taken
once (a take removes it), only within the policy's time to live (an entry as old as the TTL has expired, and a TTL
of 0 keeps nothing), at most the store's bound are kept (the oldest goes first), keys are listed oldest first, and
``forget`` drops everything. Each test builds its own Store; the clock is a stand-in (no real waits)."""

from __future__ import annotations

import pytest

from postcheck import redelivery
from postcheck.redelivery import Store


class Clock:
    """``time`` as the store sees it: ``monotonic()`` answers what the test set."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(redelivery, "time", fake)
    return fake


def test_a_kept_entry_is_taken_once(clock: Clock) -> None:
    store: Store[str] = Store()
    store.keep(("event", "a"), "work-a")

    assert store.take(("event", "a"), ttl_s=60.0) == "work-a"
    assert store.take(("event", "a"), ttl_s=60.0) is None  # taken: a second redelivery decides afresh
    assert store.keys() == []


def test_an_unknown_key_gives_nothing(clock: Clock) -> None:
    store: Store[str] = Store()
    store.keep(("event", "a"), "work-a")

    assert store.take(("event", "b"), ttl_s=60.0) is None
    assert store.keys() == [("event", "a")]


def test_an_entry_is_reused_within_its_time_to_live_and_not_at_it(clock: Clock) -> None:
    store: Store[str] = Store()
    store.keep(("event", "young"), "young")
    store.keep(("event", "old"), "old")
    clock.now += 30.0

    assert store.take(("event", "young"), ttl_s=30.5) == "young"
    assert store.take(("event", "old"), ttl_s=30.0) is None  # as old as the TTL: expired


def test_a_time_to_live_of_zero_keeps_nothing(clock: Clock) -> None:
    store: Store[str] = Store()
    store.keep(("event", "a"), "work-a")  # taken at the very same instant

    assert store.take(("event", "a"), ttl_s=0.0) is None


def test_the_store_is_bounded_and_drops_the_oldest_first(clock: Clock) -> None:
    store: Store[int] = Store(max_entries=3)
    for i in range(5):
        clock.now += 1.0
        store.keep(("event", i), i)

    assert store.keys() == [("event", 2), ("event", 3), ("event", 4)]  # the oldest first
    assert store.take(("event", 0), ttl_s=60.0) is None
    assert store.take(("event", 3), ttl_s=60.0) == 3


def test_keeping_a_key_again_replaces_its_work(clock: Clock) -> None:
    store: Store[str] = Store(max_entries=2)
    store.keep(("event", "a"), "first")
    store.keep(("event", "a"), "second")

    assert store.keys() == [("event", "a")]
    assert store.take(("event", "a"), ttl_s=60.0) == "second"


def test_forget_drops_every_entry(clock: Clock) -> None:
    store: Store[str] = Store()
    store.keep(("event", "a"), "a")
    store.keep(("sweep", "b"), "b")

    store.forget()

    assert store.keys() == []
    assert store.take(("event", "a"), ttl_s=60.0) is None


def test_stores_do_not_share_entries(clock: Clock) -> None:
    one: Store[str] = Store()
    other: Store[str] = Store()
    one.keep(("event", "a"), "a")

    assert other.keys() == []
    assert other.take(("event", "a"), ttl_s=60.0) is None
    assert one.take(("event", "a"), ttl_s=60.0) == "a"
