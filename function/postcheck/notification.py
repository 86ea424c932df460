"""The SMN message for a result: one subject, and a ``message_structure`` with a body per protocol.

Kinds: ``checked`` (the post-check ran), ``held`` (the health gate stopped it), ``reminder`` (still held, a
day later), ``failed`` (the upgrade failed, or the check could not be done), ``started`` (an upgrade event
found its upgrade still running).

- ``default`` and ``email``: readable in full (cluster, versions, phase, task IDs, time, request IDs,
  what to do next);
- ``sms``: one short line, under 490 characters, without ``[]`` or ``【】``;
- ``http`` / ``https``: the result as JSON;
- ``dingding``, ``wechat``, ``feishu``, ``welink``: the chat apps' entries (:mod:`postcheck.chat`: markdown for
  DingTalk, WeCom and Feishu, plain text for WeLink, each within its app's limit).

Every message also carries ``message_attributes`` (:func:`attributes`), for subscription filter policies.

Text from events and APIs (cluster names, error messages) is flattened to one line of printable
characters before it is placed anywhere, so it cannot add lines, brackets or JSON structure (nor, in the chat
entries, markup).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from . import chat
from .result import Outcome, Result

SUBJECT_MAX_BYTES = 512
MESSAGE_MAX_BYTES = 256 * 1024
SMS_MAX_CHARS = 480  # SMN asks for under 490
_SMS_FORBIDDEN = re.compile(r"[\[\]【】]")


@dataclass(frozen=True)
class Message:
    subject: str
    bodies: dict[str, str]
    # SMN message_attributes, (name, STRING value) pairs: see attributes().
    attributes: tuple[tuple[str, str], ...] = ()

    def message_structure(self) -> str:
        return json.dumps(self.bodies, ensure_ascii=False, separators=(",", ":"))

    def as_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "message_structure": self.bodies}


@dataclass(frozen=True)
class Where:
    """Where the check ran, for the reader of the message."""

    region: str
    project_id: str


def build(result: Result, where: Where, kind: str = "checked") -> Message:
    cluster = _line(result.cluster_name) or result.cluster_id or "unknown cluster"
    versions = _versions(result)
    headline = _headline(result, kind)
    subject = _fit_bytes(_line(f"{headline}: {cluster}{' ' + versions if versions else ''}"), SUBJECT_MAX_BYTES)
    text = _text(result, where, headline, versions)
    as_json = _json(result, subject, kind)
    bodies = {
        "default": text,
        "email": text,
        "sms": _sms(result, cluster, versions, headline),
        "http": as_json,
        "https": as_json,
    }
    document = _chat_document(subject, headline, _rows(result, where, versions), result.health, "What to do next",
                              _chat_steps(result))
    notification = Message(subject, {**bodies, **chat.entries(document)}, attributes(result, kind))
    if len(notification.message_structure().encode()) > MESSAGE_MAX_BYTES:
        # The chat entries give way first: without their lists of findings they take a few KB.
        notification = Message(subject, {**bodies, **chat.entries(document.brief())}, notification.attributes)
    if len(notification.message_structure().encode()) > MESSAGE_MAX_BYTES:  # pragma: no cover - bounded inputs
        raise ValueError("notification over SMN's 256 KB limit")
    return notification


def build_started(result: Result, where: Where) -> Message:
    """The short message an upgrade event sends when it finds its upgrade still running."""
    cluster = _line(result.cluster_name) or result.cluster_id or "unknown cluster"
    versions = _versions(result)
    headline = "CCE upgrade started"
    subject = _fit_bytes(_line(f"{headline}: {cluster}{' ' + versions if versions else ''}"), SUBJECT_MAX_BYTES)
    rows: list[tuple[str, str | None]] = [
        ("Cluster", _cluster_row(result)), ("Upgrade", versions or None), ("Upgrade task", result.upgrade_task_id),
        ("Region / project", f"{where.region} / {where.project_id}"), ("Triggered by", result.trigger)]
    next_step = ("The function follows the upgrade. When it ends, the cluster's health is judged and, if it is "
                 "sound, the upgrade is confirmed (CCE's post-upgrade check); a second message says how it went.")
    text = "\n".join([headline, "", *[f"{label + ':':<18}{value}" for label, value in rows if value], "",
                      "What comes next:", next_step, ""])
    sms = _sms_line([f"{headline}: {cluster}", versions, f"task {result.upgrade_task_id}" if result.upgrade_task_id
                     else "", "a second message follows when it ends"])
    announced = result.updated(outcome=Outcome.PENDING)
    as_json = _json(announced, subject, "started")
    bodies = {"default": text, "email": text, "sms": sms, "http": as_json, "https": as_json,
              **chat.entries(_chat_document(subject, headline, rows, None, "What comes next",
                                            chat.inert(next_step)))}
    return Message(subject, bodies, attributes(announced, "started"))


# -- message attributes: what a subscription filter policy can match --------------------------------------------
#
# SMN's MessageAttribute (PublishMessage, https://support.huaweicloud.com/api-smn/PublishMessage.html; SDK 3.1.219
# MessageAttribute): a name is 1-32 of [a-z0-9_], "_" neither first, last nor doubled; a STRING value is 1-32
# letters (Chinese or Latin), digits or "_". A subscription filter policy's name must also not begin with
# "smn_" (BatchCreateSubscriptionsFilterPolices, https://support.huaweicloud.com/api-smn/
# BatchCreateSubscriptionsFilterPolices.html), so no attribute name here does: a policy can name each of them.
# This function sends only ASCII letters, digits and "_", a subset of what SMN allows.
ATTRIBUTE_VALUE_RE = re.compile(r"^[A-Za-z0-9_]{1,32}$")
_NOT_ATTRIBUTE_CHARACTER = re.compile(r"[^A-Za-z0-9_]")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]")


def attributes(result: Result, kind: str) -> tuple[tuple[str, str], ...]:
    """The message's attributes: ``cluster_id`` (its 32 hex digits, no hyphens), ``cluster_name`` (every
    character but letters, digits and ``_`` turned to ``_``, cut to 32), ``kind`` (started, checked, held,
    reminder, failed), ``outcome``, ``phase`` and ``action`` (``needed`` when a person has something to do: a
    failure, a hold, or a post-check CCE did not answer ``Success``; else ``none``), so that one filter value picks
    what needs a person. A value that is absent, or would not be valid (a name of nothing but punctuation), is left
    out: SMN refuses the whole message for one invalid attribute."""
    name = _NOT_ATTRIBUTE_CHARACTER.sub("_", result.cluster_name or "")[:32]
    candidates = (
        ("cluster_id", (result.cluster_id or "").replace("-", "")),
        ("cluster_name", name if _ALPHANUMERIC.search(name) else ""),
        ("kind", kind),
        ("outcome", result.outcome.value),
        ("phase", result.phase or ""),
        ("action", "needed" if _needs_a_person(result, kind) else "none"),
    )
    return tuple((key, value) for key, value in candidates if ATTRIBUTE_VALUE_RE.fullmatch(value))


def _needs_a_person(result: Result, kind: str) -> bool:
    if kind in ("failed", "held", "reminder"):
        return True
    return kind == "checked" and result.phase in ("Failed", "Error")


def _headline(result: Result, kind: str) -> str:
    if result.outcome is Outcome.HELD:
        count = len((result.health or {}).get("findings", ())) + (result.health or {}).get("findings_omitted", 0)
        prefix = "Reminder: CCE upgrade still held" if kind == "reminder" else "CCE upgrade held"
        return f"{prefix}, not confirmed: {count} health finding(s)"
    if result.outcome is Outcome.CHECKED:
        forced = ", forced despite health findings" if result.forced else ""
        return f"CCE post-upgrade check {result.phase or 'planned (dry run)'}{forced}"
    if result.error is not None and result.error.code == "UpgradeFailed":
        return "CCE upgrade Failed, post-upgrade check not run"
    if result.phase is None:  # the function decided not to check (its own code), CCE did not answer Error
        return f"CCE post-upgrade check not run ({_line(result.error.code) if result.error else 'unknown'})"
    return f"CCE post-upgrade check {result.phase}"


def _versions(result: Result) -> str:
    if result.cluster_version or result.target_version:
        return f"{_line(result.cluster_version) or '?'} -> {_line(result.target_version) or '?'}"
    return ""


def _next_steps(result: Result) -> str:
    test_event = json.dumps({"cluster_id": result.cluster_id})
    if result.outcome is Outcome.HELD:
        forced = json.dumps({"cluster_id": result.cluster_id, "force": True})
        return ("Fix the problems listed under Health. Where CCE keeps an upgrade workflow for this upgrade, the "
                "function's sweep judges the cluster again every period and confirms the upgrade as soon as it is "
                f"healthy. You can also confirm it yourself once it is healthy, with the function's test event "
                f"{test_event}, or despite the problems with {forced}.")
    if result.outcome is Outcome.CHECKED and result.phase == "Success":
        return "Nothing to do: CCE confirmed the cluster after its upgrade. Watch your workloads as usual."
    if result.outcome is Outcome.CHECKED and result.phase == "Failed":
        return ("The post-upgrade check found problems. In the CCE console open the cluster, then Upgrade, "
                "review the failed check items and fix them; then run the check again with the function's "
                f"test event {test_event}.")
    if result.outcome is Outcome.CHECKED and result.phase is None:
        return "Dry run: nothing was sent to CCE."
    if result.error is not None and result.error.code == "UpgradeFailed":
        return ("The upgrade itself failed, so no post-upgrade check was run. In the CCE console open the "
                "cluster's upgrade history, read why the upgrade task failed, then retry or roll back the "
                "upgrade. The check runs when an upgrade succeeds.")
    code = result.error.code if result.error else "unknown"
    if result.error is not None and result.error.code == "NoUpgradeTask":
        return "Nothing to confirm: CCE lists no upgrade of this cluster. Nothing to do unless you expected one."
    if result.error is not None and result.error.status is None and result.phase is None:
        return ("The check was not run, for the reason named above. Look at the cluster's version and upgrade "
                "history in the CCE console; once they agree, run the check again with the function's test event "
                f"{test_event}.")
    status = result.error.status if result.error is not None else None
    if status is not None and status >= 400:  # an error answer: its code is CCE's (or its gateway's)
        answer = f"CCE answered {_line(code)}"
    elif status is not None:  # an answer this function could not read: the code is the function's
        answer = f"{_line(code)}: CCE's answer did not have the documented shape"
    else:
        answer = f"{_line(code)}, no answer from CCE"
    return (f"The check could not be completed ({answer}). Fix the cause named above "
            "(the function agency's permissions, the cluster's state, the network), then run the check again "
            f"with the function's test event {test_event}.")


def _chat_steps(result: Result) -> str:
    """What to do next, for the chat apps: markup-free, but the test events it names kept exactly as they are
    sent (JSON has no markup character but ``_``, inside ``cluster_id``, where no markdown reads it as
    emphasis)."""
    text = chat.inert(_next_steps(result))
    for sample in (json.dumps({"cluster_id": result.cluster_id}),
                   json.dumps({"cluster_id": result.cluster_id, "force": True})):
        text = text.replace(chat.inert(sample), sample)
    return text


def _text(result: Result, where: Where, headline: str, versions: str) -> str:
    lines = [headline, ""]
    lines += [f"{label + ':':<18}{value}" for label, value in _rows(result, where, versions) if value]
    lines += _health_lines(result.health)
    lines += ["", "What to do next:", _next_steps(result), ""]
    return "\n".join(lines)


def _rows(result: Result, where: Where, versions: str) -> list[tuple[str, str | None]]:
    """The labelled facts of the e-mail (and the chat messages); a row without a value is not shown."""
    rows: list[tuple[str, str | None]] = [
        ("Cluster", _cluster_row(result)),
        ("Upgrade", versions or None),
        ("Outcome", result.outcome.value),
        ("Phase", result.phase),
        ("Post-check task", result.task_uid),
        ("Upgrade task", result.upgrade_task_id),
        ("Checked at", result.checked_at),
        ("Region / project", f"{where.region} / {where.project_id}"),
        ("Triggered by", result.trigger),
    ]
    if result.error is not None:
        rows += [
            ("Error", f"{_line(result.error.code)}: {_line(result.error.message)}"),
            ("Error request ID", _line(result.error.request_id)),
        ]
    if result.forced:
        rows.append(("Forced", "yes: confirmed on request despite the health gate's findings"))
    if result.dry_run:
        rows.append(("Dry run", "yes: nothing was changed"))
    return rows


def _chat_document(subject: str, headline: str, rows: list[tuple[str, str | None]], health: dict[str, Any] | None,
                   steps_label: str, steps: str) -> chat.Document:
    """The facts of the e-mail for the chat apps, every value from an event or API made markup-free."""
    summary, findings, omitted = None, [], 0
    if health:
        nodes, pools, addons = health["nodes"], health["node_pools"], health["addons"]
        omitted = health.get("findings_omitted", 0)
        count = len(health["findings"]) + omitted
        state = "healthy" if health["healthy"] else f"{count} problem(s) found"
        summary = chat.inert(
            f"{state}, gate {health['gate']}: cluster {_line(health['cluster_phase']) or 'unknown'}; nodes "
            f"{nodes['active']}/{nodes['total']} Active; node pools {pools['total']} ({pools['error']} in Error); "
            f"add-ons {addons['running']}/{addons['total']} running")
        findings = [chat.inert(f"{f['kind']} {_line(f['name']) or _line(f['id'])} ({_line(f['id'])}): "
                               f"{_line(f['message'])}") for f in health["findings"]]
    facts = [(label, chat.inert(_line(value).replace(" -> ", " → "))) for label, value in rows if value]
    return chat.Document(subject, chat.inert(headline), facts, summary, findings, omitted, steps_label, steps)


def _cluster_row(result: Result) -> str | None:
    return f"{_line(result.cluster_name)} ({result.cluster_id})" if result.cluster_name else result.cluster_id


def _health_lines(health: dict[str, Any] | None) -> list[str]:
    """The health gate's summary, and each finding, for the e-mail."""
    if not health:
        return []
    nodes, pools, addons = health["nodes"], health["node_pools"], health["addons"]
    lines = ["", f"Health ({'healthy' if health['healthy'] else 'problems found'}; gate {health['gate']}):",
             f"  cluster {_line(health['cluster_phase']) or 'unknown'}; nodes {nodes['active']}/{nodes['total']} "
             f"Active; node pools {pools['total']} ({pools['error']} in Error); add-ons "
             f"{addons['running']}/{addons['total']} running"]
    for finding in health["findings"]:
        name = _line(finding["name"]) or finding["id"]
        lines.append(f"  - {finding['kind']} {name} ({_line(finding['id'])}): {_line(finding['message'])}")
    if health.get("findings_omitted"):
        lines.append(f"  ... and {health['findings_omitted']} more")
    return lines


def _sms(result: Result, cluster: str, versions: str, headline: str) -> str:
    parts = [f"{headline}: {cluster}", versions]
    if result.task_uid:
        parts.append(f"task {result.task_uid}")
    if result.health and result.outcome is Outcome.CHECKED:
        count = len(result.health["findings"]) + result.health.get("findings_omitted", 0)
        parts.append(f"{count} health finding(s)" if count else "healthy")
    if result.error is not None:
        parts.append(f"{_line(result.error.code)}: {_line(result.error.message)}")
    return _sms_line(parts)


def _sms_line(parts: list[str]) -> str:
    sms = _SMS_FORBIDDEN.sub("", _line(", ".join(p for p in parts if p)))
    return sms if len(sms) <= SMS_MAX_CHARS else sms[: SMS_MAX_CHARS - 3] + "..."


def _json(result: Result, subject: str, kind: str) -> str:
    return json.dumps({"subject": subject, "kind": kind, "result": result.to_dict()}, ensure_ascii=False,
                      separators=(",", ":"))


def _line(value: Any) -> str:
    """``value`` as one line of printable text: control, format and line-separator characters become spaces."""
    if value is None:
        return ""
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in str(value))
    return " ".join(text.split())


def _fit_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "..."
