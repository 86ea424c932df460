"""The payloads that events carry, as typed models.

A payload is what an event is about: a request to check a cluster (typed by hand or pasted from the
API reference) or a CTS trace. How it arrived (directly, in a CloudEvent, inside an SMN message) is
the business of :mod:`postcheck.envelopes`.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .fields import CceId, ClusterVersion, Name

# A trace's request/response may be a JSON object or a JSON string; beyond this size it is not parsed.
MAX_EMBEDDED_JSON = 64 * 1024


class ManualCheck(BaseModel):
    """The console test event: ``{"cluster_id": "...", "cluster_version"?, "target_version"?, "dry_run"?}``."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    cluster_id: CceId
    cluster_version: ClusterVersion | None = None
    target_version: ClusterVersion | None = None
    dry_run: bool = False


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
        """The HTTP status the traced API call answered, where the trace says."""
        if isinstance(self.code, int):
            return self.code
        if isinstance(self.code, str) and self.code.strip().isdigit():
            return int(self.code.strip())
        return None

    def response_object(self) -> dict[str, Any] | None:
        """The traced call's response as an object, whether the trace carries an object or a JSON string."""
        return _as_object(self.response)


def _as_object(value: dict[str, Any] | str | None) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and 0 < len(value) <= MAX_EMBEDDED_JSON:
        try:
            decoded = json.loads(value)
        except ValueError:
            return None
        return decoded if isinstance(decoded, dict) else None
    return None
