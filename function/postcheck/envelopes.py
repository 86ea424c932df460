"""The outer shapes an event arrives in, each modelled apart from the payload it carries.

``envelope_model`` recognises the shape from the event's keys; its model validates it; each envelope
exposes ``payload``: the inner model (:mod:`postcheck.payloads`) or, for SMN, the message
text that itself holds an event.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .payloads import CtsTrace, ManualCheck, PostCheckTaskIn, SweepIn

# An SMN message is at most 256 KB; the event inside it must fit the same bound.
MAX_SMN_MESSAGE = 256 * 1024


class CtsEnvelope(BaseModel):
    """CTS trigger: ``{"cts": {...trace...}}``."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    cts: CtsTrace

    @property
    def payload(self) -> CtsTrace:
        return self.cts


class CloudEventEnvelope(BaseModel):
    """EventGrid: one flat CloudEvent whose ``data`` is the CTS trace itself."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    specversion: str = Field(max_length=16)
    id: str = Field(max_length=256)
    source: str = Field(max_length=256)
    type: str = Field(max_length=256)
    data: CtsTrace

    @property
    def payload(self) -> CtsTrace:
        return self.data


class SmnMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    message: str = Field(max_length=MAX_SMN_MESSAGE)
    topic_urn: str | None = Field(default=None, max_length=512)
    message_id: str | None = Field(default=None, max_length=128)


class SmnRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    smn: SmnMessage


class SmnEnvelope(BaseModel):
    """SMN trigger: ``{"record": [{"smn": {"message": "<event as JSON>", ...}}], ...}``."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    record: list[SmnRecord] = Field(min_length=1, max_length=1)

    @property
    def payload(self) -> str:
        return self.record[0].smn.message


class TimerEnvelope(BaseModel):
    """Timer trigger: ``{"trigger_type": "TIMER", "time": "...", "trigger_name": "...", ...}``."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    trigger_type: Literal["TIMER"]
    time: str = Field(max_length=64)
    trigger_name: str | None = Field(default=None, max_length=128)
    user_event: str | None = Field(default=None, max_length=4096)

    @property
    def payload(self) -> TimerEnvelope:
        return self


EXPECTED_SHAPES = (
    '{"cluster_id": ...}, the PostCheckTask API body, {"sweep": true}, a CTS trigger event ({"cts": ...}), '
    'an EventGrid CloudEvent, an SMN trigger event or a timer trigger event'
)


def _shape(event: Any) -> str | None:
    if not isinstance(event, dict):
        return None
    if "cts" in event:
        return "cts"
    if "specversion" in event:
        return "cloudevent"
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
    return None


# The shape each event is recognised by (see ``shape_of``), and the model that validates it.
MODELS: dict[str, type[BaseModel]] = {
    "cts": CtsEnvelope,
    "cloudevent": CloudEventEnvelope,
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
