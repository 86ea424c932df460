"""A CCE and an SMN that answer from memory, for running the real ``postcheck.sweep.sweep`` without the stand-in,
sockets or waiting, and the Runtime that holds them."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

from postcheck.config import Credentials, load_settings
from postcheck.deadline import Deadline
from postcheck.intent import SweepIntent
from postcheck.policy import WaitPolicy
from postcheck.records import Cluster, PostCheck, UpgradeTask
from postcheck.result import Receipt
from postcheck.runtime import Runtime
from postcheck.sdk import ApiError
from postcheck.sweep import sweep

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TOPIC = f"urn:smn:cn-north-4:{PROJECT}:cce-upgrades"
ENDPOINTS = ("https://cce.invalid", "https://smn.invalid")


class Context:
    """A FunctionGraph context that only answers the configuration (the health gate off unless given)."""

    def __init__(self, **variables: str) -> None:
        self.variables = {"SMN_TOPIC_URN": TOPIC, "REGION": "cn-north-4", "HEALTH_GATE": "off", **variables}

    def getUserData(self, name: str) -> str | None:
        return self.variables.get(name)


class MemoryCce:
    """The project's clusters (named ``name-<first four characters of the ID>``), each with its upgrade tasks (no
    workflows); records every read and every post-check. ``broken``: a cluster's reads raise; ``listing``: the
    cluster list raises."""

    def __init__(self, tasks: dict[str, list[UpgradeTask]], broken: dict[str, BaseException] | None = None,
                 listing: BaseException | None = None) -> None:
        self.tasks = tasks
        self.broken = broken or {}
        self.listing = listing
        self.reads: list[tuple[str, str]] = []
        self.checks: list[tuple[str, str | None, str | None]] = []
        self._lock = threading.Lock()

    @property
    def listed(self) -> list[Cluster]:
        return [Cluster(cid, f"name-{cid[:4]}", "v1.28.3-r0", "Available") for cid in self.tasks]

    def _read(self, operation: str, cluster_id: str) -> None:
        with self._lock:
            self.reads.append((operation, cluster_id))
        if cluster_id in self.broken:
            raise self.broken[cluster_id]

    def clusters(self) -> list[Cluster]:
        if self.listing is not None:
            raise self.listing
        return self.listed

    def upgrade_tasks(self, cluster_id: str) -> list[UpgradeTask]:
        self._read("list_upgrade_tasks", cluster_id)
        return list(self.tasks[cluster_id])

    def upgrade_workflows(self, cluster_id: str) -> list[Any]:
        self._read("list_workflows", cluster_id)
        return []

    def post_check(self, cluster_id: str, cluster_version: str | None, target_version: str | None) -> PostCheck:
        with self._lock:
            self.checks.append((cluster_id, cluster_version, target_version))
        return PostCheck(phase="Success", uid=f"check-{cluster_id[:4]}", request_id="req-1")

    def checked(self) -> list[str]:
        """The clusters post-checked, in order."""
        return [cluster_id for cluster_id, _, _ in self.checks]


class MemorySmn:
    """Records each message published and its topic; a message about a cluster in ``failing`` is refused (SMN
    down)."""

    def __init__(self, failing: set[str] | None = None) -> None:
        self.failing = failing or set()
        self.published: list[Any] = []
        self.topics: list[str | None] = []
        self._lock = threading.Lock()

    def publish(self, message: Any, topic_urn: str | None = None) -> Receipt:
        with self._lock:
            self.published.append(message)
            self.topics.append(topic_urn)
        if any(cid in str(message.as_dict()) for cid in self.failing):
            raise ApiError("publish", "SMN.00011", "service unavailable", 503, "req-smn")
        return Receipt(message_id=f"msg-{len(self.published)}", request_id="req-smn")

    def about(self, cluster_id: str) -> list[dict[str, Any]]:
        """The messages published about a cluster (as SMN receives them)."""
        return [m.as_dict() for m in self.published if cluster_id in json.dumps(m.as_dict(), ensure_ascii=False)]


def run_sweep(cce: MemoryCce, smn: MemorySmn | None = None, anchor: datetime | None = None, dry_run: bool = False,
              deadline: Deadline | None = None, policy: WaitPolicy | None = None, clock: datetime | None = None,
              endpoints: tuple[str, str] = ENDPOINTS, project: str = PROJECT, **variables: str) -> dict[str, Any]:
    """The timer's sweep (anchored at ``anchor``) with these in memory, as its result dict."""
    settings = load_settings(Context(**variables))
    credentials = Credentials("ak-test", "sk-test", "token-test", project)
    runtime = Runtime(settings, credentials, deadline or Deadline(600.0), endpoints, policy=policy or WaitPolicy(),
                      _cce=cce, _smn=smn or MemorySmn())  # type: ignore[arg-type]
    if clock is not None:
        runtime.clock = lambda: clock
    return sweep(SweepIntent(trigger="timer", anchor=anchor, dry_run=dry_run), runtime).to_dict()
