"""The CCE/SMN stand-in, driven over real HTTP by the official Huawei Cloud SDK (and raw requests)."""

from __future__ import annotations

import contextlib
import copy
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote

import pytest
import requests
from huaweicloudsdkcce.v3 import (
    CceClient,
    CreatePostCheckRequest,
    ListClustersRequest,
    ListUpgradeClusterTasksRequest,
    ListUpgradeWorkFlowsRequest,
    PostcheckClusterRequestBody,
    PostcheckSpec,
    ShowClusterRequest,
    ShowUpgradeClusterTaskRequest,
    ShowUpgradeWorkFlowRequest,
)
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    ServerResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdksmn.v2 import PublishMessageRequest, PublishMessageRequestBody, SmnClient

from scripts.standin import ScenarioError, StandIn, load_scenario
from scripts.standin.signature import (
    ALGORITHM,
    DATE_FORMAT,
    Credential,
    SignatureError,
    canonical_request,
    compute_signature,
    sign,
    string_to_sign,
    verify,
)

# Workflow metadata timestamps are typed "date" in the SDK model; without python-dateutil the SDK
# warns and keeps the string. That is the SDK's business, not the stand-in's.
pytestmark = pytest.mark.filterwarnings("ignore:Unable to convert string to date:ImportWarning")

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tests" / "scenarios" / "demo.json"
CLUSTER = "8978deaa-1743-11ee-8e46-0255ac10004c"
TASK = "2d1bf4a6-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
OLD_TASK = "7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098"
WORKFLOW = "c4e1f6a2-5b3d-4e8f-9a0b-1c2d3e4f5a6b"
TOPIC = "urn:smn:cn-north-4:0a1b2c3d4e5f60718293a4b5c6d7e8f9:cce-upgrades"
SK = "sk-standin-demo-secret"
TOKEN = "token-standin-demo"
DEFAULT = object()


# -- helpers ----------------------------------------------------------------------------------------


def _standin_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("standin")]


@pytest.fixture
def demo() -> dict[str, Any]:
    return json.loads(DEMO.read_text(encoding="utf-8"))


@pytest.fixture
def standin(demo: dict[str, Any]) -> Iterator[StandIn]:
    with StandIn(demo) as running:
        yield running
    assert _standin_threads() == []


def _config(timeout: tuple[float, float] = (2, 5)) -> HttpConfig:
    config = HttpConfig.get_default_config()
    config.user_agent = "standin-test"
    config.timeout = timeout
    return config


def _credentials(s: StandIn, sk: str | None = None, token: Any = DEFAULT) -> BasicCredentials:
    credentials = BasicCredentials(s.credentials.ak, sk or s.credentials.sk, s.project_id)
    token = s.credentials.security_token if token is DEFAULT else token
    return credentials.with_security_token(token) if token else credentials


def _cce(s: StandIn, timeout: tuple[float, float] = (2, 5), **creds: Any) -> CceClient:
    builder = CceClient.new_builder().with_credentials(_credentials(s, **creds))
    return builder.with_endpoints([s.url]).with_http_config(_config(timeout)).build()


def _smn(s: StandIn) -> SmnClient:
    builder = SmnClient.new_builder().with_credentials(_credentials(s))
    return builder.with_endpoints([s.url]).with_http_config(_config()).build()


@pytest.fixture
def cce(standin: StandIn) -> Iterator[CceClient]:
    client = _cce(standin)
    yield client
    client.close()


@pytest.fixture
def smn(standin: StandIn) -> Iterator[SmnClient]:
    client = _smn(standin)
    yield client
    client.close()


def _postcheck_request(kind: str = "PostCheckTask") -> CreatePostCheckRequest:
    spec = PostcheckSpec(cluster_id=CLUSTER, cluster_version="v1.15.11-r1", target_version="v1.19.16-r80")
    body = PostcheckClusterRequestBody(api_version="v3", kind=kind, spec=spec)
    return CreatePostCheckRequest(cluster_id=CLUSTER, body=body)


def _publish_request(**fields: Any) -> PublishMessageRequest:
    return PublishMessageRequest(
        topic_urn=fields.pop("topic_urn", TOPIC), body=PublishMessageRequestBody(**fields)
    )


class _Endpoint(Protocol):
    """What the raw-request helpers need: a running stand-in, or the address the CLI printed."""

    @property
    def url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def project_id(self) -> str: ...
    @property
    def credentials(self) -> Credential: ...


class _Remote(NamedTuple):
    url: str
    port: int
    project_id: str
    credentials: Credential


