"""What a redelivery must not redo, kept in the function instance between invocations.

Keyed by the identity of the work (the event's fields, or the sweep's cluster and window, plus the dry-run flag,
the endpoints, the project and the SMN topic): a post-check that ran but whose result could not be published (the
redelivery publishes the stored result instead of confirming twice), and what a sweep or a delivery of several
events that failed as a whole did and told for each cluster (its redelivery reuses it). Anything else (a CCE
error, a failed upgrade, a dry run) is cheap and safe to redo, and a redelivery does it for real.

Entries expire after the policy's ``unpublished_ttl_s``: the platform's retries come within minutes; a run hours
later deserves a fresh check. At most ``MAX_ENTRIES`` are kept (the oldest goes first).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import logs

if TYPE_CHECKING:  # the store itself needs no client: importing it loads no SDK
    from .runtime import Runtime

MAX_ENTRIES = 256
log = logs.get("redelivery")
Work = TypeVar("Work")


class Store(Generic[Work]):
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._entries: dict[tuple[Any, ...], tuple[float, Work]] = {}
        self._lock = threading.Lock()

    def take(self, key: tuple[Any, ...], ttl_s: float) -> Work | None:
        """The work stored under ``key`` within the last ``ttl_s`` seconds, removed from the store."""
        with self._lock:
            stored = self._entries.pop(key, None)
        if stored is not None and time.monotonic() - stored[0] < ttl_s:
            return stored[1]
        return None

    def keep(self, key: tuple[Any, ...], work: Work) -> None:
        with self._lock:
            while len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (time.monotonic(), work)

    def keys(self) -> list[tuple[Any, ...]]:
        """The keys held, the oldest first."""
        with self._lock:
            return list(self._entries)

    def forget(self) -> None:
        """Drop every entry (tests; a process that changes configuration)."""
        with self._lock:
            self._entries.clear()


STORE: Store[Any] = Store()


@dataclass(frozen=True)
class Job:
    """One cluster's work, as a redelivery recognises it. ``identity``: what the work is (its first item,
    ``"event"`` or ``"sweep"``, says which kind; an event's fourth is its trace's ID); ``key``: the identity
    with where its result goes (the SMN topic routed for the cluster as the event or the sweep names it, the
    endpoints, the project); ``ttl_s``: how long what it leaves is kept (the policy's ``unpublished_ttl_s``)."""

    identity: tuple[Any, ...]
    key: tuple[Any, ...]
    ttl_s: float

    @classmethod
    def of(cls, identity: tuple[Any, ...], cluster_id: str | None, cluster_name: str | None, runtime: Runtime) -> Job:
        topic = runtime.settings.topic_for(cluster_id, cluster_name)
        return cls(identity, (*identity, topic, runtime.endpoints, runtime.credentials.project_id),
                   runtime.policy.unpublished_ttl_s)

    @property
    def redelivered_whole(self) -> bool:
        """Work that comes again only as part of a redelivery: a sweep's cluster in its window, or an upgrade
        event with its trace's ID (a manual event sent again is a new request, and is done again)."""
        return self.identity[0] == "sweep" or (self.identity[0] == "event" and bool(self.identity[3]))

    def recall(self) -> Any:
        """What an earlier delivery of this work in this instance left for this one (within ``ttl_s``), else
        None: a post-check that ran but could not be published is published now instead of being run again."""
        work = STORE.take(self.key, self.ttl_s)
        if work is not None:
            publish = getattr(work, "message", None) is not None
            log.info("reusing an earlier delivery's work", extra={"cluster_id": self.identity[1], "publish": publish})
        return work

    def keep(self, work: Any) -> None:
        STORE.keep(self.key, work)


def forget() -> None:
    """Drop every stored result of this instance."""
    STORE.forget()
