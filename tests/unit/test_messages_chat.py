"""The chat apps' ``message_structure`` entries and the message attributes, against SMN's documentation and the
documented assumptions (docs/operations.md, "What owners see"). Pure.

SMN PublishMessage (https://support.huaweicloud.com/api-smn/PublishMessage.html; SDK 3.1.219
``PublishMessageRequestBody``): ``dingding``, ``wechat``, ``feishu``, ``welink`` entries carry ``msgType``;
DingTalk, WeCom and Feishu take ``text`` or ``markdown``, WeLink ``text`` only. Assumed form (docs/operations.md): each
entry a JSON text ``{"msgType": T, T: {...}}``, the body as the app's robot API shapes it (DingTalk and Feishu markdown
``{title, text}``, WeCom markdown ``{content}``, text ``{content}``). The issue: markdown for DingTalk, WeCom and
Feishu, text for WeLink, and no markup the app would show raw.

Message attributes (the same page, SDK ``MessageAttribute``): name 1-32 of ``[a-z0-9_]``, ``_`` neither first,
last nor doubled; a ``STRING`` value 1-32 letters, digits or ``_``; a filter policy's name (the attribute it
matches) must not begin with ``smn_`` (BatchCreateSubscriptionsFilterPolices). The issue: cluster ID as its 32 hex
digits, name with other characters turned to ``_`` and cut to 32, kind, outcome, phase; absent values left out.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postcheck.notification import Where, attributes, build, build_started
from postcheck.result import ErrorInfo, Outcome, Result

WHERE = Where("cn-north-4", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"
TASK = "e99fedf8-348c-4084-b0fd-81bf187df4e0"
TEST_EVENT = json.dumps({"cluster_id": CLUSTER})
FORCE_EVENT = json.dumps({"cluster_id": CLUSTER, "force": True})
EXPECTED_TYPE = {"dingding": "markdown", "wechat": "markdown", "feishu": "markdown", "welink": "text"}
FIELDS = {"dingding": {"title", "text"}, "wechat": {"content"}, "feishu": {"title", "text"}, "welink": {"content"}}
NAME_RULE = re.compile(r"^[a-z0-9](?:[a-z0-9]|_(?!_))*(?<!_)$")
VALUE_RULE = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff]{1,32}$")
MARKUP = "\\`*_~#[]<>|"


def result(**changes: Any) -> Result:
    base: dict[str, Any] = {
        "outcome": Outcome.CHECKED, "phase": "Success", "cluster_id": CLUSTER, "cluster_name": "prod-east",
        "cluster_version": "v1.27.1-r0", "target_version": "v1.28.3-r0", "task_uid": TASK,
        "checked_at": "2026-11-28T06:00:00Z", "trigger": "cts"}
    return Result(**{**base, **changes})


def health(findings: int = 1) -> dict[str, Any]:
    return {"gate": "block", "healthy": findings == 0, "cluster_phase": "Available",
            "nodes": {"total": 3, "active": 3 - findings}, "node_pools": {"total": 1, "error": 0},
            "addons": {"total": 2, "running": 2},
            "findings": [{"kind": "node", "id": f"node-{i}", "name": f"worker-{i}", "state": "Abnormal",
                          "message": "node is Abnormal, expected Active"} for i in range(findings)],
            "findings_omitted": 0}


HELD = result(outcome=Outcome.HELD, phase=None, task_uid=None, health=health(2))
FAILED = result(outcome=Outcome.FAILED, phase="Error", task_uid=None,
                error=ErrorInfo("CCE.01403001", "Forbidden", "req-1", 403, "create_post_check"))
# Built in each test, not at import: a message built at import would not see a mutant mutmut switches on later.
MESSAGES = {
    "started": lambda: build_started(result(outcome=Outcome.FAILED, phase=None, task_uid=None), WHERE),
    "checked": lambda: build(result(), WHERE, "checked"),
    "held": lambda: build(HELD, WHERE, "held"),
    "reminder": lambda: build(HELD, WHERE, "reminder"),
    "failed": lambda: build(FAILED, WHERE, "failed"),
}


def entry(message, protocol: str) -> dict[str, Any]:
    text = message.bodies[protocol]
    assert isinstance(text, str)  # a JSON text inside message_structure, like SMN's documented APNS entry
    return json.loads(text)


def body(message, protocol: str) -> dict[str, str]:
    parsed = entry(message, protocol)
    return parsed[parsed["msgType"]]


def content(message, protocol: str) -> str:
    found = body(message, protocol)
    return found.get("text") or found["content"]


# -- the form -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", MESSAGES)
@pytest.mark.parametrize("protocol", EXPECTED_TYPE)
def test_each_chat_entry_has_its_msgtype_and_body(kind, protocol):
    message = MESSAGES[kind]()
    parsed = entry(message, protocol)

    assert parsed["msgType"] == EXPECTED_TYPE[protocol]
    assert set(parsed) == {"msgType", parsed["msgType"]}
    assert set(parsed[parsed["msgType"]]) == FIELDS[protocol]
    assert all(isinstance(v, str) and v for v in parsed[parsed["msgType"]].values())
    if "title" in FIELDS[protocol]:
        assert body(message, protocol)["title"] == message.subject


@pytest.mark.parametrize("protocol", EXPECTED_TYPE)
def test_a_chat_message_says_what_the_email_says_first(protocol):
    message = MESSAGES["checked"]()
    text = content(message, protocol)

    for fact in ("prod-east", CLUSTER, "v1.27.1-r0", "v1.28.3-r0", "Success", "What to do next", "Nothing to do"):
        assert fact in text, fact


@pytest.mark.parametrize("protocol", ["dingding", "wechat", "feishu"])
def test_a_held_message_lists_the_findings_and_the_events_exactly_as_they_work(protocol):
    text = content(MESSAGES["held"](), protocol)

    assert "worker-0" in text and "worker-1" in text
    assert TEST_EVENT in text and FORCE_EVENT in text  # JSON kept as it is: copied, it works as a test event


def test_welink_says_what_to_do_in_short_and_points_to_the_email():
    text = content(MESSAGES["held"](), "welink")

    assert text.startswith("CCE upgrade held")
    assert "2 problem(s)" in text
    assert "What to do next: Fix the problems" in text


def test_the_started_message_says_what_comes_next_on_every_app():
    for protocol in EXPECTED_TYPE:
        text = content(MESSAGES["started"](), protocol)
        assert "CCE upgrade started" in text or protocol == "feishu"  # Feishu shows it in the title
        assert "What comes next" in text


# -- no markup the app would show raw -----------------------------------------------------------------------------

HOSTILE = "a*b*_c_`d`#e[f](g)<h>|i|~j~\\k"


def hostile_message():
    return build(result(cluster_name=HOSTILE, outcome=Outcome.FAILED, phase="Error", task_uid=None,
                        error=ErrorInfo("CCE.0140*0001", f"**denied** {HOSTILE}", "r", 400)), WHERE, "failed")


@pytest.mark.parametrize("protocol", EXPECTED_TYPE)
def test_markup_in_names_and_messages_never_reaches_a_chat_app_as_markup(protocol):
    text = content(hostile_message(), protocol)

    assert HOSTILE not in text and "**denied**" not in text
    for character in MARKUP:  # each markup character of the hostile text arrives as its full-width twin
        assert chr(ord(character) + 0xFEE0) in text
    assert "<" not in text and "|" not in text and "`" not in text and "~" not in text and "\\" not in text


@pytest.mark.parametrize("kind", MESSAGES)
def test_each_app_gets_only_the_markup_it_renders(kind):
    message = MESSAGES[kind]()
    # no app: HTML, tables, images
    for protocol in EXPECTED_TYPE:
        text = content(message, protocol)
        assert not re.search(r"<[A-Za-z/!]|^\s*\||!\[", text, re.M), protocol
    # Feishu's card markdown has no headings (its title is a field); neither it nor WeCom's markdown has lists
    assert not re.search(r"^\s*#", content(message, "feishu"), re.M)
    for protocol in ("wechat", "feishu"):
        assert not re.search(r"^\s*(?:[-*+]|\d+\.)\s", content(message, protocol), re.M)
    # WeLink is text: no markdown at all
    assert not re.search(r"\*\*|__|`|\]\(|^\s*[#>]", content(message, "welink"), re.M)


def test_dingtalk_breaks_lines_with_two_spaces_or_blank_lines():
    # DingTalk's markdown joins lines separated by a single newline
    text = content(MESSAGES["checked"](), "dingding")
    for line_end in re.finditer(r"[^\n]\n(?!\n)", text):
        assert text[line_end.start() - 1:line_end.start() + 1].endswith("  ") or text[line_end.start() + 2] == "-", \
            text[max(0, line_end.start() - 20):line_end.start() + 20]


def test_many_findings_are_cut_to_fit_and_counted():
    message = build(HELD.updated(health={**health(50), "findings_omitted": 950}), WHERE, "held")
    wecom = content(message, "wechat")

    listed = wecom.count("• node ")
    assert 0 < listed < 50
    assert f"• and {1000 - listed} more" in wecom


def test_a_message_near_smns_256_kb_gives_the_chat_entries_a_brief_form():
    huge = health(50)
    for finding in huge["findings"]:
        finding["message"] = "节点异常" * 100  # beyond what the function writes: the other bodies take ~240 KB
    message = build(HELD.updated(health=huge), WHERE, "held")

    others = {k: v for k, v in message.bodies.items() if k not in EXPECTED_TYPE}
    assert len(json.dumps(others, ensure_ascii=False).encode()) > 220 * 1024  # the full chat entries would not fit
    assert len(message.message_structure().encode()) <= 256 * 1024
    assert "worker-0" not in content(message, "dingding")  # no list of findings
    assert "and 50 more" in content(message, "dingding")


# -- message attributes -------------------------------------------------------------------------------------------


def named(message) -> dict[str, str]:
    return dict(message.attributes)


@pytest.mark.parametrize(("kind", "expected"), [
    ("started", {"kind": "started", "outcome": "pending", "action": "none"}),
    ("checked", {"kind": "checked", "outcome": "checked", "phase": "Success", "action": "none"}),
    ("held", {"kind": "held", "outcome": "held", "action": "needed"}),
    ("reminder", {"kind": "reminder", "outcome": "held", "action": "needed"}),
    ("failed", {"kind": "failed", "outcome": "failed", "phase": "Error", "action": "needed"}),
])
def test_every_message_names_its_cluster_kind_outcome_and_phase(kind, expected):
    assert named(MESSAGES[kind]()) == {"cluster_id": "8978deaa174311ee8e460255ac10004c", "cluster_name": "prod_east",
                                     **expected}


@pytest.mark.parametrize(("name", "expected"), [
    ("prod-east", "prod_east"),
    ("Team.A prod/2", "Team_A_prod_2"),
    ("a" * 32 + "bcd", "a" * 32),
    ("-prod-", "_prod_"),
    ("生产集群", None),  # nothing but characters turned to "_": left out
    ("---", None),
    ("", None),
    (None, None),
])
def test_the_cluster_name_attribute(name, expected):
    assert dict(attributes(result(cluster_name=name), "checked")).get("cluster_name") == expected


def test_absent_values_are_left_out():
    shown = dict(attributes(Result(outcome=Outcome.FAILED), "failed"))
    assert shown == {"kind": "failed", "outcome": "failed", "action": "needed"}


@given(name=st.one_of(st.none(), st.text(max_size=200)), cluster_id=st.one_of(st.none(), st.uuids().map(str)),
       kind=st.sampled_from(["started", "checked", "held", "reminder", "failed"]),
       outcome=st.sampled_from(list(Outcome)), phase=st.sampled_from([None, "Success", "Failed", "Error"]))
def test_every_attribute_keeps_smns_rules(name, cluster_id, kind, outcome, phase):
    listed = attributes(Result(outcome=outcome, phase=phase, cluster_id=cluster_id, cluster_name=name), kind)

    names = [n for n, _ in listed]
    assert len(set(names)) == len(names)
    for attribute, value in listed:
        assert 1 <= len(attribute) <= 32 and NAME_RULE.fullmatch(attribute) and not attribute.startswith("smn_")
        assert VALUE_RULE.fullmatch(value), (attribute, value)
    if cluster_id:
        assert dict(listed)["cluster_id"] == cluster_id.replace("-", "") and len(dict(listed)["cluster_id"]) == 32
    assert dict(listed)["kind"] == kind