def _signed(
    s: _Endpoint,
    method: str,
    path: str,
    body: bytes = b"",
    query: str = "",
    credential: Credential | None = None,
    when: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    base = {"Host": f"127.0.0.1:{s.port}", "Content-Type": "application/json", "X-Project-Id": s.project_id}
    return sign(method, path, query, {**base, **(headers or {})}, body, credential or s.credentials, when)


def _send(s: _Endpoint, method: str, path: str, headers: dict[str, str], body: bytes = b"", query: str = ""):
    url = s.url + path + (f"?{query}" if query else "")
    return requests.request(method, url, data=body, headers=headers, timeout=5)


def _postcheck_path(s: StandIn, cluster: str = CLUSTER) -> str:
    return f"/api/v3/projects/{s.project_id}/clusters/{cluster}/operation/postcheck"


POSTCHECK_BODY = json.dumps(
    {
        "kind": "PostCheckTask",
        "apiVersion": "v3",
        "spec": {"clusterID": CLUSTER, "targetVersion": "v1.19.16-r80"},
    }
).encode()


# -- every operation through the SDK ---------------------------------------------------------------


def test_clusters_list_and_show(cce: CceClient) -> None:
    listed = cce.list_clusters(ListClustersRequest(status="Available", detail="true"))
    assert listed.kind == "Cluster"
    assert [c.metadata.uid for c in listed.items] == [CLUSTER]
    assert listed.items[0].metadata.name == "prod-east"
    assert cce.list_clusters(ListClustersRequest(status="Unavailable")).items == []

    shown = cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))
    assert (shown.spec.version, shown.spec.type, shown.status.phase) == (
        "v1.19.16-r80",
        "VirtualMachine",
        "Available",
    )
    assert shown.metadata.creation_timestamp.startswith("2023-07-01")


def test_upgrade_tasks_follow_phases_and_keep_scenario_order(standin: StandIn, cce: CceClient) -> None:
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Running", "Success"]
    first = cce.show_upgrade_cluster_task(ShowUpgradeClusterTaskRequest(cluster_id=CLUSTER, task_id=TASK))
    assert (first.status.phase, first.status.completion_time) == ("Running", None)
    assert first.spec.version == "v1.15.11-r1" and first.spec.target_version == "v1.19.16-r80"

    listed = cce.list_upgrade_cluster_tasks(ListUpgradeClusterTasksRequest(cluster_id=CLUSTER))
    assert [t.metadata.uid for t in listed.items] == [TASK, OLD_TASK]
    newest, oldest = listed.items
    assert (newest.status.phase, newest.status.progress) == ("Success", "100")
    assert newest.status.completion_time == "2026-11-27 08:40:00.000 +0000 UTC"
    assert oldest.metadata.creation_timestamp == "2026-06-02 07:10:00.000 +0000 UTC"

    again = cce.show_upgrade_cluster_task(ShowUpgradeClusterTaskRequest(cluster_id=CLUSTER, task_id=TASK))
    assert again.status.phase == "Success"  # stays on the last phase
    assert standin.cluster(CLUSTER).upgrade_tasks[0].reads == 3


def test_workflows_list_and_show(cce: CceClient) -> None:
    listed = cce.list_upgrade_work_flows(ListUpgradeWorkFlowsRequest(cluster_id=CLUSTER))
    (flow,) = listed.items
    assert (flow.kind, flow.metadata.uid, flow.spec.cluster_id) == ("WorkFlowTask", WORKFLOW, CLUSTER)
    assert (flow.spec.cluster_version, flow.spec.target_version) == ("v1.15.11-r1", "v1.19.16-r80")
    assert flow.status.phase == "Running"
    points = [(p.task_type, p.task_id, p.status) for p in flow.status.point_statuses]
    assert points[1:] == [("Cluster", TASK, "Success"), ("PostCheck", None, "Init")]
    assert flow.status.line_statuses[-1].end_point.task_type == "PostCheck"

    shown = cce.show_upgrade_work_flow(
        ShowUpgradeWorkFlowRequest(cluster_id=CLUSTER, upgrade_workflow_id=WORKFLOW)
    )
    assert shown.metadata.uid == WORKFLOW


def test_postcheck_is_confirmed_recorded_and_completes_the_workflow(standin: StandIn, cce: CceClient) -> None:
    response = cce.create_post_check(_postcheck_request())
    assert (response.kind, response.status.phase) == ("PostCheckTask", "Success")
    assert len(response.metadata.uid) == 36
    assert (response.spec.cluster_id, response.spec.target_version) == (CLUSTER, "v1.19.16-r80")

    (done,) = standin.postchecks
    assert (done["cluster_id"], done["uid"], done["phase"]) == (CLUSTER, response.metadata.uid, "Success")
    assert done["body"]["spec"]["clusterVersion"] == "v1.15.11-r1"
    flow = cce.show_upgrade_work_flow(
        ShowUpgradeWorkFlowRequest(cluster_id=CLUSTER, upgrade_workflow_id=WORKFLOW)
    )
    assert flow.status.phase == "Success"
    assert flow.status.point_statuses[-1].status == "Success"


def test_postcheck_reports_the_clusters_postcheck_phase(standin: StandIn, cce: CceClient) -> None:
    standin.cluster(CLUSTER).postcheck_phase = "Failed"
    assert cce.create_post_check(_postcheck_request()).status.phase == "Failed"
    flow = standin.cluster(CLUSTER).workflows[0]
    assert (flow.phase, flow.points[-1].status) == ("Running", "Failed")


def test_publish_is_recorded(standin: StandIn, smn: SmnClient) -> None:
    structure = json.dumps({"default": "cluster upgraded", "sms": "upgraded"})
    response = smn.publish_message(_publish_request(subject="CCE upgrade done", message_structure=structure))
    assert len(response.message_id) == 32 and response.request_id
    (published,) = standin.published
    assert published["topic_urn"] == TOPIC
    assert published["subject"] == "CCE upgrade done"
    assert published["message_structure"] == {"default": "cluster upgraded", "sms": "upgraded"}
    assert published["message_id"] == response.message_id


# -- rejections -------------------------------------------------------------------------------------


