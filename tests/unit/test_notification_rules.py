"""The SMN message for a result, against SMN's documented limits and docs/operations.md ("What owners see"). Pure.

SMN's PublishMessage (../shared/reference/platform-facts.md, "SMN: PublishMessage";
https://support.huaweicloud.com/intl/en-us/usermanual-smn/en-us_topic_0044170758.html):
- ``subject`` at most 512 bytes; ``message_structure`` a JSON *string* with a mandatory ``default`` key and
  per-protocol keys; the whole message UTF-8, at most 256 KB;
- an SMS under 490 characters and free of ``[]`` and ``【】``.
docs/operations.md: ``default`` and ``email`` readable in full (cluster, versions, phase, task IDs, time, request IDs,
what to do next); ``sms`` one line; ``http``/``https`` the subject and the result as JSON; the subject names the
phase, the cluster (its name where known, else its ID) and the versions; text from events and APIs is flattened
to one printable line in the subject, e-mail and SMS. A held upgrade's message lists the health findings and
what to do (the test event, and the one with ``"force": true``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from postcheck.notification import Where, build, build_started
from postcheck.result import ErrorInfo, Outcome, Result

WHERE = Where("cn-north-4", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"
TASK = "e99fedf8-348c-4084-b0fd-81bf187df4e0"
UPGRADE = "3c1b5a2e-0d9f-4e8b-a7c6-5f4e3d2c1b0a"
SUBJECT_BYTES = 512  # SMN
SMS_CHARS = 490  # SMN: under this
PROTOCOLS = {"default", "email", "sms", "http", "https", "dingding", "wechat", "feishu", "welink"}  # chat: issue 10
TEST_EVENT = json.dumps({"cluster_id": CLUSTER})
FORCE_EVENT = json.dumps({"cluster_id": CLUSTER, "force": True})


def result(**changes: Any) -> Result:
    base: dict[str, Any] = {
        "outcome": Outcome.CHECKED, "phase": "Success", "cluster_id": CLUSTER, "cluster_name": "prod-east",
        "cluster_version": "v1.27.1-r0", "target_version": "v1.28.3-r0", "task_uid": TASK,
        "upgrade_task_id": UPGRADE, "checked_at": "2026-11-28T06:00:00Z", "trigger": "cts"}
    return Result(**{**base, **changes})


def failed(code: str, message: str = "it went wrong", status: int | None = None, phase: str | None = "Error",
           request_id: str | None = None, **changes: Any) -> Result:
    return result(outcome=Outcome.FAILED, phase=phase, task_uid=None,
                  error=ErrorInfo(code, message, request_id, status, "create_post_check"), **changes)


def health(findings: int = 0, omitted: int = 0, gate: str = "block") -> dict[str, Any]:
    listed = [{"kind": "node", "id": f"node-{i}", "name": f"worker-{i}", "state": "Abnormal",
               "message": f"node worker-{i} is Abnormal"} for i in range(findings)]
    return {"gate": gate, "healthy": not (findings or omitted), "cluster_phase": "Available",
            "nodes": {"total": 7, "active": 7 - findings}, "node_pools": {"total": 3, "error": 1},
            "addons": {"total": 5, "running": 4}, "findings": listed, "findings_omitted": omitted}


def row_lines(text: str) -> list[str]:
    """The e-mail's block of facts: the lines between the headline's blank line and the next blank line."""
    lines = text.splitlines()
    assert lines[1] == ""
    return lines[2:lines.index("", 2)]


def rows(text: str) -> dict[str, str]:
    """The e-mail's labelled lines, ``Label:   value``, as label -> value."""
    found = {}
    for line in row_lines(text):
        match = re.fullmatch(r"([A-Z][A-Za-z /-]*):\s+(\S.*)", line)
        assert match, f"not a labelled line: {line!r}"
        found[match.group(1)] = match.group(2)
    return found


