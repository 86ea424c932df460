"""Invalid input and configuration: a specific message naming the field, and no HTTP request at all."""

from __future__ import annotations

import json

import pytest

from scripts.local_context import LocalContext
from tests.support import CLUSTER, event

DEEP = "[" * 5_000 + "]" * 5_000  # JSON text nested far deeper than the 24 levels an event may have


def _upgrade(name: str, key: str, **changes: object) -> dict[str, object]:
    evt = event(name)
    evt[key].update(changes)
    return evt


@pytest.mark.parametrize(
    ("evt", "field", "expected"),
    [
        (event("invalid_cluster_id"), "cluster_id", "expected a CCE ID"),
        ({"cluster_id": ""}, "cluster_id", "expected a CCE ID"),
        ({"cluster_id": "8978deaa-1743-11ee-8e46-0255ac10004c/../x"}, "cluster_id", "expected a CCE ID"),
        ({"cluster_id": 42}, "cluster_id", "expected a string"),
        ({"cluster_id": None}, "cluster_id", "expected a string"),
        (event("invalid_wrong_type"), "dry_run", "expected true or false"),
        ({"cluster_id": CLUSTER, "target_version": "1.19"}, "target_version", "expected a CCE cluster version"),
        ({"cluster_id": CLUSTER, "cluster": "x"}, "cluster", "unexpected field"),
        (event("invalid_unknown_shape"), "event", "unrecognised event"),
        ({"apiVersion": "v2", "kind": "PostCheckTask", "spec": {"clusterID": CLUSTER}}, "apiVersion", "'v3'"),
        ({"apiVersion": "v3", "kind": "PostCheckTask", "spec": {}}, "spec.clusterID", "required"),
        ({"apiVersion": "v3", "kind": "PostCheckTask", "spec": "x"}, "spec", "expected an object"),
        ({"cts": {"service_type": "CCE", "trace_name": "clusterUpgrade", "resource_id": "prod-east"}},
         "cts.resource_id", "expected the upgraded cluster's ID"),
        ({"cts": "x"}, "cts", "expected an object"),
        ({"record": []}, "record", "at least 1"),
        ({"record": [{"smn": {"message": "not json"}}]}, "record[0].smn.message", "not JSON"),
        ({"record": [{"smn": {"message": '{"cluster_id": "nope"}'}}]}, "smn.message: cluster_id", "CCE ID"),
        ({"trigger_type": "TIMER", "time": "yesterday"}, "time", "ISO 8601"),
        ([], "event", "expected a JSON object, got a list"),
        ("not json", "event", "not JSON"),
        (b"\xff\xfe", "event", "UTF-8"),
        (None, "event", "expected a JSON object, got null"),
        (_upgrade("cts_cluster_upgrade", "cts", response=DEEP), "cts.response", "nested deeper than 24 levels"),
        (_upgrade("eventgrid_cluster_upgrade", "data", response=DEEP), "data.response", "nested deeper than 24"),
        ({"record": [{"smn": {"message": json.dumps(_upgrade("cts_cluster_upgrade", "cts", response=DEEP))}}]},
         "smn.message: cts.response", "nested deeper than 24 levels"),
        (_upgrade("cts_cluster_upgrade", "cts", response="x" * 70_000), "cts.response", "70000 characters"),
        (json.dumps(event("cts_cluster_upgrade")).replace('"code": 200', '"code": ' + "4" * 5_000), "cts.code",
         "a number longer than"),
        ({"record": [{"smn": {"message": DEEP}}]}, "record[0].smn.message", "nested deeper than 24 levels"),
        ({f"{i}{'k' * 60_000}": i for i in range(10)}, "event", "unrecognised event"),
    ],
)
def test_invalid_events_are_rejected_with_the_field_and_no_request(standin, invoke, evt, field, expected):
    result = invoke(evt)

    assert result["outcome"] == "rejected"
    assert result["error"]["code"] == "InvalidEvent"
    assert result["error"]["message"].startswith(field) or f" {field}" in result["error"]["message"]
    assert expected in result["error"]["message"]
    assert len(result["error"]["message"].encode()) < 1024  # issue 7: a rejection message is under 1 KiB
    assert standin.requests == []
    assert standin.published == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"SMN_TOPIC_URN": ""}, "SMN_TOPIC_URN: required"),
        ({"SMN_TOPIC_URN": "urn:smn:cn-north-4:short:topic"}, "SMN_TOPIC_URN: expected urn:smn:"),
        ({"REGION": "Not A Region"}, "REGION: expected a region ID"),
        ({"DRY_RUN": "maybe"}, "DRY_RUN: expected true or false"),
        ({"CCE_ENDPOINT": "ftp://x"}, "CCE_ENDPOINT: expected a base URL"),
    ],
)
def test_bad_configuration_is_rejected_naming_the_variable(standin, invoke, context, change, expected):
    context._user_data.update(change)

    result = invoke(event("manual"))

    assert result["outcome"] == "rejected"
    assert result["error"]["code"] == "InvalidConfiguration"
    assert expected in result["error"]["message"]
    assert standin.requests == []


@pytest.mark.parametrize("keys", [(None, None, None), ("", "", ""), ("AK", None, None)])
def test_without_agency_keys_nothing_is_called(standin, invoke, context, keys):
    bare = LocalContext(*keys, standin.project_id, context._user_data)

    result = invoke(event("manual"), bare)

    assert result["outcome"] == "rejected"
    assert "agency" in result["error"]["message"]
    assert standin.requests == []


def test_project_falls_back_to_runtime_project_id(standin, invoke, context, monkeypatch):
    cred = standin.credentials
    monkeypatch.setenv("RUNTIME_PROJECT_ID", standin.project_id)
    no_project = LocalContext(cred.ak, cred.sk, cred.security_token, None, context._user_data)

    assert invoke(event("manual_with_versions"), no_project)["outcome"] == "checked"


def test_configuration_falls_back_to_the_environment(standin, invoke, context, env, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    cred = standin.credentials
    no_user_data = LocalContext(cred.ak, cred.sk, cred.security_token, standin.project_id, {})

    assert invoke(event("manual_with_versions"), no_user_data)["outcome"] == "checked"