def _assert_rejected(exc: pytest.ExceptionInfo[ClientRequestException], status: int, code: str) -> None:
    assert (exc.value.status_code, exc.value.error_code) == (status, code)
    assert exc.value.request_id


def test_wrong_sk_is_rejected_without_echoing_secrets(standin: StandIn) -> None:
    client = _cce(standin, sk="not-the-secret")
    with pytest.raises(ClientRequestException) as exc:
        client.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))
    client.close()
    _assert_rejected(exc, 401, "APIG.0301")
    assert "signature does not match" in exc.value.error_msg
    assert SK not in exc.value.error_msg and TOKEN not in exc.value.error_msg
    assert standin.requests[-1] == {
        "method": "GET",
        "path": f"/api/v3/projects/{standin.project_id}/clusters/{CLUSTER}",
        "operation": "show_cluster",
        "status": 401,
        "cluster_id": CLUSTER,
        "fault": None,
    }


@pytest.mark.parametrize(
    ("token", "reason"),
    [(None, "missing X-Security-Token"), ("token-of-someone-else", "does not belong")],
)
def test_temporary_key_needs_its_token(standin: StandIn, token: str | None, reason: str) -> None:
    client = _cce(standin, token=token)
    with pytest.raises(ClientRequestException) as exc:
        client.list_clusters(ListClustersRequest())
    client.close()
    _assert_rejected(exc, 401, "APIG.0301")
    assert reason in exc.value.error_msg


def test_tampered_body_is_rejected(standin: StandIn) -> None:
    path = _postcheck_path(standin)
    headers = _signed(standin, "POST", path, POSTCHECK_BODY)
    assert _send(standin, "POST", path, headers, POSTCHECK_BODY).status_code == 200

    tampered = POSTCHECK_BODY.replace(b"v1.19.16-r80", b"v1.19.16-r81")
    response = _send(standin, "POST", path, headers, tampered)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIG.0301"
    assert response.json()["request_id"] == response.headers["X-Request-Id"]
    assert len(standin.postchecks) == 1


@pytest.mark.parametrize("minutes", [-16, 16], ids=["stale", "future"])
def test_a_date_more_than_15_minutes_off_is_401(standin: StandIn, minutes: int) -> None:
    path = f"/api/v3/projects/{standin.project_id}/clusters"
    when = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    response = _send(standin, "GET", path, _signed(standin, "GET", path, when=when))
    assert (response.status_code, response.json()["error_code"]) == (401, "APIG.0301")
    assert "15 minutes" in response.json()["error_msg"]


def test_a_duplicated_authorization_header_is_401(standin: StandIn) -> None:
    path = f"/api/v3/projects/{standin.project_id}/clusters"
    headers = _signed(standin, "GET", path)
    connection = http.client.HTTPConnection("127.0.0.1", standin.port, timeout=5)
    for extra in ([], [("Authorization", headers["Authorization"])]):
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in [*headers.items(), *extra]:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = json.loads(response.read())
        if not extra:
            assert response.status == 200  # the same request, sent once, is fine
    connection.close()
    assert (response.status, body["error_code"]) == (401, "APIG.0301")
    assert "more than one authorization header" in body["error_msg"]
    assert standin.requests[-1]["status"] == 401


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing Authorization"),
        ("Bearer abc", "unsupported signing algorithm"),
        ("SDK-HMAC-SHA256 Access=AK, Signature=00", "malformed Authorization"),
    ],
)
def test_garbled_authorization_is_rejected(standin: StandIn, authorization: str | None, reason: str) -> None:
    path = f"/api/v3/projects/{standin.project_id}/clusters"
    headers = _signed(standin, "GET", path)
    if authorization is None:
        del headers["Authorization"]
    else:
        headers["Authorization"] = authorization
    response = _send(standin, "GET", path, headers)
    assert response.status_code == 401
    assert reason in response.json()["error_msg"]


def test_unknown_cluster_and_task_are_404(cce: CceClient) -> None:
    with pytest.raises(ClientRequestException) as exc:
        cce.show_cluster(ShowClusterRequest(cluster_id="00000000-0000-0000-0000-000000000000"))
    _assert_rejected(exc, 404, "CCE.01404001")
    assert "cluster 00000000-0000-0000-0000-000000000000" in exc.value.error_msg
    with pytest.raises(ClientRequestException) as exc:
        cce.show_upgrade_cluster_task(ShowUpgradeClusterTaskRequest(cluster_id=CLUSTER, task_id="nope"))
    _assert_rejected(exc, 404, "CCE.01404001")


def test_bad_postcheck_kind_through_the_sdk_is_400(standin: StandIn, cce: CceClient) -> None:
    with pytest.raises(ClientRequestException) as exc:
        cce.create_post_check(_postcheck_request(kind="UpgradeTask"))
    _assert_rejected(exc, 400, "CCE.01400001")
    assert exc.value.error_msg.startswith("Invalid request. kind must be PostCheckTask")
    assert standin.postchecks == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"[]", "must be a JSON object"),
        (b'{"apiVersion": "v2", "kind": "PostCheckTask", "spec": {}}', "apiVersion must be v3"),
        (b'{"apiVersion": "v3", "kind": "PostCheckTask"}', "spec is required"),
        (b'{"apiVersion": "v3", "kind": "PostCheckTask", "spec": {"clusterID": "other"}}', "does not match"),
        (b'{"apiVersion": "v3", "kind": "PostCheckTask", "spec": {"targetVersion": 19}}', "must be a string"),
    ],
)
def test_bad_postcheck_body_is_400(standin: StandIn, body: bytes, detail: str) -> None:
    path = _postcheck_path(standin)
    response = _send(standin, "POST", path, _signed(standin, "POST", path, body), body)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "CCE.01400001"
    assert response.json()["errorMessage"].startswith("Invalid request. ")
    assert detail in response.json()["errorMessage"]
    assert standin.postchecks == []


