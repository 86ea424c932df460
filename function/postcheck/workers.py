"""Work done concurrently for one invocation (the sweep's clusters, a delivery's events), each item in a copy of
the caller's context, so that its log lines name the caller's invocation (:func:`postcheck.logs.invocation`)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def concurrently(fn: Callable[[T], R], items: Iterable[T], max_workers: int) -> list[R]:
    """``fn`` over ``items``, at most ``max_workers`` at once, results in the items' order."""
    items = list(items)
    if not items:
        return []
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(items)))) as pool:
        return list(pool.map(lambda item: context.copy().run(fn, item), items))
