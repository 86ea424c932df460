"""The payloads that events carry, as typed models.

A payload is what an event is about: a request to check a cluster (typed by hand or pasted from the
API reference) or a CTS trace. How it arrived (directly, in a CloudEvent, inside an SMN message) is
the business of :mod:`postcheck.envelopes`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import bounds
from .fields import CceId, ClusterVersion, Name

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


class CtsTrace(BaseModel):
    """One Cloud Trace Service trace. Only the fields this function reads are modelled."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    service_type: str = Field(max_length=64)
    trace_name: str = Field(max_length=128)
    resource_type: str | None = Field(default=None, max_length=64)
    resource_id: str | None = Field(default=None, max_length=256)
    resource_name: Name | None = None
    trace_id: str | None = Field(default=None, max_length=128)
    trace_status: str | None = Field(default=None, max_length=32)
    code: int | str | None = None
    request: dict[str, Any] | str | None = None
    response: dict[str, Any] | str | None = None

    def http_code(self) -> int | None:
        """The HTTP status the traced API call answered, or None where the trace does not say it readably.

        A ``code`` that is not an HTTP status (not three ASCII digits from 100 to 599: "²", "٤٠٠", a
        5,000-digit number, 1.5, "") is treated as unknown, not rejected: the code only lets a refused
        upgrade request (4xx/5xx) be ignored without any API call, and an upgrade trace whose code is
        unreadable is still followed through its upgrade task, which says for itself whether an upgrade ran.
        """
        code = self.code
        if isinstance(code, str):
            text = code.strip()
            code = int(text) if HTTP_STATUS_TEXT.fullmatch(text) else None
        if isinstance(code, int) and not isinstance(code, bool) and code in HTTP_STATUSES:
            return code
        return None

    def response_object(self) -> dict[str, Any] | None:
        """The traced call's response as an object, whether the trace carries an object or JSON text.

        None when there is no response, or its text is not JSON or not a JSON object (the upgrade task is then
        looked up instead). Text that breaks a bound (longer than MAX_EMBEDDED_JSON characters, nested deeper
        or holding more values than an event may, a number too long to read) raises
        :class:`bounds.OutOfBounds`, for the caller to reject naming the field. ``request`` is typed but
        never parsed: nothing in it is read.
        """
        return _as_object(self.response)


def _as_object(value: dict[str, Any] | str | None) -> dict[str, Any] | None:
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
