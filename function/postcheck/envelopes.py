"""The outer shapes an event arrives in, each modelled apart from the payload it carries.

``shape_of`` recognises the shape from the event's keys alone. The shapes in :data:`CARRIERS` carry what another
service sent: the parser decides whose it is before any model sees it, and only an event of this function's is
validated by its envelope's model. The payload is the envelope's own field: the trace as an object (``cts``), a
CloudEvent's ``data``, or the list of records or CloudEvents a delivery holds (``record``, ``events``: each read
on its own); the inner models are in :mod:`postcheck.payloads`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .payloads import ManualCheck, PostCheckTaskIn, SweepIn

# An SMN message is at most 256 KB; the event inside it must fit the same bound.
MAX_SMN_MESSAGE = 256 * 1024
# EventGrid sends at most 20 events in one request, at most 64 KB each and 256 KB in all (EventGrid, "Events",
# constraints: https://support.huaweicloud.com/usermanual-eg/eg-ug-015.html). A delivery of more is not
# EventGrid's, and is refused as a whole (each event would otherwise give a result of its own).
MAX_EVENTGRID_EVENTS = 20
# No maximum is documented for an SMN trigger event's records: SMN delivers each published message on its own
# (FunctionGraph's SMN example event holds one record, other runtimes' samples two). A delivery of more than
# EventGrid's 20 is refused as a whole, for the same reason.
MAX_SMN_RECORDS = 20


class CtsEnvelope(BaseModel):
    """CTS trigger: ``{"cts": {...trace...}}`` (FunctionGraph, "Using a CTS Trigger":
    https://support.huaweicloud.com/en-us/usermanual-functiongraph/functiongraph_01_0209.html). The trace is an
    object; what it holds is judged by the parser (only a CCE upgrade trace is modelled)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    cts: dict[Any, Any]


class CloudEventEnvelope(BaseModel):
    """EventGrid: one CloudEvent; for CTS's CloudTrace events its ``data`` is the trace itself, an object or
    JSON text. ``specversion``, ``id``, ``source`` and ``type`` are what the CloudEvents specification and
    EventGrid require (EventGrid, "Events": https://support.huaweicloud.com/eu/fr-fr/usermanual-eg/eg-ug-015.html);
    ``data`` is optional there, and anything else in it (another service's event) is not this function's."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    specversion: str = Field(max_length=16)
    id: str = Field(max_length=256)
    source: str = Field(max_length=256)
    type: str = Field(max_length=256)
    data: Any = None


class EventGridBatch(BaseModel):
    """EventGrid's delivery of several CloudEvents: ``{"events": [...]}`` (the example event on EventGrid's
    "Events" page), at most :data:`MAX_EVENTGRID_EVENTS`; each item is read on its own."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    events: list[Any] = Field(min_length=1, max_length=MAX_EVENTGRID_EVENTS)


class SmnMessage(BaseModel):
    """``message_attributes`` is not read: the trigger sends it as an object, ``null``, ``"None"``, ``""`` or
    not at all."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    message: str = Field(max_length=MAX_SMN_MESSAGE)
    topic_urn: str | None = Field(default=None, max_length=512)
    message_id: str | None = Field(default=None, max_length=128)


class SmnRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    smn: SmnMessage


class SmnEnvelope(BaseModel):
    """SMN trigger: ``{"record": [{"smn": {"message": "<event as JSON>", ...}}, ...], ...}`` (FunctionGraph's
    SMN example event), at most :data:`MAX_SMN_RECORDS` records. Each record is read as a :class:`SmnRecord`, on
    its own."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    record: list[Any] = Field(min_length=1, max_length=MAX_SMN_RECORDS)


class TimerEnvelope(BaseModel):
    """Timer trigger: ``{"version": "v1.0"|"v2.0", "trigger_type": "TIMER", "time": "<ISO 8601, any offset>",
    "trigger_name": "...", "user_event": "<plain or JSON text, not read>"}``."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    trigger_type: Literal["TIMER"]
    time: str = Field(max_length=64)
    trigger_name: str | None = Field(default=None, max_length=128)
    user_event: str | None = Field(default=None, max_length=4096)


EXPECTED_SHAPES = (
    '{"cluster_id": ...}, the PostCheckTask API body, {"sweep": true}, a CTS trigger event ({"cts": ...}) or a CTS '
    'trace, an EventGrid CloudEvent or {"events": [...]}, an SMN trigger event or a timer trigger event'
)


def shape_of(event: Any) -> str | None:
    """The shape ``event`` claims, from its keys alone (nothing it holds is read)."""
    if not isinstance(event, dict):
        return None
    if "cts" in event:
        return "cts"
    if "specversion" in event:
        return "cloudevent"
    if "events" in event:
        return "eventgrid"
    if "record" in event:
        return "smn"
    if "trigger_type" in event:
        return "timer"
    if "sweep" in event:
        return "sweep"
    if "kind" in event or "apiVersion" in event:
        return "api_body"
    if "cluster_id" in event:
        return "manual"
    if "service_type" in event and "trace_name" in event:  # both mandatory in a trace (CTS, "Trace Structure")
        return "trace"
    return None


# Shapes that carry what another service sent (a trace, a CloudEvent, a delivery of several, SMN messages): bounded
# as a whole by their size alone; what they carry is bounded and modelled once it is known to be this function's
# (a CCE upgrade trace; every SMN record, its topic being subscribed to this function).
CARRIERS = frozenset({"cts", "trace", "cloudevent", "eventgrid", "smn"})

# The shapes meant for this function alone (see ``shape_of``), and the model that validates each.
MODELS: dict[str, type[BaseModel]] = {
    "timer": TimerEnvelope,
    "sweep": SweepIn,
    "api_body": PostCheckTaskIn,
    "manual": ManualCheck,
}

