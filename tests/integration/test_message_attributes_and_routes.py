"""Issue 10 over real HTTP: the handler drives the official SDK against the stand-in, which checks every publish
as SMN documents it (scripts/standin/smn_rules.py).

- Every publish carries ``message_attributes`` (SMN PublishMessage, https://support.huaweicloud.com/api-smn/
  PublishMessage.html): ``cluster_id`` (the ID's 32 hex digits), ``cluster_name`` (other characters turned to
  ``_``, at most 32), ``kind``, ``outcome``, ``phase`` (absent when there is none), each ``STRING``.
- Every publish carries the four chat entries, which the stand-in accepts only in the documented/assumed form.
- ``TOPIC_ROUTES`` sends a cluster's messages to the first topic whose name pattern or cluster ID matches it,
  else to ``SMN_TOPIC_URN``; SMN is called in each topic's own project; an invalid value is refused at start,
  naming the variable; a result kept for redelivery is republished to its routed topic.
- The stand-in refuses what SMN refuses: an attribute that breaks SMN's rules, a chat entry not in the form.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdksmn.v2 import MessageAttribute, PublishMessageRequest, PublishMessageRequestBody, SmnClient

from postcheck import errors, sdk
from postcheck.config import Credentials
from postcheck.deadline import Deadline
from postcheck.notification import Message
from postcheck.smn import Smn
from tests.support import CLUSTER, DEMO, TOPIC, event, operations

PROJECT = DEMO["project_id"]
TEAM_A = TOPIC.replace("cce-upgrades", "team-a-upgrades")
ONCALL = TOPIC.replace("cce-upgrades", "oncall")
OTHER_PROJECT = "f" * 32
ELSEWHERE = f"urn:smn:cn-north-4:{OTHER_PROJECT}:team-b"  # same region, another project
MANUAL = {"cluster_id": CLUSTER}  # the demo's cluster is named "prod-east" in CCE; the event names no cluster

# SMN's rules for message attributes, as its PublishMessage page states them (not the function's own constants).
NAME_RULE = re.compile(r"^[a-z0-9](?:[a-z0-9]|_(?!_))*(?<!_)$")
STRING_RULE = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff]{1,32}$")


def topics(*extra: str) -> dict[str, Any]:
    scenario = copy.deepcopy(DEMO)
    scenario["topics"] = [TOPIC, *extra]
    return scenario


def configure(context: Any, **variables: str) -> None:
    context._user_data.update(variables)


def attributes_of(published: dict[str, Any]) -> dict[str, str]:
    listed = published["message_attributes"]
    assert all(item["type"] == "STRING" for item in listed)
    assert all(len(item["name"]) <= 32 and NAME_RULE.fullmatch(item["name"]) for item in listed)
    assert all(STRING_RULE.fullmatch(item["value"]) for item in listed)
    assert len({item["name"] for item in listed}) == len(listed)
    return {item["name"]: item["value"] for item in listed}


# -- message attributes --------------------------------------------------------------------------------------------


def test_a_checked_message_carries_cluster_kind_outcome_and_phase(standin, invoke):
    result = invoke(event("cts_cluster_upgrade"))

    assert (result["outcome"], result["phase"]) == ("checked", "Success")
    [published] = standin.published
    assert attributes_of(published) == {
        "cluster_id": CLUSTER.replace("-", ""), "cluster_name": "prod_east", "kind": "checked", "outcome": "checked",
        "phase": "Success", "action": "none"}
    assert set(published["message_structure"]) >= {"default", "dingding", "wechat", "feishu", "welink"}


def test_a_held_message_has_no_phase_attribute(standin, invoke):
    standin.cluster(CLUSTER).nodes[1].phase = "Abnormal"

    result = invoke(MANUAL)

    assert result["outcome"] == "held"
    [published] = standin.published
    assert attributes_of(published) == {"cluster_id": CLUSTER.replace("-", ""), "cluster_name": "prod_east",
                                        "kind": "held", "outcome": "held", "action": "needed"}


def test_a_failed_message_carries_the_error_phase(standin, invoke):
    standin.add_fault({"kind": "error_json", "status": 403, "operation": "postcheck", "times": -1})

    result = invoke(MANUAL)

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    [published] = standin.published
    assert attributes_of(published)["kind"] == "failed"
    assert (attributes_of(published)["outcome"], attributes_of(published)["phase"]) == ("failed", "Error")


@pytest.mark.parametrize(("cce_name", "expected"), [
    ("team-a.prod east", "team_a_prod_east"),
    ("x" * 40, "x" * 32),
    ("生产集群", None),  # nothing but characters the function turns to "_": left out, never sent invalid
    ("", None),  # CCE gives no name (and the event none): no attribute
])
def test_the_cluster_name_attribute_keeps_smns_rules(standin, invoke, cce_name, expected):
    standin.cluster(CLUSTER).name = cce_name

    result = invoke(MANUAL)

    assert result["outcome"] == "checked"
    [published] = standin.published
    assert attributes_of(published).get("cluster_name") == expected


# -- routes --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [topics(TEAM_A, ONCALL)])
@pytest.mark.parametrize(("routes", "expected"), [
    ({"prod-*": TEAM_A}, TEAM_A),  # the name CCE gives
    ({CLUSTER: ONCALL, "prod-*": TEAM_A}, ONCALL),  # in order: the ID's entry comes first
    ({"prod-*": TEAM_A, CLUSTER.upper(): ONCALL}, TEAM_A),  # the first entry that matches decides
    ({"staging-*": TEAM_A, "prod-west-*": ONCALL}, TOPIC),  # none matches: the default
])
def test_a_clusters_messages_go_to_its_routed_topic(standin, invoke, context, routes, expected):
    configure(context, TOPIC_ROUTES=json.dumps(routes))

    result = invoke(MANUAL)

    assert result["outcome"] == "checked"
    assert [p["topic_urn"] for p in standin.published] == [expected]
    assert result["notification"]["message_id"] == standin.published[0]["message_id"]


@pytest.mark.parametrize("scenario", [topics(TEAM_A)])
def test_the_sweep_routes_each_clusters_message(standin, invoke, context):
    configure(context, TOPIC_ROUTES=json.dumps({"prod-*": TEAM_A}))

    result = invoke(event("timer"))

    assert standin.published
    for published in standin.published:
        name = attributes_of(published).get("cluster_name", "")
        assert published["topic_urn"] == (TEAM_A if name.startswith("prod_") else TOPIC)
    assert result["outcome"] == "swept"


def test_smn_is_called_in_the_routed_topics_own_project(standin, invoke, context):
    configure(context, TOPIC_ROUTES=json.dumps({"prod-*": ELSEWHERE}))

    with pytest.raises(errors.NotificationFailed):
        invoke(MANUAL)  # the stand-in's credentials reach one project only: SMN answers 403 for the other

    [publish] = [r for r in standin.requests if r["operation"] == "publish"]
    assert unquote(publish["path"]) == f"/v2/{OTHER_PROJECT}/notifications/topics/{ELSEWHERE}/publish"
    assert publish["status"] == 403
    assert len(standin.postchecks) == 1  # the check ran: only its report could not go out


def test_the_default_and_a_routed_topic_each_use_a_client_of_their_own_project(standin):
    # the function's publisher, on its own: the default topic in the stand-in's project, then a routed topic in
    # another project, then the default topic again (the first client is still used for it)
    credentials = Credentials(standin.credentials.ak, standin.credentials.sk, standin.credentials.security_token,
                              PROJECT)
    smn = Smn.connect(standin.url, credentials, TOPIC, PROJECT, Deadline.from_context(None))
    message = Message("subject", {"default": "text"}, (("kind", "checked"),))
    smn.publish(message)
    with pytest.raises(sdk.ApiError):
        smn.publish(message, ELSEWHERE)
    smn.publish(message, TOPIC)

    paths = [r["path"] for r in standin.requests]
    assert [p.split("/")[2] for p in paths] == [PROJECT, OTHER_PROJECT, PROJECT]
    assert [p["topic_urn"] for p in standin.published] == [TOPIC, TOPIC]


@pytest.mark.parametrize(("routes", "names"), [
    ("not json", "JSON object"),
    ('["prod-*"]', "JSON object"),
    (json.dumps({"prod-*": "urn:smn:cn-north-4:nope"}), 'entry "prod-*"'),
    (json.dumps({"prod east": TEAM_A}), 'entry "prod east"'),
    (json.dumps({"prod-*": TOPIC.replace("cn-north-4", "cn-east-3")}), 'entry "prod-*"'),
    (f'{{"prod-*": "{TEAM_A}", "prod-*": "{ONCALL}"}}', "twice"),
    # 65 short entries (the 4 KB bound allows about 70 of them): more than the function takes
    (json.dumps({f"p{i}": f"urn:smn:a-b:{PROJECT}:t" for i in range(65)}), "at most 64"),
])
def test_an_invalid_topic_routes_is_refused_at_start_naming_it(standin, invoke, context, routes, names):
    configure(context, TOPIC_ROUTES=routes)

    result = invoke(MANUAL)

    assert result["outcome"] == "rejected"
    assert result["error"]["code"] == "InvalidConfiguration"
    assert result["error"]["message"].startswith("TOPIC_ROUTES: ")
    assert names in result["error"]["message"]
    assert len(result["error"]["message"].encode()) < 1024
    assert standin.requests == []


# -- redelivery: the stored result goes to its routed topic -------------------------------------------------------


@pytest.mark.parametrize("scenario", [topics(TEAM_A, ONCALL)])
def test_a_redelivered_event_republishes_to_the_routed_topic_without_checking_again(standin, invoke, context):
    configure(context, TOPIC_ROUTES=json.dumps({CLUSTER: TEAM_A}))
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(errors.NotificationFailed):
        invoke(event("postcheck_task_body"))
    [check] = standin.postchecks
    standin.reset()  # SMN recovers

    result = invoke(event("postcheck_task_body"))

    assert (result["outcome"], result["task_uid"]) == ("checked", check["uid"])
    assert operations(standin) == ["publish"]  # no second post-check
    assert [p["topic_urn"] for p in standin.published] == [TEAM_A]


@pytest.mark.parametrize("scenario", [topics(TEAM_A, ONCALL)])
def test_a_result_stored_for_one_routed_topic_is_not_reused_for_another(standin, invoke, context):
    configure(context, TOPIC_ROUTES=json.dumps({CLUSTER: TEAM_A}))
    standin.add_fault({"kind": "error_json", "status": 503, "operation": "publish", "times": -1})
    with pytest.raises(errors.NotificationFailed):
        invoke(event("postcheck_task_body"))
    [first] = standin.postchecks
    standin.reset()

    configure(context, TOPIC_ROUTES=json.dumps({CLUSTER: ONCALL}))  # the same request, routed elsewhere: other work
    result = invoke(event("postcheck_task_body"))

    assert result.get("task_uid") != first["uid"]
    assert operations(standin) != ["publish"]
    assert {p["topic_urn"] for p in standin.published} <= {ONCALL}


# -- the stand-in refuses what SMN refuses ------------------------------------------------------------------------


@pytest.fixture
def smn(standin) -> Any:
    """The SDK's SmnClient for the stand-in, built as the function builds its clients."""
    credentials = Credentials(standin.credentials.ak, standin.credentials.sk, standin.credentials.security_token,
                              PROJECT)
    return sdk.client_for("smn-test", SmnClient, None, standin.url, credentials, PROJECT)


