"""Event in, intent out: the only place that turns raw invocation input into typed work.

Nothing here touches the network. Every rejection names the field and what was expected.

An event meant for this function (a manual request, the API body, a sweep request, a timer event, each SMN record)
is held to every bound of :mod:`postcheck.bounds` before any model sees it. What another service sent (a CTS trace,
a CloudEvent, an EventGrid delivery of several) is bounded by its size alone until its ``service_type`` and
``trace_name`` say it is a CCE upgrade trace; any other is ignored, neither modelled nor walked, whatever it holds.
Each event of a delivery is bounded on its own, and refused on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import bounds
from .bounds import OutOfBounds
from .envelopes import (
    CARRIERS,
    EXPECTED_SHAPES,
    MODELS,
    CloudEventEnvelope,
    CtsEnvelope,
    EventGridBatch,
    SmnEnvelope,
    SmnRecord,
    TimerEnvelope,
    shape_of,
)
from .fields import cce_id
from .intent import Batch, CheckIntent, Ignored, Intent, InvalidEvent, Refused, SweepIntent
from .payloads import UPGRADE_SERVICE, UPGRADE_TRACE, CtsTrace, ManualCheck, PostCheckTaskIn, SweepIn, is_upgrade_trace
from .times import iso8601

Model = TypeVar("Model", bound=BaseModel)

# Bounds checked before any model sees the event: FunctionGraph's async payload limit is 256 KB; an
# SMN message wrapped in its envelope and JSON-escaped can be somewhat larger.
MAX_EVENT_BYTES = 640 * 1024

# A rejection message stays short whatever the event holds (it is returned and logged): it describes at most
# a few errors, names at most a few keys, each cut short, and is cut at MAX_MESSAGE_BYTES of UTF-8 as a last
# resort.
MAX_ERRORS_REPORTED = 3
MAX_KEYS_SHOWN = 3
MAX_KEY_CHARS = 40
MAX_PATH_CHARS = 160
MAX_SHOWN_CHARS = 60
MAX_MESSAGE_BYTES = 1000
CUT = "..."

# A timer event's time anchors the sweep's window: it must leave room for the window on either side.
MIN_TIMER_YEAR, MAX_TIMER_YEAR = 2000, 9000


def parse_event(event: Any) -> Intent | Batch:
    """Validate ``event`` (dict, JSON text or bytes) and say what it asks for: one intent, or a :class:`Batch`
    when one delivery holds more than one event (each refused or not on its own).

    Raises only :class:`InvalidEvent`, whose message starts with the field it is about and is shorter than
    MAX_MESSAGE_BYTES of UTF-8."""
    try:
        return _parse(_decode(event, "event"), via=None)
    except InvalidEvent as exc:
        raise InvalidEvent(_bounded(str(exc))) from None


def _parse(event: Any, via: str | None) -> Intent | Batch:
    if not isinstance(event, dict):
        raise InvalidEvent(f"event: expected a JSON object, got {_kind(event)}")
    shape = shape_of(event)
    trigger = lambda name: f"{via}/{name}" if via else name  # noqa: E731
    if shape in CARRIERS:
        # What another service sent: bounded as a whole by its size alone. The other bounds apply once it is
        # known to be this function's (a CCE upgrade trace; an SMN record), to each event of a delivery on its own.
        _check_size(event, "event")
        match shape:
            case "cts":
                return _from_cts(event, trigger("cts"))
            case "trace":
                return _from_trace(event, event, trigger("cts"), at="")
            case "cloudevent":
                return _from_cloudevent(event, trigger("eventgrid"), at="")
            case "eventgrid":
                if via:
                    raise InvalidEvent("events: an SMN message carries one event, not an EventGrid delivery")
                events = _validate(EventGridBatch, event).events
                return _batch("eventgrid", [partial(_cloudevent_item, raw, index) for index, raw in enumerate(events)])
            case _:
                if via:
                    raise InvalidEvent("record: an SMN message cannot carry another SMN event")
                records = _validate(SmnEnvelope, event).record
                single = len(records) == 1
                return _batch("smn", [partial(_smn_record, raw, index, single) for index, raw in enumerate(records)])
    _check_bounds(event, "")
    if shape is None:
        raise InvalidEvent(f"event: unrecognised event: expected {EXPECTED_SHAPES}; "
                           f"got an object with keys [{_keys(event)}]")
    envelope = _validate(MODELS[shape], event)
    match envelope:
        case ManualCheck() | PostCheckTaskIn():
            manual = envelope if isinstance(envelope, ManualCheck) else envelope.as_manual()
            return CheckIntent(
                cluster_id=manual.cluster_id,
                trigger=trigger("manual" if envelope is manual else "postcheck_body"),
                cluster_version=manual.cluster_version,
                target_version=manual.target_version,
                dry_run=manual.dry_run,
                force=manual.force,
            )
        case SweepIn():
            return SweepIntent(trigger=trigger("manual_sweep"), dry_run=envelope.dry_run)
        case TimerEnvelope():
            return SweepIntent(trigger=trigger("timer"), anchor=_timer_time(envelope.time))
    raise InvalidEvent(f"event: unsupported event type {type(envelope).__name__}")  # pragma: no cover


def _validate(model: type[Model], value: Any, at: str = "") -> Model:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc, at)) from None


def _batch(trigger: str, items: list[Callable[[], Intent]]) -> Intent | Batch:
    """One event as itself (refused as a whole when it is refused); several as a :class:`Batch` in which each is
    refused or not on its own."""
    if len(items) == 1:
        return items[0]()
    done: list[Intent | Refused] = []
    for item in items:
        try:
            done.append(item())
        except InvalidEvent as exc:
            done.append(Refused(_bounded(str(exc))))
    return Batch(trigger=trigger, items=tuple(done))


def _smn_record(record: Any, index: int, single: bool) -> Intent:
    """One SMN record (meant for this function: its topic is subscribed to it), within the bounds of an event on
    its own: its message is an event (any but another SMN event or an EventGrid delivery)."""
    at = f"record[{index}]"
    _check_bounds(record, at)
    smn = _validate(SmnRecord, record, at=at).smn
    inner = _decode(smn.message, f"{at}.smn.message")
    where = "smn.message" if single else f"{at}.smn.message"
    try:
        parsed = _parse(inner, via="smn")
    except InvalidEvent as exc:  # about the event inside the message: say so
        raise InvalidEvent(f"{where}: {exc}") from None
    if isinstance(parsed, Batch):  # pragma: no cover - _parse refuses deliveries inside an SMN message
        raise InvalidEvent(f"{where}: an SMN message carries one event")
    return parsed


def _cloudevent_item(event: Any, index: int) -> Intent:
    at = f"events[{index}]"
    if not isinstance(event, dict):
        raise InvalidEvent(f"{at}: expected a CloudEvent (an object), got {_kind(event)}")
    return _from_cloudevent(event, "eventgrid", at=at)


def _from_cts(event: dict[Any, Any], trigger: str) -> Intent:
    """The CTS trigger's event: ``cts`` holds the trace; an object that is not a CCE upgrade trace is ignored,
    whatever it holds; anything else is a broken envelope."""
    trace = event["cts"]
    if isinstance(trace, dict) and (ignored := _not_an_upgrade(trace, trigger)):
        return ignored
    _check_bounds(event, "")
    return _upgrade(_validate(CtsEnvelope, event).cts, trigger, "cts")


def _from_trace(event: dict[Any, Any], trace: dict[Any, Any], trigger: str, at: str) -> Intent:
    """``trace`` (``at`` names where it is), carried in ``event``: an upgrade trace is followed once ``event``
    is found within an event's bounds; any other is ignored, unread."""
    if ignored := _not_an_upgrade(trace, trigger):
        return ignored
    _check_bounds(event, at)
    return _upgrade(trace, trigger, at)


