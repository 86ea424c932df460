"""postcheck.workers.concurrently: ``fn`` over the items, at most ``max_workers`` at once, results in the items'
order (docs/operations.md: the sweep's clusters and a delivery's events, ``MAX_CONCURRENCY`` at a time)."""

from __future__ import annotations

import threading

from postcheck.workers import concurrently

# How long the first item waits for a second one to start alongside it: only a pool that breaks the limit lets
# one in; with a limit of one the wait simply runs out. No assertion is made on time.
OVERLAP_WAIT_S = 1.0


def test_a_limit_of_one_runs_one_item_at_a_time() -> None:
    second_started = threading.Event()
    seen: dict[str, bool] = {}

    def fn(item: int) -> int:
        if item == 0:
            seen["second ran alongside the first"] = second_started.wait(OVERLAP_WAIT_S)
        else:
            second_started.set()
        return item * 10

    assert concurrently(fn, range(3), max_workers=1) == [0, 10, 20]
    assert seen == {"second ran alongside the first": False}


def test_results_come_in_the_items_order_and_nothing_runs_for_no_items() -> None:
    assert concurrently(lambda item: item.upper(), iter("abcde"), max_workers=3) == list("ABCDE")
    assert concurrently(lambda item: item, [], max_workers=3) == []
