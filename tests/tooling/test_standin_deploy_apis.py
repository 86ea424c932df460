"""The stand-in's SMN topic and subscription, IAM and CTS calls, through the official SDKs over HTTP, checked against
the documented behaviour each one is modelled on (pages cited in scripts/standin/smn_topics.py, iam.py, cts.py)."""

from __future__ import annotations

from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcts.v3 import CtsClient, ListOperationsRequest
from huaweicloudsdkiam.v3 import (
    AssociateAgencyWithProjectPermissionRequest,
    CreateAgencyOption,
    CreateAgencyRequest,
    CreateAgencyRequestBody,
    CreateCloudServiceCustomPolicyRequest,
    CreateCloudServiceCustomPolicyRequestBody,
    DeleteCustomPolicyRequest,
    IamClient,
    KeystoneListAuthDomainsRequest,
    ListAgenciesRequest,
    ListCustomPoliciesRequest,
    ListProjectPermissionsForAgencyRequest,
    ServicePolicy,
    ServicePolicyRoleOption,
    ServiceStatement,
)
from huaweicloudsdksmn.v2 import (
    AddSubscriptionRequest,
    AddSubscriptionRequestBody,
    CreateResourceTagRequest,
    CreateResourceTagRequestBody,
    CreateTopicRequest,
    CreateTopicRequestBody,
    DeleteResourceTagRequest,
    DeleteTopicRequest,
    ListInstanceRequestBody,
    ListResourceInstancesRequest,
    ListResourceTagsRequest,
    ListSubscriptionsByTopicRequest,
    ListTopicsRequest,
    ResourceTag,
    ResourceTags,
    SmnClient,
    UpdateSubscriptionRequest,
    UpdateSubscriptionRequestBody,
)

from scripts.standin import StandIn
from scripts.standin.iam import DOMAIN_ID


def _config() -> HttpConfig:
    config = HttpConfig.get_default_config()
    config.user_agent = "test"
    config.timeout = (5, 10)
    return config


def _basic(standin: StandIn) -> BasicCredentials:
    cred = standin.credentials
    return BasicCredentials(cred.ak, cred.sk, standin.project_id).with_security_token(cred.security_token)


def smn(standin: StandIn) -> SmnClient:
    return SmnClient.new_builder().with_http_config(_config()).with_credentials(_basic(standin)) \
        .with_endpoints([standin.url]).build()


def iam(standin: StandIn, domain_id: str | None = DOMAIN_ID) -> IamClient:
    cred = standin.credentials
    credentials = GlobalCredentials(cred.ak, cred.sk, domain_id).with_security_token(cred.security_token)
    return IamClient.new_builder().with_http_config(_config()).with_credentials(credentials) \
        .with_endpoints([standin.url]).build()


def cts(standin: StandIn) -> CtsClient:
    return CtsClient.new_builder().with_http_config(_config()).with_credentials(_basic(standin)) \
        .with_endpoints([standin.url]).build()


def test_create_topic_is_idempotent_201_then_200(standin: StandIn) -> None:
    client = smn(standin)
    body = CreateTopicRequestBody(name="results", display_name="Results")
    first = client.create_topic(CreateTopicRequest(body=body))
    second = client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name="results", display_name="X")))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.topic_urn == second.topic_urn == f"urn:smn:cn-north-4:{standin.project_id}:results"
    listed = client.list_topics(ListTopicsRequest(name="results")).topics
    assert [(t.name, t.display_name) for t in listed] == [("results", "Results")]  # the second call changed nothing
    assert first.topic_urn in standin.state.topics  # a created topic can be published to


@pytest.mark.parametrize(("name", "display_name"), [("-starts-with-dash", "x"), ("ok", ""), ("ok", "x" * 193)])
def test_create_topic_refuses_what_smn_documents_as_invalid(standin: StandIn, name: str, display_name: str) -> None:
    with pytest.raises(ClientRequestException) as error:
        smn(standin).create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name=name, display_name=display_name)))
    assert error.value.status_code == 400