def _from_cloudevent(event: dict[Any, Any], trigger: str, at: str) -> Intent:
    """A CloudEvent (``at`` names where it is: ``events[2]`` in a delivery) whose ``data`` (an object, or JSON
    text of one) is a CCE upgrade trace is this function's: it must be a well-formed CloudEvent within an event's
    bounds. Any other is ignored, whatever it holds (nothing in it is modelled)."""
    field = _join(at, "data")
    data = event.get("data")
    embedded = isinstance(data, str)
    if embedded:
        data = _embedded_object(data, field)
    if not isinstance(data, dict) or ("service_type" not in data and "trace_name" not in data):
        return Ignored(trigger=trigger, reason=f"the CloudEvent from {_show(event.get('source'))} of type "
                       f"{_show(event.get('type'))} carries no CTS trace")
    if ignored := _not_an_upgrade(data, trigger):
        return ignored
    _check_bounds(event, at)
    if embedded:
        _check_bounds(data, field)
    _validate(CloudEventEnvelope, event, at)
    return _upgrade(data, trigger, field)


def _embedded_object(text: str, field: str) -> Any:
    """JSON text that an event carries as a value, parsed with :func:`bounds.loads` (none of its bounds checked
    yet: the caller checks them once the value is known to be this function's); None when it is not JSON.
    Text nested too deep to parse at all is refused naming ``field``: whose it is cannot be told."""
    try:
        return bounds.loads(text)
    except OutOfBounds as exc:
        raise InvalidEvent(f"{field}: {exc}") from None
    except ValueError:
        return None


