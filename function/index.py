"""FunctionGraph entry point (handler ``index.handler``): hands the event to the service, returns a dict."""

from __future__ import annotations

from typing import Any

from postcheck import logs
from postcheck.service import handle

logs.configure()


def handler(event: Any, context: Any) -> dict[str, Any]:
    return logs.redact(handle(event, context))
