"""``template.yaml``: the schema of the project's deployment description, and loading it.

No FunctionGraph tool reads a SAM-style template, so this project defines its own. Two stages:

1. :func:`load_template` reads the YAML and validates its structure (:class:`Template`: strict types, no unknown
   keys, cross-field rules). Values may hold ``${NAME}`` references, which are only checked for form here.
2. :func:`resolve` substitutes the references from an environment (the deploying shell's) and validates the
   result: the function's environment with the function's own configuration model
   (``postcheck.config.Settings``), so a deployed configuration is one the function accepts.

Errors are :class:`TemplateError`; each line names the field (``function.environment.SMN_TOPIC_URN: ...``).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import SplitResult, urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "function") not in sys.path:  # the function's own configuration model validates its environment
    sys.path.insert(0, str(ROOT / "function"))

from postcheck.config import FALSE_WORDS, TOPIC_URN_RE, TRUE_WORDS, VARIABLES, Settings  # noqa: E402
from postcheck.policy import WaitPolicy  # noqa: E402
from scripts.deployment.marks import MAX_FUNCTION_DESCRIPTION, marked_description  # noqa: E402

DEFAULT_TEMPLATE = ROOT / "template.yaml"
REFERENCE = re.compile(r"\$\{(?P<name>[A-Z][A-Z0-9_]*)\}")
# The runtimes this function can be deployed on: FunctionGraph's Python runtimes (Python2.7, 3.6, 3.9, 3.10, 3.12;
# ../shared/reference/platform-facts.md) that are at least the language the code is written in (3.10: match
# statements, X | Y unions; ruff's target) and that scripts/build.py builds a package for.
RUNTIMES = ("Python3.10", "Python3.12")
# FunctionGraph runtimes older than the code's language: refused with a reason, not "Input should be ...".
OLDER_RUNTIMES = ("Python2.7", "Python3.6", "Python3.9")
# FunctionGraph's memory sizes (MB), as its API reference lists them.
MEMORY_SIZES = (128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096)
MAX_TIMEOUT_S = 259_200  # asynchronous invocations
MAX_USER_DATA_BYTES = 4096  # all environment variables together
MAX_USER_DATA_ENTRIES = 20
RATE_LIMITS = {"m": 60, "h": 24, "d": 30}  # a Rate timer: 1-60 minutes, 1-24 hours or 1-30 days
RATE_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}
SWEEP_WINDOW_DEFAULT = Settings.model_fields["sweep_window_minutes"].default
SWEEP_BUDGET_S = WaitPolicy().sweep_budget_s
HANDLED_TRACES = ("clusterUpgrade",)  # the CTS traces the function acts on (postcheck/parse.py)


class TemplateError(ValueError):
    """The template is invalid; ``str()`` has one line per problem, each naming the field."""


def check_references(value: str) -> str:
    """``value`` may contain ``${NAME}`` references (NAME: capitals, digits, ``_``); nothing else with ``${``."""
    if "${" in REFERENCE.sub("", value):
        raise ValueError("malformed reference: write ${NAME} with NAME in capitals, digits and _")
    return value


def has_references(value: str) -> bool:
    return REFERENCE.search(value) is not None


# A string that may hold ${NAME} references, substituted from the environment by resolve().
Templated = Annotated[str, AfterValidator(check_references)]
Name64 = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Code(_Model):
    # The zip built by ``python -m scripts.build --runtime <runtime>``, relative to the template's directory.
    path: Annotated[str, Field(pattern=r"^[^\s]+\.zip$")]


class FailureDestination(_Model):
    type: Literal["SMN"]
    topic_urn: Templated

    @field_validator("topic_urn")
    @classmethod
    def _urn(cls, value: str) -> str:
        if not has_references(value) and not TOPIC_URN_RE.fullmatch(value):
            raise ValueError("expected urn:smn:<region>:<project_id>:<topic_name> (or ${NAME} references)")
        return value


class AsyncInvocation(_Model):
    max_retries: Annotated[int, Field(ge=0, le=3)]
    max_event_age_s: Annotated[int, Field(ge=1, le=86_400)]
    on_failure: FailureDestination | None = None


class Function(_Model):
    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,59}$")]
    package: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")] = "default"
    runtime: Literal["Python3.10", "Python3.12"]
    handler: Literal["index.handler"]
    memory_mb: int
    timeout_s: Annotated[int, Field(ge=3, le=MAX_TIMEOUT_S)]
    description: Annotated[str, Field(max_length=512)] = ""
    logs: bool = True
    code: Code
    environment: dict[str, Templated | None]
    async_invocation: AsyncInvocation

    @field_validator("runtime", mode="before")
    @classmethod
    def _runtime(cls, value: Any) -> Any:
        if value in OLDER_RUNTIMES:
            raise ValueError(f"{value} cannot run this function: its code is Python 3.10 (match statements, X | Y "
                             f"unions) and packages are built for {' and '.join(RUNTIMES)} only; use one of those")
        return value

    @field_validator("memory_mb")
    @classmethod
    def _memory(cls, value: int) -> int:
        if value not in MEMORY_SIZES:
            raise ValueError(f"expected one of {', '.join(map(str, MEMORY_SIZES))} (MB)")
        return value

    @field_validator("environment", mode="before")
    @classmethod
    def _environment(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        problems = []
        missing = [name for name in VARIABLES if name not in value]
        unknown = [str(name) for name in value if name not in VARIABLES]
        if missing:
            problems.append(f"missing {', '.join(missing)}: list every variable the function reads "
                            "(null when it keeps its default)")
        if unknown:
            problems.append(f"unknown {', '.join(unknown)}: the function reads only {', '.join(VARIABLES)}")
        not_text = [str(name) for name, item in value.items() if item is not None and not isinstance(item, str)]
        if not_text:
            problems.append(f"{', '.join(not_text)}: values are strings; quote them (\"8\", \"false\")")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _description_fits_the_mark(self) -> Function:
        # deploy appends its mark to the description (scripts/deployment/marks.py); FunctionGraph keeps 512 characters
        room = MAX_FUNCTION_DESCRIPTION - (len(marked_description(self.description, self.name)) -
                                           len(self.description))
        if len(self.description) > room:
            raise ValueError(f"description: at most {room} characters for function {self.name} (FunctionGraph "
                             f"keeps {MAX_FUNCTION_DESCRIPTION}, and deploy appends its mark)")
        return self

    @model_validator(mode="after")
    def _package_matches_runtime(self) -> Function:
        # The package carries compiled wheels (pydantic-core) for one Python version only.
        if self.runtime not in Path(self.code.path).name:
            raise ValueError(f"code.path {self.code.path!r} does not name the runtime {self.runtime}: "
                             f"build it with python -m scripts.build --runtime {self.runtime}")
        return self


class Statement(_Model):
    effect: Literal["Allow"] = Field(alias="Effect")
    action: Annotated[list[str], Field(alias="Action", min_length=1)]
    resource: list[str] | None = Field(default=None, alias="Resource")

    @field_validator("action")
    @classmethod
    def _actions(cls, value: list[str]) -> list[str]:
        for action in value:
            if "*" in action:
                raise ValueError(f"{action!r}: no wildcards, name each action (least privilege)")
            if not re.fullmatch(r"[a-z0-9]+:[A-Za-z0-9]+:[A-Za-z0-9]+", action):
                raise ValueError(f"{action!r}: expected service:resource:operation, e.g. cce:cluster:get")
        if len(set(value)) != len(value):
            raise ValueError("an action is listed twice")
        return value


class Policy(_Model):
    """An IAM custom policy (the old IAM's fine-grained policy syntax, ``Version`` ``1.1``)."""

    version: Literal["1.1"] = Field(alias="Version")
    statement: Annotated[list[Statement], Field(alias="Statement", min_length=1)]

    @property
    def actions(self) -> list[str]:
        return [action for statement in self.statement for action in statement.action]

    def document(self) -> dict[str, Any]:
        """The policy as IAM takes it (JSON for the console's JSON view or the API)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Agency(_Model):
    # Created (or taken over) by deploy with its policy (docs/deployment.md, "What deploy does"): the function runs
    # with it.
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
    policy_name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
    policy: Policy

    @field_validator("policy")
    @classmethod
    def _unique(cls, value: Policy) -> Policy:
        if len(set(value.actions)) != len(value.actions):
            raise ValueError("an action is granted by two statements")
        return value


class CtsTrigger(_Model):
    type: Literal["CTS"]
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,64}$")]
    status: Literal["ACTIVE"] = "ACTIVE"
    service: Literal["CCE"]
    # No resource type here: deploy reads it from CTS's own list of traced operations (ListOperations) at deploy
    # time, as the resource type whose operation_list holds the operations (scripts/deployment/cts_api.py).
    operations: Annotated[list[Literal["clusterUpgrade"]], Field(min_length=1)]

    @field_validator("operations")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("an operation is listed twice")
        return value

    def event_data(self, resource_type: str) -> dict[str, Any]:
        """The trigger's ``event_data``: operations as ``service:resource:op1;op2``, with the resource type CTS lists
        the operations under."""
        return {"name": self.name, "operations": [f"{self.service}:{resource_type}:{';'.join(self.operations)}"]}


class TimerTrigger(_Model):
    type: Literal["TIMER"]
    name: Name64
    status: Literal["ACTIVE", "DISABLED"] = "ACTIVE"
    # Rate only: the sweep's window is the timer's period, which a cron expression does not have.
    schedule_type: Literal["Rate"]
    schedule: str
    user_event: Annotated[str, Field(max_length=4096)] = ""

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        match = re.fullmatch(r"(?P<count>[1-9][0-9]{0,2})(?P<unit>[mhd])", value)
        if not match:
            raise ValueError("expected a rate such as 60m, 1h or 1d")
        if int(match["count"]) > RATE_LIMITS[match["unit"]]:
            raise ValueError("a rate is 1-60 minutes (m), 1-24 hours (h) or 1-30 days (d)")
        return value

    @property
    def period_minutes(self) -> int:
        return int(self.schedule[:-1]) * RATE_MINUTES[self.schedule[-1]]

    def event_data(self) -> dict[str, Any]:
        return {"name": self.name, "schedule_type": self.schedule_type, "schedule": self.schedule,
                "user_event": self.user_event}


Trigger = Annotated[CtsTrigger | TimerTrigger, Field(discriminator="type")]

# SMN's subscription protocols deploy subscribes with (AddSubscription,
# https://support.huaweicloud.com/api-smn/AddSubscription.html): e-mail, SMS, HTTPS (not plain HTTP: a message
# would travel in clear), and the chat apps' group robots, which SMN offers in some regions only.
PLAIN_PROTOCOLS = ("email", "sms", "https")
CHAT_PROTOCOLS = ("dingding", "wechat", "feishu", "welink")
# AddSubscription's extension: WeLink's client_id and client_secret (mandatory for welink), a DingTalk or Feishu
# robot's keyword or sign_secret (its security setting). Values may be ${NAME} references: keep secrets out of the
# template.
EXTENSION_KEYS = {"welink": ("client_id", "client_secret"), "dingding": ("keyword", "sign_secret"),
                  "feishu": ("keyword", "sign_secret"), "wechat": ()}
TOPIC_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$"  # CreateTopic: 1-255 letters, digits, - and _, not - or _ first
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")
WELINK_GROUP_RE = re.compile(r"^[0-9]{1,64}$")


class Subscription(_Model):
    protocol: Literal["email", "sms", "https", "dingding", "wechat", "feishu", "welink"]
    endpoint: Annotated[Templated, Field(min_length=1, max_length=2048)]
    extension: dict[str, Templated] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _extension(self) -> Subscription:
        allowed = EXTENSION_KEYS.get(self.protocol, ())
        unknown = sorted(set(self.extension) - set(allowed))
        if unknown:
            raise ValueError(f"extension: {', '.join(unknown)} not taken by protocol {self.protocol} "
                             f"(it takes {', '.join(allowed) or 'none'})")
        if self.protocol == "welink" and set(self.extension) != {"client_id", "client_secret"}:
            raise ValueError("extension: a welink subscription needs client_id and client_secret")
        if not has_references(self.endpoint):
            check_endpoint(self.protocol, self.endpoint)
        return self


class Topic(_Model):
    name: Annotated[str, Field(pattern=TOPIC_NAME)]
    display_name: Annotated[str, Field(min_length=1)]
    subscriptions: list[Subscription] = Field(default_factory=list)

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        if len(value.encode("utf-8")) > 192:
            raise ValueError("at most 192 bytes (CreateTopic), the e-mail sender's name")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> Topic:
        seen = [(s.protocol, s.endpoint) for s in self.subscriptions]
        if len(set(seen)) != len(seen):
            raise ValueError("subscriptions: a protocol and endpoint is listed twice")
        return self


def web_address(endpoint: str) -> SplitResult | None:
    """``endpoint`` parsed when it is an http(s) URL with a host, its scheme in any case (RFC 3986: ``HTTPS://`` is
    ``https://``); None otherwise."""
    try:
        parts = urlsplit(endpoint.strip())
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced [ in the host
        return None
    return parts if parts.scheme.lower() in ("http", "https") and host else None


def shown_endpoint(endpoint: str) -> str:
    """An endpoint as deploy prints it: a URL as its scheme and host only (never its user, password, port, path,
    query or fragment, where a webhook keeps its token); anything else (an address, a phone or group number) as is."""
    parts = web_address(endpoint)
    if parts is None:
        return "<a URL deploy cannot read>" if endpoint.strip().lower().startswith(("http:", "https:")) else endpoint
    shown = f"{parts.scheme.lower()}://{parts.hostname}"
    return shown if endpoint.strip().rstrip("/").lower() == shown else f"{shown}/..."


def normalized_endpoint(endpoint: str) -> str:
    """A URL endpoint with its scheme in lower case, as SMN documents them (``https://``); anything else as is."""
    parts = web_address(endpoint)
    if parts is None:
        return endpoint
    stripped = endpoint.strip()
    return parts.scheme.lower() + stripped[len(parts.scheme):]


def check_endpoint(protocol: str, endpoint: str) -> None:
    """An endpoint of the form AddSubscription documents for the protocol (ValueError otherwise)."""
    parts = web_address(endpoint)
    https = parts is not None and parts.scheme.lower() == "https"
    ok = {
        "email": EMAIL_RE.fullmatch(endpoint) is not None,
        "sms": PHONE_RE.fullmatch(endpoint) is not None,
        "https": https,
        # a custom robot's address, or an enterprise robot's openConversationId (which must not start with http)
        "dingding": https or not endpoint.strip().lower().startswith("http"),
        "wechat": https,
        "feishu": https,
        "welink": WELINK_GROUP_RE.fullmatch(endpoint) is not None,
    }[protocol]
    if not ok:
        expected = {"email": "an e-mail address", "sms": "a phone number (+8613800000000)", "https": "an https:// URL",
                    "dingding": "the robot's https:// address or an openConversationId",
                    "wechat": "the robot's https:// address", "feishu": "the robot's https:// address",
                    "welink": "the WeLink group number"}[protocol]
        raise ValueError(f"endpoint: expected {expected} for protocol {protocol}")


class Template(_Model):
    version: Literal[1]
    function: Function
    agency: Agency
    # The SMN topics deploy creates (or finds) and the subscriptions it adds to them.
    topics: Annotated[list[Topic], Field(min_length=1)]
    triggers: list[Trigger]

    @model_validator(mode="after")
    def _triggers(self) -> Template:
        for kind, why in (("CTS", "upgrade events"), ("TIMER", "the sweep")):
            count = sum(1 for trigger in self.triggers if trigger.type == kind)
            if count != 1:
                raise ValueError(f"triggers: exactly one {kind} trigger ({why}) is required, found {count}")
        timer = self.timer
        if timer.period_minutes * 60 <= SWEEP_BUDGET_S:
            raise ValueError(f"triggers: the timer's period ({timer.schedule}) is not longer than a sweep's own "
                             f"budget ({SWEEP_BUDGET_S:.0f} s): one sweep could still run when the next one starts")
        if self.function.timeout_s < SWEEP_BUDGET_S:
            raise ValueError(f"function.timeout_s: {self.function.timeout_s} s is shorter than a sweep's own budget "
                             f"({SWEEP_BUDGET_S:.0f} s)")
        window = self.function.environment.get("SWEEP_WINDOW_MINUTES")
        if window is None or not has_references(window):
            check_window(window, timer)
        names = [topic.name for topic in self.topics]
        if len(set(names)) != len(names):
            raise ValueError("topics: a topic name is listed twice")
        return self

    @property
    def timer(self) -> TimerTrigger:
        return next(trigger for trigger in self.triggers if isinstance(trigger, TimerTrigger))

    @property
    def cts(self) -> CtsTrigger:
        return next(trigger for trigger in self.triggers if isinstance(trigger, CtsTrigger))


def check_window(window: str | None, timer: TimerTrigger) -> None:
    """SWEEP_WINDOW_MINUTES (None: the function's default) must be the timer's period."""
    minutes = SWEEP_WINDOW_DEFAULT if window is None else window.strip()
    if str(minutes) != str(timer.period_minutes):
        shown = f"its default {minutes}" if window is None else repr(window)
        raise ValueError(f"function.environment.SWEEP_WINDOW_MINUTES: {shown} is not the period of the timer "
                         f"{timer.name!r} ({timer.schedule} = {timer.period_minutes} minutes): the sweep would "
                         "leave gaps or look twice")


@dataclass(frozen=True)
class Resolved:
    """A template with its references substituted and its function environment validated."""

    template: Template
    base_dir: Path
    environment: dict[str, str]  # the variables to set (those not null), substituted
    failure_topic_urn: str | None

    @property
    def package_path(self) -> Path:
        return (self.base_dir / self.template.function.code.path).resolve()

    def user_data(self) -> str:
        """The function's ``user_data``: its environment as a JSON object string."""
        return json.dumps(self.environment, sort_keys=True, separators=(",", ":"))


def load_template(path: str | Path = DEFAULT_TEMPLATE) -> Template:
    """Read and validate ``template.yaml`` (references are checked for form only; see :func:`resolve`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TemplateError(f"{path}: cannot read the template: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise TemplateError(f"{path}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    return parse_template(data, source=str(path))


def parse_template(data: Any, source: str = "template") -> Template:
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        return Template.model_validate(data)
    except ValidationError as error:
        raise TemplateError(describe(error, source)) from None


def resolve(template: Template, environ: Mapping[str, str], base_dir: str | Path = ROOT) -> Resolved:
    """Substitute ``${NAME}`` references from ``environ``; validate the result as the function would."""
    problems: list[str] = []

    def substitute(value: str, where: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match["name"]
            if not environ.get(name):
                problems.append(f"{where}: ${{{name}}} is not set in the environment")
                return ""
            return environ[name]

        return REFERENCE.sub(one, value)

    environment = {
        name: substitute(value, f"function.environment.{name}")
        for name, value in template.function.environment.items() if value is not None
    }
    destination = template.function.async_invocation.on_failure
    failure_urn = substitute(destination.topic_urn, "function.async_invocation.on_failure.topic_urn") \
        if destination else None
    if problems:
        raise TemplateError("\n".join(problems))
    if failure_urn is not None and not TOPIC_URN_RE.fullmatch(failure_urn):
        problems.append(f"function.async_invocation.on_failure.topic_urn: {failure_urn!r} is not "
                        "urn:smn:<region>:<project_id>:<topic_name>")
    problems.extend(_function_settings(environment))
    try:
        check_window(environment.get("SWEEP_WINDOW_MINUTES"), template.timer)
    except ValueError as error:
        problems.append(str(error))
    size = len(json.dumps(environment, separators=(",", ":")).encode("utf-8"))
    if size > MAX_USER_DATA_BYTES or len(environment) > MAX_USER_DATA_ENTRIES:
        problems.append(f"function.environment: {len(environment)} variables, {size} bytes: FunctionGraph takes "
                        f"at most {MAX_USER_DATA_ENTRIES} variables and {MAX_USER_DATA_BYTES} bytes")
    if problems:
        raise TemplateError("\n".join(problems))
    return Resolved(template, Path(base_dir), environment, failure_urn)


@dataclass(frozen=True)
class ResolvedSubscription:
    protocol: str
    endpoint: str
    extension: dict[str, str] = field(default_factory=dict, repr=False)  # may hold secrets: never shown


@dataclass(frozen=True)
class ResolvedTopic:
    name: str
    display_name: str
    subscriptions: tuple[ResolvedSubscription, ...]

    def urn(self, region: str, project_id: str) -> str:
        return f"urn:smn:{region}:{project_id}:{self.name}"


def resolve_topics(template: Template, environ: Mapping[str, str]) -> tuple[ResolvedTopic, ...]:
    """The template's topics with their subscriptions' ``${NAME}`` references substituted and checked."""
    problems: list[str] = []
    topics = []
    for number, topic in enumerate(template.topics):
        subscriptions = []
        for index, subscription in enumerate(topic.subscriptions):
            where = f"topics[{number}].subscriptions[{index}]"
            endpoint = _substitute(subscription.endpoint, environ, f"{where}.endpoint", problems)
            extension = {key: _substitute(value, environ, f"{where}.extension.{key}", problems)
                         for key, value in subscription.extension.items()}
            if endpoint and has_references(subscription.endpoint):
                try:
                    check_endpoint(subscription.protocol, endpoint)
                except ValueError as error:
                    problems.append(f"{where}.{error}")
            subscriptions.append(ResolvedSubscription(subscription.protocol, normalized_endpoint(endpoint), extension))
        seen = [(s.protocol, s.endpoint) for s in subscriptions]
        if len(set(seen)) != len(seen):
            problems.append(f"topics[{number}].subscriptions: a protocol and endpoint is listed twice once resolved")
        topics.append(ResolvedTopic(topic.name, topic.display_name, tuple(subscriptions)))
    if problems:
        raise TemplateError("\n".join(problems))
    return tuple(topics)


def _substitute(value: str, environ: Mapping[str, str], where: str, problems: list[str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match["name"]
        if not environ.get(name, "").strip():
            problems.append(f"{where}: ${{{name}}} is not set in the environment")
            return ""
        return environ[name].strip()

    return REFERENCE.sub(one, value)


def _function_settings(environment: Mapping[str, str]) -> list[str]:
    """Problems the function's own configuration model (postcheck.config) finds in the environment."""
    values: dict[str, Any] = {name: value.strip() for name, value in environment.items() if value.strip()}
    problems = []
    if "DRY_RUN" in values:
        word = values["DRY_RUN"].lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            problems.append(f"function.environment.DRY_RUN: expected true or false, got {environment['DRY_RUN']!r}")
        values["DRY_RUN"] = word in TRUE_WORDS
    if "REGION" not in values:
        match = TOPIC_URN_RE.fullmatch(values.get("SMN_TOPIC_URN", ""))
        if match:
            values["REGION"] = match["region"]
    try:
        Settings.model_validate(values)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            name = ".".join(str(part) for part in item["loc"])
            message = str(item["msg"]).removeprefix("Value error, ")
            # a check across variables (TOPIC_ROUTES against SMN_TOPIC_URN) names its variable in its message
            problems.append(f"function.environment.{name}: {message}" if name else f"function.environment.{message}")
    return problems


def describe(error: ValidationError, source: str = "template") -> str:
    """One line per problem, naming the field: ``function.memory_mb: expected one of ...``."""
    lines = []
    for item in error.errors(include_url=False):
        where = _location(item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        shown = item.get("input")
        got = f" (got {shown!r})" if isinstance(shown, str | int | float) and len(repr(shown)) <= 80 \
            and item["type"] not in ("missing", "value_error") else ""
        lines.append(f"{where}: {message}{got}" if where else f"{source}: {message}")
    return "\n".join(lines)


def _location(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("CTS", "TIMER") and text.endswith("]"):
            text += f"({part})"
        else:
            text += f".{part}" if text else str(part)
    return text


__all__ = [
    "DEFAULT_TEMPLATE", "CtsTrigger", "Policy", "Resolved", "ResolvedSubscription", "ResolvedTopic", "Subscription",
    "Template", "TemplateError", "TimerTrigger", "Topic", "load_template", "parse_template", "resolve",
    "resolve_topics",
]