def _not_an_upgrade(trace: dict[Any, Any], trigger: str) -> Ignored | None:
    """Why a trace (an object, not yet modelled nor bounded) is not this function's; None for a CCE upgrade
    trace. Only its service_type and trace_name are looked at."""
    if is_upgrade_trace(trace):
        return None
    return Ignored(
        trigger=trigger,
        reason=f"trace {_show(trace.get('service_type'))}/{_show(trace.get('trace_name'))} is not a "
        f"{UPGRADE_SERVICE}/{UPGRADE_TRACE} trace",
    )


def _upgrade(trace: dict[Any, Any], trigger: str, field: str) -> Intent:
    """A CCE upgrade trace (``field`` names where it is: ``cts``, ``data``, nothing for a trace on its own),
    within the bounds of its event: followed, unless the traced request failed."""
    model = _validate(CtsTrace, trace, field)
    code = model.http_code()
    if code is not None and code >= 400:
        return Ignored(
            trigger=trigger,
            reason=f"the traced upgrade request failed with HTTP {code}: no upgrade was started",
        )
    try:
        cluster_id = cce_id(model.resource_id)
    except ValueError:
        raise InvalidEvent(
            f"{_join(field, 'resource_id')}: expected the upgraded cluster's ID (a UUID such as "
            f"8978deaa-1743-11ee-8e46-0255ac10004c; clusters are never looked up by name), "
            f"got {_show(model.resource_id)}"
        ) from None
    return CheckIntent(
        cluster_id=cluster_id,
        trigger=trigger,
        cluster_name=model.resource_name or None,
        upgrade_task_id=_upgrade_task_id(model, field),
        follow_upgrade=True,
        trace_id=model.trace_id,
        traced_at=model.traced_at(),
    )


def _upgrade_task_id(trace: CtsTrace, field: str) -> str | None:
    """The upgrade task the traced request started, when its response names one that is well formed."""
    try:
        response = trace.response_object() or {}
    except OutOfBounds as exc:
        where = f" (at {_path(exc.path)})" if exc.path else ""
        raise InvalidEvent(f"{_join(field, 'response')}: {exc}{where}") from None
    metadata = response.get("metadata")
    uid = metadata.get("uid") if isinstance(metadata, dict) else None
    try:
        return cce_id(uid)
    except ValueError:
        return None  # absent or malformed: the newest upgrade task is looked up instead


def _timer_time(value: str) -> datetime:
    try:
        parsed = iso8601(value)
    except ValueError:
        raise InvalidEvent(
            f"time: expected an ISO 8601 time such as 2023-06-01T08:30:00+08:00, got {_show(value)}"
        ) from None
    if not MIN_TIMER_YEAR <= parsed.year <= MAX_TIMER_YEAR:
        raise InvalidEvent(f"time: expected a time between the years {MIN_TIMER_YEAR} and {MAX_TIMER_YEAR}, "
                           f"got {_show(value)}")
    return parsed


def _join(at: str, name: str) -> str:
    """``name`` (a key, or a list index as ``[2]``) under ``at``: ``events[2].data``, ``record[1]``."""
    if not at:
        return name
    return f"{at}{name}" if name.startswith("[") else f"{at}.{name}"


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
            return bounds.loads(event)
        except OutOfBounds as exc:
            raise InvalidEvent(f"{field}: {exc}") from None
        except ValueError as exc:
            reason = getattr(exc, "msg", "not JSON")
            raise InvalidEvent(f"{field}: expected a JSON object, got text that is not JSON ({reason})") from None
    return event


def _check_bounds(value: Any, at: str) -> None:
    """Refuse an event (or one event of a delivery, ``at`` naming where it is) that is too deep, too large or
    holds too long a number."""
    try:
        bounds.check(value, MAX_EVENT_BYTES)
    except OutOfBounds as exc:
        raise InvalidEvent(f"{_where(at, exc.path)}: {exc}") from None


