"""Configuration and credentials, as the README's "Configuration" section documents them. Pure: a plain context
object, no stand-in, no SDK call. (The endpoint rules have their own tests: tests/integration/test_endpoint_config.py.)

- Variables are read through ``context.getUserData(name)``, else ``os.environ``.
- ``SMN_TOPIC_URN`` (required) is ``urn:smn:<region>:<project_id>:<topic>``; ``REGION`` defaults to its region.
- ``DRY_RUN`` is ``true``/``false``, default ``false``; ``CLUSTER_IDS`` comma-separated cluster IDs, default all;
  ``MAX_CONCURRENCY`` 1-64, default 8; ``SWEEP_WINDOW_MINUTES`` default 60; ``MANUAL_WAIT_SECONDS`` 0-80, default
  60; ``HEALTH_GATE`` ``block`` (default), ``report`` or ``off``; ``HEALTH_WAIT_SECONDS`` 0-3600, default 300;
  ``NOTIFY_STARTED`` ``true`` (default)/``false``.
- Credentials: the agency's temporary keys from the context (``getSecurityAccessKey``, ``getSecuritySecretKey``,
  ``getSecurityToken``), the project from ``getProjectID()``, else ``RUNTIME_PROJECT_ID``; without keys nothing
  may be called. The keys never appear in logs, results or exceptions.
- A configuration error names the variable and what was expected; its message stays short (issue 7: a
  rejection message is under 1 KiB).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from postcheck.config import (
    ConfigurationError,
    Credentials,
    load_credentials,
    load_settings,
    parse_topic_routes,
    read_variable,
    topic_project,
    topic_region,
)

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TOPIC = f"urn:smn:cn-north-4:{PROJECT}:cce-upgrades"
ID_A = "8978deaa-1743-11ee-8e46-0255ac10004c"
ID_B = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
AK, SK, TOKEN = "AKIDEXAMPLE0000000001", "sk-example-secret-0000000001", "token-example-0000000001"


class Context:
    """The FunctionGraph context methods the function uses, answering from dicts."""

    def __init__(self, user_data: dict[str, Any] | None = None, ak: Any = AK, sk: Any = SK, token: Any = TOKEN,
                 project: Any = PROJECT) -> None:
        self.user_data = user_data or {}
        self.answers = {"getSecurityAccessKey": ak, "getSecuritySecretKey": sk, "getSecurityToken": token,
                        "getProjectID": project}

    def getUserData(self, key: str, default: str | None = None) -> Any:
        return self.user_data.get(key, default)

    def getSecurityAccessKey(self) -> Any:
        return self._answer("getSecurityAccessKey")

    def getSecuritySecretKey(self) -> Any:
        return self._answer("getSecuritySecretKey")

    def getSecurityToken(self) -> Any:
        return self._answer("getSecurityToken")

    def getProjectID(self) -> Any:
        return self._answer("getProjectID")

    def _answer(self, name: str) -> Any:
        value = self.answers[name]
        if isinstance(value, BaseException):
            raise value
        return value


class Broken:
    """A context whose getUserData fails."""

    def getUserData(self, key: str, default: str | None = None) -> str:
        raise RuntimeError("no user data here")


pytestmark = pytest.mark.usefixtures("no_configuration_in_the_environment")


def settings(**variables: str):
    return load_settings(Context({"SMN_TOPIC_URN": TOPIC, **variables}))


def refused(**variables: str) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(Context(variables))
    message = str(caught.value)
    assert len(message.encode()) < 1024
    assert "Value error" not in message  # the validator's own wording, not the operator's
    return message


# -- where the variables come from --------------------------------------------------------------------------------


def test_user_data_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("REGION", "ap-southeast-1")
    assert read_variable(Context({"REGION": "cn-north-4"}), "REGION") == "cn-north-4"
    assert settings(REGION="cn-south-1").region == "cn-south-1"


@pytest.mark.parametrize("context", [Context({}), Context({"REGION": ""}), Context({"REGION": None}),
                                     Context({"REGION": 4}), Broken(), object(), None])
def test_the_environment_answers_where_the_context_does_not(monkeypatch, context):
    monkeypatch.setenv("REGION", "ap-southeast-1")
    assert read_variable(context, "REGION") == "ap-southeast-1"


def test_a_variable_set_nowhere_is_absent():
    assert read_variable(Context({}), "REGION") is None
    assert read_variable(Broken(), "REGION") is None


def test_the_whole_configuration_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMN_TOPIC_URN", TOPIC)
    monkeypatch.setenv("MAX_CONCURRENCY", "3")
    loaded = load_settings(Broken())
    assert loaded.smn_topic_urn == TOPIC
    assert loaded.max_concurrency == 3


# -- SMN_TOPIC_URN and REGION -------------------------------------------------------------------------------------


@pytest.mark.parametrize("variables", [{}, {"SMN_TOPIC_URN": ""}, {"REGION": "cn-north-4"}])
def test_the_topic_is_required(variables):
    message = refused(**variables)
    assert message.startswith("SMN_TOPIC_URN")
    assert "urn:smn:<region>:<project_id>:<topic_name>" in message  # says what to set


def test_the_topic_names_the_region_and_project_smn_is_called_in():
    loaded = settings()
    assert loaded.smn_topic_urn == TOPIC
    assert loaded.topic_region == "cn-north-4"
    assert loaded.topic_project == PROJECT


def test_the_region_defaults_to_the_topics():
    assert settings().region == "cn-north-4"
    assert load_settings(Context({"SMN_TOPIC_URN": f"urn:smn:ap-southeast-3:{PROJECT}:t"})).region == "ap-southeast-3"


def test_a_region_of_its_own_is_kept_and_the_topic_still_decides_smns():
    loaded = settings(REGION="cn-south-1")
    assert loaded.region == "cn-south-1"
    assert loaded.topic_region == "cn-north-4"


def test_blanks_around_values_are_not_part_of_them():
    loaded = load_settings(Context({"SMN_TOPIC_URN": f"  {TOPIC}\n", "REGION": " cn-south-1 "}))
    assert loaded.smn_topic_urn == TOPIC
    assert loaded.region == "cn-south-1"
    assert load_settings(Context({"SMN_TOPIC_URN": f" {TOPIC} "})).region == "cn-north-4"


@pytest.mark.parametrize("urn", [
    "urn:smn:cn-north-4:cce-upgrades",  # no project
    f"urn:smn:cn-north-4:{PROJECT}",  # no topic
    f"urn:sns:cn-north-4:{PROJECT}:t",
    f"arn:smn:cn-north-4:{PROJECT}:t",
    f"urn:smn:CN-NORTH-4:{PROJECT}:t",
    f"urn:smn:cn-north-4:{PROJECT[:-1]}:t",
    f"urn:smn:cn-north-4:{PROJECT}:t:extra",
    f"urn:smn:cn-north-4:{PROJECT}:-t",
    f"urn:smn:cn-north-4:{PROJECT}:t\nREGION=x",
    "cce-upgrades",
])
def test_a_malformed_topic_is_refused_naming_the_variable_and_the_value(urn):
    message = refused(SMN_TOPIC_URN=urn, REGION="cn-north-4")
    assert "SMN_TOPIC_URN" in message
    assert "urn:smn:<region>:<project_id>:<topic_name>" in message
    assert repr(urn.strip()) in message


def test_a_malformed_topic_without_a_region_names_both():
    message = refused(SMN_TOPIC_URN="cce-upgrades")
    assert "SMN_TOPIC_URN" in message and "REGION" in message


@pytest.mark.parametrize("region", ["cn_north_4", "CN-North-4", "north", "cn-north-4/../x", "-cn"])
def test_a_malformed_region_is_refused(region):
    message = refused(SMN_TOPIC_URN=TOPIC, REGION=region)
    assert message.startswith("REGION")
    assert "region ID" in message and "cn-north-4" in message
    assert repr(region) in message


def test_a_huge_value_is_not_echoed_back():
    message = refused(SMN_TOPIC_URN="urn:" + "x" * 60_000, REGION="cn-north-4")
    assert "SMN_TOPIC_URN" in message
    assert "xxxxxxxxxx" not in message


def test_every_wrong_variable_is_named_at_once():
    message = refused(SMN_TOPIC_URN=TOPIC, REGION="north", MAX_CONCURRENCY="0", SWEEP_WINDOW_MINUTES="soon")
    for name in ("REGION", "MAX_CONCURRENCY", "SWEEP_WINDOW_MINUTES"):
        assert name in message
    assert "'north'" in message and "'0'" in message and "'soon'" in message
    for part in re.split(r";\s*", message):  # one error after another, each naming its variable first
        assert re.match(r"(REGION|MAX_CONCURRENCY|SWEEP_WINDOW_MINUTES)\b", part), part


# -- DRY_RUN ------------------------------------------------------------------------------------------------------


def test_dry_run_is_off_by_default():
    assert settings().dry_run is False
    assert settings(DRY_RUN="").dry_run is False


@pytest.mark.parametrize("word, expected", [("true", True), ("false", False), ("TRUE", True), ("False", False),
                                            (" true ", True)])
def test_dry_run_reads_true_and_false(word, expected):
    assert settings(DRY_RUN=word).dry_run is expected


@pytest.mark.parametrize("word", ["maybe", "truee", "t", "2", "-1", "enabled"])
def test_dry_run_refuses_other_words(word):
    message = refused(SMN_TOPIC_URN=TOPIC, DRY_RUN=word)
    assert message.startswith("DRY_RUN")
    assert "true or false" in message
    assert repr(word) in message


# -- NOTIFY_STARTED, the waits and the health gate ---------------------------------------------------------------


def test_the_documented_defaults():
    loaded = settings()
    assert loaded.notify_started is True
    assert loaded.manual_wait_seconds == 60
    assert loaded.health_gate == "block"
    assert loaded.health_wait_seconds == 300


@pytest.mark.parametrize("word, expected", [("true", True), ("false", False), ("", True), ("  ", True)])
def test_notify_started_reads_true_and_false_and_defaults_to_true(word, expected):
    assert settings(NOTIFY_STARTED=word).notify_started is expected


def test_notify_started_refuses_other_words():
    message = refused(SMN_TOPIC_URN=TOPIC, NOTIFY_STARTED="sometimes")
    assert message.startswith("NOTIFY_STARTED")
    assert "true or false" in message and "'sometimes'" in message


def test_each_flag_is_read_on_its_own():
    loaded = settings(DRY_RUN="true", NOTIFY_STARTED="false")
    assert (loaded.dry_run, loaded.notify_started) == (True, False)
    loaded = settings(DRY_RUN="false", NOTIFY_STARTED="true")
    assert (loaded.dry_run, loaded.notify_started) == (False, True)


@pytest.mark.parametrize("gate", ["block", "report", "off"])
def test_the_three_health_gates(gate):
    assert settings(HEALTH_GATE=gate).health_gate == gate


@pytest.mark.parametrize("gate", ["warn", "BLOCKED", "true"])
def test_another_health_gate_is_refused(gate):
    message = refused(SMN_TOPIC_URN=TOPIC, HEALTH_GATE=gate)
    assert message.startswith("HEALTH_GATE")
    assert repr(gate) in message


@pytest.mark.parametrize("name, low, high", [("MANUAL_WAIT_SECONDS", 0, 80), ("HEALTH_WAIT_SECONDS", 0, 3600)])
def test_the_waits_within_their_documented_ranges(name, low, high):
    field = name.lower()
    assert getattr(settings(**{name: str(low)}), field) == low
    assert getattr(settings(**{name: str(high)}), field) == high
    for outside in (low - 1, high + 1):
        assert refused(SMN_TOPIC_URN=TOPIC, **{name: str(outside)}).startswith(name)


# -- the sweep ----------------------------------------------------------------------------------------------------


def test_the_sweep_defaults_cover_every_cluster_eight_at_a_time_each_hour():
    loaded = settings()
    assert loaded.cluster_ids == ()
    assert loaded.max_concurrency == 8
    assert loaded.sweep_window_minutes == 60


@pytest.mark.parametrize("written", [f"{ID_A},{ID_B}", f" {ID_A} , {ID_B} ", f"{ID_A},,{ID_B},",
                                     f"{ID_A.upper()},{ID_B}"])
def test_cluster_ids_are_comma_separated(written):
    assert settings(CLUSTER_IDS=written).cluster_ids == (ID_A, ID_B)


def test_one_cluster_id_is_a_list_of_one():
    assert settings(CLUSTER_IDS=ID_A).cluster_ids == (ID_A,)


@pytest.mark.parametrize("written", ["", " ", ","])
def test_no_cluster_ids_means_every_cluster(written):
    assert settings(CLUSTER_IDS=written).cluster_ids == ()


def test_a_malformed_cluster_id_is_refused():
    message = refused(SMN_TOPIC_URN=TOPIC, CLUSTER_IDS=f"{ID_A},prod-cluster")
    assert re.match(r"CLUSTER_IDS\b", message)
    assert "CCE ID" in message
    assert "'prod-cluster'" in message


@pytest.mark.parametrize("value", ["1", "8", "64"])
def test_max_concurrency_from_1_to_64(value):
    assert settings(MAX_CONCURRENCY=value).max_concurrency == int(value)


@pytest.mark.parametrize("value", ["0", "65", "-1", "eight", "1.5"])
def test_max_concurrency_outside_1_to_64_is_refused(value):
    message = refused(SMN_TOPIC_URN=TOPIC, MAX_CONCURRENCY=value)
    assert message.startswith("MAX_CONCURRENCY")
    assert repr(value) in message


def test_the_sweep_window_is_a_positive_number_of_minutes():
    assert settings(SWEEP_WINDOW_MINUTES="1").sweep_window_minutes == 1
    assert settings(SWEEP_WINDOW_MINUTES="15").sweep_window_minutes == 15
    assert refused(SMN_TOPIC_URN=TOPIC, SWEEP_WINDOW_MINUTES="0").startswith("SWEEP_WINDOW_MINUTES")


def test_an_unknown_variable_is_not_configuration(monkeypatch):
    monkeypatch.setenv("MAX_RETRIES", "nonsense")
    assert settings(MAX_RETRIES="nonsense").max_concurrency == 8


def test_the_same_variables_give_equal_settings_and_different_ones_do_not():
    assert settings(MAX_CONCURRENCY="3") == settings(MAX_CONCURRENCY="3")
    assert settings(MAX_CONCURRENCY="3") != settings(MAX_CONCURRENCY="4")


# -- credentials --------------------------------------------------------------------------------------------------


def test_the_agencys_keys_and_the_project_come_from_the_context():
    credentials = load_credentials(Context())
    assert (credentials.access_key, credentials.secret_key, credentials.security_token) == (AK, SK, TOKEN)
    assert credentials.project_id == PROJECT
    assert set(credentials.secrets) == {AK, SK, TOKEN}


def test_blanks_around_the_keys_are_not_part_of_them():
    credentials = load_credentials(Context(ak=f" {AK} ", sk=f"{SK}\n", token=f"\t{TOKEN}", project=f" {PROJECT} "))
    assert (credentials.access_key, credentials.secret_key, credentials.security_token) == (AK, SK, TOKEN)
    assert credentials.project_id == PROJECT


@pytest.mark.parametrize("token", [None, "", "   ", RuntimeError("no token")])
def test_the_security_token_may_be_absent(token):
    credentials = load_credentials(Context(token=token))
    assert credentials.security_token is None
    assert credentials.secrets == (AK, SK)


@pytest.mark.parametrize("missing", [None, "", "  ", 42, RuntimeError("no key")])
@pytest.mark.parametrize("which", ["ak", "sk"])
def test_without_both_keys_nothing_can_be_called(which, missing):
    with pytest.raises(ConfigurationError) as caught:
        load_credentials(Context(**{which: missing}))
    message = str(caught.value)
    assert message.startswith("credentials")
    assert "agency" in message
    assert "CCE" in message and "SMN" in message  # the services the agency needs permissions for
    for secret in (AK, SK, TOKEN):
        assert secret not in message


def test_a_context_without_the_methods_has_no_credentials():
    with pytest.raises(ConfigurationError, match=r"^credentials"):
        load_credentials(object())


def test_the_project_falls_back_to_runtime_project_id(monkeypatch):
    monkeypatch.setenv("RUNTIME_PROJECT_ID", PROJECT)
    for project in (None, "", RuntimeError("no project")):
        assert load_credentials(Context(project=project)).project_id == PROJECT


def test_the_contexts_project_wins_over_runtime_project_id(monkeypatch):
    monkeypatch.setenv("RUNTIME_PROJECT_ID", "f" * 32)
    assert load_credentials(Context()).project_id == PROJECT


def test_no_project_is_refused_saying_so():
    with pytest.raises(ConfigurationError) as caught:
        load_credentials(Context(project=None))
    message = str(caught.value)
    assert message.startswith("project")
    assert "got nothing" in message
    assert "getProjectID()" in message and "RUNTIME_PROJECT_ID" in message  # where it was looked for


@pytest.mark.parametrize("project", ["0a1b2c3d", PROJECT.upper(), PROJECT + "0", "cn-north-4", PROJECT[:-1] + "g"])
def test_a_malformed_project_is_refused_without_echoing_it(project):
    with pytest.raises(ConfigurationError) as caught:
        load_credentials(Context(project=project))
    message = str(caught.value)
    assert message.startswith("project")
    assert "32-hex-digit" in message
    assert "malformed" in message
    assert project not in message


def test_credentials_never_show_the_keys():
    credentials = load_credentials(Context())
    for text in (repr(credentials), str(credentials)):
        for secret in (AK, SK, TOKEN):
            assert secret not in text
        assert PROJECT in text


def test_short_or_empty_values_are_not_secrets_to_mask():
    assert Credentials(AK, SK, None, PROJECT).secrets == (AK, SK)
    assert Credentials(AK, SK, "", PROJECT).secrets == (AK, SK)


# -- TOPIC_ROUTES -------------------------------------------------------------------------------------------------
# A JSON object, in order, from a cluster name pattern (a glob: * ? [...]) or a cluster ID to a topic URN; the first
# entry that matches a cluster decides, SMN_TOPIC_URN takes the rest. FunctionGraph takes 4 KB of environment
# variables in all (../shared/reference/platform-facts.md), so the value is at most 4,096 bytes. A routed topic must
# be in SMN_TOPIC_URN's region (SMN is reached at one endpoint), its project may differ.

OTHER_PROJECT = "f" * 32
PROD = f"urn:smn:cn-north-4:{PROJECT}:prod-owners"
TEAM = f"urn:smn:cn-north-4:{OTHER_PROJECT}:team-b"


def routed(routes: Any) -> Any:
    return settings(TOPIC_ROUTES=json.dumps(routes) if not isinstance(routes, str) else routes)


def test_no_routes_send_everything_to_smn_topic_urn():
    loaded = settings()
    assert loaded.topic_routes == ()
    assert loaded.topic_for(ID_A, "prod-east") == TOPIC
    assert loaded.topic_urns == (TOPIC,)
    assert settings(TOPIC_ROUTES="").topic_routes == ()


def test_the_first_matching_entry_decides_and_the_rest_go_to_smn_topic_urn():
    loaded = routed({"prod-*": PROD, "*-east": TEAM, ID_B: TEAM})
    assert loaded.topic_routes == (("prod-*", PROD), ("*-east", TEAM), (ID_B, TEAM))
    assert loaded.topic_for(ID_A, "prod-east") == PROD  # both patterns match: the first wins
    assert loaded.topic_for(ID_A, "test-east") == TEAM
    assert loaded.topic_for(ID_B, "test") == TEAM  # by ID
    assert loaded.topic_for(ID_A, "test") == TOPIC
    assert loaded.topic_for(ID_A, None) == TOPIC
    assert loaded.topic_for(None, "") == TOPIC
    reordered = routed({"*-east": TEAM, "prod-*": PROD})
    assert reordered.topic_for(ID_A, "prod-east") == TEAM


def test_an_id_entry_matches_the_id_in_any_case_and_never_a_name():
    loaded = routed({ID_A.upper(): PROD})
    assert loaded.topic_routes == ((ID_A, PROD),)  # read in CCE's lower case
    assert loaded.topic_for(ID_A, "prod") == PROD
    assert loaded.topic_for(ID_A.upper(), "prod") == PROD
    assert loaded.topic_for(ID_B, ID_A) == TOPIC  # a cluster named like the ID is not that cluster
    assert loaded.topic_for(None, ID_A) == TOPIC


def test_patterns_are_globs_matched_case_sensitively():
    loaded = routed({"db-?": PROD, "web-[ab]*": TEAM})
    assert loaded.topic_for(ID_A, "db-1") == PROD
    assert loaded.topic_for(ID_A, "db-12") == TOPIC
    assert loaded.topic_for(ID_A, "web-b2") == TEAM
    assert loaded.topic_for(ID_A, "web-c2") == TOPIC
    assert loaded.topic_for(ID_A, "DB-1") == TOPIC  # CCE names are lower case; a pattern means what it says
    assert routed({"prod": PROD}).topic_for(ID_A, "prod-east") == TOPIC  # no glob: the whole name


def test_every_topic_is_listed_once_smn_topic_urn_first():
    loaded = routed({"a*": PROD, "b*": TEAM, "c*": PROD, "d*": TOPIC})
    assert loaded.topic_urns == (TOPIC, PROD, TEAM)


@pytest.mark.parametrize("text", ["[]", '["prod-*"]', '"prod-*"', "42", "null", "{", "prod-*=urn", '[["a", "b"]]'])
def test_routes_that_are_not_a_json_object_are_refused(text):
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES=text)
    assert re.match(r"TOPIC_ROUTES\b", message)
    assert "JSON object" in message


def test_an_empty_object_is_no_routes():
    assert routed({}).topic_routes == ()


@pytest.mark.parametrize("key", ["prod east", "prod/east", "", "a" * 129, "prod-{a,b}", "名前", "prod\n"])
def test_a_key_that_is_neither_a_pattern_nor_an_id_is_refused_naming_it(key):
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES=json.dumps({"ok-*": PROD, key: TEAM}))
    assert re.match(r"TOPIC_ROUTES\b", message)
    assert json.dumps(key)[:40] in message
    assert "pattern" in message and "cluster ID" in message


@pytest.mark.parametrize("urn", [f"urn:smn:cn-north-4:{PROJECT}", "prod-owners", 42, None, ["x"]])
def test_a_value_that_is_not_a_topic_urn_is_refused_naming_the_entry(urn):
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES=json.dumps({"prod-*": urn}))
    assert re.match(r"TOPIC_ROUTES\b", message)
    assert '"prod-*"' in message
    assert "urn:smn:<region>:<project_id>:<topic_name>" in message
    assert json.dumps(urn) in message  # the value that is wrong


def test_an_entry_given_twice_is_refused():
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES=f'{{"prod-*": "{PROD}", "prod-*": "{TEAM}"}}')
    assert '"prod-*"' in message and "twice" in message
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES=json.dumps({ID_A: PROD, ID_A.upper(): TEAM}))
    assert "twice" in message


def test_a_topic_in_another_region_is_refused_and_another_project_is_not():
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES=json.dumps({"prod-*": f"urn:smn:cn-south-1:{PROJECT}:x"}))
    assert re.match(r"TOPIC_ROUTES\b", message)
    assert "cn-south-1" in message and "cn-north-4" in message
    assert routed({"prod-*": TEAM}).topic_for(ID_A, "prod-1") == TEAM


def test_routes_up_to_4096_bytes_are_read_and_longer_ones_refused():
    def text_of(size: int) -> str:
        base = json.dumps({"p-*": PROD, "x": TEAM})
        pad = size - len(base.encode())
        return json.dumps({"p-*": PROD, "x": TEAM}).replace('{"p', "{" + " " * pad + '"p')

    assert len(text_of(4096).encode()) == 4096
    assert routed(text_of(4096)).topic_routes == (("p-*", PROD), ("x", TEAM))
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES=text_of(4097))
    assert re.match(r"TOPIC_ROUTES\b", message)
    assert "4 KB" in message  # FunctionGraph's limit, which the bound comes from


def test_deeply_nested_routes_are_refused_not_crashed():
    message = refused(SMN_TOPIC_URN=TOPIC, TOPIC_ROUTES="[" * 2000 + "]" * 2000)
    assert re.match(r"TOPIC_ROUTES\b", message)


def test_the_routes_text_may_start_with_blanks():
    assert parse_topic_routes(f'\n  {{"prod-*": "{PROD}"}}') == (("prod-*", PROD),)


def test_an_id_may_be_written_without_hyphens_as_the_cluster_id_attribute_carries_it():
    loaded = routed({ID_A.replace("-", "").upper(): PROD})
    assert loaded.topic_routes == ((ID_A, PROD),)
    assert loaded.topic_for(ID_A, "any") == PROD


@pytest.mark.parametrize("urn", ["urn:smn:cn-north-4", "", "arn:aws:sns:us-east-1:123:topic"])
def test_the_region_and_project_of_something_that_is_no_topic_urn_are_an_error_naming_it(urn):
    for part in (topic_region, topic_project):
        with pytest.raises(ValueError, match="topic URN") as caught:
            part(urn)
        assert repr(urn) in str(caught.value)


def test_the_region_and_project_of_a_topic_urn():
    assert topic_region(TEAM) == "cn-north-4"
    assert topic_project(TEAM) == OTHER_PROJECT


# -- CCE_ENDPOINT and SMN_ENDPOINT: a base URL with a valid port (1-65535); the https-only rule is in
# tests/integration/test_endpoint_config.py -------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["1", "443", "8443", "65535"])
def test_an_endpoint_may_name_any_valid_port(port):
    url = f"https://cce.cn-north-4.myhuaweicloud.com:{port}"
    assert settings(CCE_ENDPOINT=url).cce_endpoint == url


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_an_endpoint_with_an_impossible_port_is_refused(port):
    message = refused(SMN_TOPIC_URN=TOPIC, SMN_ENDPOINT=f"https://smn.cn-north-4.myhuaweicloud.com:{port}")
    assert re.match(r"SMN_ENDPOINT\b", message)


@pytest.mark.parametrize("host", ["[1:2:3]", "[::1::]", "[12345::]", "[1.2.3.4]"])
def test_an_endpoint_whose_bracketed_host_is_no_ipv6_address_is_refused(host):
    assert refused(SMN_TOPIC_URN=TOPIC, CCE_ENDPOINT=f"https://{host}:8443").startswith("CCE_ENDPOINT")
