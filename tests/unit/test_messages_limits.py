"""Every rendering ``make messages`` shows (scripts/messages.py: every kind, every protocol, the worst cases) stays
within its protocol's documented limits; so does any message built from any result (property test). Pure.

The limits, as documented (written here, not taken from the code):
- SMN PublishMessage (https://support.huaweicloud.com/api-smn/PublishMessage.html): subject at most 512 bytes; the
  message UTF-8, at most 256 KB; an SMS under 490 characters, without ``[]`` or ``【】``;
- the same page: a DingTalk robot's message at most 20,000 bytes, a Feishu robot's 30 KB; Feishu's own custom-bot
  guide (https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN): a request body at most 20 KB;
- WeCom's robot page (https://work.weixin.qq.com/api/doc/90000/90136/91770), which SMN points to: a ``markdown``
  content at most 4,096 bytes;
- WeLink: no published limit; docs/operations.md's assumption, 500 characters.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postcheck.notification import build, build_started
from postcheck.result import ErrorInfo, Outcome, Result
from scripts import messages

SUBJECT_BYTES = 512
MESSAGE_BYTES = 256 * 1024
SMS_UNDER = 490
DINGTALK_BYTES = 20_000
FEISHU_BYTES = 20 * 1024  # the stricter of the two documented limits
WECOM_MARKDOWN_BYTES = 4096
WELINK_CHARS = 500  # assumed (docs/operations.md)
KINDS = {"started", "checked", "held", "reminder", "failed"}


def content(entry: dict[str, Any]) -> str:
    body = entry[entry["msgType"]]
    return body["text"] if "text" in body else body["content"]


def assert_within_limits(message) -> None:
    assert len(message.subject.encode("utf-8")) <= SUBJECT_BYTES
    assert len(message.message_structure().encode("utf-8")) <= MESSAGE_BYTES
    sms = message.bodies["sms"]
    assert len(sms) < SMS_UNDER
    assert not set(sms) & set("[]【】")
    dingding, wechat, feishu, welink = (message.bodies[p] for p in ("dingding", "wechat", "feishu", "welink"))
    assert len(dingding.encode("utf-8")) <= DINGTALK_BYTES
    assert len(feishu.encode("utf-8")) <= FEISHU_BYTES
    assert len(content(json.loads(wechat)).encode("utf-8")) <= WECOM_MARKDOWN_BYTES
    assert len(content(json.loads(welink))) <= WELINK_CHARS


SAMPLES = messages.samples()


def test_the_samples_cover_every_kind_of_message():
    assert {sample.kind for sample in SAMPLES} == KINDS


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_every_rendering_of_every_sample_is_within_its_protocols_limits(sample):
    assert_within_limits(sample.notification())


def test_the_worst_cases_come_close_to_the_limits_they_are_kept_within():
    # the worst samples do test the fitting: without it they would be over the chat apps' limits
    worst = [s.notification() for s in SAMPLES if s.name.startswith("worst: held")]
    [message] = worst
    assert len(message.bodies["dingding"].encode()) > DINGTALK_BYTES * 0.9
    assert len(content(json.loads(message.bodies["wechat"])).encode()) > WECOM_MARKDOWN_BYTES * 0.9


def test_make_messages_prints_every_sample_for_every_protocol():
    out = io.StringIO()

    assert messages.main([], out) == 0

    text = out.getvalue()
    for sample in SAMPLES:
        assert f"{sample.name}  (kind {sample.kind})" in text
    for protocol in ("default", "email", "sms", "http", "https", "dingding", "wechat", "feishu", "welink"):
        assert text.count(f"--- {protocol}\n") == len(SAMPLES)


# -- any result: a property test over what events and APIs can bring -------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=128)
NAME = st.one_of(st.none(), TEXT, st.sampled_from(["生产" * 64, "*_`#[x](y)<b>|~【】" * 8]))
ID = "8978deaa-1743-11ee-8e46-0255ac10004c"


@st.composite
def results(draw) -> tuple[Result, str]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    findings = draw(st.integers(0, 50))
    finding_name = draw(NAME) or ""
    health = None if kind in ("started", "failed") or not draw(st.booleans()) else {
        "gate": "block", "healthy": findings == 0, "cluster_phase": draw(TEXT),
        "nodes": {"total": 3, "active": 2}, "node_pools": {"total": 1, "error": 0},
        "addons": {"total": 1, "running": 1},
        "findings": [{"kind": "node", "id": ID, "name": finding_name, "state": "Abnormal",
                      "message": "node is Abnormal, expected Active"} for _ in range(findings)],
        "findings_omitted": draw(st.integers(0, 10_000))}
    error = ErrorInfo(draw(TEXT) or "X", draw(st.text(max_size=500)), None, draw(st.sampled_from([None, 400]))) \
        if kind == "failed" else None
    outcome = {"started": Outcome.FAILED, "checked": Outcome.CHECKED, "held": Outcome.HELD,
               "reminder": Outcome.HELD, "failed": Outcome.FAILED}[kind]
    result = Result(outcome=outcome, phase=draw(st.sampled_from([None, "Success", "Failed", "Error"])),
                    cluster_id=ID, cluster_name=draw(NAME), cluster_version="v1.27.1-r0",
                    target_version="v1.28.3-r0", error=error, health=health,
                    trigger=draw(st.sampled_from([None, "cts"])))
    return result, kind


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results())
def test_any_message_is_within_every_protocols_limits(case):
    result, kind = case
    where = messages.WHERE
    message = build_started(result, where) if kind == "started" else build(result, where, kind)
    assert_within_limits(message)