def test_publish_to_unknown_topic_is_404(standin: StandIn, smn: SmnClient) -> None:
    with pytest.raises(ClientRequestException) as exc:
        smn.publish_message(_publish_request(topic_urn=TOPIC + "-other", message="hello"))
    _assert_rejected(exc, 404, "SMN.0006")
    assert standin.published == []


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"subject": "no body"}, "One of message"),
        ({"subject": "é" * 257, "message": "x"}, "subject is longer than 512 bytes"),
        ({"message": "x" * (256 * 1024 + 1)}, "larger than 256 KB"),
        ({"message_structure": "not json"}, "JSON string of an object"),
        ({"message_structure": '{"sms": "x"}'}, "default"),
    ],
)
def test_invalid_publish_is_400(
    standin: StandIn, smn: SmnClient, fields: dict[str, Any], detail: str
) -> None:
    with pytest.raises(ClientRequestException) as exc:
        smn.publish_message(_publish_request(**fields))
    _assert_rejected(exc, 400, "SMN.00010004")
    assert detail in exc.value.error_msg
    assert standin.published == []


def test_wrong_project_is_403(standin: StandIn) -> None:
    path = f"/api/v3/projects/{'f' * 32}/clusters"
    response = _send(standin, "GET", path, _signed(standin, "GET", path))
    assert (response.status_code, response.json()["errorCode"]) == (403, "CCE.01403001")

    path = f"/api/v3/projects/{standin.project_id}/clusters"
    headers = _signed(standin, "GET", path, headers={"X-Project-Id": "f" * 32})
    assert _send(standin, "GET", path, headers).status_code == 403


def test_unknown_route_is_404(standin: StandIn) -> None:
    path = f"/api/v3/projects/{standin.project_id}/nodes"
    response = _send(standin, "GET", path, _signed(standin, "GET", path))
    assert (response.status_code, response.json()["errorCode"]) == (404, "CCE.01404001")
    assert standin.requests[-1]["operation"] is None


# -- faults -----------------------------------------------------------------------------------------


def test_error_json_fault_is_not_recorded_and_is_used_up(standin: StandIn, cce: CceClient) -> None:
    standin.add_fault({"operation": "postcheck", "kind": "error_json"})
    with pytest.raises(ServerResponseException) as exc:
        cce.create_post_check(_postcheck_request())
    assert (exc.value.status_code, exc.value.error_code) == (500, "CCE.01500001")
    assert standin.postchecks == []
    assert standin.requests[-1]["fault"] == "error_json"
    assert cce.create_post_check(_postcheck_request()).status.phase == "Success"
    assert len(standin.postchecks) == 1


def test_error_json_fault_on_publish_uses_the_smn_body(standin: StandIn, smn: SmnClient) -> None:
    standin.add_fault({"operation": "publish", "kind": "error_json", "status": 503})
    with pytest.raises(ServerResponseException) as exc:
        smn.publish_message(_publish_request(message="hello"))
    assert (exc.value.status_code, exc.value.error_code) == (503, "SMN.00010001")
    assert standin.published == []


def test_html_502_breaks_the_cce_exception_handler(standin: StandIn, cce: CceClient, smn: SmnClient) -> None:
    standin.add_fault({"operation": "*", "kind": "html_502", "times": 2})
    with pytest.raises(json.JSONDecodeError):  # known SDK gap: CceExceptionHandler json.loads the body
        cce.create_post_check(_postcheck_request())
    with pytest.raises(ServerResponseException) as exc:  # SMN's default handler copes
        smn.publish_message(_publish_request(message="hello"))
    assert exc.value.status_code == 502 and "Bad Gateway" in exc.value.error_msg


def test_throttle_fault_is_429(standin: StandIn, cce: CceClient) -> None:
    standin.add_fault({"operation": "*", "kind": "throttle", "times": 2})
    with pytest.raises(ClientRequestException) as exc:
        cce.create_post_check(_postcheck_request())
    _assert_rejected(exc, 429, "APIG.0308")
    # SDK quirk: on a GET, urllib3's Retry (status_forcelist has 429) swallows the body.
    with pytest.raises(ClientRequestException) as exc:
        cce.list_upgrade_cluster_tasks(ListUpgradeClusterTasksRequest(cluster_id=CLUSTER))
    assert (exc.value.status_code, exc.value.error_code) == (429, "429")
    assert "too many 429 error responses" in exc.value.error_msg


def test_slow_fault_times_out_the_client_but_the_server_still_acts(standin: StandIn) -> None:
    standin.add_fault({"operation": "*", "kind": "slow", "delay_s": 2.0, "times": 2})
    client = _cce(standin, timeout=(1, 0.3))
    with pytest.raises(requests.exceptions.ReadTimeout):  # a POST: urllib3 re-raises the bare timeout
        client.create_post_check(_postcheck_request())
    assert len(standin.postchecks) == 1  # the check happened although the caller gave up
    with pytest.raises(ConnectionException):  # a GET: wrapped as "Max retries exceeded"
        client.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))
    assert client.show_cluster(ShowClusterRequest(cluster_id=CLUSTER)).metadata.uid == CLUSTER
    client.close()


