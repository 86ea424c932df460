"""The outer shapes an event arrives in, each modelled apart from the payload it carries.

``envelope_model`` recognises the shape from the event's keys; its model validates it; each envelope
exposes ``payload``: the inner model (:mod:`postcheck.payloads`), the trace as an object (judged by the parser),
a CloudEvent's ``data``, or the list of records or CloudEvents a delivery holds (each read on its own).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from .payloads import ManualCheck, PostCheckTaskIn, SweepIn

# An SMN message is at most 256 KB; the event inside it must fit the same bound.
MAX_SMN_MESSAGE = 256 * 1024


class CtsEnvelope(BaseModel):
    """CTS trigger: ``{"cts": {...trace...}}`` (FunctionGraph, "Using a CTS Trigger":
    https://support.huaweicloud.com/en-us/usermanual-functiongraph/functiongraph_01_0209.html). The trace is an
    object; what it holds is judged by the parser (only a CCE upgrade trace is modelled)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    cts: dict[Any, Any]

    @property
    def payload(self) -> dict[Any, Any]:
        return self.cts


class TraceEnvelope(RootModel[dict[Any, Any]]):
    """A CTS trace on its own, as CTS writes it to its trace files and shows it in its console ("Example
    Traces": https://support.huaweicloud.com/intl/en-us/usermanual-cts/cts_03_0011.html): pasted into the test
    page, or carried in an SMN message, it is read as the CTS trigger's ``cts`` would be."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    @property
    def payload(self) -> dict[Any, Any]:
        return self.root


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

    @property
    def payload(self) -> Any:
        return self.data


class EventGridBatch(BaseModel):
    """EventGrid's delivery of several CloudEvents: ``{"events": [...]}`` (the example event on EventGrid's
    "Events" page); each item is read as a :class:`CloudEventEnvelope`."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    events: list[Any] = Field(min_length=1)

    @property
    def payload(self) -> list[Any]:
        return self.events


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
    SMN example event). Each record is read as a :class:`SmnRecord`, on its own."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    record: list[Any] = Field(min_length=1)

    @property
    def payload(self) -> list[Any]:
        return self.record


class TimerEnvelope(BaseModel):
    """Timer trigger: ``{"version": "v1.0"|"v2.0", "trigger_type": "TIMER", "time": "<ISO 8601, any offset>",
    "trigger_name": "...", "user_event": "<plain or JSON text, not read>"}``."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    trigger_type: Literal["TIMER"]
    time: str = Field(max_length=64)
    trigger_name: str | None = Field(default=None, max_length=128)
    user_event: str | None = Field(default=None, max_length=4096)

    @property
    def payload(self) -> TimerEnvelope:
        return self


EXPECTED_SHAPES = (
    '{"cluster_id": ...}, the PostCheckTask API body, {"sweep": true}, a CTS trigger event ({"cts": ...}) or a CTS '
    'trace, an EventGrid CloudEvent or {"events": [...]}, an SMN trigger event or a timer trigger event'
)


def _shape(event: Any) -> str | None:
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


# The shape each event is recognised by (see ``_shape``), and the model that validates it.
MODELS: dict[str, type[BaseModel]] = {
    "cts": CtsEnvelope,
    "trace": TraceEnvelope,
    "cloudevent": CloudEventEnvelope,
    "eventgrid": EventGridBatch,
    "smn": SmnEnvelope,
    "timer": TimerEnvelope,
    "sweep": SweepIn,
    "api_body": PostCheckTaskIn,
    "manual": ManualCheck,
}


def envelope_model(event: Any) -> type[BaseModel] | None:
    """The model for ``event``'s shape; only that one is built and run (pydantic builds schemas on first use)."""
    shape = _shape(event)
    return MODELS[shape] if shape else None
