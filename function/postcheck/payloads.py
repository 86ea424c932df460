"""The payloads that events carry, as typed models.

A payload is what an event is about: a request to check a cluster (typed by hand or pasted from the
API reference) or a CTS trace. How it arrived (directly, in a CloudEvent, inside an SMN message) is
the business of :mod:`postcheck.envelopes`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import bounds
from .fields import CceId, ClusterVersion, Name
from .times import trace_time

# A trace's response may be a JSON object or JSON text (the CTS API types it as a string); text longer than
# this is refused, like text nested too deep or with too long a number (see ``response_object``).
MAX_EMBEDDED_JSON = 64 * 1024
# An HTTP status code is a three-digit integer from 100 to 599 (RFC 9110, section 15:
# https://www.rfc-editor.org/rfc/rfc9110#section-15). re.ASCII: "٤٠٠" or "²" are not digits here.
HTTP_STATUS_TEXT = re.compile(r"[0-9]{3}", re.ASCII)
HTTP_STATUSES = range(100, 600)


class ManualCheck(BaseModel):
    """The console test event: ``{"cluster_id": "...", "cluster_version"?, "target_version"?, "dry_run"?,
    "force"?}``. ``force``: confirm despite the health gate's findings."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    cluster_id: CceId
    cluster_version: ClusterVersion | None = None
    target_version: ClusterVersion | None = None
    dry_run: bool = False
    force: bool = False


class PostCheckSpecIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    cluster_id: CceId = Field(alias="clusterID")
    cluster_version: ClusterVersion | None = Field(default=None, alias="clusterVersion")
    target_version: ClusterVersion | None = Field(default=None, alias="targetVersion")


class PostCheckTaskIn(BaseModel):
    """The API's own request body, verbatim, so that the documented example works as a test event."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    api_version: Literal["v3"] = Field(alias="apiVersion")
    kind: Literal["PostCheckTask"]
    spec: PostCheckSpecIn
    dry_run: bool = False

    def as_manual(self) -> ManualCheck:
        """The same request in the manual event's terms."""
        return ManualCheck(cluster_id=self.spec.cluster_id, cluster_version=self.spec.cluster_version,
                           target_version=self.spec.target_version, dry_run=self.dry_run)


class SweepIn(BaseModel):
    """A manual request to reconcile all clusters: ``{"sweep": true}``."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    sweep: bool
    dry_run: bool = False

    @field_validator("sweep")
    @classmethod
    def _only_true(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("expected true (the only value that asks for a sweep)")
        return value


# What makes a trace the one this function acts on (CCE's CTS table: "Upgrading a cluster | Cluster |
# clusterUpgrade"). Both are matched without regard to case or surrounding blanks: a trace whose service_type
# reads "cce" is still CCE's.
UPGRADE_SERVICE = "CCE"
UPGRADE_TRACE = "clusterUpgrade"


def _same_word(value: Any, word: str) -> bool:
    return isinstance(value, str) and value.isascii() and value.strip().lower() == word.lower()


def is_upgrade_trace(trace: dict[str, Any]) -> bool:
    """Whether a trace (a JSON object, not yet modelled) records a CCE cluster upgrade. Anything else, whatever
    its fields hold (another service's trace, a trace of empty or missing fields), is not this function's."""
    return _same_word(trace.get("service_type"), UPGRADE_SERVICE) and _same_word(trace.get("trace_name"),
                                                                                 UPGRADE_TRACE)


def _text_or_none(value: Any) -> Any:
    """A field that only informs: text is kept (and bounded by its type); anything else (``{}``, a number,
    null) is as if absent."""
    return value if isinstance(value, str) else None


class CtsTrace(BaseModel):
    """One Cloud Trace Service trace that records a CCE cluster upgrade (see :func:`is_upgrade_trace`). Only
    the fields this function reads are modelled, each in every form the trace is documented in
    (CTS, "Trace Structure": https://support.huaweicloud.com/intl/en-us/usermanual-cts/cts_03_0010.html; the
    FunctionGraph CTS trigger's sample: https://support.huaweicloud.com/en-us/usermanual-functiongraph/functiongraph_01_0209.html):
    ``code`` a number or text; ``request``/``response`` an object, JSON text, empty text or ``{}``;
    ``resource_id`` text, ``{}`` or empty (only a cluster ID is acted on: the parser says so); ``time`` and
    ``record_time`` in epoch milliseconds or seconds, ISO 8601, "2018/06/26 08:54:07 GMT+08:00" or empty;
    the trace's status as ``trace_status`` (trigger) or ``trace_rating`` (CTS API)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    service_type: str  # "CCE", in any case (is_upgrade_trace decided it)
    trace_name: str
    resource_type: Any = None
    resource_id: Any = None
    resource_name: Name | None = None
    trace_id: str | None = Field(default=None, max_length=128)
    trace_status: Any = None
    trace_rating: Any = None
    code: Any = None
    request: Any = None  # never read
    response: Any = None
    time: Any = None
    record_time: Any = None

    @field_validator("resource_name", "trace_id", mode="before")
    @classmethod
    def _informative(cls, value: Any) -> Any:
        return _text_or_none(value)

    def http_code(self) -> int | None:
        """The HTTP status the traced API call answered, or None where the trace does not say it readably.

        A ``code`` that is not an HTTP status (not three ASCII digits from 100 to 599: "²", "٤٠٠", a
        5,000-digit number, 1.5, 0, "") is treated as unknown, not rejected: the code only lets a refused
        upgrade request (4xx/5xx) be ignored without any API call, and an upgrade trace whose code is
        unreadable is still followed through its upgrade task, which says for itself whether an upgrade ran.
        """
        code = self.code
        if isinstance(code, str):
            text = code.strip()
            code = int(text) if HTTP_STATUS_TEXT.fullmatch(text) else None
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if isinstance(code, int) and not isinstance(code, bool) and code in HTTP_STATUSES:
            return code
        return None

    @property
    def status(self) -> str | None:
        """The trace's status (``normal``, ``warning``, ``incident``), under either of its documented names."""
        for value in (self.trace_status, self.trace_rating):
            if isinstance(value, str) and value.strip():
                return value.strip()[:32]
        return None

    def traced_at(self) -> datetime | None:
        """When the traced operation happened (``time``, else ``record_time``), in any documented form; None
        when neither is readable."""
        return trace_time(self.time) or trace_time(self.record_time)

    def response_object(self) -> dict[str, Any] | None:
        """The traced call's response as an object, whether the trace carries an object or JSON text.

        None when there is no response, or it is not an object or JSON text of an object (the upgrade task is
        then looked up instead). Text that breaks a bound (longer than MAX_EMBEDDED_JSON characters, nested
        deeper or holding more values than an event may, a number too long to read) raises
        :class:`bounds.OutOfBounds`, for the caller to reject naming the field. ``request`` is never parsed:
        nothing in it is read.
        """
        return _as_object(self.response)


def _as_object(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value  # part of the event itself, bounded with it
    if not isinstance(value, str) or not value:
        return None
    if len(value) > MAX_EMBEDDED_JSON:
        raise bounds.OutOfBounds(f"{len(value)} characters is over the {MAX_EMBEDDED_JSON}-character limit")
    try:
        decoded = bounds.loads(value)
    except ValueError:
        return None  # not JSON: as if absent
    bounds.check(decoded)  # its size is bounded by the text's
    return decoded if isinstance(decoded, dict) else None