def publish(client: Any, structure: dict[str, str] | None = None, attributes: list[Any] | None = None) -> Any:
    body = PublishMessageRequestBody(subject="s", message_structure=json.dumps(structure or {"default": "text"}),
                                     message_attributes=attributes)
    return client.publish_message(PublishMessageRequest(topic_urn=TOPIC, body=body))


@pytest.mark.parametrize(("name", "kind", "value"), [
    ("Cluster", "STRING", "x"),  # upper case
    ("_cluster", "STRING", "x"), ("cluster_", "STRING", "x"), ("cluster__id", "STRING", "x"),
    ("c" * 33, "STRING", "x"),
    ("cluster", "STRING", "prod-east"),  # "-" is not allowed in a value
    ("cluster", "STRING", "x" * 33),
    ("cluster", "STRING", ""),
    ("cluster", "NUMBER", "1"),
    ("cluster", "STRING_ARRAY", ["a", "a"]),
    ("cluster", "STRING_ARRAY", [f"v{i}" for i in range(11)]),
    ("cluster", "PROTOCOL", ["carrier-pigeon"]),
])
def test_an_attribute_that_breaks_smns_rules_is_refused(standin, smn, name, kind, value):
    with pytest.raises(ClientRequestException) as raised:
        publish(smn, attributes=[MessageAttribute(name=name, type=kind, value=value)])

    assert raised.value.status_code == 400
    assert raised.value.error_code.startswith("SMN.")
    assert standin.published == []


