"""Configuration and credentials, read from the FunctionGraph context and validated before any call.

Variables are read through ``context.getUserData(name)`` where it answers, else ``os.environ``.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .fields import CceId

TOPIC_URN_RE = re.compile(
    r"^urn:smn:(?P<region>[a-z]{2,}(?:-[a-z0-9]+)+):(?P<project>[0-9a-f]{32}):(?P<topic>[A-Za-z0-9][A-Za-z0-9_-]{0,255})$"
)
REGION_RE = re.compile(r"^[a-z]{2,}(?:-[a-z0-9]+)+$")
PROJECT_RE = re.compile(r"^[0-9a-f]{32}$")
# A base URL: scheme, host (a DNS name, a dotted IPv4 address or a bracketed IPv6 address), optional port, no path,
# no user information. The scheme is written in lower case.
ENDPOINT_RE = re.compile(
    r"^(?P<scheme>https?)://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
    r"(?::(?P<port>\d{1,5}))?/?$"
)
LOOPBACK_V4 = ipaddress.IPv4Network("127.0.0.0/8")
LOOPBACK_V6 = ipaddress.IPv6Address("::1")
ENDPOINT_EXPECTED = (
    "expected a base URL https://<host>[:<port>] such as https://cce.cn-north-4.myhuaweicloud.com "
    "(http:// only for a loopback host: localhost, 127.0.0.0/8 or [::1], i.e. the local stand-in: "
    "the temporary keys and signatures must not travel unencrypted)"
)
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off", ""}

# The environment variables the code reads; template.yaml and the README document each one.
VARIABLES = ("SMN_TOPIC_URN", "REGION", "CCE_ENDPOINT", "SMN_ENDPOINT", "DRY_RUN", "CLUSTER_IDS", "MAX_CONCURRENCY",
             "SWEEP_WINDOW_MINUTES", "MANUAL_WAIT_SECONDS", "HEALTH_GATE", "HEALTH_WAIT_SECONDS", "NOTIFY_STARTED")
BOOLEAN_VARIABLES = ("DRY_RUN", "NOTIFY_STARTED")


class ConfigurationError(ValueError):
    """The function is not configured so that it can run. ``str()`` names the variable."""


class Settings(BaseModel):
    """What the function is configured to do."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    smn_topic_urn: str = Field(alias="SMN_TOPIC_URN")
    region: str = Field(alias="REGION")
    cce_endpoint: str | None = Field(default=None, alias="CCE_ENDPOINT")
    smn_endpoint: str | None = Field(default=None, alias="SMN_ENDPOINT")
    dry_run: bool = Field(default=False, alias="DRY_RUN")
    # The sweep: which clusters (default: all in the project), how many at once, and the period it covers.
    cluster_ids: tuple[CceId, ...] = Field(default=(), alias="CLUSTER_IDS", max_length=1000)
    max_concurrency: int = Field(default=8, ge=1, le=64, alias="MAX_CONCURRENCY")
    sweep_window_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60, alias="SWEEP_WINDOW_MINUTES")
    # How long a manual event follows a running upgrade: the console's synchronous call gives up after 90 s.
    manual_wait_seconds: int = Field(default=60, ge=0, le=80, alias="MANUAL_WAIT_SECONDS")
    # The health gate before the confirmation: block (hold an unsound cluster), report (confirm, with the
    # findings), off (no reads); and how long transient states are waited out.
    health_gate: Literal["block", "report", "off"] = Field(default="block", alias="HEALTH_GATE")
    health_wait_seconds: int = Field(default=300, ge=0, le=3600, alias="HEALTH_WAIT_SECONDS")
    # One short message when an upgrade event finds its upgrade still running.
    notify_started: bool = Field(default=True, alias="NOTIFY_STARTED")

    @field_validator("cluster_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @field_validator("smn_topic_urn")
    @classmethod
    def _urn(cls, value: str) -> str:
        if not TOPIC_URN_RE.fullmatch(value):
            raise ValueError("expected urn:smn:<region>:<project_id>:<topic_name>")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not REGION_RE.fullmatch(value):
            raise ValueError("expected a region ID such as cn-north-4")
        return value

    @field_validator("cce_endpoint", "smn_endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not safe_endpoint(value):
            raise ValueError(ENDPOINT_EXPECTED)
        return value.rstrip("/") if value else None

    @property
    def topic_region(self) -> str:
        return self._topic_part("region")

    @property
    def topic_project(self) -> str:
        return self._topic_part("project")

    def _topic_part(self, name: str) -> str:
        match = TOPIC_URN_RE.fullmatch(self.smn_topic_urn)
        assert match is not None  # validated above
        return match.group(name)


def safe_endpoint(url: str) -> bool:
    """A base URL the SDK may send signed requests to: ``https://`` to any host, ``http://`` only to this machine
    (``localhost``, an IPv4 address in 127.0.0.0/8, ``[::1]``)."""
    match = ENDPOINT_RE.fullmatch(url)
    if match is None or not 0 < int(match.group("port") or 443) <= 65535:
        return False
    host = match.group("host")
    if host.startswith("["):
        try:
            address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
    elif host.lower() == "localhost":
        return True
    else:
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            return match.group("scheme") == "https"  # a DNS name
    if match.group("scheme") == "https":
        return True
    return address == LOOPBACK_V6 or address in LOOPBACK_V4


@dataclass(frozen=True)
class Credentials:
    """The agency's temporary keys. ``repr`` never shows them."""

    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    security_token: str | None = field(repr=False)
    project_id: str

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.access_key, self.secret_key, self.security_token) if s)


