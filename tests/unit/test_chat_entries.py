"""The chat apps' entries built straight from a chat.Document (docs/operations.md, "Chat apps: DingTalk, WeCom,
Feishu/Lark, WeLink"). Pure. Every document is built inside its test.

The table in docs/operations.md: ``dingding`` ``{"msgType": "markdown", "markdown": {"title", "text"}}`` at most 20,000
bytes (the entry); ``wechat`` ``{"msgType": "markdown", "markdown": {"content"}}`` at most 4,096 bytes (the content);
``feishu`` like DingTalk's, under 18 KB (the entry); ``welink`` ``{"msgType": "text", "text": {"content"}}`` at most
500 characters (the content). DingTalk: two-space line breaks and blank lines between blocks; WeCom and Feishu: one
line each, a blank line before the health summary and before what to do; WeLink: plain lines, the first sentences
of what to do (the e-mail has the rest). An entry too long lists fewer findings ("and N more"), then shortens
values; the last resort cuts whole lines from the end (markdown) or the text at the limit (WeLink).
"""

from __future__ import annotations

import json

import pytest

from postcheck import chat
from postcheck.chat import Document

DINGTALK_ENTRY_BYTES = 20_000
WECOM_CONTENT_BYTES = 4_096
FEISHU_ENTRY_BYTES = 18 * 1024
WELINK_CONTENT_CHARS = 500
FORM = {"dingding": ("markdown", "text", True), "wechat": ("markdown", "content", False),
        "feishu": ("markdown", "text", True), "welink": ("text", "content", False)}


def doc(**changes) -> Document:
    base = dict(title="CCE upgrade held, not confirmed: 2 health finding(s): prod v1.27 -> v1.28",
                headline="CCE upgrade held, not confirmed: 2 health finding(s)",
                facts=[("Cluster", "prod (8978deaa-1743-11ee-8e46-0255ac10004c)"), ("Upgrade", "v1.27 → v1.28"),
                       ("Outcome", "held")],
                health="2 problem(s) found, gate block", findings=["node a (n1): node is Abnormal",
                                                                   "node b (n2): node is Error"],
                findings_omitted=0, steps_label="What to do next", steps="Fix the problems. Then run the check.")
    return Document(**{**base, **changes})


def parsed(protocol: str, text: str) -> tuple[dict, str]:
    entry = json.loads(text)
    msg_type, content_field, titled = FORM[protocol]
    assert set(entry) == {"msgType", msg_type} and entry["msgType"] == msg_type
    assert set(entry[msg_type]) == ({"title", content_field} if titled else {content_field})
    content = entry[msg_type][content_field]
    assert isinstance(content, str)
    return entry[msg_type], content


def within_limit(protocol: str, text: str) -> bool:
    _, content = parsed(protocol, text)
    return {"dingding": len(text.encode()) <= DINGTALK_ENTRY_BYTES,
            "wechat": len(content.encode()) <= WECOM_CONTENT_BYTES,
            "feishu": len(text.encode()) <= FEISHU_ENTRY_BYTES,
            "welink": len(content) <= WELINK_CONTENT_CHARS}[protocol]


# -- inert: markup made harmless, cut to a number of characters -----------------------------------------------------

@pytest.mark.parametrize("cap", [1, 2, 5, 60])
def test_a_value_cut_short_is_exactly_cap_characters_ending_with_an_ellipsis(cap):
    value = "abcdefghij" * 10

    shown = chat.inert(value, cap)

    assert len(shown) == cap and shown.endswith("…") and value.startswith(shown[:-1])


@pytest.mark.parametrize("value", ["", "a", "abcde", "a*b_c"])
def test_a_value_within_its_cap_is_kept_whole(value):
    expected = value.replace("*", "\uff0a").replace("_", "\uff3f")
    assert chat.inert(value, 5) == expected
    assert chat.inert(value) == expected
    assert chat.inert(value * 1000) == expected * 1000  # no cap: never cut


# -- the form of each entry, and its text as itself -----------------------------------------------------------------

@pytest.mark.parametrize("protocol", chat.PROTOCOLS)
def test_each_entry_has_its_form_and_non_ascii_text_as_itself(protocol):
    text = chat.entry(protocol, doc(facts=[("Cluster", "生产集群 (8978deaa-1743-11ee-8e46-0255ac10004c)")],
                                    title="CCE upgrade held: 生产集群"))

    body, content = parsed(protocol, text)
    assert "生产集群" in content and "生产集群" in text  # UTF-8 as itself, not \u escapes
    if "title" in body:
        assert body["title"] == "CCE upgrade held: 生产集群"
    assert chat.content_of(protocol, text) == content


# -- lines and blocks as each app renders them ---------------------------------------------------------------------

