"""template.yaml's runtimes, topics and subscriptions against the schema (docs/deployment.md, "template.yaml, field by
field")."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import build
from scripts.deployment.template import TemplateError, load_template, parse_template, resolve_topics, shown_endpoint

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
# FunctionGraph's Python runtimes (../shared/reference/platform-facts.md, "FunctionGraph (Python)")
FUNCTIONGRAPH_PYTHON_RUNTIMES = ("Python2.7", "Python3.6", "Python3.9", "Python3.10", "Python3.12")


def raw() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(TemplateError) as error:
        parse_template(data)
    return str(error.value)


def with_runtime(runtime: str) -> dict[str, Any]:
    data = raw()
    data["function"]["runtime"] = runtime
    data["function"]["code"]["path"] = f"dist/cce-postcheck-{runtime}.zip"
    return data


def test_the_code_is_python_3_10_and_does_not_parse_as_3_9() -> None:
    sources = sorted((ROOT / "function").rglob("*.py"))
    refused = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        ast.parse(text, str(path), feature_version=(3, 10))
        try:
            ast.parse(text, str(path), feature_version=(3, 9))
        except SyntaxError:
            refused.append(path.name)
    assert refused, "nothing in function/ needs 3.10: then Python3.9 could be offered again"


@pytest.mark.parametrize("runtime", ["Python3.9", "Python3.6", "Python2.7"])
def test_a_runtime_older_than_the_code_is_refused_with_the_reason(runtime: str) -> None:
    message = problems(with_runtime(runtime))
    assert f"function.runtime: {runtime} cannot run this function: its code is Python 3.10" in message
    assert "use one of those" in message


@pytest.mark.parametrize("runtime", FUNCTIONGRAPH_PYTHON_RUNTIMES)
def test_a_runtime_is_accepted_exactly_when_the_code_runs_on_it_and_the_build_makes_its_package(runtime: str) -> None:
    version = tuple(int(part) for part in runtime.removeprefix("Python").split("."))
    supported = version >= (3, 10) and runtime in build.RUNTIMES
    if supported:
        assert parse_template(with_runtime(runtime)).function.runtime == runtime
    else:
        problems(with_runtime(runtime))


def test_the_template_subscribes_by_email_to_every_topic_from_the_environment() -> None:
    template = load_template(TEMPLATE)
    assert [topic.name for topic in template.topics] == ["cce-upgrades", "cce-postcheck-failures"]
    topics = resolve_topics(template, {"NOTIFY_EMAIL": "ops@example.com"})
    assert [[(s.protocol, s.endpoint) for s in t.subscriptions] for t in topics] == [[("email", "ops@example.com")]] * 2
    assert topics[0].urn("cn-north-4", "p" * 32) == f"urn:smn:cn-north-4:{'p' * 32}:cce-upgrades"


def _subscription(**fields: Any) -> dict[str, Any]:
    data = raw()
    data["topics"][0]["subscriptions"] = [fields]
    return data


@pytest.mark.parametrize(("fields", "expected"), [
    ({"protocol": "http", "endpoint": "http://example.com/hook"}, "protocol: Input should be"),
    ({"protocol": "email", "endpoint": "not-an-address"}, "expected an e-mail address"),
    ({"protocol": "sms", "endpoint": "call me"}, "expected a phone number"),
    ({"protocol": "https", "endpoint": "http://example.com"}, "expected an https:// URL"),
    ({"protocol": "wechat", "endpoint": "http://qyapi.weixin.qq.com/x"}, "expected the robot's https:// address"),
    ({"protocol": "https", "endpoint": "https://"}, "expected an https:// URL"),  # no host
    # a URL in any case is a URL (RFC 3986: the scheme is case-insensitive), never a DingTalk openConversationId
    ({"protocol": "dingding", "endpoint": "HTTP://oapi.dingtalk.com/robot/send"},
     "expected the robot's https:// address or an openConversationId"),
    ({"protocol": "welink", "endpoint": "12345"}, "a welink subscription needs client_id and client_secret"),
    ({"protocol": "welink", "endpoint": "group", "extension": {"client_id": "a", "client_secret": "b"}},
     "expected the WeLink group number"),
    ({"protocol": "email", "endpoint": "a@example.com", "extension": {"keyword": "x"}},
     "extension: keyword not taken by protocol email"),
    ({"protocol": "dingding", "endpoint": "https://oapi.dingtalk.com/robot/send", "extension": {"client_id": "x"}},
     "extension: client_id not taken by protocol dingding"),
])
def test_invalid_subscriptions_are_named(fields: dict[str, Any], expected: str) -> None:
    message = problems(_subscription(**fields))
    assert "topics[0].subscriptions[0]" in message and expected in message, message


def test_valid_chat_subscriptions() -> None:
    for fields in ({"protocol": "dingding", "endpoint": "cidXYZ=="},  # an enterprise robot's openConversationId
                   {"protocol": "feishu", "endpoint": "https://open.feishu.cn/hook", "extension": {"keyword": "k"}},
                   {"protocol": "welink", "endpoint": "${GROUP}",
                    "extension": {"client_id": "${ID}", "client_secret": "${SECRET}"}}):
        parse_template(_subscription(**fields))


def test_topics_and_subscriptions_are_not_listed_twice() -> None:
    data = raw()
    data["topics"].append(copy.deepcopy(data["topics"][0]))
    assert "topics: a topic name is listed twice" in problems(data)
    data = raw()
    data["topics"][0]["subscriptions"] *= 2
    assert "subscriptions: a protocol and endpoint is listed twice" in problems(data)
    data = raw()
    data["topics"] = []
    assert "topics: List should have at least 1 item" in problems(data)
    data = raw()
    data["topics"][0]["name"] = "-bad"
    assert "topics[0].name: String should match pattern" in problems(data)
    data = raw()
    data["topics"][0]["display_name"] = "x" * 193
    assert "topics[0].display_name: at most 192 bytes" in problems(data)


def test_references_in_subscriptions_are_resolved_and_checked() -> None:
    data = _subscription(protocol="sms", endpoint="${PHONE}")
    template = parse_template(data)
    assert resolve_topics(template, {"PHONE": " +8613800000000 ", "NOTIFY_EMAIL": "a@example.com"})[0] \
        .subscriptions[0].endpoint == "+8613800000000"
    with pytest.raises(TemplateError, match=r"topics\[0\].subscriptions\[0\].endpoint: \$\{PHONE\} is not set"):
        resolve_topics(template, {"NOTIFY_EMAIL": "a@example.com"})
    with pytest.raises(TemplateError, match=r"topics\[0\].subscriptions\[0\].endpoint: expected a phone number"):
        resolve_topics(template, {"PHONE": "nope", "NOTIFY_EMAIL": "a@example.com"})


def test_a_url_in_any_case_is_a_url_and_is_sent_with_a_lower_case_scheme() -> None:
    for protocol in ("https", "dingding", "feishu", "wechat"):
        parse_template(_subscription(protocol=protocol, endpoint="HTTPS://hooks.example.com/x?token=t"))
    template = parse_template(_subscription(protocol="dingding", endpoint="${ROBOT}"))
    resolved = resolve_topics(template, {"ROBOT": "Https://oapi.dingtalk.com/robot/send?access_token=T0k",
                                         "NOTIFY_EMAIL": "a@example.com"})
    # sent whole, the scheme as SMN documents it (an https:// address)
    assert resolved[0].subscriptions[0].endpoint == "https://oapi.dingtalk.com/robot/send?access_token=T0k"


@pytest.mark.parametrize(("endpoint", "shown"), [
    ("HTTPS://oapi.dingtalk.com/robot/send?access_token=SECRET", "https://oapi.dingtalk.com/..."),
    ("https://user:SECRET@hooks.example.com", "https://hooks.example.com/..."),
    ("https://user:SECRET@hooks.example.com/", "https://hooks.example.com/..."),
    ("https://hooks.example.com:8443/SECRET#SECRET", "https://hooks.example.com/..."),
    ("https://hooks.example.com?SECRET", "https://hooks.example.com/..."),
    ("https://hooks.example.com", "https://hooks.example.com"),
    ("https://hooks.example.com/", "https://hooks.example.com"),
    ("https://[SECRET/x", "<a URL deploy cannot read>"),
    ("ops@example.com", "ops@example.com"),
    ("+8613800000000", "+8613800000000"),
])
def test_an_endpoint_is_shown_as_scheme_and_host_only(endpoint: str, shown: str) -> None:
    assert shown_endpoint(endpoint) == shown
    assert "SECRET" not in shown_endpoint(endpoint)


def test_the_description_leaves_room_for_deploys_mark() -> None:
    # FunctionGraph keeps 512 characters of a description; deploy appends "; managed by cce-postcheck-deploy for
    # function <name>" (docs/deployment.md, "What is deploy's")
    mark = f"; managed by cce-postcheck-deploy for function {raw()['function']['name']}"
    data = raw()
    data["function"]["description"] = "d" * (512 - len(mark))
    parse_template(data)
    data["function"]["description"] += "d"
    assert f"function: description: at most {512 - len(mark)} characters" in problems(data)