def _check_size(value: Any, at: str) -> None:
    """Refuse an event, or a delivery of several, that is larger than an event may be (its size alone)."""
    try:
        bounds.check_size(value, MAX_EVENT_BYTES)
    except OutOfBounds as exc:
        raise InvalidEvent(f"{at}: {exc}") from None


def _where(at: str, path: tuple[Any, ...]) -> str:
    """``path`` (keys and list indexes) under ``at``; the event itself when both are empty."""
    if not path:
        return at or "event"
    return _cut_path(_join(at, _path(path)))


def _describe(exc: ValidationError, at: str = "") -> str:
    """The first few errors, each naming its field (under ``at``, where the model's value sits)."""
    errors = exc.errors(include_url=False)
    parts = []
    for error in errors[:MAX_ERRORS_REPORTED]:
        path = _path(error["loc"]) if error["loc"] or not at else ""
        parts.append(f"{_cut_path(_join(at, path) if path else at)}: {_explain(error)}")
    more = len(errors) - MAX_ERRORS_REPORTED
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _path(loc: tuple[Any, ...]) -> str:
    """A field's path (``spec.clusterID``, a list's item as ``n[1]``), each key cut short, the whole cut short
    too."""
    path = ""
    for part in loc:
        path = _join(path, f"[{part}]" if isinstance(part, int) and not isinstance(part, bool) else _key(part))
    return _cut_path(path or "event")


def _cut_path(path: str) -> str:
    return path if len(path) <= MAX_PATH_CHARS else path[:MAX_PATH_CHARS - len(CUT)] + CUT


def _key(key: Any) -> str:
    """A key as a message names it: the key itself, or its start and "..." when it is long."""
    name = key if isinstance(key, str) else _show(key)
    return name if len(name) <= MAX_KEY_CHARS else name[:MAX_KEY_CHARS - len(CUT)] + CUT


def _keys(event: dict[Any, Any]) -> str:
    """At most MAX_KEYS_SHOWN of ``event``'s keys, each cut short, and how many more there are."""
    shown = sorted(_key(k) for k in event)
    more = len(shown) - MAX_KEYS_SHOWN
    listed = ", ".join(shown[:MAX_KEYS_SHOWN])
    return f"{listed}, and {more} more" if more > 0 else listed


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
        ctx = error.get("ctx", {})
        return f"expected at most {ctx.get('max_length')} items, got {ctx.get('actual_length', 'more')}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{message}, got {got}"


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean",
             bounds.LongNumber: "a number"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    """A value from the event, as a message quotes it: text JSON-escaped to ASCII and cut short; for anything
    else, its kind (and a small number, boolean or null as it is)."""
    if isinstance(value, str):
        return _quote(value)
    if value is None or isinstance(value, bool) or (isinstance(value, int) and abs(value) < 10**15):
        return json.dumps(value)
    if isinstance(value, float):
        return json.dumps(value) if abs(value) < 1e15 else "a number"
    return _kind(value) if isinstance(value, (dict, list, int, bounds.LongNumber)) else type(value).__name__


def _quote(text: str) -> str:
    """``text`` JSON-quoted with ASCII escapes; cut, at a whole character, to MAX_SHOWN_CHARS characters
    between the quotes, "..." included."""
    escaped = json.dumps(text[:MAX_SHOWN_CHARS + 1], ensure_ascii=True)[1:-1]
    if len(escaped) <= MAX_SHOWN_CHARS and len(text) <= MAX_SHOWN_CHARS:
        return f'"{escaped}"'
    pieces, used = [], 0
    for ch in text[:MAX_SHOWN_CHARS]:
        piece = json.dumps(ch, ensure_ascii=True)[1:-1]
        used += len(piece)
        if used > MAX_SHOWN_CHARS - len(CUT):
            break
        pieces.append(piece)
    return '"' + "".join(pieces) + CUT + '"'


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bounded(message: str) -> str:
    """``message`` as UTF-8 text (a lone surrogate from a ``\\ud800`` escape becomes U+FFFD) of at most
    MAX_MESSAGE_BYTES bytes: the last resort behind the cuts above."""
    message = _SURROGATE.sub("\ufffd", message)
    raw = message.encode("utf-8")
    if len(raw) <= MAX_MESSAGE_BYTES:
        return message
    return raw[:MAX_MESSAGE_BYTES - len(CUT)].decode("utf-8", "ignore") + CUT
