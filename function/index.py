"""FunctionGraph entry point (handler ``index.handler``): hands the event to the dispatcher, returns a dict."""

from __future__ import annotations

import os
from typing import Any

# This function uses no pydantic plugins: skip the scan of every installed distribution's entry points that
# pydantic otherwise makes when it builds its first validator (~10 ms and ~1 MB of a cold start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from postcheck import logs
from postcheck.dispatch import handle
from postcheck.errors import InvocationFailed
from postcheck.policy import WaitPolicy

log = logs.configure()


def handler(event: Any, context: Any, policy: WaitPolicy | None = None) -> dict[str, Any]:
    """Returns the result; raises only ``InvocationFailed`` (a short message, no secret, no inner traceback)
    when the platform should deliver the event again. ``policy``: how to wait (FunctionGraph passes none; tests
    and benchmarks pass shorter waits)."""
    with logs.invocation(context):
        try:
            return logs.redact(handle(event, context, policy).to_dict())
        except InvocationFailed as exc:
            raise type(exc)(logs.redact(str(exc))) from None
        except Exception as exc:  # a bug: the details go to the masked logs, not to the caller
            log.exception("internal error")
            raise InvocationFailed(f"internal error ({type(exc).__name__}); the function's logs have the details") \
                from None
