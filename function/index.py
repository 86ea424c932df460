"""FunctionGraph entry point (handler ``index.handler``): hands the event to the service, returns a dict."""

from __future__ import annotations

import os
from typing import Any

# This function uses no pydantic plugins: skip the scan of every installed distribution's entry points that
# pydantic otherwise makes when it builds its first validator (~10 ms and ~1 MB of a cold start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from postcheck import logs
from postcheck.service import handle

logs.configure()


def handler(event: Any, context: Any) -> dict[str, Any]:
    return logs.redact(handle(event, context))
