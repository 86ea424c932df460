"""What a configuration error says about the value it refuses (README, "Configuration"; issue 7: every message
bounded): a short wrong value is quoted after the explanation, a value too long to quote is left out and nothing
stands in for it. Pure: a plain context, no stand-in."""

from __future__ import annotations

import json

import pytest

from postcheck.config import ConfigurationError, load_settings

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TOPIC = f"urn:smn:cn-north-4:{PROJECT}:cce-upgrades"


class Context:
    def __init__(self, user_data: dict[str, str]) -> None:
        self.user_data = user_data

    def getUserData(self, key: str, default: str | None = None) -> str | None:
        return self.user_data.get(key, default)


pytestmark = pytest.mark.usefixtures("no_configuration_in_the_environment")


def refused(**variables: str) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(Context(variables))
    message = str(caught.value)
    assert len(message.encode()) < 1024
    return message


@pytest.mark.parametrize(("name", "short", "long"), [
    ("REGION", "north", "north" * 2_000),
    ("SMN_TOPIC_URN", "urn:x", "urn:" + "x" * 60_000),
    ("HEALTH_GATE", "warn", "warn" * 1_000),
])
def test_a_value_too_long_to_quote_is_left_out_and_the_explanation_kept(name, short, long):
    variables = {"SMN_TOPIC_URN": TOPIC, "REGION": "cn-north-4"}

    quoted = refused(**{**variables, name: short})
    unquoted = refused(**{**variables, name: long})

    assert quoted.startswith(f"{name}: ") and quoted.endswith(f", got {short!r}")
    explanation = quoted.removesuffix(f", got {short!r}")
    assert unquoted == explanation  # the same words, without the value and with nothing in its place


def test_routes_of_64_entries_are_read_and_65_refused():
    # docs/operations.md, TOPIC_ROUTES: at most 64 entries and 4,096 bytes
    from postcheck.config import parse_topic_routes

    def routes(count: int) -> str:
        short = f"urn:smn:cn-north-4:{PROJECT}:t"
        return json.dumps({f"{i}": short for i in range(count)}, separators=(",", ":"))

    assert len(routes(65).encode()) <= 4096
    assert len(parse_topic_routes(routes(64))) == 64
    with pytest.raises(ValueError, match="65 entries"):
        parse_topic_routes(routes(65))


def test_a_route_to_something_that_is_no_topic_urn_quotes_it():
    from postcheck.config import parse_topic_routes

    with pytest.raises(ValueError) as caught:
        parse_topic_routes(json.dumps({"prod-*": "arn:aws:sns:topic"}))
    assert '"prod-*"' in str(caught.value) and '"arn:aws:sns:topic"' in str(caught.value)
