"""What an event asks for, once it has been validated: check one cluster, sweep, or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CheckIntent:
    """Run the post-upgrade check of one cluster's newest upgrade.

    ``follow_upgrade`` is set when the event announces an upgrade (a CTS ``clusterUpgrade`` trace): a
    running upgrade is then followed for as long as the invocation lasts, and its start announced. A manual
    request follows it for at most ``MANUAL_WAIT_SECONDS``; versions it names must be CCE's. ``force``
    (manual only) confirms despite the health gate's findings.
    """

    cluster_id: str
    trigger: str
    cluster_name: str | None = None
    cluster_version: str | None = None
    target_version: str | None = None
    upgrade_task_id: str | None = None
    follow_upgrade: bool = False
    dry_run: bool = False
    trace_id: str | None = None
    force: bool = False
    traced_at: datetime | None = None  # when the trace says the upgrade was requested (upgrade events only)


@dataclass(frozen=True)
class SweepIntent:
    """Reconcile every cluster (or those configured). ``anchor`` is the timer event's own time."""

    trigger: str
    anchor: datetime | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class Ignored:
    """A well-formed event that asks for nothing: the reason says why."""

    trigger: str
    reason: str


Intent = CheckIntent | SweepIntent | Ignored


@dataclass(frozen=True)
class Refused:
    """One event of a batch that cannot be acted on: ``message`` names the field, as :class:`InvalidEvent`
    does for a whole event."""

    message: str


@dataclass(frozen=True)
class Batch:
    """More than one event in one delivery (an EventGrid ``{"events": [...]}``, an SMN trigger event of several
    records): each is handled on its own, in order. ``trigger`` is the delivery's (``eventgrid``, ``smn``)."""

    trigger: str
    items: tuple[Intent | Refused, ...]


class InvalidEvent(ValueError):
    """The event cannot be acted on. ``str()`` names the field and what was expected."""