def test_reset_fault_is_a_connection_error(standin: StandIn, cce: CceClient) -> None:
    standin.add_fault({"operation": "postcheck", "kind": "reset"})
    with pytest.raises(ConnectionException):
        cce.create_post_check(_postcheck_request())
    assert standin.postchecks == []
    assert standin.requests[-1]["status"] is None
    path = _postcheck_path(standin)
    standin.add_fault({"operation": "postcheck", "kind": "reset"})
    with pytest.raises(requests.exceptions.ConnectionError):
        _send(standin, "POST", path, _signed(standin, "POST", path, POSTCHECK_BODY), POSTCHECK_BODY)


@pytest.mark.parametrize("kind", ["malformed_200", "wrong_shape_200"])
def test_bad_200_bodies_deserialize_to_empty_models(standin: StandIn, cce: CceClient, kind: str) -> None:
    standin.add_fault({"operation": "postcheck", "kind": kind})
    response = cce.create_post_check(_postcheck_request())  # the SDK does not complain...
    assert (response.status, response.metadata, response.spec) == (None, None, None)  # ...it is just empty
    assert standin.postchecks == []


def test_fault_scoping_times_and_admin_endpoint(standin: StandIn, cce: CceClient) -> None:
    response = requests.post(
        f"{standin.url}/_standin/faults",
        json={"operation": "*", "kind": "throttle", "times": 2, "cluster_id": CLUSTER},
        timeout=5,
    )
    assert response.status_code == 200
    bad = requests.post(f"{standin.url}/_standin/faults", json={"operation": "x", "kind": "slow"}, timeout=5)
    assert bad.status_code == 400 and "operation" in bad.json()["error"]

    assert cce.list_clusters(ListClustersRequest()).items  # no cluster in the path: not affected
    for _ in range(2):
        with pytest.raises(ClientRequestException):
            cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))
    assert cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER)).metadata.uid == CLUSTER
    assert [r["fault"] for r in standin.requests] == [None, "throttle", "throttle", None]


def test_scenario_faults_and_always(demo: dict[str, Any]) -> None:
    demo["faults"] = [{"operation": "list_clusters", "kind": "throttle", "times": -1}]
    with StandIn(demo) as s:
        client = _cce(s)
        for _ in range(3):
            with pytest.raises(ClientRequestException):
                client.list_clusters(ListClustersRequest())
        client.close()
        requests.post(f"{s.url}/_standin/reset", timeout=5)
        assert s.requests == []
        assert s.state.faults == []


def test_latency_delays_every_response(standin: StandIn, cce: CceClient) -> None:
    cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))  # warm the connection
    standin.latency_ms = 150
    started = time.monotonic()
    cce.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))
    assert time.monotonic() - started >= 0.15


# -- transport, signatures, scenario, CLI ----------------------------------------------------------


def test_keep_alive_connection_is_reused(standin: StandIn) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", standin.port, timeout=5)
    path = f"/api/v3/projects/{standin.project_id}/clusters/{CLUSTER}"
    for _ in range(2):
        connection.request("GET", path, headers=_signed(standin, "GET", path))
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["metadata"]["uid"] == CLUSTER
        assert response.getheader("X-Request-Id")
    connection.close()


def test_verifier_accepts_the_sdk_signer_with_a_query_string(standin: StandIn) -> None:
    credentials = _credentials(standin)
    request = SdkRequest(
        method="GET",
        schema="http",
        host=f"127.0.0.1:{standin.port}",
        resource_path=f"/api/v3/projects/{standin.project_id}/clusters",
        query_params=[("status", "Available"), ("detail", "true"), ("version", "v1.19.16-r80")],
        header_params={
            "Content-Type": "application/json",
            "X-Project-Id": standin.project_id,
            "X-Security-Token": TOKEN,
        },
        body="",
    )
    signed = Signer(credentials).sign(request)
    path, _, query = signed.uri.partition("?")
    assert query
    found = verify("GET", path, query, signed.header_params.items(), b"", standin.state.credentials)
    assert found.ak == standin.credentials.ak

    response = requests.get(standin.url + signed.uri, headers=signed.header_params, timeout=5)
    assert response.status_code == 200 and len(response.json()["items"]) == 1


def _verify(headers: dict[str, str], credentials: dict[str, Credential], body: bytes = b"") -> Credential:
    return verify("GET", "/a/b", "x=1", headers.items(), body, credentials)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda h, c: c.clear(), "unknown access key"),
        (lambda h, c: h.update({"X-Sdk-Date": "yesterday"}), "malformed X-Sdk-Date"),
        (lambda h, c: h.pop("X-Sdk-Date"), "missing X-Sdk-Date"),
        (lambda h, c: h.update({"Authorization": h["Authorization"].replace("host;", "")}), "host is not"),
        (
            lambda h, c: h.update({"Authorization": h["Authorization"].replace(";x-sdk-date", "")}),
            "x-sdk-date is not",
        ),
        (
            lambda h, c: h.update({"Authorization": h["Authorization"].replace(";x-security-token", "")}),
            "X-Security-Token is not among the signed headers",
        ),
        (lambda h, c: h.pop("X-Custom"), "signed header x-custom is not in the request"),
        (lambda h, c: h.update({"X-Custom": "changed"}), "signature does not match"),
    ],
)
def test_verifier_rejections(mutate: Any, reason: str) -> None:
    credential = Credential("AK1", SK, TOKEN)
    headers = sign("GET", "/a/b", "x=1", {"Host": "h", "X-Custom": "v"}, b"", credential)
    credentials = {"AK1": credential}
    assert _verify(headers, credentials) == credential
    mutate(headers, credentials)
    with pytest.raises(SignatureError, match=reason) as exc:
        _verify(headers, credentials)
    assert SK not in str(exc.value) and TOKEN not in str(exc.value)


