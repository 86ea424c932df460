"""Every kind of message the function sends, rendered for every SMN protocol, from sample results: for reviewers.

    python -m scripts.messages                       # all samples, every protocol (make messages)
    python -m scripts.messages --protocol dingding   # one protocol only
    python -m scripts.messages --sample held         # the samples whose name contains "held"

Kinds: ``started`` (an upgrade event finds its upgrade running), ``checked`` (Success, Failed, a dry run, a check
under ``HEALTH_GATE=report`` with findings, one forced despite them), ``held``, ``reminder``, ``failed`` (the
upgrade failed; CCE refused a call; the function's own "nothing to confirm"). The last samples are the worst
cases the function can meet (the longest names, markup and brackets in names and messages, CJK text, fifty
findings and more): ``tests/unit/test_messages_limits.py`` keeps every rendering of every sample within its
protocol's documented limits.

Each chat entry (``dingding``, ``wechat``, ``feishu``, ``welink``) is printed as the app would receive it: its
``msgType``, its title where it has one, and its content; ``http``/``https`` as indented JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "function") not in sys.path:
    sys.path.insert(0, str(ROOT / "function"))

from postcheck import chat  # noqa: E402
from postcheck.notification import (  # noqa: E402
    Message,
    Where,
    build,
    build_started,
)
from postcheck.result import ErrorInfo, Outcome, Result  # noqa: E402

WHERE = Where("cn-north-4", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"
TASK = "e99fedf8-348c-4084-b0fd-81bf187df4e0"
UPGRADE = "3c1b5a2e-0d9f-4e8b-a7c6-5f4e3d2c1b0a"
PROTOCOL_ORDER = ("default", "email", "sms", "http", "https", *chat.PROTOCOLS)


@dataclass(frozen=True)
class Sample:
    name: str
    kind: str  # started, checked, held, reminder, failed
    result: Result

    def notification(self) -> Message:
        if self.kind == "started":
            return build_started(self.result, WHERE)
        return build(self.result, WHERE, self.kind)


def _result(**changes: Any) -> Result:
    base: dict[str, Any] = {
        "outcome": Outcome.CHECKED, "phase": "Success", "cluster_id": CLUSTER, "cluster_name": "team-a-prod-east",
        "cluster_version": "v1.27.1-r0", "target_version": "v1.28.3-r0", "task_uid": TASK, "upgrade_task_id": UPGRADE,
        "checked_at": "2026-11-28T06:00:00Z", "trigger": "cts"}
    return Result(**{**base, **changes})


def _health(findings: int, gate: str = "block", omitted: int = 0, name: str = "worker", message: str = "",
            ) -> dict[str, Any]:
    listed = [{"kind": "node", "id": f"6f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a{i:03d}", "name": f"{name}-{i}",
               "state": "Abnormal", "message": message or f"node {name}-{i} is Abnormal, not Active"}
              for i in range(findings)]
    return {"gate": gate, "healthy": not (findings or omitted), "cluster_phase": "Available",
            "nodes": {"total": 12, "active": 12 - min(findings, 12)}, "node_pools": {"total": 3, "error": 0},
            "addons": {"total": 9, "running": 9}, "findings": listed, "findings_omitted": omitted}


def _failed(code: str, message: str, status: int | None, phase: str | None = "Error", **changes: Any) -> Result:
    return _result(outcome=Outcome.FAILED, phase=phase, task_uid=None,
                   error=ErrorInfo(code, message, "3f1a9c2e7b6d4e0f8a1b2c3d4e5f6a7b" if status else None, status,
                                   "create_post_check" if status else None), **changes)


HELD = _result(outcome=Outcome.HELD, phase=None, task_uid=None, health=_health(3),
               reason="the health gate found 3 problem(s): not confirmed until the cluster is sound")
# The worst a message can meet: names at the function's 128-character bound, with every markup character of the
# chat apps, SMS-forbidden brackets and CJK (3 UTF-8 bytes a character); error messages at the 500 characters the
# function keeps; fifty findings (the result's bound) and more; findings' messages as postcheck.health writes them.
NASTY_NAME = ("生产集群-*bold*_it_`code`#h[link](x)<b>|t|~s~【】[]" * 3)[:128]
CJK_NAME = "生产" * 64
FINDING = "node is Abnormal, expected Active"


def samples() -> list[Sample]:
    return [
        Sample("started", "started", _result(outcome=Outcome.FAILED, phase=None, task_uid=None, checked_at=None)),
        Sample("checked: Success", "checked", _result()),
        Sample("checked: Failed", "checked", _result(phase="Failed")),
        Sample("checked: dry run", "checked", _result(phase=None, task_uid=None, dry_run=True)),
        Sample("checked: HEALTH_GATE=report, findings", "checked", _result(health=_health(2, gate="report"))),
        Sample("checked: forced despite findings", "checked",
               _result(health=_health(2), forced=True, trigger="manual")),
        Sample("held", "held", HELD),
        Sample("reminder", "reminder", HELD),
        Sample("failed: the upgrade failed", "failed",
               _failed("UpgradeFailed", "upgrade task 3c1b5a2e ended Failed; the post-upgrade check was not run",
                       None, phase=None)),
        Sample("failed: CCE refused", "failed",
               _failed("CCE.01403001", "Forbidden: the agency may not confirm upgrades of this cluster", 403)),
        Sample("failed: nothing to confirm", "failed",
               _failed("NoUpgradeTask", "CCE lists no upgrade task for this cluster", None, phase=None,
                       cluster_version=None, target_version=None, upgrade_task_id=None)),
        # worst cases
        Sample("worst: held, 50 findings listed and 950 more, long names", "held",
               HELD.updated(cluster_name=NASTY_NAME,
                            health=_health(50, omitted=950, name=NASTY_NAME[:124], message=FINDING))),
        Sample("worst: reminder, CJK everywhere", "reminder",
               HELD.updated(cluster_name=CJK_NAME, health=_health(50, name=CJK_NAME[:124], message=FINDING))),
        Sample("worst: failed, long error message with markup", "failed",
               _failed("CCE.01400001", ("**Invalid** request: <script>[x](y)</script> 【quota】 " * 40)[:500], 400,
                       cluster_name=NASTY_NAME)),
        Sample("worst: started, no name, no versions", "started",
               _result(outcome=Outcome.FAILED, phase=None, task_uid=None, cluster_name=None, cluster_version=None,
                       target_version=None, checked_at=None)),
    ]


def render(sample: Sample, protocols: Sequence[str] = PROTOCOL_ORDER, out: TextIO = sys.stdout) -> None:
    message = sample.notification()
    print("=" * 100, file=out)
    print(f"{sample.name}  (kind {sample.kind})", file=out)
    print(f"subject ({len(message.subject.encode())} bytes): {message.subject}", file=out)
    print(f"message_attributes: {json.dumps(dict(message.attributes), ensure_ascii=False)}", file=out)
    print(f"message_structure: {len(message.message_structure().encode())} bytes", file=out)
    for protocol in protocols:
        body = message.bodies[protocol]
        print(f"--- {protocol}", file=out)
        if protocol in chat.PROTOCOLS:
            entry = json.loads(body)
            msg_type = entry["msgType"]
            inner = entry[msg_type]
            content = chat.content_of(protocol, body)
            print(f"msgType {msg_type}; entry {len(body.encode())} bytes; content {len(content)} characters, "
                  f"{len(content.encode())} bytes", file=out)
            if "title" in inner:
                print(f"title: {inner['title']}", file=out)
            print(content, file=out)
        elif protocol in ("http", "https"):
            print(json.dumps(json.loads(body), indent=2, ensure_ascii=False), file=out)
        elif protocol == "sms":
            print(f"({len(body)} characters) {body}", file=out)
        else:
            print(body, file=out)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.messages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--protocol", choices=PROTOCOL_ORDER, action="append",
                        help="only this protocol (repeatable); default: all")
    parser.add_argument("--sample", help="only the samples whose name contains this text")
    args = parser.parse_args(argv)
    chosen = [s for s in samples() if not args.sample or args.sample in s.name]
    if not chosen:
        print(f"no sample's name contains {args.sample!r}", file=sys.stderr)
        return 2
    for sample in chosen:
        render(sample, tuple(args.protocol or PROTOCOL_ORDER), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
