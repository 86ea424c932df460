"""A refused event inside a delivery (docs/operations.md, "Deliveries of several events"): its own result is
``rejected`` with ``InvalidEvent`` naming where it is (``events[1].data.resource_id``), the delivery's other events are
handled, and nothing is asked of CCE for the refused one. Through the real handler, over real HTTP."""

from __future__ import annotations

import json

from tests.support import CLUSTER, event


def test_a_refused_event_of_a_delivery_is_rejected_with_invalidevent_naming_where_it_is(standin, invoke):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]
    good = event("eventgrid_cluster_upgrade")
    bad = event("eventgrid_cluster_upgrade")
    bad["id"] = "refused-0000-4000-8000-000000000000"
    bad["data"]["resource_id"] = "not a cluster id"

    result = invoke({"events": [good, bad]})

    assert result["outcome"] == "batch"
    checked, refused = result["results"]
    assert checked["outcome"] == "checked"
    assert refused["outcome"] == "rejected"
    assert refused["error"]["code"] == "InvalidEvent"
    assert refused["error"]["status"] is None
    assert refused["error"]["message"].startswith("events[1].data.resource_id")
    assert [p["cluster_id"] for p in standin.postchecks] == [CLUSTER]


def test_a_sweep_asked_for_in_one_record_of_an_smn_delivery_is_swept_beside_the_other_record(standin, invoke):
    # README: an SMN message {"sweep": true} asks for a sweep; a delivery of several records gives one result each.
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]
    delivery = event("smn_manual")
    sweep_record = json.loads(json.dumps(delivery["record"][0]))
    sweep_record["smn"]["message"] = json.dumps({"sweep": True})
    sweep_record["smn"]["message_id"] = "b51671f77d4a479cacb09e2cd591a984"
    delivery["record"].append(sweep_record)

    result = invoke(delivery)

    assert result["outcome"] == "batch"
    assert [r["outcome"] for r in result["results"]] == ["checked", "swept"]