def test_verifier_without_token_and_canonical_forms() -> None:
    credential = Credential("AK2", "secret")
    headers = sign(
        "POST", "/v2/p/topics/urn%3Asmn%3Ax/publish", "b=2&a=%20", {"Host": "h"}, b"{}", credential
    )
    assert "X-Security-Token" not in headers
    assert verify(
        "POST", "/v2/p/topics/urn:smn:x/publish", "a=%20&b=2", headers.items(), b"{}", {"AK2": credential}
    )
    assert "secret" not in repr(credential)


# -- the verifier's rules, one test per rule: each fails if its condition in signature.py is removed or inverted --

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)
SKEW = timedelta(minutes=15)  # APIG rejects an X-Sdk-Date more than 15 minutes off: see signature.py
AK = "AK1"


def _signed_by_hand(
    signed: list[str],
    headers: dict[str, str] | None = None,
    when: datetime = NOW,
    credential: Credential | None = None,
) -> dict[str, str]:
    """Headers correctly signed over exactly ``signed`` (in that order), whatever the verifier's rules say: a
    request that is refused must be refused by a rule, not by a broken signature."""
    credential = credential or Credential(AK, SK)
    out = {"Host": "h", "X-Custom": "v", "X-Sdk-Date": when.strftime(DATE_FORMAT), **(headers or {})}
    lookup = {"": "", **out, **{name.lower(): value for name, value in out.items()}}
    canonical = canonical_request("GET", "/a/b", "x=1", lookup, signed, b"")
    signature = compute_signature(credential.sk, string_to_sign(out["X-Sdk-Date"], canonical))
    fields = f"Access={credential.ak}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    out["Authorization"] = f"{ALGORITHM} {fields}"
    return out


def _check(headers: Any, now: datetime = NOW, credential: Credential | None = None) -> Credential:
    items = headers.items() if isinstance(headers, dict) else headers
    credential = credential or Credential(AK, SK)
    return verify("GET", "/a/b", "x=1", items, b"", {credential.ak: credential}, now)


def _refused(headers: Any, reason: str, now: datetime = NOW, credential: Credential | None = None) -> None:
    with pytest.raises(SignatureError, match=reason) as exc:
        _check(headers, now, credential)
    assert SK not in str(exc.value)


def _plain(when: datetime = NOW) -> dict[str, str]:
    return sign("GET", "/a/b", "x=1", {"Host": "h", "X-Custom": "v"}, b"", Credential(AK, SK), when)


def test_the_hand_signer_and_the_plain_signer_are_accepted() -> None:
    assert _check(_plain()).ak == AK
    assert _check(_signed_by_hand(["host", "x-custom", "x-sdk-date"])).ak == AK
    assert _check(_signed_by_hand(["host", "x-sdk-date"])).ak == AK  # the minimum


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        pytest.param(SKEW, None, id="15min-ahead-accepted"),
        pytest.param(-SKEW, None, id="15min-behind-accepted"),
        pytest.param(timedelta(0), None, id="now-accepted"),
        pytest.param(SKEW + timedelta(seconds=1), "more than 15 minutes ahead", id="15min1s-ahead"),
        pytest.param(-SKEW - timedelta(seconds=1), "more than 15 minutes behind", id="15min1s-behind"),
        pytest.param(timedelta(days=365), "ahead", id="a-year-ahead"),
        pytest.param(-timedelta(days=365), "behind", id="a-year-behind"),
    ],
)
def test_x_sdk_date_must_be_within_15_minutes_of_the_server_either_way(offset: timedelta, reason: str | None) -> None:
    headers = _plain(NOW + offset)
    if reason is None:
        assert _check(headers).ak == AK
    else:
        _refused(headers, reason)


def test_the_sdks_own_signature_from_the_future_is_refused() -> None:
    future = (datetime.now(timezone.utc) + timedelta(minutes=16)).strftime(DATE_FORMAT)
    request = SdkRequest(method="GET", schema="http", host="h", resource_path="/a/b", query_params=[],
                         header_params={"X-Sdk-Date": future, "Content-Type": "application/json"}, body="")
    signed = Signer(BasicCredentials(AK, SK, "p")).sign(request)
    with pytest.raises(SignatureError, match="ahead"):
        verify("GET", "/a/b", "", signed.header_params.items(), b"", {AK: Credential(AK, SK)})