def test_subscriptions_are_idempotent_and_validated_per_protocol(standin: StandIn) -> None:
    client = smn(standin)
    urn = client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name="t", display_name="t"))).topic_urn
    add = AddSubscriptionRequestBody(protocol="email", endpoint="ops@example.com", remark="mine")
    first = client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=add))
    second = client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=add))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.subscription_urn == second.subscription_urn
    listed = client.list_subscriptions_by_topic(ListSubscriptionsByTopicRequest(topic_urn=urn)).subscriptions
    assert [(s.protocol, s.endpoint, s.remark, s.status) for s in listed] == [("email", "ops@example.com", "mine", 0)]
    for protocol, endpoint in (("email", "not-an-address"), ("https", "http://plain.example"), ("sms", "phone"),
                               ("welink", "12345")):  # welink without its extension
        with pytest.raises(ClientRequestException) as error:
            client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=AddSubscriptionRequestBody(
                protocol=protocol, endpoint=endpoint)))
        assert error.value.status_code == 400, protocol
    with pytest.raises(ClientRequestException) as error:
        client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=AddSubscriptionRequestBody(
            protocol="email", endpoint="a@example.com", remark="r" * 129)))
    assert error.value.status_code == 400


def test_chat_protocols_only_where_the_region_offers_them(standin: StandIn) -> None:
    client = smn(standin)
    urn = client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name="t", display_name="t"))).topic_urn
    body = AddSubscriptionRequestBody(protocol="dingding", endpoint="https://oapi.dingtalk.com/robot/send?x=1")
    assert client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=body)).status_code == 201
    standin.state.smn.chat_protocols = False
    other = AddSubscriptionRequestBody(protocol="feishu", endpoint="https://open.feishu.cn/hook/1")
    with pytest.raises(ClientRequestException) as error:
        client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=other))
    assert error.value.status_code == 400 and "not supported in region" in error.value.error_msg


def test_topic_tags_and_deleting_a_topic_takes_its_subscriptions(standin: StandIn) -> None:
    client = smn(standin)
    urn = client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name="t", display_name="t"))).topic_urn
    topic_id = client.list_topics(ListTopicsRequest(name="t")).topics[0].topic_id
    tag = CreateResourceTagRequestBody(tag=ResourceTag(key="owner", value="me"))
    client.create_resource_tag(CreateResourceTagRequest(resource_type="smn_topic", resource_id=topic_id, body=tag))
    again = CreateResourceTagRequestBody(tag=ResourceTag(key="owner", value="you"))  # same key: replaced
    client.create_resource_tag(CreateResourceTagRequest(resource_type="smn_topic", resource_id=topic_id, body=again))
    tags = client.list_resource_tags(ListResourceTagsRequest(resource_type="smn_topic", resource_id=topic_id)).tags
    assert [(t.key, t.value) for t in tags] == [("owner", "you")]
    client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=AddSubscriptionRequestBody(
        protocol="sms", endpoint="+8613800000000")))
    client.delete_topic(DeleteTopicRequest(topic_urn=urn))
    assert urn not in standin.state.topics and "t" not in standin.state.smn.snapshot()
    with pytest.raises(ClientRequestException) as error:
        client.list_subscriptions_by_topic(ListSubscriptionsByTopicRequest(topic_urn=urn))
    assert error.value.status_code == 404


def test_a_subscriptions_remark_is_updated_alone_and_validated(standin: StandIn) -> None:
    client = smn(standin)
    urn = client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name="t", display_name="t"))).topic_urn
    other = client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name="u", display_name="u"))).topic_urn
    subscription = client.add_subscription(AddSubscriptionRequest(topic_urn=urn, body=AddSubscriptionRequestBody(
        protocol="email", endpoint="ops@example.com", remark="first"))).subscription_urn
    answer = client.update_subscription(UpdateSubscriptionRequest(
        topic_urn=urn, subscription_urn=subscription, body=UpdateSubscriptionRequestBody(remark="second")))
    assert (answer.status_code, answer.subscription_urn) == (200, subscription)
    listed = client.list_subscriptions_by_topic(ListSubscriptionsByTopicRequest(topic_urn=urn)).subscriptions
    assert [(s.endpoint, s.remark) for s in listed] == [("ops@example.com", "second")]
    for topic, remark, status in ((urn, "", 400), (urn, "r" * 129, 400), (other, "x", 404)):  # 1-128 bytes
        with pytest.raises(ClientRequestException) as error:
            client.update_subscription(UpdateSubscriptionRequest(
                topic_urn=topic, subscription_urn=subscription, body=UpdateSubscriptionRequestBody(remark=remark)))
        assert error.value.status_code == status, (topic, remark)


