"""The SDK's gaps, shown raw, and closed in postcheck.sdk: the function sees ordinary, retryable errors."""

from __future__ import annotations

import json

import pytest
import requests
from huaweicloudsdkcce.v3 import CceClient, ShowClusterRequest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig

from tests.support import CLUSTER, event, operations


def raw_client(standin, read_timeout: float = 5.0):
    cred = standin.credentials
    config = HttpConfig(timeout=(2, read_timeout), user_agent="gap-test")
    basic = BasicCredentials(cred.ak, cred.sk, standin.project_id).with_security_token(cred.security_token)
    builder = CceClient.new_builder().with_http_config(config).with_credentials(basic)
    return builder.with_endpoints([standin.url]).build()


def test_gap_html_502_escapes_the_plain_sdk_as_json_decode_error(standin):
    standin.add_fault({"operation": "show_cluster", "kind": "html_502"})

    with pytest.raises(json.JSONDecodeError):
        raw_client(standin).show_cluster(ShowClusterRequest(cluster_id=CLUSTER))


def test_gap_read_timeout_escapes_the_plain_sdk_on_a_post(standin):
    from huaweicloudsdkcce.v3 import CreatePostCheckRequest, PostcheckClusterRequestBody, PostcheckSpec

    standin.add_fault({"operation": "postcheck", "kind": "slow", "delay_s": 1.5})
    body = PostcheckClusterRequestBody(api_version="v3", kind="PostCheckTask", spec=PostcheckSpec(cluster_id=CLUSTER))

    with pytest.raises(requests.exceptions.ReadTimeout):
        raw_client(standin, read_timeout=0.3).create_post_check(CreatePostCheckRequest(cluster_id=CLUSTER, body=body))


def test_the_function_retries_an_html_502_and_succeeds(standin, invoke):
    standin.add_fault({"operation": "show_cluster", "kind": "html_502"})

    result = invoke(event("postcheck_task_body"))

    assert result["outcome"] == "checked"
    assert operations(standin).count("show_cluster") == 2


def test_persistent_html_502_is_a_failed_result_with_a_readable_message(standin, invoke, context):
    standin.add_fault({"operation": "show_cluster", "kind": "html_502", "times": -1})

    result = invoke(event("postcheck_task_body"))

    assert (result["outcome"], result["phase"]) == ("failed", "Error")
    assert result["error"]["status"] == 502
    assert "HTML page" in result["error"]["message"]
    assert operations(standin).count("show_cluster") == 4  # the first try and three retries


def test_a_malformed_200_is_retried_not_trusted(standin, invoke):
    standin.add_fault({"operation": "postcheck", "kind": "malformed_200"})

    result = invoke(event("postcheck_task_body"))

    assert result["outcome"] == "checked" and result["phase"] == "Success"
    assert result["task_uid"] == standin.postchecks[-1]["uid"]