@pytest.mark.parametrize("name", ["Authorization", "X-Sdk-Date", "X-Security-Token", "Host", "X-Custom"])
@pytest.mark.parametrize("where", ["same-value-after", "other-value-before", "other-value-after"])
def test_a_header_that_counts_may_appear_only_once(name: str, where: str) -> None:
    credential = Credential(AK, SK, TOKEN)
    good = list(sign("GET", "/a/b", "x=1", {"Host": "h", "X-Custom": "v"}, b"", credential, NOW).items())
    assert _check(good, credential=credential).ak == AK
    (value,) = [v for n, v in good if n == name]
    other = _plain(NOW + timedelta(seconds=1))[name] if name in ("Authorization", "X-Sdk-Date") else "other"
    if where == "same-value-after":
        headers = [*good, (name, value)]
    elif where == "other-value-before":
        headers = [(name, other), *good]
    else:
        headers = [*good, (name.lower(), other)]
    _refused(headers, f"more than one {name.lower()} header", credential=credential)


def test_an_empty_authorization_is_missing() -> None:
    _refused({**_plain(), "Authorization": ""}, "missing Authorization header")


def test_an_unsigned_header_may_repeat() -> None:
    assert _check([*_plain().items(), ("Accept", "a"), ("accept", "b")]).ak == AK


@pytest.mark.parametrize("field", ["Access", "SignedHeaders", "Signature"])
def test_an_authorization_field_given_twice_is_refused_even_with_the_same_value(field: str) -> None:
    headers = _plain()
    value = re.search(rf"{field}=([^,]+)", headers["Authorization"]).group(1)
    headers["Authorization"] += f", {field}={value}"
    _refused(headers, "malformed Authorization header")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda a: a + ", Scope=x", id="unknown-field"),
        pytest.param(lambda a: a.replace("Access=", "access="), id="field-name-case"),
        pytest.param(lambda a: a.replace(f"Access={AK}", "Access="), id="empty-access"),
        pytest.param(lambda a: a + ", junk", id="field-without-equals"),
        pytest.param(lambda a: re.sub(r", Signature=\w+", "", a), id="no-signature"),
        pytest.param(lambda a: re.sub(r", SignedHeaders=[^,]+", "", a), id="no-signed-headers"),
        pytest.param(lambda a: a.split(" ", 1)[0], id="algorithm-only"),
    ],
)
def test_a_malformed_authorization_is_refused(change: Any) -> None:
    headers = _plain()
    headers["Authorization"] = change(headers["Authorization"])
    _refused(headers, "malformed Authorization header")


@pytest.mark.parametrize("algorithm", ["SDK-HMAC-SHA1", "sdk-hmac-sha256", "SDK-HMAC-SHA256X", "HMAC-SHA256", ""])
def test_only_the_sdk_hmac_sha256_algorithm_is_accepted(algorithm: str) -> None:
    headers = _plain()
    headers["Authorization"] = headers["Authorization"].replace(ALGORITHM, algorithm, 1)
    _refused(headers, "unsupported signing algorithm")


@pytest.mark.parametrize(
    ("signed", "reason"),
    [
        pytest.param(["x-custom", "x-sdk-date"], "host is not among the signed headers", id="no-host"),
        pytest.param(["host", "x-custom"], "x-sdk-date is not among the signed headers", id="no-x-sdk-date"),
        pytest.param(["host", "host", "x-sdk-date"], "malformed SignedHeaders", id="host-twice"),
        pytest.param(["host", "", "x-sdk-date"], "malformed SignedHeaders", id="empty-name"),
        pytest.param(["Host", "x-sdk-date"], "malformed SignedHeaders", id="upper-case-name"),
    ],
)
def test_signed_headers_rules_hold_even_for_a_correct_signature(signed: list[str], reason: str) -> None:
    _refused(_signed_by_hand(signed), reason)


def test_a_signed_header_missing_from_the_request_is_refused() -> None:
    headers = _signed_by_hand(["host", "x-other", "x-sdk-date"], {"X-Other": "o"})
    assert _check(headers).ak == AK
    del headers["X-Other"]
    _refused(headers, "signed header x-other is not in the request")


def test_a_temporary_keys_token_must_be_signed_even_when_the_signature_is_correct() -> None:
    credential = Credential(AK, SK, TOKEN)
    headers = _signed_by_hand(["host", "x-sdk-date"], {"X-Security-Token": TOKEN}, credential=credential)
    _refused(headers, "X-Security-Token is not among the signed headers", credential=credential)
    signed = _signed_by_hand(["host", "x-sdk-date", "x-security-token"], {"X-Security-Token": TOKEN},
                             credential=credential)
    assert _check(signed, credential=credential).ak == AK


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: s[:-1], id="63-digits"),
        pytest.param(lambda s: s + "0", id="65-digits"),
        pytest.param(lambda s: s.upper(), id="upper-case"),
        pytest.param(lambda s: "g" + s[1:], id="not-hex"),
        pytest.param(lambda s: "", id="empty"),
    ],
)
def test_a_signature_must_be_64_lower_case_hex_digits(change: Any) -> None:
    headers = _plain()
    signature = headers["Authorization"].rsplit("Signature=", 1)[1]
    headers["Authorization"] = headers["Authorization"].replace(signature, change(signature))
    reason = "malformed Authorization" if not change(signature) else "malformed Signature"
    _refused(headers, reason)