def test_a_tag_is_deleted_by_its_key_and_topics_are_found_by_tag(standin: StandIn) -> None:
    client = smn(standin)
    ids = {}
    for name, tags in (("a", {"owner": "me", "team": "x"}), ("b", {"owner": "you"}), ("c", {})):
        client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(name=name, display_name=name.upper())))
        ids[name] = client.list_topics(ListTopicsRequest(name=name)).topics[0].topic_id
        for key, value in tags.items():
            client.create_resource_tag(CreateResourceTagRequest(
                resource_type="smn_topic", resource_id=ids[name],
                body=CreateResourceTagRequestBody(tag=ResourceTag(key=key, value=value))))

    def found(**filters: Any) -> list[str]:
        body = ListInstanceRequestBody(action="filter", **filters)
        answer = client.list_resource_instances(ListResourceInstancesRequest(resource_type="smn_topic", body=body))
        assert answer.total_count == len(answer.resources)
        return sorted(r.resource_name for r in answer.resources)

    assert found(tags=[ResourceTags(key="owner", values=["me"])]) == ["a"]
    assert found(tags=[ResourceTags(key="owner", values=[])]) == ["a", "b"]  # no values: any value
    assert found(tags=[ResourceTags(key="owner", values=[]), ResourceTags(key="team", values=["x"])]) == ["a"]  # AND
    assert found(tags_any=[ResourceTags(key="owner", values=["you"]), ResourceTags(key="team", values=["x"])]) == [
        "a", "b"]  # OR
    body = ListInstanceRequestBody(action="filter", tags=[ResourceTags(key="owner", values=["me"])])
    resource = client.list_resource_instances(ListResourceInstancesRequest(resource_type="smn_topic",
                                                                           body=body)).resources[0]
    assert (resource.resource_id, resource.resource_detail.display_name) == (ids["a"], "A")
    assert resource.resource_detail.topic_urn == standin.state.smn.urn_of("a")
    assert sorted((t.key, t.value) for t in resource.tags) == [("owner", "me"), ("team", "x")]

    client.delete_resource_tag(DeleteResourceTagRequest(resource_type="smn_topic", resource_id=ids["a"], key="owner"))
    tags = client.list_resource_tags(ListResourceTagsRequest(resource_type="smn_topic", resource_id=ids["a"])).tags
    assert [(t.key, t.value) for t in tags] == [("team", "x")]
    with pytest.raises(ClientRequestException) as error:  # a key that is not there: 404
        client.delete_resource_tag(DeleteResourceTagRequest(resource_type="smn_topic", resource_id=ids["a"],
                                                            key="owner"))
    assert error.value.status_code == 404
    with pytest.raises(ClientRequestException) as error:
        client.list_resource_instances(ListResourceInstancesRequest(
            resource_type="smn_topic", body=ListInstanceRequestBody(action="delete")))
    assert error.value.status_code == 400


def test_iam_finds_the_domain_without_x_domain_id_and_needs_it_for_everything_else(standin: StandIn) -> None:
    domains = iam(standin, domain_id=None).keystone_list_auth_domains(KeystoneListAuthDomainsRequest()).domains
    assert [d.id for d in domains] == [DOMAIN_ID]
    with pytest.raises(ClientRequestException) as error:
        iam(standin, domain_id=None).list_custom_policies(ListCustomPoliciesRequest())
    assert error.value.status_code == 403
    with pytest.raises(ClientRequestException) as error:
        iam(standin, domain_id="e" * 32).list_custom_policies(ListCustomPoliciesRequest())
    assert error.value.status_code == 403
    request = next(r for r in standin.requests if r["operation"] == "keystone_list_auth_domains")
    assert request["status"] == 200


def _policy(name: str = "p", actions: tuple[str, ...] = ("smn:topic:publish",)) -> Any:
    return CreateCloudServiceCustomPolicyRequestBody(role=ServicePolicyRoleOption(
        display_name=name, type="XA", description="d",
        policy=ServicePolicy(version="1.1", statement=[ServiceStatement(action=list(actions), effect="Allow")])))


