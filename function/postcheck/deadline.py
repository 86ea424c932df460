"""The invocation's time budget, from ``context.getRemainingTimeInMilliSeconds()``.

Every HTTP timeout, retry and wait is cut to fit inside it, keeping ``reserve`` seconds back so that
what happened can still be published and returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# Used when the context cannot say (a local run): FunctionGraph's common 15-minute ceiling is not
# assumed; a short budget keeps a stuck local run short.
DEFAULT_BUDGET_S = 120.0
# Kept back from every wait for reporting (one publish with its own short timeout).
DEFAULT_RESERVE_S = 8.0


class Deadline:
    def __init__(self, seconds: float, reserve: float = DEFAULT_RESERVE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = clock() + max(0.0, seconds)
        self.reserve = min(reserve, max(0.0, seconds) / 4)

    @classmethod
    def from_context(cls, context: Any, reserve: float = DEFAULT_RESERVE_S) -> Deadline:
        getter = getattr(context, "getRemainingTimeInMilliSeconds", None)
        seconds = DEFAULT_BUDGET_S
        if callable(getter):
            try:
                seconds = float(getter()) / 1000.0
            except (TypeError, ValueError):
                seconds = DEFAULT_BUDGET_S
        return cls(seconds, reserve)

    def now(self) -> float:
        """The deadline's own clock (monotonic seconds): waits measure against it."""
        return self._clock()

    def capped(self, seconds: float) -> Deadline:
        """A deadline that ends ``seconds`` from now, or with this one if that is sooner (same clock, reserve)."""
        return Deadline(min(seconds, self.remaining()), self.reserve, self._clock)

    def remaining(self) -> float:
        """Seconds left before the platform ends the invocation."""
        return max(0.0, self._end - self._clock())

    def usable(self) -> float:
        """Seconds left for work other than the final report."""
        return max(0.0, self.remaining() - self.reserve)

    def left(self, for_report: bool = False) -> float:
        """Seconds a call may still take: the usable time, or for the final report all but half a second."""
        return max(0.0, self.remaining() - 0.5) if for_report else self.usable()

    def http_timeout(self, connect: float, read: float, for_report: bool = False) -> tuple[float, float]:
        """A (connect, read) timeout that ends before the budget does."""
        left = max(0.1, self.left(for_report))
        return (min(connect, left), min(read, left))
