"""Event in, intent out: the only place that turns raw invocation input into typed work.

Nothing here touches the network. Every rejection names the field and what was expected.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from .envelopes import (
    EXPECTED_SHAPES,
    CloudEventEnvelope,
    CtsEnvelope,
    SmnEnvelope,
    TimerEnvelope,
    envelope_model,
)
from .fields import cce_id
from .intent import CheckIntent, Ignored, Intent, InvalidEvent, SweepIntent
from .payloads import CtsTrace, ManualCheck, PostCheckTaskIn, SweepIn

# Bounds checked before any model sees the event: FunctionGraph's async payload limit is 256 KB; an
# SMN message wrapped in its envelope and JSON-escaped can be somewhat larger.
MAX_EVENT_BYTES = 640 * 1024
MAX_DEPTH = 24
MAX_NODES = 20_000
MAX_ERRORS_REPORTED = 5

# A timer event's time anchors the sweep's window: it must leave room for the window on either side.
MIN_TIMER_YEAR, MAX_TIMER_YEAR = 2000, 9000

UPGRADE_SERVICE = "CCE"
UPGRADE_TRACE = "clusterUpgrade"



def parse_event(event: Any) -> Intent:
    """Validate ``event`` (dict, JSON text or bytes) and say what it asks for."""
    return _parse(_decode(event, "event"), via=None)


def _parse(event: Any, via: str | None) -> Intent:
    _check_bounds(event)
    prefix = "smn.message: " if via else ""
    model = envelope_model(event)
    if model is None:
        keys = ", ".join(sorted(str(k) for k in event)[:10])
        raise InvalidEvent(f"{prefix}event: unrecognised event: expected {EXPECTED_SHAPES}; "
                           f"got an object with keys [{keys}]")
    try:
        envelope = model.model_validate(event)
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc, prefix)) from None
    trigger = lambda name: f"{via}/{name}" if via else name  # noqa: E731

    match envelope:
        case ManualCheck() | PostCheckTaskIn():
            manual = envelope if isinstance(envelope, ManualCheck) else envelope.as_manual()
            return CheckIntent(
                cluster_id=manual.cluster_id,
                trigger=trigger("manual" if envelope is manual else "postcheck_body"),
                cluster_version=manual.cluster_version,
                target_version=manual.target_version,
                dry_run=manual.dry_run,
            )
        case SweepIn():
            return SweepIntent(trigger=trigger("manual_sweep"), dry_run=envelope.dry_run)
        case TimerEnvelope():
            return SweepIntent(trigger=trigger("timer"), anchor=_timer_time(envelope.time))
        case CtsEnvelope():
            return _from_trace(envelope.payload, trigger("cts"), field="cts")
        case CloudEventEnvelope():
            return _from_trace(envelope.payload, trigger("eventgrid"), field="data")
        case SmnEnvelope():
            if via:
                raise InvalidEvent("smn.message: an SMN message cannot carry another SMN event")
            return _parse(_decode(envelope.payload, "record[0].smn.message"), via="smn")
    raise InvalidEvent(f"event: unsupported event type {type(envelope).__name__}")  # pragma: no cover


def _from_trace(trace: CtsTrace, trigger: str, field: str) -> Intent:
    if trace.service_type != UPGRADE_SERVICE or trace.trace_name != UPGRADE_TRACE:
        return Ignored(
            trigger=trigger,
            reason=f"trace {trace.service_type}/{trace.trace_name} is not a "
            f"{UPGRADE_SERVICE}/{UPGRADE_TRACE} trace",
        )
    code = trace.http_code()
    if code is not None and code >= 400:
        return Ignored(
            trigger=trigger,
            reason=f"the traced upgrade request failed with HTTP {code}: no upgrade was started",
        )
    try:
        cluster_id = cce_id(trace.resource_id)
    except ValueError:
        raise InvalidEvent(
            f"{field}.resource_id: expected the upgraded cluster's ID (a UUID such as "
            f"8978deaa-1743-11ee-8e46-0255ac10004c), got {_show(trace.resource_id)}"
        ) from None
    return CheckIntent(
        cluster_id=cluster_id,
        trigger=trigger,
        cluster_name=trace.resource_name or None,
        upgrade_task_id=_upgrade_task_id(trace),
        follow_upgrade=True,
        trace_id=trace.trace_id,
    )


def _upgrade_task_id(trace: CtsTrace) -> str | None:
    """The upgrade task the traced request started, when its response names one that is well formed."""
    response = trace.response_object() or {}
    metadata = response.get("metadata")
    uid = metadata.get("uid") if isinstance(metadata, dict) else None
    try:
        return cce_id(uid)
    except ValueError:
        return None  # absent or malformed: the newest upgrade task is looked up instead


def _timer_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidEvent(
            f"time: expected an ISO 8601 time such as 2023-06-01T08:30:00+08:00, got {_show(value)}"
        ) from None
    if not MIN_TIMER_YEAR <= parsed.year <= MAX_TIMER_YEAR:
        raise InvalidEvent(f"time: expected a time between the years {MIN_TIMER_YEAR} and {MAX_TIMER_YEAR}, "
                           f"got {_show(value)}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _decode(event: Any, field: str) -> Any:
    if isinstance(event, (bytes, bytearray, memoryview)):
        raw = bytes(event)
        if len(raw) > MAX_EVENT_BYTES:
            raise InvalidEvent(f"{field}: {len(raw)} bytes is over the {MAX_EVENT_BYTES}-byte limit")
        try:
            event = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEvent(f"{field}: expected UTF-8 JSON, byte {exc.start} is not UTF-8") from None
    if isinstance(event, str):
        if len(event) > MAX_EVENT_BYTES:
            raise InvalidEvent(f"{field}: {len(event)} characters is over the {MAX_EVENT_BYTES} limit")
        try:
            return json.loads(event)
        except RecursionError:
            raise InvalidEvent(f"{field}: nested deeper than {MAX_DEPTH} levels") from None
        except ValueError as exc:
            reason = getattr(exc, "msg", "not JSON")
            raise InvalidEvent(f"{field}: expected a JSON object, got text that is not JSON ({reason})") from None
    return event


def _check_bounds(event: Any) -> None:
    """Refuse events that are too deep, too large or not an object, walking them without recursion."""
    if not isinstance(event, dict):
        raise InvalidEvent(f"event: expected a JSON object, got {_kind(event)}")
    budget = MAX_EVENT_BYTES
    nodes = 0
    stack: list[tuple[Any, int]] = [(event, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise InvalidEvent(f"event: nested deeper than {MAX_DEPTH} levels")
        if nodes > MAX_NODES:
            raise InvalidEvent(f"event: more than {MAX_NODES} values")
        if isinstance(node, dict):
            for key, value in node.items():
                budget -= len(key) if isinstance(key, str) else 8
                stack.append((value, depth + 1))
        elif isinstance(node, (list, tuple)):
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, (str, bytes)):
            budget -= len(node)
        else:
            budget -= 8
        if budget < 0:
            raise InvalidEvent(f"event: larger than the {MAX_EVENT_BYTES}-byte limit")


def _describe(exc: ValidationError, prefix: str) -> str:
    parts = []
    for error in exc.errors(include_url=False)[:MAX_ERRORS_REPORTED]:
        field = ".".join(str(p) for p in error["loc"]) or "event"
        parts.append(f"{prefix}{field}: {_explain(error)}")
    more = len(exc.errors()) - MAX_ERRORS_REPORTED
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _explain(error: Any) -> str:
    kind = error["type"]
    got = _show(error.get("input"))
    if kind == "missing":
        return "required, missing"
    if kind == "extra_forbidden":
        return "unexpected field"
    if kind == "string_type":
        return f"expected a string, got {got}"
    if kind == "bool_type":
        return f"expected true or false, got {got}"
    if kind == "dict_type" or kind == "model_type":
        return f"expected an object, got {got}"
    if kind == "list_type":
        return f"expected a list, got {got}"
    if kind == "too_long":
        return f"expected at most {error.get('ctx', {}).get('max_length')} items, got more"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{message}, got {got}"


def _kind(value: Any) -> str:
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(shown, ensure_ascii=True)
    if isinstance(value, (dict, list)) or value is None or isinstance(value, (bool, int, float)):
        return _kind(value) if isinstance(value, (dict, list)) or value is None else json.dumps(value)
    return type(value).__name__