def steps(text: str) -> str:
    """What the e-mail says to do next: the last paragraph, which ends the message with a full sentence."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("What ") and line.endswith(":"))
    said = " ".join(lines[start + 1:]).strip()
    assert said.endswith("."), said
    return said


def assert_fits_smn(message) -> None:
    assert set(message.bodies) == PROTOCOLS
    assert len(message.subject.encode("utf-8")) <= SUBJECT_BYTES
    assert message.subject == " ".join(message.subject.split())  # one line, no doubled or outer blanks
    assert message.subject.isprintable()
    structure = json.loads(message.message_structure())
    assert isinstance(message.message_structure(), str)
    assert structure == message.bodies
    assert structure["default"]
    sms = message.bodies["sms"]
    assert len(sms) < SMS_CHARS
    assert not set(sms) & set("[]【】")
    assert sms.isprintable() and "\n" not in sms
    assert len(message.message_structure().encode("utf-8")) <= 256 * 1024
    assert message.as_dict() == {"subject": message.subject, "message_structure": message.bodies}


# -- every protocol -----------------------------------------------------------------------------------------------


def test_each_protocol_gets_its_body_and_default_and_email_are_the_full_text():
    message = build(result(), WHERE)
    assert_fits_smn(message)
    assert message.bodies["default"] == message.bodies["email"]
    assert message.bodies["http"] == message.bodies["https"]


def test_http_carries_the_subject_and_the_result_as_json():
    res = result()
    message = build(res, WHERE)
    body = json.loads(message.bodies["https"])
    assert body["subject"] == message.subject
    assert body["result"] == res.to_dict()
    assert body["kind"] == "checked"
    assert json.loads(build(res, WHERE, kind="reminder").bodies["http"])["kind"] == "reminder"


def test_non_ascii_text_travels_as_itself():
    message = build(result(cluster_name="生产集群"), WHERE)
    assert "生产集群" in message.message_structure()  # not \\u-escaped: SMN counts UTF-8 bytes
    assert "生产集群" in message.bodies["http"]
    assert json.loads(message.bodies["http"])["result"]["cluster_name"] == "生产集群"


# -- the subject --------------------------------------------------------------------------------------------------


def test_the_subject_names_the_phase_the_cluster_and_the_versions():
    subject = build(result(), WHERE).subject
    assert "Success" in subject
    assert "prod-east" in subject
    assert subject.endswith("v1.27.1-r0 -> v1.28.3-r0")
    assert subject.index("Success") < subject.index("prod-east") < subject.index("v1.27.1-r0")
    assert "Failed" in build(result(phase="Failed"), WHERE).subject


def test_the_subject_names_the_cluster_by_id_without_a_name_and_says_so_without_either():
    assert CLUSTER in build(result(cluster_name=None), WHERE).subject
    assert CLUSTER in build(result(cluster_name=" \n\t"), WHERE).subject  # a blank name is no name
    assert build(result(cluster_name=None, cluster_id=None), WHERE).subject.endswith(": unknown cluster v1.27.1-r0 -> "
                                                                                     "v1.28.3-r0")


def test_a_missing_version_is_shown_as_unknown_and_no_versions_as_none():
    assert build(result(cluster_version=None), WHERE).subject.endswith("? -> v1.28.3-r0")
    assert build(result(target_version=None), WHERE).subject.endswith("v1.27.1-r0 -> ?")
    subject = build(result(cluster_version=None, target_version=None), WHERE).subject
    assert subject.endswith("prod-east")
    assert "->" not in subject and "?" not in subject


@pytest.mark.parametrize("name", ["x" * 600, "名" * 300, "é" * 400, "\U0001f680" * 200, "a" + "名" * 200])
def test_a_long_subject_is_cut_to_smns_512_bytes_on_a_character_boundary(name):
    subject = build(result(cluster_name=name), WHERE).subject
    data = subject.encode("utf-8")
    assert len(data) <= SUBJECT_BYTES
    assert len(data) > SUBJECT_BYTES - 8  # cut, not emptied: at most the ellipsis and one character short
    assert subject.endswith("...")
    assert subject.startswith("CCE post-upgrade check Success: ")
    assert subject[:-3] in f"CCE post-upgrade check Success: {name}"  # a prefix of what it would have said
    if name.isascii():
        assert len(data) == SUBJECT_BYTES  # cut to SMN's limit, not below it


def test_a_subject_of_exactly_512_bytes_is_not_cut():
    probe = build(result(cluster_name="x", cluster_version=None, target_version=None), WHERE).subject
    name = "x" * (SUBJECT_BYTES - len(probe.encode()) + 1)
    subject = build(result(cluster_name=name, cluster_version=None, target_version=None), WHERE).subject
    assert len(subject.encode()) == SUBJECT_BYTES
    assert subject.endswith(name)
    longer = build(result(cluster_name=name + "y", cluster_version=None, target_version=None), WHERE).subject
    assert longer.endswith("...") and len(longer.encode()) <= SUBJECT_BYTES


# -- event text cannot change the message's structure -------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "line one\nSubject: forged",
    "tab\there",
    "cr\rhere",
    "nul\x00here",
    "sep\u2028here\u2029there",
    "rtl\u202eoverride",
    "zero\u200bwidth",
    "bell\x07here",
    "del\x7fhere",
    "nbsp\u00a0here",
    "   padded   ",
])
def test_event_text_is_one_printable_line_in_subject_email_and_sms(name):
    message = build(failed("CCE.01400001", message=name, cluster_name=name, request_id=name), WHERE)
    assert_fits_smn(message)
    flat = " ".join("".join(" " if not ch.isprintable() or ch.isspace() else ch for ch in name).split())
    assert f": {flat} " in message.subject or message.subject.endswith(f": {flat}")
    email_rows = rows(message.bodies["email"])
    assert email_rows["Cluster"] == f"{flat} ({CLUSTER})"
    assert email_rows["Error"] == f"CCE.01400001: {flat}"
    assert email_rows["Error request ID"] == flat
    assert f"CCE.01400001: {flat}" in message.bodies["sms"]
    # in the JSON bodies the text stays as it is, escaped
    assert json.loads(message.bodies["http"])["result"]["cluster_name"] == name


def test_text_without_anything_to_flatten_is_unchanged():
    name = "prod east-1 (blue) 生产"
    message = build(result(cluster_name=name), WHERE)
    assert rows(message.bodies["email"])["Cluster"] == f"{name} ({CLUSTER})"


def test_the_sms_names_the_phase_the_cluster_the_versions_and_the_task():
    sms = build(result(), WHERE).bodies["sms"]
    assert sms.startswith("CCE post-upgrade check Success: prod-east, ")
    assert "v1.27.1-r0 -> v1.28.3-r0" in sms
    assert f"task {TASK}" in sms


def test_a_message_smn_would_refuse_is_not_built():
    # Text is bounded where it is read; a result carrying more than SMN's 256 KB is a bug, not a message to send.
    with pytest.raises(ValueError, match=r"SMN.*256 KB"):
        build(result(cluster_name="x" * 300_000), WHERE)


def test_brackets_are_dropped_from_the_sms_only():
    message = build(failed("CCE.[01]", message="【quota】 [exceeded]", cluster_name="[prod]"), WHERE)
    assert_fits_smn(message)
    assert "CCE.01: quota exceeded" in message.bodies["sms"]
    assert "prod" in message.bodies["sms"]
    assert "[prod]" in message.subject  # the e-mail subject keeps them
    assert rows(message.bodies["email"])["Error"] == "CCE.[01]: 【quota】 [exceeded]"


@pytest.mark.parametrize("length", [400, 480, 489, 490, 491, 5000])
def test_a_long_sms_is_cut_under_490_characters(length):
    message = build(failed("CCE.01400001", message="m" * length), WHERE)
    sms = message.bodies["sms"]
    assert len(sms) < SMS_CHARS
    assert sms.startswith("CCE post-upgrade check Error: prod-east")


def test_a_cut_sms_says_it_was_cut_and_a_short_one_is_whole():
    short = build(failed("CCE.01400001", message="quota exceeded"), WHERE).bodies["sms"]
    assert short.endswith("CCE.01400001: quota exceeded")
    long = build(failed("CCE.01400001", message="m" * 1000), WHERE).bodies["sms"]
    assert long.endswith("...")
    assert len(long) > 400  # cut to what SMS allows, not far below it


# -- the e-mail: every fact on its own line ------------------------------------------------------------------------


def test_the_email_shows_the_facts_of_the_check():
    message = build(result(dry_run=False), WHERE)
    text = message.bodies["email"]
    assert text.splitlines()[0] == message.subject.split(":")[0]  # the headline first
    shown = rows(text)
    assert shown["Cluster"] == f"prod-east ({CLUSTER})"
    assert shown["Upgrade"] == "v1.27.1-r0 -> v1.28.3-r0"
    assert shown["Outcome"] == "checked"
    assert shown["Phase"] == "Success"
    assert shown["Post-check task"] == TASK
    assert shown["Upgrade task"] == UPGRADE
    assert shown["Checked at"] == "2026-11-28T06:00:00Z"
    assert shown["Region / project"] == "cn-north-4 / 0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert shown["Triggered by"] == "cts"
    for absent in ("Error", "Error request ID", "Forced", "Dry run"):
        assert absent not in shown
    assert "Health (" not in text
    assert steps(text)


def test_labels_line_up():
    lines = row_lines(build(failed("CCE.01404001", "not found", request_id="r"), WHERE).bodies["email"])
    columns = {len(line) - len(line[line.index(":") + 1:].lstrip()) for line in lines}
    assert len(columns) == 1  # every value starts in the same column


def test_facts_that_are_unknown_are_left_out():
    shown = rows(build(result(cluster_name=None, cluster_version=None, target_version=None, task_uid=None,
                              upgrade_task_id=None, checked_at=None, trigger=None), WHERE).bodies["email"])
    assert shown["Cluster"] == CLUSTER
    for absent in ("Upgrade", "Post-check task", "Upgrade task", "Checked at", "Triggered by"):
        assert absent not in shown


def test_an_error_is_shown_with_its_code_message_and_request_id():
    shown = rows(build(failed("CCE.01404001", "cluster not found", status=404, request_id="req-42"),
                       WHERE).bodies["email"])
    assert shown["Outcome"] == "failed"
    assert shown["Phase"] == "Error"
    assert shown["Error"] == "CCE.01404001: cluster not found"
    assert shown["Error request ID"] == "req-42"
    assert "Post-check task" not in shown


def test_a_dry_run_and_a_forced_confirmation_say_so():
    shown = rows(build(result(phase=None, task_uid=None, dry_run=True), WHERE).bodies["email"])
    assert shown["Dry run"].startswith("yes")
    forced = build(result(forced=True, health=health(findings=1)), WHERE)
    assert rows(forced.bodies["email"])["Forced"].startswith("yes")
    assert "forced" in forced.subject


# -- headlines and what to do next, by outcome --------------------------------------------------------------------


def test_success_needs_nothing_done():
    message = build(result(), WHERE)
    assert message.subject.startswith("CCE post-upgrade check Success")
    assert steps(message.bodies["email"]).startswith("Nothing to do")
    assert TEST_EVENT not in message.bodies["email"]


def test_a_failed_check_says_how_to_run_it_again():
    message = build(result(phase="Failed"), WHERE)
    assert message.subject.startswith("CCE post-upgrade check Failed")
    assert "forced" not in message.subject
    assert TEST_EVENT in steps(message.bodies["email"])
    assert "check items" in steps(message.bodies["email"])


def test_a_dry_run_is_planned_not_run():
    message = build(result(phase=None, task_uid=None, dry_run=True), WHERE)
    assert message.subject.startswith("CCE post-upgrade check planned (dry run)")
    assert steps(message.bodies["email"]).startswith("Dry run")


def test_a_failed_upgrade_says_no_check_ran():
    message = build(failed("UpgradeFailed", "upgrade task x ended Failed", phase=None), WHERE)
    assert message.subject.startswith("CCE upgrade Failed, post-upgrade check not run")
    assert "no post-upgrade check was run" in steps(message.bodies["email"])
    assert TEST_EVENT not in message.bodies["email"]
    assert "UpgradeFailed: upgrade task x ended Failed" in message.bodies["sms"]


def test_no_upgrade_means_nothing_to_confirm():
    message = build(failed("NoUpgradeTask", "CCE lists no upgrade task", phase=None), WHERE)
    assert "not run (NoUpgradeTask)" in message.subject
    assert steps(message.bodies["email"]).startswith("Nothing to confirm")


def test_a_check_the_function_did_not_run_names_its_reason_and_the_test_event():
    message = build(failed("ClusterVersionMismatch", "the cluster runs v1.29.1-r0", phase=None), WHERE)
    assert message.subject.startswith("CCE post-upgrade check not run (ClusterVersionMismatch)")
    assert steps(message.bodies["email"]).startswith("The check was not run")
    assert TEST_EVENT in steps(message.bodies["email"])


def test_a_failure_without_an_error_still_has_a_headline():
    message = build(result(outcome=Outcome.FAILED, phase=None, task_uid=None), WHERE)
    assert_fits_smn(message)
    assert "not run (unknown)" in message.subject
    assert "unknown" in steps(message.bodies["email"])


def test_cces_error_answer_names_the_code_and_the_test_event():
    message = build(failed("CCE.01404001", "not found", status=404, request_id="req-1"), WHERE)
    assert message.subject.startswith("CCE post-upgrade check Error")
    said = steps(message.bodies["email"])
    assert "CCE answered CCE.01404001" in said
    assert TEST_EVENT in said
    assert "CCE.01404001: not found" in message.bodies["sms"]


def test_no_answer_from_cce_is_not_called_cces_answer():
    message = build(failed("Timeout", "no answer in 8 s", status=None, phase="Error"), WHERE)
    said = steps(message.bodies["email"])
    assert "Timeout, no answer from CCE" in said
    assert "CCE answered" not in said
    assert TEST_EVENT in said


# -- the health gate ------------------------------------------------------------------------------------------------


def test_a_held_upgrade_counts_and_lists_its_findings_and_offers_both_test_events():
    message = build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=health(findings=2, omitted=3)),
                    WHERE, kind="held")
    assert_fits_smn(message)
    assert "CCE upgrade held" in message.subject and "not confirmed" in message.subject
    assert "5 health finding(s)" in message.subject
    text = message.bodies["email"]
    assert "Health (problems found; gate block):" in text
    for i in range(2):
        assert f"  - node worker-{i} (node-{i}): node worker-{i} is Abnormal" in text
    assert "... and 3 more" in text
    assert "nodes 5/7 Active" in text
    assert "node pools 3 (1 in Error)" in text
    assert "add-ons 4/5 running" in text
    assert "cluster Available" in text
    said = steps(text)
    assert TEST_EVENT in said and FORCE_EVENT in said
    assert rows(text)["Outcome"] == "held"


def test_a_reminder_is_told_apart_from_the_first_message():
    held = result(outcome=Outcome.HELD, phase=None, task_uid=None, health=health(findings=1))
    first = build(held, WHERE, kind="held").subject
    reminder = build(held, WHERE, kind="reminder").subject
    assert first != reminder
    assert reminder.startswith("Reminder: ")
    assert "1 health finding(s)" in first and "1 health finding(s)" in reminder


def test_a_held_result_without_findings_listed_counts_zero():
    message = build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=None), WHERE)
    assert "0 health finding(s)" in message.subject
    assert "Health (" not in message.bodies["email"]


def test_a_finding_without_a_name_is_shown_by_its_id():
    findings = health(findings=1)
    findings["findings"][0]["name"] = ""
    findings["findings"][0]["message"] = "line\nbreak"
    text = build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=findings), WHERE).bodies["email"]
    assert "  - node node-0 (node-0): line break" in text


def test_an_unknown_cluster_phase_is_said_to_be_unknown():
    findings = health(findings=1)
    findings["cluster_phase"] = None
    text = build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=findings), WHERE).bodies["email"]
    assert "cluster unknown;" in text


def test_a_confirmed_check_reports_its_health_in_the_email_and_the_sms():
    healthy = build(result(health=health(gate="report")), WHERE)
    assert "Health (healthy; gate report):" in healthy.bodies["email"]
    assert healthy.bodies["sms"].endswith("healthy")
    assert "... and" not in healthy.bodies["email"]
    reported = build(result(health=health(findings=2, omitted=1, gate="report")), WHERE)
    assert "3 health finding(s)" in reported.bodies["sms"]
    assert f"task {TASK}" in reported.bodies["sms"]


def test_the_sms_of_a_held_upgrade_counts_in_the_headline_only():
    held = build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=health(findings=2)), WHERE)
    assert held.bodies["sms"].count("health finding(s)") == 1


# -- the "upgrade started" message --------------------------------------------------------------------------------


def test_the_started_message_names_the_upgrade_and_announces_a_second_message():
    running = result(outcome=Outcome.PENDING, phase=None, task_uid=None, checked_at=None)
    message = build_started(running, WHERE)
    assert_fits_smn(message)
    assert "CCE upgrade started" in message.subject
    assert message.subject.endswith(": prod-east v1.27.1-r0 -> v1.28.3-r0")
    shown = rows(message.bodies["email"])
    assert shown["Cluster"] == f"prod-east ({CLUSTER})"
    assert shown["Upgrade"] == "v1.27.1-r0 -> v1.28.3-r0"
    assert shown["Upgrade task"] == UPGRADE
    assert shown["Region / project"] == "cn-north-4 / 0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert shown["Triggered by"] == "cts"
    assert "second message" in steps(message.bodies["email"])
    sms = message.bodies["sms"]
    for fact in ("upgrade started", "prod-east", "v1.27.1-r0 -> v1.28.3-r0", f"task {UPGRADE}", "second message"):
        assert fact in sms
    body = json.loads(message.bodies["https"])
    assert body["kind"] == "started"
    assert body["subject"] == message.subject
    assert body["result"]["outcome"] == "pending"


def test_the_started_message_without_a_name_versions_or_task():
    running = result(outcome=Outcome.CHECKED, phase=None, task_uid=None, cluster_name=None, cluster_version=None,
                     target_version=None, upgrade_task_id=None, trigger=None)
    message = build_started(running, WHERE)
    assert_fits_smn(message)
    assert "upgrade started" in message.subject
    assert message.subject.endswith(f": {CLUSTER}")
    shown = rows(message.bodies["email"])
    assert shown["Cluster"] == CLUSTER
    for absent in ("Upgrade", "Upgrade task", "Triggered by"):
        assert absent not in shown
    sms = message.bodies["sms"]
    first, *rest = sms.split(", ")  # the headline and the cluster, then one fact after another
    assert "CCE upgrade started" in first and first.endswith(CLUSTER)
    assert len(rest) == 1 and "second message" in rest[0]
    assert "task" not in sms and "->" not in sms
    assert json.loads(message.bodies["http"])["result"]["outcome"] == "pending"
    assert "unknown cluster" in build_started(running.updated(cluster_id=None), WHERE).subject


# -- the chat apps' entries and the message attributes ------------------------------------------------------------
# SMN: a dingding/wechat/feishu/welink entry carries a msgType, markdown or text (WeLink text only); message
# attributes are (name, STRING value) pairs, a name 1-32 of [a-z0-9_], a value 1-32 letters, digits or "_"
# (../shared/reference/platform-facts.md, "SMN: PublishMessage"), and one invalid attribute fails the publish.

CHAT = {"dingding": "markdown", "wechat": "markdown", "feishu": "markdown", "welink": "text"}
ATTRIBUTE_NAME = re.compile(r"[a-z0-9_]{1,32}")
ATTRIBUTE_VALUE = re.compile(r"[A-Za-z0-9_]{1,32}")


def chat_text(message, protocol: str) -> str:
    """All the text of a chat entry (a JSON text holding an object with msgType)."""
    entry = json.loads(message.bodies[protocol])
    assert entry["msgType"] == CHAT[protocol]

    def leaves(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [text for item in value.values() for text in leaves(item)]
        return [value] if isinstance(value, str) else []

    return "\n".join(leaves({k: v for k, v in entry.items() if k != "msgType"}))


def test_every_chat_app_gets_the_headline_the_cluster_and_the_versions_before_and_after():
    message = build(result(), WHERE)
    for protocol in CHAT:
        text = chat_text(message, protocol)
        assert "Success" in text
        assert "prod-east" in text and CLUSTER in text
        assert "v1.27.1-r0 → v1.28.3-r0" in text  # before → after, as the docs write it


def test_the_chat_entries_give_the_test_events_exactly_as_they_are_sent():
    held = build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=health(findings=1)), WHERE, "held")
    for protocol in ("dingding", "wechat", "feishu"):
        text = chat_text(held, protocol)
        assert TEST_EVENT in text and FORCE_EVENT in text
    failed_check = build(result(phase="Failed"), WHERE)
    assert TEST_EVENT in chat_text(failed_check, "dingding")


def test_the_chat_entries_count_list_and_summarise_the_findings():
    held = build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=health(findings=2, omitted=3)),
                 WHERE, "held")
    text = chat_text(held, "dingding")
    assert "5 problem(s) found" in text
    assert "gate block" in text and "cluster Available" in text
    for i in range(2):
        assert f"node worker-{i} (node-{i}): node worker-{i} is Abnormal" in text
    assert "3 more" in text
    healthy = chat_text(build(result(health=health(gate="report")), WHERE), "dingding")
    assert "healthy" in healthy and "problem(s)" not in healthy and "more" not in healthy


def test_the_chat_entries_of_a_result_without_health_say_nothing_about_findings():
    for protocol in CHAT:
        text = chat_text(build(result(), WHERE), protocol)
        assert "Health" not in text and "more" not in text and "problem" not in text


def test_the_chat_entries_show_a_finding_by_its_id_without_a_name_and_an_unknown_cluster_phase():
    findings = health(findings=1)
    findings["findings"][0]["name"] = ""
    findings["cluster_phase"] = None
    text = chat_text(build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=findings), WHERE),
                     "dingding")
    assert "node node-0 (node-0)" in text
    assert "cluster unknown" in text


def test_the_started_message_reaches_the_chat_apps_too():
    message = build_started(result(outcome=Outcome.PENDING, phase=None, task_uid=None), WHERE)
    for protocol in CHAT:
        text = chat_text(message, protocol)
        assert "upgrade started" in text and "prod-east" in text
    assert "second message" in chat_text(message, "dingding")


def test_message_attributes_name_the_cluster_kind_outcome_and_phase_within_smns_rules():
    message = build(result(), WHERE)
    attributes = dict(message.attributes)
    assert attributes == {"cluster_id": CLUSTER.replace("-", ""), "cluster_name": "prod_east", "kind": "checked",
                          "outcome": "checked", "phase": "Success", "action": "none"}
    # a post-check CCE answered Failed needs a person as much as a failure or a hold does
    assert dict(build(result(phase="Failed"), WHERE).attributes)["action"] == "needed"
    held = dict(build(result(outcome=Outcome.HELD, phase=None, task_uid=None, health=health(findings=1)), WHERE,
                      "reminder").attributes)
    assert (held["kind"], held["outcome"]) == ("reminder", "held")
    assert "phase" not in held  # absent, not empty: SMN refuses an empty value
    started = dict(build_started(result(outcome=Outcome.PENDING, phase=None), WHERE).attributes)
    assert (started["kind"], started["outcome"]) == ("started", "pending")


@pytest.mark.parametrize("name", ["prod east/1", "生产", "---", "x" * 100, "a.b-c_d", None, ""])
def test_every_attribute_is_one_smn_accepts(name):
    for message in (build(result(cluster_name=name), WHERE), build(failed("X", cluster_name=name), WHERE),
                    build_started(result(cluster_name=name, cluster_id=None, phase=None), WHERE)):
        assert message.attributes
        for key, value in message.attributes:
            assert ATTRIBUTE_NAME.fullmatch(key), key
            assert ATTRIBUTE_VALUE.fullmatch(value), (key, value)
        names = [key for key, _ in message.attributes]
        assert len(names) == len(set(names))
    shown = dict(build(result(cluster_name=name), WHERE).attributes).get("cluster_name")
    if name and any(ch.isascii() and ch.isalnum() for ch in name):
        assert shown is not None and shown.strip("_")
    else:
        assert shown is None


def test_the_chat_entries_head_what_to_do_as_the_email_does():
    for message in (build(result(phase="Failed"), WHERE),
                    build_started(result(outcome=Outcome.PENDING, phase=None, task_uid=None), WHERE)):
        heading = next(line for line in message.bodies["email"].splitlines()
                       if line.startswith("What ") and line.endswith(":"))[:-1]
        for protocol in CHAT:
            assert heading in chat_text(message, protocol), protocol


@pytest.mark.parametrize("outcome, phase, kind, action", [
    (Outcome.CHECKED, "Success", "checked", "none"),
    (Outcome.CHECKED, None, "checked", "none"),  # a dry run
    (Outcome.CHECKED, "Failed", "checked", "needed"),
    (Outcome.CHECKED, "Error", "checked", "needed"),
    (Outcome.FAILED, "Error", "failed", "needed"),
    (Outcome.FAILED, None, "failed", "needed"),
    (Outcome.HELD, None, "held", "needed"),
    (Outcome.HELD, None, "reminder", "needed"),
])
def test_the_action_attribute_says_whether_a_person_has_something_to_do(outcome, phase, kind, action):
    # docs/operations.md, message attributes: `action` is `needed` for a failure, a hold or its reminder, a post-check
    # CCE did not answer `Success`; else `none`
    assert dict(build(result(outcome=outcome, phase=phase), WHERE, kind).attributes)["action"] == action


def test_nothing_needs_doing_when_an_upgrade_starts():
    assert dict(build_started(result(outcome=Outcome.PENDING, phase=None), WHERE).attributes)["action"] == "none"


def test_an_answer_the_function_could_not_read_is_not_called_cces_error():
    message = build(failed("MalformedResponse", "missing status.phase", status=200), WHERE)
    said = steps(message.bodies["email"])
    assert "MalformedResponse" in said and "documented shape" in said
    assert "CCE answered" not in said and "no answer from CCE" not in said
    for status in (400, 404, 500):
        assert "CCE answered CCE.0" in steps(build(failed("CCE.0", "x", status=status), WHERE).bodies["email"])


def test_near_smns_256_kb_the_chat_entries_give_way_and_the_message_keeps_its_subject_and_attributes():
    # 50 findings with long messages: the e-mail and the JSON bodies alone take most of SMN's 256 KB, so the chat
    # entries leave their lists of findings out rather than the message being refused
    findings = health(findings=50)
    for finding in findings["findings"]:
        finding["message"] = "m" * 1050
    res = failed("CCE.01500001", health=findings)
    message = build(res, WHERE)
    assert len(message.message_structure().encode("utf-8")) <= 256 * 1024
    assert_fits_smn(message)
    assert "worker-49" in message.bodies["email"]  # the e-mail still lists every finding
    assert "worker-49" not in chat_text(message, "dingding")
    assert message.subject == build(failed("CCE.01500001", health=health(findings=50)), WHERE).subject
    assert dict(message.attributes) == dict(build(failed("CCE.01500001"), WHERE).attributes)
