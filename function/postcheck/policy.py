"""How long the function waits, and for what: a value passed in (tests and benchmarks pass their own)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from .decision import REMIND_EVERY


@dataclass(frozen=True)
class Backoff:
    """The pause between two attempts of one API call: exponential with equal jitter. Before retry ``n`` (1, 2, ...)
    the pause is drawn by ``draw(low, high)`` between half of ``base_s * 2**(n-1)``, capped at ``cap_s``, and all
    of it: 0.5 s doubling to 8 s by default. It never runs past the invocation's deadline
    (:class:`postcheck.sdk.DeadlineBackoff` applies it)."""

    base_s: float = 0.5
    cap_s: float = 8.0
    draw: Callable[[float, float], float] = field(default=random.uniform, compare=False)


@dataclass(frozen=True)
class WaitPolicy:
    """How the function waits. A running upgrade is polled at ``poll_first_s``, doubling to ``poll_max_s``,
    each pause jittered by ±``jitter``: at 15 s ± 20 % a task's end is seen within 18 s, and its notification
    leaves within 30 s of it (the cluster and its upgrades read again, the health gate's reads, the post-check and
    the publish follow).
    Waits stop ``time_to_check_s`` before the deadline's reserve, so that what was found can still be done and
    reported. Transient health states are re-read every ``health_poll_s``. A sweep's invocation takes at most
    ``sweep_budget_s`` whatever the function's timeout (a timer trigger may be synchronous: 900 s at most)."""

    poll_first_s: float = 2.0
    poll_max_s: float = 15.0
    jitter: float = 0.2
    time_to_check_s: float = 10.0
    health_poll_s: float = 15.0
    sweep_budget_s: float = 840.0
    # An upgrade event naming a task CCE does not list yet is read again (at the poll cadence) for this long.
    unknown_task_wait_s: float = 120.0
    # A sweep begins a cluster only with this much usable time left; later ones are left to the next sweep.
    sweep_cluster_floor_s: float = 30.0
    # A post-check that ran but whose result could not be published is kept this long for a redelivery (which
    # publishes it instead of confirming again): the platform's retries come within minutes.
    unpublished_ttl_s: float = 1800.0
    # A held upgrade (or one whose post-check CCE answered Failed) is brought up again by the sweep this often,
    # counted from the upgrade's end.
    remind_every: timedelta = REMIND_EVERY
    # The pause between attempts of one API call (CCE and SMN alike).
    backoff: Backoff = field(default_factory=Backoff)