def read_variable(context: Any, name: str) -> str | None:
    """A configuration variable: ``context.getUserData`` where it answers, else the environment."""
    getter = getattr(context, "getUserData", None)
    if callable(getter):
        try:
            value = getter(name)
        except Exception:  # noqa: BLE001 - a context that cannot answer falls back to the environment
            value = None
        if isinstance(value, str) and value != "":
            return value
    return os.environ.get(name)


def load_settings(context: Any) -> Settings:
    """The configuration, validated; the same variables give the same (immutable) settings without
    validating them again on every warm invocation."""
    return _settings(tuple(read_variable(context, name) for name in VARIABLES))


@functools.lru_cache(maxsize=8)
def _settings(values: tuple[str | None, ...]) -> Settings:
    raw = dict(zip(VARIABLES, values, strict=True))
    if not raw["SMN_TOPIC_URN"]:
        raise ConfigurationError(
            "SMN_TOPIC_URN: required, missing: set it to the topic that receives the results "
            "(urn:smn:<region>:<project_id>:<topic_name>)"
        )
    for name in BOOLEAN_VARIABLES:
        if raw[name] is not None and raw[name].strip() != "":
            raw[name] = _flag(name, raw[name])
    if not raw["REGION"]:
        match = TOPIC_URN_RE.fullmatch(raw["SMN_TOPIC_URN"].strip())
        raw["REGION"] = match.group("region") if match else None
    values = {name: (value.strip() if isinstance(value, str) else value) for name, value in raw.items()}
    try:
        return Settings.model_validate({k: v for k, v in values.items() if v is not None and v != ""})
    except ValidationError as exc:
        raise ConfigurationError(_describe(exc)) from None


def load_credentials(context: Any) -> Credentials:
    """The agency's temporary keys from the context: without them no API may be called."""
    access_key = _call(context, "getSecurityAccessKey")
    secret_key = _call(context, "getSecuritySecretKey")
    token = _call(context, "getSecurityToken")
    if not access_key or not secret_key:
        raise ConfigurationError(
            "credentials: the context has no temporary access keys: give the function an agency "
            "(IAM agency with CCE read/post-check and SMN publish permissions) in its configuration"
        )
    project = _call(context, "getProjectID") or os.environ.get("RUNTIME_PROJECT_ID") or ""
    if not PROJECT_RE.fullmatch(project):
        raise ConfigurationError(
            "project: expected a 32-hex-digit project ID from context.getProjectID() or RUNTIME_PROJECT_ID, "
            f"got {'nothing' if not project else 'a malformed value'}"
        )
    return Credentials(access_key, secret_key, token or None, project)


def _call(context: Any, method: str) -> str | None:
    getter = getattr(context, method, None)
    if not callable(getter):
        return None
    try:
        value = getter()
    except Exception:  # noqa: BLE001 - an absent answer is handled by the caller
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _flag(name: str, value: str | None) -> bool:
    word = (value or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name}: expected true or false, got {value!r}")


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        name = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        shown = error.get("input")
        got = f", got {shown!r}" if isinstance(shown, str) and len(shown) <= 200 else ""
        parts.append(f"{name}: {message}{got}")
    return "; ".join(parts)
