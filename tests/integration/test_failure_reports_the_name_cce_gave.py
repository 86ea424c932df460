"""A CCE error after the cluster was read is reported with the name CCE gave it: the name routes the message
(TOPIC_ROUTES) and fills its cluster_name attribute, so a team filtering on its clusters sees their failures too."""

from __future__ import annotations

import copy
import json

import pytest

from tests.support import DEMO, TOPIC, event

TEAM_A = TOPIC.replace("cce-upgrades", "team-a")
WITH_TEAM_TOPIC = {**copy.deepcopy(DEMO), "topics": [TOPIC, TEAM_A]}


@pytest.mark.parametrize("scenario", [WITH_TEAM_TOPIC])
def test_a_failed_check_of_a_manual_event_goes_where_the_clusters_name_routes(standin, invoke, context):
    context._user_data["TOPIC_ROUTES"] = json.dumps({"prod-*": TEAM_A})
    standin.add_fault({"operation": "postcheck", "kind": "error_json", "status": 403})

    result = invoke(event("manual"))  # names no cluster: CCE's name is the only one

    assert (result["outcome"], result["phase"], result["cluster_name"]) == ("failed", "Error", "prod-east")
    [published] = standin.published
    assert published["topic_urn"] == TEAM_A
    attributes = {a["name"]: a["value"] for a in published["message_attributes"]}
    assert attributes["cluster_name"] == "prod_east"
