"""Parsing as one table: every sample event (``tests/events/``, ours and the platform's verbatim samples) and what
``parse_event`` reads it as, alone (no handler, no stand-in, no SDK). The README's "Events it accepts" is the
specification: a manual event, the API's body, a CTS trace (in its envelope, on its own, or in an EventGrid
CloudEvent or an SMN message) ask to check one cluster; a timer event or ``{"sweep": true}`` a sweep; a delivery of
several events one intent per event; another service's trace is ignored; invalid input is refused naming the field.
(tests/integration/test_event_samples.py runs the same samples through the handler against the stand-in.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import pytest

from postcheck.intent import Batch, CheckIntent, Ignored, InvalidEvent, Refused, SweepIntent
from postcheck.parse import parse_event
from tests.support import CLUSTER, EVENTS, UPGRADE_TASK

PLATFORM = EVENTS / "platform"


@dataclass(frozen=True)
class Reads:
    kind: str  # check | sweep | ignored | rejected | batch
    trigger: str | None = None
    upgrade_task: str | None = None  # the task a trace names (its response's metadata.uid)
    versions: tuple[str | None, str | None] = (None, None)  # the versions a request names
    dry_run: bool = False
    field: str | None = None  # a rejection's message starts with the field it is about
    items: tuple[str, ...] = ()  # a batch: each event's kind, in order
    follows: bool = False  # an upgrade event follows its upgrade; a request waits a bounded time


TABLE = {
    "manual": Reads("check", "manual"),
    "manual_with_versions": Reads("check", "manual", versions=("v1.15.11-r1", "v1.19.16-r80")),
    "manual_dry_run": Reads("check", "manual", dry_run=True),
    "postcheck_task_body": Reads("check", "postcheck_body", versions=("v1.15.11-r1", "v1.19.16-r80")),
    "cts_cluster_upgrade": Reads("check", "cts", upgrade_task=UPGRADE_TASK, follows=True),
    "cts_trace": Reads("check", "cts", upgrade_task=UPGRADE_TASK, follows=True),
    "cts_other_trace": Reads("ignored", "cts"),
    "eventgrid_cluster_upgrade": Reads("check", "eventgrid", upgrade_task=UPGRADE_TASK, follows=True),
    "eventgrid_data_text": Reads("check", "eventgrid", follows=True),  # its trace's response is {}: no task named
    "eventgrid_batch": Reads("batch", "eventgrid", items=("check", "ignored")),
    "smn_manual": Reads("check", "smn/manual"),
    "smn_records": Reads("batch", "smn", items=("check", "rejected")),
    "timer": Reads("sweep", "timer"),
    "timer_v1": Reads("sweep", "timer"),
    "invalid_cluster_id": Reads("rejected", field="cluster_id"),
    "invalid_unknown_shape": Reads("rejected", field="event"),
    "invalid_wrong_type": Reads("rejected", field="dry_run"),
    "platform/huawei_cts_trigger_sample": Reads("ignored", "cts"),
    "platform/huawei_cts_example_event": Reads("ignored", "cts"),
    "platform/huawei_eventgrid_example_event": Reads("ignored", "eventgrid"),
    "platform/huawei_smn_example_event": Reads("rejected", field="record[0].smn.message"),
}


def sample(name: str) -> object:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def kind_of(intent: object) -> str:
    kinds = {CheckIntent: "check", SweepIntent: "sweep", Ignored: "ignored", Refused: "rejected", Batch: "batch"}
    return kinds[type(intent)]


def test_the_table_has_a_row_for_every_sample():
    on_disk = {p.stem for p in EVENTS.glob("*.json")} | {f"platform/{p.stem}" for p in PLATFORM.glob("*.json")}
    assert on_disk == set(TABLE)


@pytest.mark.parametrize(("name", "reads"), TABLE.items(), ids=list(TABLE))
def test_each_sample_is_read_as_the_readme_says(name, reads):
    if reads.kind == "rejected":
        with pytest.raises(InvalidEvent) as raised:
            parse_event(sample(name))
        assert str(raised.value).startswith(f"{reads.field}: ")
        return
    intent = parse_event(sample(name))
    assert kind_of(intent) == reads.kind
    assert intent.trigger == reads.trigger
    if isinstance(intent, Batch):
        assert tuple(kind_of(item) for item in intent.items) == reads.items
    if isinstance(intent, CheckIntent):
        assert intent.cluster_id == CLUSTER  # every sample is about the demo scenario's cluster
        assert intent.upgrade_task_id == reads.upgrade_task
        assert (intent.cluster_version, intent.target_version) == reads.versions
        assert intent.dry_run is reads.dry_run
        assert intent.follow_upgrade is reads.follows
    if isinstance(intent, SweepIntent):
        assert isinstance(intent.anchor, datetime)  # the window is anchored to the timer event's own time
        assert intent.anchor.isoformat(timespec="seconds") == datetime.fromisoformat(
            str(sample(name)["time"]).replace("Z", "+00:00")).isoformat(timespec="seconds")