def test_dingtalk_ends_each_fact_with_two_spaces_and_separates_blocks_with_a_blank_line():
    _, content = parsed("dingding", chat.entry("dingding", doc()))

    assert content.split("\n") == [
        "#### CCE upgrade held, not confirmed: 2 health finding(s)", "",
        "**Cluster:** prod (8978deaa-1743-11ee-8e46-0255ac10004c)  ", "**Upgrade:** v1.27 → v1.28  ",
        "**Outcome:** held", "",
        "**Health:** 2 problem(s) found, gate block", "",
        "- node a (n1): node is Abnormal", "- node b (n2): node is Error", "",
        "**What to do next:** Fix the problems. Then run the check.",
    ]


@pytest.mark.parametrize(("protocol", "heading"), [("wechat", ["### CCE upgrade held, not confirmed: 2 health "
                                                               "finding(s)"]), ("feishu", [])])
def test_wecom_and_feishu_give_each_fact_a_line_and_a_blank_line_before_health_and_steps(protocol, heading):
    _, content = parsed(protocol, chat.entry(protocol, doc(findings_omitted=3)))

    assert content.split("\n") == [
        *heading,
        "**Cluster:** prod (8978deaa-1743-11ee-8e46-0255ac10004c)", "**Upgrade:** v1.27 → v1.28", "**Outcome:** held",
        "", "**Health:** 2 problem(s) found, gate block",
        "• node a (n1): node is Abnormal", "• node b (n2): node is Error", "• and 3 more",
        "", "**What to do next:** Fix the problems. Then run the check.",
    ]


def test_welink_gives_plain_lines():
    _, content = parsed("welink", chat.entry("welink", doc()))

    assert content.split("\n") == [
        "CCE upgrade held, not confirmed: 2 health finding(s)",
        "Cluster: prod (8978deaa-1743-11ee-8e46-0255ac10004c)", "Upgrade: v1.27 → v1.28", "Outcome: held",
        "Health: 2 problem(s) found, gate block", "What to do next: Fix the problems. Then run the check.",
    ]


# -- WeLink: the first whole sentences of what to do -------------------------------------------------------------

STEPS = [
    ".kube/config of the function names cluster X",  # a sentence may start with "." and end with any letter
    "Fix the problems listed under Health in the console, one after the other, until none is left in section X",
    "Where CCE keeps an upgrade workflow for this upgrade the sweep judges the cluster again every period",
    "You can also confirm it yourself once it is healthy, with the function's test event shown in the e-mail",
    "Or despite the problems, with the forced test event, which the e-mail shows as well.",
]


def welink_steps(steps: str) -> str:
    _, content = parsed("welink", chat.entry("welink", doc(steps=steps)))
    assert len(content) <= WELINK_CONTENT_CHARS
    [line] = [line for line in content.split("\n") if line.startswith("What to do next: ")]
    return line.removeprefix("What to do next: ")


def test_welink_keeps_whole_sentences_from_the_start_and_points_to_the_email_for_the_rest():
    steps = ". ".join(STEPS)

    shown = welink_steps(steps)

    kept, pointer = shown.removesuffix("The e-mail says more."), "The e-mail says more."
    assert shown.endswith(pointer) and kept.endswith(". ")
    kept_sentences = kept.removesuffix(". ").split(". ")
    assert 1 <= len(kept_sentences) < len(STEPS)
    assert kept_sentences == STEPS[:len(kept_sentences)]  # whole sentences, from the first, in order


def test_welink_keeps_a_first_sentence_however_long():
    steps = ". ".join(["x" * 250, *STEPS[1:]])

    shown = welink_steps(steps)

    assert shown == "x" * 250 + ". The e-mail says more."


def test_welink_keeps_short_steps_whole_without_a_pointer():
    assert welink_steps("Nothing to do. Watch your workloads.") == "Nothing to do. Watch your workloads."


# -- an entry too long: fewer findings, shorter values -------------------------------------------------------------

@pytest.mark.parametrize("protocol", ["dingding", "wechat", "feishu"])
def test_a_value_of_any_length_is_kept_whole_up_to_the_first_cap_and_cut_beyond(protocol):
    cap = chat.VALUE_CAPS[0]
    whole, longer = "v" * cap, "w" * (cap + 1)

    _, content = parsed(protocol, chat.entry(protocol, doc(facts=[("Whole", whole), ("Longer", longer)])))

    lines = content.split("\n")
    assert f"**Whole:** {whole}" in [line.rstrip() for line in lines]
    assert f"**Longer:** {longer[:cap - 1]}…" in [line.rstrip() for line in lines]


def test_the_brief_form_keeps_everything_but_the_findings_and_counts_them():
    full = doc(facts=[("Cluster", "c" * 1000), ("Outcome", "held")], health="h" * 1000, findings_omitted=5,
               steps_label="What comes next", steps="Wait for it.")

    brief = full.brief()

    assert (brief.title, brief.headline, brief.steps_label, brief.steps) == (full.title, full.headline,
                                                                            "What comes next", "Wait for it.")
    assert brief.findings == [] and brief.findings_omitted == 2 + 5
    assert [label for label, _ in brief.facts] == ["Cluster", "Outcome"]
    shortest = min(chat.VALUE_CAPS)
    assert all(len(value) <= shortest for _, value in brief.facts) and brief.facts[1] == ("Outcome", "held")
    assert brief.health is not None and len(brief.health) <= shortest and brief.health.startswith("hhh")
    text = chat.entry("dingding", brief)
    assert json.loads(text)["markdown"]["title"] == full.title
    assert "- and 7 more" in chat.content_of("dingding", text)