def test_custom_policy_agency_and_project_grant(standin: StandIn) -> None:
    client = iam(standin)
    role = client.create_cloud_service_custom_policy(CreateCloudServiceCustomPolicyRequest(body=_policy())).role
    assert (role.display_name, role.type) == ("p", "XA")
    with pytest.raises(ClientRequestException) as error:  # the stand-in's choice: names are unique
        client.create_cloud_service_custom_policy(CreateCloudServiceCustomPolicyRequest(body=_policy()))
    assert error.value.status_code == 409
    listed = client.list_custom_policies(ListCustomPoliciesRequest()).roles
    assert [(r.display_name, r.policy.statement[0].action) for r in listed] == [("p", ["smn:topic:publish"])]
    agency = client.create_agency(CreateAgencyRequest(body=CreateAgencyRequestBody(agency=CreateAgencyOption(
        name="a", domain_id=DOMAIN_ID, trust_domain_name="op_svc_cff", description="mine", duration="FOREVER"))))
    found = client.list_agencies(ListAgenciesRequest(domain_id=DOMAIN_ID, name="a")).agencies
    assert [(a.id, a.trust_domain_name, a.description) for a in found] == [(agency.agency.id, "op_svc_cff", "mine")]
    client.associate_agency_with_project_permission(AssociateAgencyWithProjectPermissionRequest(
        project_id=standin.project_id, agency_id=agency.agency.id, role_id=role.id))
    roles = client.list_project_permissions_for_agency(ListProjectPermissionsForAgencyRequest(
        project_id=standin.project_id, agency_id=agency.agency.id)).roles
    assert [r.id for r in roles] == [role.id]
    with pytest.raises(ClientRequestException) as error:  # granted: not deletable (the stand-in's choice)
        client.delete_custom_policy(DeleteCustomPolicyRequest(role_id=role.id))
    assert error.value.status_code == 409


def test_iam_refuses_invalid_policies_and_agencies(standin: StandIn) -> None:
    client = iam(standin)
    for body in (_policy(actions=("SMN:topic:publish",)), _policy(actions=()), _policy(name="")):
        with pytest.raises(ClientRequestException) as error:
            client.create_cloud_service_custom_policy(CreateCloudServiceCustomPolicyRequest(body=body))
        assert error.value.status_code == 400
    for option in (CreateAgencyOption(name="a", domain_id="f" * 32, trust_domain_name="op_svc_cff"),
                   CreateAgencyOption(name="a", domain_id=DOMAIN_ID, trust_domain_name="op_svc_cff",
                                      description="no <markup>"),
                   CreateAgencyOption(name="a", domain_id=DOMAIN_ID)):
        with pytest.raises(ClientRequestException) as error:
            client.create_agency(CreateAgencyRequest(body=CreateAgencyRequestBody(agency=option)))
        assert error.value.status_code in (400, 403)


def test_cts_lists_cce_operations_and_needs_service_type_with_resource_type(standin: StandIn) -> None:
    client = cts(standin)
    answer = client.list_operations(ListOperationsRequest(service_type="CCE"))
    # spelled in lower case, as the page's own example answer spells the service ("service_type" : "cts")
    assert {o.service_type for o in answer.operations} == {"cce"}
    assert any("clusterUpgrade" in o.operation_list for o in answer.operations)
    lower = client.list_operations(ListOperationsRequest(service_type="cce")).operations
    assert [o.to_dict() for o in lower] == [o.to_dict() for o in answer.operations]  # the query in any case
    standin.state.cts.operations = [{"service_type": "CCE", "resource_type": "Cluster", "operation_list": ["x"]}]
    assert [o.resource_type for o in client.list_operations(ListOperationsRequest(service_type="CCE")).operations] \
        == ["Cluster"]
    with pytest.raises(ClientRequestException) as error:
        client.list_operations(ListOperationsRequest(resource_type="cluster"))
    assert error.value.status_code == 400 and error.value.error_code == "CTS.0001"


def test_every_new_call_checks_the_signature(standin: StandIn) -> None:
    import requests

    for method, path in (("GET", "/v3/auth/domains"), ("GET", "/v3.0/OS-ROLE/roles"),
                         ("POST", f"/v2/{standin.project_id}/notifications/topics"),
                         ("POST", f"/v2/{standin.project_id}/smn_topic/resource_instances/action"),
                         ("DELETE", f"/v2/{standin.project_id}/smn_topic/some-id/tags/some-key"),
                         ("GET", f"/v3/{standin.project_id}/operations")):
        response = requests.request(method, f"{standin.url}{path}", timeout=5)
        assert response.status_code == 401 and response.json()["error_code"] == "APIG.0301", path


def test_a_fault_with_after_lets_that_many_matching_calls_through_first(standin: StandIn) -> None:
    standin.add_fault({"operation": "create_topic", "kind": "error_json", "status": 500, "after": 1})
    client = smn(standin)
    statuses = []
    for name in ("one", "two", "three"):
        try:
            statuses.append(client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(
                name=name, display_name=name))).status_code)
        except Exception as error:  # noqa: BLE001 - the injected 500 is the point
            statuses.append(getattr(error, "status_code", None))
    assert statuses == [201, 500, 201]
    assert sorted(standin.state.smn.snapshot()) == ["cce-upgrades", "one", "three"]  # the scenario has the first
