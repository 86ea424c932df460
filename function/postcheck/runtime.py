"""What one invocation works with, built once from its context: settings, credentials, deadline, the CCE and SMN
clients (made on first use), the wait policy, the clock."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import logs
from .cce import Cce
from .config import Credentials, Settings, load_credentials, load_settings
from .deadline import Deadline
from .endpoints import cce_endpoint, smn_endpoint
from .notification import Where
from .policy import WaitPolicy
from .smn import Smn

Clock = Callable[[], datetime]


@dataclass
class Runtime:
    settings: Settings
    credentials: Credentials
    deadline: Deadline
    endpoints: tuple[str, str]  # CCE, SMN
    clock: Clock = field(default=lambda: datetime.now(timezone.utc))
    sleep: Callable[[float], None] = time.sleep
    policy: WaitPolicy = field(default_factory=WaitPolicy)
    rng: Callable[[float, float], float] = random.uniform
    _cce: Cce | None = None
    _smn: Smn | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the sweep's threads share the clients

    def __post_init__(self) -> None:
        self.started = self.deadline.now()

    @classmethod
    def from_context(cls, context: Any, deadline: Deadline, policy: WaitPolicy | None = None) -> Runtime:
        """Raises :class:`~postcheck.config.ConfigurationError` for a setting it refuses."""
        settings = load_settings(context)
        credentials = load_credentials(context)
        logs.SECRETS.add(credentials.secrets)
        return cls(settings, credentials, deadline, (cce_endpoint(settings), smn_endpoint(settings)),
                   policy=policy or WaitPolicy())

    @property
    def cce(self) -> Cce:
        with self._lock:
            if self._cce is None:
                self._cce = Cce.connect(self.endpoints[0], self.credentials, self.deadline,
                                        pool_size=self.settings.max_concurrency, backoff=self.policy.backoff)
            return self._cce

    @property
    def smn(self) -> Smn:
        with self._lock:
            if self._smn is None:
                self._smn = Smn.connect(self.endpoints[1], self.credentials, self.settings.smn_topic_urn,
                                        self.settings.topic_project, self.deadline,
                                        pool_size=self.settings.max_concurrency, backoff=self.policy.backoff)
            return self._smn

    @property
    def where(self) -> Where:
        return Where(self.settings.region, self.credentials.project_id)

    def now(self) -> str:
        """The clock's time, as a result states it (ISO 8601 to the second, UTC as ``Z``)."""
        return self.clock().isoformat(timespec="seconds").replace("+00:00", "Z")
