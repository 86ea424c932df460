"""Every sample event, with the outcome it must give and the API calls it may make (the stand-in's request log),
through the real handler over real HTTP.

Ours are in tests/events/; the platform's own published samples, verbatim, are in tests/events/platform/ (each
source named in its README.md). The demo scenario's cluster has finished its upgrade, so an event that asks for
its check gets it; every sample runs against a fresh stand-in. A sample added to either folder without a row here
fails ``test_every_sample_has_a_row``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import CLUSTER, EVENTS, operations

PLATFORM = EVENTS / "platform"
# docs/operations.md, "Which upgrade is confirmed": the cluster, its upgrades (tasks and workflows), the health gate's
# reads, then the check and its message.
READS = ["show_cluster", "list_upgrade_tasks", "list_workflows"]
GATE = ["list_nodes", "list_node_pools", "list_addon_instances"]
CHECK = [*READS, *GATE, "postcheck", "publish"]
DRY_RUN = [*READS, *GATE]  # README: a dry run does everything but the post-check and the publish
NOTHING: list[str] = []
SWEEP = "sweep"  # docs/operations.md, "The sweep": the project's clusters listed, then each due cluster checked


@dataclass(frozen=True)
class Expected:
    outcome: str | tuple[str, ...]  # a tuple: a batch, one outcome per event in order
    calls: list[str] | str
    trigger: str | None = None  # the plain result's trigger, or (a batch) the delivery's
    error: str | None = None  # a rejection's message starts with this field


OURS = {
    "manual": Expected("checked", CHECK, "manual"),
    "manual_with_versions": Expected("checked", CHECK, "manual"),
    "manual_dry_run": Expected("checked", DRY_RUN, "manual"),
    "postcheck_task_body": Expected("checked", CHECK, "postcheck_body"),
    "cts_cluster_upgrade": Expected("checked", CHECK, "cts"),
    "cts_trace": Expected("checked", CHECK, "cts"),  # a trace on its own, as CTS's console shows it
    "cts_other_trace": Expected("ignored", NOTHING, "cts"),
    "eventgrid_cluster_upgrade": Expected("checked", CHECK, "eventgrid"),
    "eventgrid_data_text": Expected("checked", CHECK, "eventgrid"),  # data as JSON text, service_type "cce"
    "eventgrid_batch": Expected(("checked", "ignored"), CHECK, "eventgrid"),  # CCE's trace, OBS's event
    "smn_manual": Expected("checked", CHECK, "smn/manual"),
    "smn_records": Expected(("checked", "rejected"), CHECK, "smn"),  # a request, then text that is not JSON
    "timer": Expected("swept", SWEEP, "timer"),
    "timer_v1": Expected("swept", SWEEP, "timer"),
    "invalid_cluster_id": Expected("rejected", NOTHING, error="cluster_id"),
    "invalid_unknown_shape": Expected("rejected", NOTHING, error="event"),
    "invalid_wrong_type": Expected("rejected", NOTHING, error="dry_run"),
}
# The platform's samples, verbatim: none is about a CCE upgrade. Issue 9: other services' samples are ignored,
# an SMN message that is not JSON is rejected (a topic subscribed to this function is meant for it).
THEIRS = {
    "huawei_cts_trigger_sample": Expected("ignored", NOTHING, "cts"),  # "resource_id": {}, empty strings
    "huawei_cts_example_event": Expected("ignored", NOTHING, "cts"),  # epoch milliseconds
    "huawei_eventgrid_example_event": Expected("ignored", NOTHING, "eventgrid"),  # {"events": [one of HC.OBS]}
    "huawei_smn_example_event": Expected("rejected", NOTHING, error="record[0].smn.message"),
}
ROWS = {**{name: (EVENTS / f"{name}.json", row) for name, row in OURS.items()},
        **{f"platform/{name}": (PLATFORM / f"{name}.json", row) for name, row in THEIRS.items()}}


def test_every_sample_has_a_row():
    on_disk = {p.stem for p in EVENTS.glob("*.json")} | {f"platform/{p.stem}" for p in PLATFORM.glob("*.json")}
    assert on_disk == set(ROWS)


def test_every_platform_sample_names_its_source():
    readme = (PLATFORM / "README.md").read_text(encoding="utf-8")
    for name in THEIRS:
        row = next(line for line in readme.splitlines() if f"`{name}.json`" in line)
        assert "https://" in row, name


@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_sample_gives_its_outcome_and_calls(standin, invoke, name):
    path, expected = ROWS[name]
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]

    result = invoke(Path(path).read_text(encoding="utf-8"))  # as pasted: the text itself

    if isinstance(expected.outcome, tuple):
        assert result["outcome"] == "batch"
        assert [r["outcome"] for r in result["results"]] == list(expected.outcome)
        assert result["trigger"] == expected.trigger
    else:
        assert result["outcome"] == expected.outcome, result
        if expected.trigger:
            assert result["trigger"] == expected.trigger
    if expected.error:
        assert result["error"]["code"] == "InvalidEvent"
        assert result["error"]["message"].startswith(f"{expected.error}: ")
    calls = operations(standin)
    if expected.calls == SWEEP:  # the clusters listed first; the demo cluster's upgrade is due: checked
        assert calls[0] == "list_clusters"
        assert set(GATE) <= set(calls)
        assert calls[-2:] == ["postcheck", "publish"]
    else:
        assert calls == expected.calls
    if expected.calls == NOTHING:
        assert standin.published == []