# -- the last resort: still too long without findings and with the shortest values ----------------------------------

def too_long(protocol: str) -> Document:
    # many short facts, a long title: only cutting whole lines from the end makes it fit
    facts = [(f"F{i}", f"value {i}") for i in range(3_000)]
    return doc(title="T" * 500, facts=facts, health="h" * 200, findings=[f"finding {i}" for i in range(20)],
               findings_omitted=4, steps="Fix it. " * 2_000)


@pytest.mark.parametrize("protocol", ["dingding", "wechat", "feishu"])
def test_the_last_resort_keeps_as_many_whole_lines_from_the_start_as_fit(protocol):
    document = too_long(protocol)

    text = chat.entry(protocol, document)

    body, content = parsed(protocol, text)
    assert within_limit(protocol, text)
    if "title" in body:
        assert body["title"] == document.title
    lines = content.split("\n")
    assert lines[-1] == "…" and len(lines) > 2
    shortest = min(chat.VALUE_CAPS)
    first = {"dingding": f"#### {document.headline}", "wechat": f"### {document.headline}", "feishu": "**F0:** value 0"}
    assert lines[0] == first[protocol]
    kept = lines[:-1]
    assert not any(line.startswith(("- finding", "• finding")) for line in kept)
    assert all(len(line) <= shortest + 40 for line in kept[1:])
    # whole lines, and no more would fit: one line more (the next fact) is over the limit
    index = int(kept[-1].split(":**")[0].removeprefix("**F")) if kept[-1].startswith("**F") else None
    assert index is not None and kept[-1].rstrip() == f"**F{index}:** value {index}"
    longer = "\n".join([*kept, f"**F{index + 1}:** value {index + 1}", "…"])
    assert not within_limit(protocol, _wrap_like(protocol, document.title, longer))


def _wrap_like(protocol: str, title: str, content: str) -> str:
    msg_type, field, titled = FORM[protocol]
    inner = {"title": title, field: content} if titled else {field: content}
    return json.dumps({"msgType": msg_type, msg_type: inner}, ensure_ascii=False, separators=(",", ":"))


def test_the_last_resort_for_welink_cuts_the_text_at_the_limit():
    document = doc(headline="CCE upgrade held " + "h" * 600)  # nothing else to shorten: the text is cut

    _, content = parsed("welink", chat.entry("welink", document))

    assert len(content) == WELINK_CONTENT_CHARS and content.endswith("…")
    assert document.headline.startswith(content[:-1])


# -- the limits themselves ------------------------------------------------------------------------------------------

def entry_of(protocol: str, size: int, unit: str) -> str:
    """An entry in the documented form whose whole text (entry) or content is exactly ``size`` bytes or characters."""
    char = "节" if unit == "chars" else "a"
    content = char * size
    text = _wrap_like(protocol, "t", content)
    if unit == "entry":
        content = "a" * (size - (len(text.encode()) - size))
        text = _wrap_like(protocol, "t", content)
        assert len(text.encode()) == size
    return text


@pytest.mark.parametrize(("protocol", "limit", "unit"), [
    ("dingding", DINGTALK_ENTRY_BYTES, "entry"), ("wechat", WECOM_CONTENT_BYTES, "content"),
    ("welink", WELINK_CONTENT_CHARS, "chars"),
])
def test_an_entry_at_its_documented_limit_fits_and_one_unit_more_does_not(protocol, limit, unit):
    assert chat.fits(protocol, entry_of(protocol, limit, unit))
    assert not chat.fits(protocol, entry_of(protocol, limit + 1, unit))


@pytest.mark.parametrize("protocol", ["dingding", "wechat", "feishu"])
def test_the_last_resort_lists_no_finding_and_shows_the_shortest_values(protocol):
    # only what to do is too long: the last resort drops it, and what stays has no finding and the shortest values
    document = doc(facts=[("Cluster", "c" * 1000), ("Outcome", "held")], findings=["node a: Abnormal"] * 3,
                   findings_omitted=2, steps="Fix it. " * 5_000)

    text = chat.entry(protocol, document)

    assert within_limit(protocol, text)
    lines = [line.rstrip() for line in chat.content_of(protocol, text).split("\n")]
    assert not any("node a" in line for line in lines)
    assert any(line.endswith("and 5 more") for line in lines)
    shortest = min(chat.VALUE_CAPS)
    assert f"**Cluster:** {'c' * (shortest - 1)}…" in lines
