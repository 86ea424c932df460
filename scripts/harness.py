"""Running the handler against the local stand-in: the one place that starts a stand-in, builds the FunctionGraph
context that points the function at it, invokes ``index.handler`` and forgets the process state afterwards.

Used by the tests' fixtures (tests/conftest.py), ``python -m scripts.invoke``, the fault matrix
(scripts/fault_matrix.py) and the benchmarks (scripts/bench_sweep.py, scripts/bench_notify.py).

    with harness.running(scenario) as standin:
        result = harness.invoke(event, harness.context_for(standin))
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "function") not in sys.path:
    sys.path.insert(0, str(ROOT / "function"))

from scripts.local_context import LocalContext  # noqa: E402

if TYPE_CHECKING:
    from scripts.standin import StandIn

DEFAULT_TIMEOUT_S = 60.0  # LocalContext's default budget


class Keys(Protocol):
    """An access key pair and its security token (``StandIn.credentials``)."""

    ak: str
    sk: str
    security_token: str | None


class Served(Protocol):
    """What a context needs of a running stand-in: its URL, its keys, its project."""

    @property
    def url(self) -> str: ...

    @property
    def credentials(self) -> Keys: ...

    @property
    def project_id(self) -> str: ...


def reset_process_state() -> None:
    """Forget what the function keeps between invocations of one process: its cached SDK clients (the next
    invocation may talk to another stand-in, on another port) and the results it stored for a redelivery."""
    from postcheck import redelivery, sdk

    sdk.forget_clients()
    redelivery.forget()


@contextlib.contextmanager
def forgetting() -> Iterator[None]:
    """Runs the block, then :func:`reset_process_state` (also when the block fails)."""
    try:
        yield
    finally:
        reset_process_state()


@contextlib.contextmanager
def running(scenario: Any) -> Iterator[StandIn]:
    """A stand-in serving ``scenario`` (a dict, a file path or JSON text) on 127.0.0.1; stopped on the way out,
    and then the function's process state is forgotten (:func:`reset_process_state`)."""
    from scripts.standin import StandIn

    with forgetting(), StandIn(scenario) as standin:
        yield standin


def endpoints(url: str, topic: str) -> dict[str, str]:
    """The function's configuration that points it at a stand-in at ``url``, publishing to ``topic``."""
    return {"SMN_TOPIC_URN": topic, "CCE_ENDPOINT": url, "SMN_ENDPOINT": url}


def context(keys: Keys, project_id: str, user_data: dict[str, str], timeout_s: float = DEFAULT_TIMEOUT_S,
            ) -> LocalContext:
    """A FunctionGraph context with ``keys``, ``project_id``, the configuration ``user_data`` (what
    ``getUserData`` answers) and a budget of ``timeout_s``."""
    return LocalContext(keys.ak, keys.sk, keys.security_token, project_id, user_data, timeout_s)


def context_for(standin: Served, topic: str | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                **variables: str) -> LocalContext:
    """:func:`context` for a running stand-in: its keys and project, the configuration pointing at it
    (:func:`endpoints`, publishing to ``topic``, by default the scenario's first topic) plus ``variables``."""
    chosen = topic if topic is not None else standin.scenario.topics[0]  # an in-process StandIn
    return context(standin.credentials, standin.project_id, {**endpoints(standin.url, chosen), **variables},
                   timeout_s)


def invoke(event: Any, ctx: Any, policy: Any = None) -> dict[str, Any]:
    """``index.handler(event, ctx, policy)``, as FunctionGraph calls it (``policy``: a WaitPolicy, or None for the
    function's own waits)."""
    from index import handler

    return handler(event, ctx, policy)
