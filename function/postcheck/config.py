"""Configuration and credentials, read from the FunctionGraph context and validated before any call.

Variables are read through ``context.getUserData(name)`` where it answers, else ``os.environ``.
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .fields import UUID_RE, CceId

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
             "SWEEP_WINDOW_MINUTES", "MANUAL_WAIT_SECONDS", "HEALTH_GATE", "HEALTH_WAIT_SECONDS", "NOTIFY_STARTED",
             "TOPIC_ROUTES")
BOOLEAN_VARIABLES = ("DRY_RUN", "NOTIFY_STARTED")


class ConfigurationError(ValueError):
    """The function is not configured so that it can run. ``str()`` names the variable."""


# TOPIC_ROUTES: a JSON object, in order, from a cluster name pattern (fnmatch glob: *, ?, [...]) or a cluster ID
# (8-4-4-4-12 hex, matched against the ID) to a topic URN; the first entry that matches a cluster decides, and
# SMN_TOPIC_URN takes the rest. Bounded: FunctionGraph takes 4 KB of environment variables in all
# (../shared/reference/platform-facts.md, FunctionGraph limits), so the text is at most 4,096 bytes; 64 entries.
MAX_TOPIC_ROUTES_BYTES = 4096
MAX_TOPIC_ROUTES = 64
# A pattern: what a CCE cluster name holds (lowercase letters, digits, "-") plus the glob's own characters, and
# at most 128 characters, like a name.
# A CCE cluster name is 4-128 lower-case letters, digits and "-", starting with a letter and never changed
# (https://support.huaweicloud.com/intl/en-us/drawer-cce/Cluster_name.html): a pattern with any other literal
# character (upper case, "_", ".") could never match one, so it is refused rather than silently never used.
ROUTE_PATTERN_RE = re.compile(r"^[a-z0-9*?!\[\]-]{1,128}$")
# A cluster ID without its hyphens (as the cluster_id message attribute carries it), in any case.
BARE_ID_RE = re.compile(r"^[0-9a-fA-F]{32}$")


def parse_topic_routes(text: str) -> tuple[tuple[str, str], ...]:
    """``TOPIC_ROUTES``' text as ordered (key, topic URN) pairs; ValueError names the entry that is wrong.
    An ID key is returned in lower case (CCE's IDs are)."""
    if len(text.encode("utf-8")) > MAX_TOPIC_ROUTES_BYTES:
        raise ValueError(f"longer than {MAX_TOPIC_ROUTES_BYTES} bytes (FunctionGraph's environment variables take "
                         "4 KB in all)")
    try:
        pairs = json.loads(text, object_pairs_hook=list)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError('expected a JSON object {"<cluster name pattern or cluster ID>": "<topic URN>", ...}') \
            from None
    if not text.lstrip().startswith("{") or not isinstance(pairs, list) or (pairs and not isinstance(pairs[0], tuple)):
        raise ValueError('expected a JSON object {"<cluster name pattern or cluster ID>": "<topic URN>", ...}')
    if len(pairs) > MAX_TOPIC_ROUTES:
        raise ValueError(f"{len(pairs)} entries, at most {MAX_TOPIC_ROUTES}")
    routes: list[tuple[str, str]] = []
    for key, urn in pairs:
        shown = json.dumps(key)[:80]
        normalised = _route_id(key) or key
        if not UUID_RE.fullmatch(normalised) and not ROUTE_PATTERN_RE.fullmatch(key):
            raise ValueError(f"entry {shown}: expected a cluster ID or a pattern of cluster names (CCE's names are "
                             "lower-case letters, digits and -; with the glob's * ? [ ] !, at most 128)")
        if not isinstance(urn, str) or not TOPIC_URN_RE.fullmatch(urn):
            raise ValueError(f"entry {shown}: {json.dumps(urn)[:120]} is not an SMN topic URN "
                             "urn:smn:<region>:<project_id>:<topic_name>")
        if any(normalised == seen for seen, _ in routes):
            raise ValueError(f"entry {shown} is given twice")
        routes.append((normalised, urn))
    return tuple(routes)


def _route_id(key: str) -> str | None:
    """A route key as a cluster ID (8-4-4-4-12, lower case), whether written with hyphens or without."""
    bare = key.strip()
    if BARE_ID_RE.fullmatch(bare):
        bare = f"{bare[:8]}-{bare[8:12]}-{bare[12:16]}-{bare[16:20]}-{bare[20:]}"
    return bare.lower() if UUID_RE.fullmatch(bare.lower()) else None


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
    # Which topic a cluster's messages go to: ordered (pattern or ID, topic URN); SMN_TOPIC_URN for the rest.
    topic_routes: tuple[tuple[str, str], ...] = Field(default=(), alias="TOPIC_ROUTES")

    @field_validator("cluster_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @field_validator("topic_routes", mode="before")
    @classmethod
    def _routes(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_topic_routes(value)
        return value

    @model_validator(mode="after")
    def _routes_in_the_topics_region(self) -> Settings:
        # SMN is reached at one endpoint: SMN_ENDPOINT, else the public endpoint of SMN_TOPIC_URN's region. A
        # routed topic in another region would be sent to the wrong one; its project may differ (SMN is called in
        # each topic's own project, as for SMN_TOPIC_URN).
        for key, urn in self.topic_routes:
            if topic_region(urn) != self.topic_region:
                raise ValueError(f"TOPIC_ROUTES: entry {json.dumps(key)[:80]}: the topic is in region "
                                 f"{topic_region(urn)}, SMN is called in {self.topic_region} (SMN_TOPIC_URN's "
                                 "region): route only to topics of that region")
        return self

    def topic_for(self, cluster_id: str | None, cluster_name: str | None) -> str:
        """The topic of a cluster's messages: the first route whose ID is the cluster's, or whose pattern
        matches its name (case-sensitive, as CCE names are lower case); else SMN_TOPIC_URN."""
        for key, urn in self.topic_routes:
            if UUID_RE.fullmatch(key):
                if cluster_id is not None and cluster_id.lower() == key:
                    return urn
            elif cluster_name and fnmatch.fnmatchcase(cluster_name, key):
                return urn
        return self.smn_topic_urn

    @property
    def topic_urns(self) -> tuple[str, ...]:
        """Every topic the function may publish to: SMN_TOPIC_URN, then each routed topic, once."""
        return tuple(dict.fromkeys([self.smn_topic_urn, *(urn for _, urn in self.topic_routes)]))

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


def topic_region(urn: str) -> str:
    """The region of a valid topic URN."""
    match = TOPIC_URN_RE.fullmatch(urn)
    if match is None:
        raise ValueError(f"not a topic URN: {urn[:120]!r}")
    return match.group("region")


def topic_project(urn: str) -> str:
    """The project of a valid topic URN: the one SMN is called in for that topic."""
    match = TOPIC_URN_RE.fullmatch(urn)
    if match is None:
        raise ValueError(f"not a topic URN: {urn[:120]!r}")
    return match.group("project")


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
        parts.append(f"{name}: {message}{got}" if name else message)
    return "; ".join(parts)