@pytest.mark.parametrize(
    ("method", "path", "query", "body"),
    [
        pytest.param("PUT", "/a/b", "x=1", b"{}", id="method"),
        pytest.param("POST", "/a/c", "x=1", b"{}", id="path"),
        pytest.param("POST", "/a/b", "x=2", b"{}", id="query"),
        pytest.param("POST", "/a/b", "x=1", b"[]", id="body"),
        pytest.param("POST", "/a/b", "x=1", b"", id="no-body"),
    ],
)
def test_the_signature_covers_method_path_query_and_body(method: str, path: str, query: str, body: bytes) -> None:
    credential = Credential(AK, SK)
    headers = sign("POST", "/a/b", "x=1", {"Host": "h"}, b"{}", credential, NOW)
    assert verify("POST", "/a/b", "x=1", headers.items(), b"{}", {AK: credential}, NOW) == credential
    with pytest.raises(SignatureError, match="signature does not match"):
        verify(method, path, query, headers.items(), body, {AK: credential}, NOW)


@pytest.mark.parametrize(
    ("path", "query", "headers"),
    [
        pytest.param("/v2/p/notifications/topics/urn:smn:cn-north-4:p:t/publish", [], {}, id="colons-in-path"),
        pytest.param("/a/b~c d/ü", [("k", "v")], {}, id="tilde-space-unicode-in-path"),
        pytest.param("/a", [("b", "2"), ("a", "x y:/~é"), ("a", "1")], {}, id="query-sorted-and-encoded"),
        pytest.param("/a/", [], {"X-Custom": "  padded value  "}, id="header-value-trimmed"),
    ],
)
def test_the_sdks_signer_is_verified_for_awkward_requests(path: str, query: list[tuple[str, str]],
                                                          headers: dict[str, str]) -> None:
    """The SDK's signer is an independent implementation of the documented canonical request: what it signs,
    the verifier must accept, and after one change must refuse."""
    request = SdkRequest(method="GET", schema="http", host="h", resource_path=path, query_params=list(query),
                         header_params={"Content-Type": "application/json", **headers}, body="")
    signed = Signer(BasicCredentials(AK, SK, "p")).sign(request)
    wire_path = quote(path, safe="/:~")  # what an HTTP client puts on the wire
    raw_query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in reversed(query))
    sent = {**signed.header_params, **headers}  # the value as sent, before the signer trimmed it
    assert verify("GET", wire_path, raw_query, sent.items(), b"", {AK: Credential(AK, SK)}).ak == AK
    with pytest.raises(SignatureError, match="signature does not match"):
        verify("GET", wire_path + "x", raw_query, sent.items(), b"", {AK: Credential(AK, SK)})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("project_id"), "project_id: required"),
        (
            lambda d: d["clusters"][0]["upgrade_tasks"][0].update(phases=["Running", "Success", "Done"]),
            "phases[2]: 'Done' is not one",
        ),
        (lambda d: d["clusters"][0].update(nmae="x"), "clusters[0]: unknown field(s) nmae"),
        (lambda d: d.update(topics=["urn:smn:cn-north-4:otherproject:t"]), "another project"),
        (lambda d: d["clusters"][0]["workflows"][0]["points"][1].update(taskID="t"), "not an upgrade task"),
        (lambda d: d.update(faults=[{"operation": "postcheck", "kind": "boom"}]), "faults[0]: fault kind"),
        (lambda d: d["credentials"].append(dict(d["credentials"][0])), "duplicate ak"),
        (lambda d: d.update(latency_ms=True), "latency_ms: expected an integer"),
    ],
)
def test_scenario_validation(demo: dict[str, Any], change: Any, message: str) -> None:
    broken = copy.deepcopy(demo)
    change(broken)
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(broken)


def test_scenario_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ScenarioError, match="invalid JSON at line 1"):
        load_scenario(bad)
    assert load_scenario(DEMO).clusters[0].name == "prod-east"


def test_stop_is_prompt_with_open_connections(demo: dict[str, Any]) -> None:
    s = StandIn(demo).start()
    idle = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
    path = f"/api/v3/projects/{s.project_id}/clusters"
    idle.request("GET", path, headers=_signed(s, "GET", path))
    assert idle.getresponse().read()
    s.add_fault({"operation": "list_clusters", "kind": "slow", "delay_s": 30})
    slow = threading.Thread(target=lambda: _send_quietly(s, path), name="test-slow-client")
    slow.start()
    time.sleep(0.1)
    started = time.monotonic()
    s.stop()
    assert time.monotonic() - started < 1.5
    slow.join(5)
    idle.close()
    assert _standin_threads() == []


def _send_quietly(s: StandIn, path: str) -> None:
    with contextlib.suppress(requests.exceptions.ConnectionError):  # dropped while stopping
        _send(s, "GET", path, _signed(s, "GET", path))


def test_cli_serves_and_prints_published_messages_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.standin", "--scenario", str(DEMO), "--latency-ms", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("standin listening on http://127.0.0.1:")
        assert "(project 0a1b2c3d4e5f60718293a4b5c6d7e8f9)" in line
        url = line.split()[3]
        scenario = load_scenario(DEMO)
        s = _Remote(url, int(url.rsplit(":", 1)[1]), scenario.project_id, scenario.credentials[0])
        path = f"/v2/{s.project_id}/notifications/topics/{TOPIC.replace(':', '%3A')}/publish"
        body = json.dumps({"subject": "from the CLI test", "message": "hello"}).encode()
        assert _send(s, "POST", path, _signed(s, "POST", path, body), body).status_code == 200
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    (published,) = json.loads(out)
    assert (published["subject"], published["message"]) == ("from the CLI test", "hello")
