"""``TOPIC_ROUTES`` as the README's "Configuration" and docs/operations.md, "Which topic", document it. Pure: no
stand-in. (Deploy's check that the agency's policy covers every topic named is tests/tooling/test_routes_policy.py.)

- A JSON object, in order, from a cluster name pattern (glob) or a cluster ID to a topic URN
  ``urn:smn:<region>:<project_id>:<topic>``; the first entry that matches decides; ``SMN_TOPIC_URN`` otherwise.
- Validated at start: a ``ConfigurationError`` naming ``TOPIC_ROUTES`` and the entry; at most 4,096 bytes
  (FunctionGraph: 4 KB of environment variables in all) and 64 entries; every topic in SMN_TOPIC_URN's region.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from postcheck.config import ConfigurationError, load_settings

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
OTHER = "f" * 32
DEFAULT = f"urn:smn:cn-north-4:{PROJECT}:cce-upgrades"
TEAM_A = f"urn:smn:cn-north-4:{PROJECT}:team-a"
TEAM_B = f"urn:smn:cn-north-4:{OTHER}:team-b"
ID_A = "8978deaa-1743-11ee-8e46-0255ac10004c"
ENV = {"REGION": "cn-north-4", "PROJECT_ID": PROJECT}


class Context:
    def __init__(self, **user_data: str) -> None:
        self.user_data = user_data

    def getUserData(self, name: str) -> str | None:  # FunctionGraph's name for it
        return self.user_data.get(name)


def settings(routes: Any, **more: str):
    text = routes if isinstance(routes, str) else json.dumps(routes)
    return load_settings(Context(SMN_TOPIC_URN=DEFAULT, TOPIC_ROUTES=text, **more))


def refused(routes: Any) -> str:
    with pytest.raises(ConfigurationError) as raised:
        settings(routes)
    message = str(raised.value)
    assert message.startswith("TOPIC_ROUTES: ")
    assert len(message.encode()) < 1024  # a rejection stays short (issue 7)
    return message


# -- routing -------------------------------------------------------------------------------------------------------


def test_without_routes_every_cluster_goes_to_the_default_topic():
    plain = load_settings(Context(SMN_TOPIC_URN=DEFAULT))
    assert plain.topic_routes == ()
    assert plain.topic_for(ID_A, "team-a-prod") == DEFAULT
    assert plain.topic_urns == (DEFAULT,)


def test_the_first_matching_entry_decides_and_the_default_takes_the_rest():
    routed = settings({"team-a-*": TEAM_A, ID_A: TEAM_B, "team-*": TEAM_B})

    assert routed.topic_for(ID_A, "team-a-prod") == TEAM_A  # the pattern comes first
    assert routed.topic_for(ID_A, "other") == TEAM_B  # by ID
    assert routed.topic_for("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "team-b-dev") == TEAM_B
    assert routed.topic_for("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "prod") == DEFAULT
    assert routed.topic_for(None, None) == DEFAULT
    assert routed.topic_urns == (DEFAULT, TEAM_A, TEAM_B)


@pytest.mark.parametrize(("pattern", "name", "matches"), [
    ("team-a-*", "team-a-prod", True), ("team-a-*", "team-ab", False), ("team-?-prod", "team-b-prod", True),
    ("team-[ab]-*", "team-c-x", False), ("team-[!a]-*", "team-c-x", True), ("prod", "prod-east", False),
])
def test_a_pattern_is_a_glob_on_the_whole_name(pattern, name, matches):
    assert (settings({pattern: TEAM_A}).topic_for(None, name) == TEAM_A) is matches


def test_a_cluster_id_key_matches_the_id_in_any_case_and_never_a_name():
    routed = settings({ID_A.upper(): TEAM_A})
    assert routed.topic_for(ID_A, None) == TEAM_A
    assert routed.topic_for(ID_A.upper(), None) == TEAM_A
    assert routed.topic_for(None, ID_A) == DEFAULT


def test_a_routed_topic_may_be_in_another_project_of_the_region():
    assert settings({"*": TEAM_B}).topic_for(None, "x") == TEAM_B


# -- refused at start, naming the entry ------------------------------------------------------------------------------


@pytest.mark.parametrize(("routes", "names"), [
    ("{not json", "JSON object"),
    ('"team-a-*"', "JSON object"),
    ("[]", "JSON object"),
    ({"team-a-*": "urn:smn:cn-north-4:short:x"}, '"team-a-*"'),
    ({"team-a-*": 7}, '"team-a-*"'),
    ({"team a": TEAM_A}, '"team a"'),
    # CCE's names are lower-case letters, digits and "-": these could never match one
    ({"Team-A-*": TEAM_A}, '"Team-A-*"'),
    ({"team_a_*": TEAM_A}, '"team_a_*"'),  # the cluster_name attribute's spelling, not the name's
    ({"team.a.*": TEAM_A}, '"team.a.*"'),
    ({"": TEAM_A}, '""'),
    ({"x" * 129: TEAM_A}, '"xxxx'),
    ({"team-a-*": TEAM_A.replace("cn-north-4", "cn-east-3")}, "cn-east-3"),
    ({f"t{i}": f"urn:smn:a-b:{PROJECT}:t" for i in range(65)}, "65 entries, at most 64"),
    ({f"team-{i:04d}-*": TEAM_A for i in range(80)}, "longer than 4096 bytes"),
])
def test_an_invalid_value_is_refused_naming_the_variable_and_the_entry(routes, names):
    assert names in refused(routes)


def test_an_id_without_hyphens_as_the_attribute_carries_it_routes_that_cluster():
    bare = ID_A.replace("-", "")
    for key in (bare, bare.upper()):
        assert settings({key: TEAM_A}).topic_for(ID_A, "whatever") == TEAM_A
    assert "twice" in refused(f'{{"{ID_A}": "{TEAM_A}", "{bare}": "{TEAM_B}"}}')


def test_an_entry_given_twice_is_refused():
    assert "twice" in refused(f'{{"a-*": "{TEAM_A}", "a-*": "{TEAM_B}"}}')
    assert "twice" in refused(f'{{"{ID_A}": "{TEAM_A}", "{ID_A.upper()}": "{TEAM_B}"}}')