def test_attributes_in_smns_rules_are_accepted_and_recorded(standin, smn):
    listed = [MessageAttribute(name="cluster_id", type="STRING", value="a" * 32),
              MessageAttribute(name="team_2", type="STRING", value="生产_A1"),
              MessageAttribute(name="zones", type="STRING_ARRAY", value=["az1", "az2"]),
              MessageAttribute(name="via", type="PROTOCOL", value=["email", "dingding"])]

    publish(smn, attributes=listed)

    [published] = standin.published
    assert [a["name"] for a in published["message_attributes"]] == ["cluster_id", "team_2", "zones", "via"]


@pytest.mark.parametrize(("protocol", "entry"), [
    ("dingding", "plain text, not JSON"),
    ("dingding", json.dumps({"msgType": "html", "html": {"content": "x"}})),
    ("dingding", json.dumps({"msgType": "markdown", "markdown": {"text": "no title"}})),
    ("dingding", json.dumps({"msgType": "markdown", "markdown": {"title": "t", "text": "x" * 20_001}})),
    ("wechat", json.dumps({"msgType": "markdown", "markdown": {"content": "é" * 2049}})),  # 4,098 bytes
    ("wechat", json.dumps({"msgType": "text", "text": {"content": "x" * 2049}})),
    ("wechat", json.dumps({"msgType": "markdown", "markdown": {"content": "- a list\n- WeCom shows as is"}})),
    ("feishu", json.dumps({"msgType": "markdown", "markdown": {"title": "t", "text": "# a heading"}})),
    ("feishu", json.dumps({"msgType": "markdown", "markdown": {"title": "t", "text": "<font>x</font>"}})),
    ("welink", json.dumps({"msgType": "markdown", "markdown": {"title": "t", "text": "x"}})),  # text only
    ("welink", json.dumps({"msgType": "text", "text": {"content": "**bold** shown raw"}})),
    ("welink", json.dumps({"msgType": "text", "text": {"content": "x" * 501}})),
])
def test_a_chat_entry_not_in_the_form_is_refused_as_smn_does(standin, smn, protocol, entry):
    with pytest.raises(ClientRequestException) as raised:
        publish(smn, {"default": "text", protocol: entry})

    assert (raised.value.status_code, raised.value.error_code) == (400, "SMN.0021")  # MessageStructure is invalid.
    assert protocol in raised.value.error_msg
    assert standin.published == []


def test_the_functions_own_entries_pass_and_are_recorded(standin, invoke):
    standin.cluster(CLUSTER).name = "prod-*east*_[x](y)<b>"  # markup in a name must not reach a chat app as markup

    result = invoke(MANUAL)

    assert result["outcome"] == "checked"
    [published] = standin.published
    for protocol in ("dingding", "wechat", "feishu", "welink"):
        entry = json.loads(published["message_structure"][protocol])
        body = entry[entry["msgType"]]
        content = body.get("text") or body.get("content")
        assert "<b>" not in content and "](y)" not in content and "*east*" not in content
        assert "prod-\uff0aeast\uff0a" in content  # the name is still there, "*" made inert (full-width)
