"""IAM through the official SDK (``huaweicloudsdkiam.v3``), for deploy: the account, the custom policy, the agency
and its grant on the project.

IAM is global: one endpoint (``https://iam.myhuaweicloud.com``) and account-level ("domain") calls. The SDK signs
them with ``GlobalCredentials``, which send the account ID as ``X-Domain-Id`` instead of a project; deploy first
asks IAM for that ID (``keystone_list_auth_domains``, ``GET /v3/auth/domains``, the call the SDK itself makes when
it has none), then builds the client with it. The API pages are cited in ``scripts/standin/iam.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkiam.v3 import (
    AssociateAgencyWithProjectPermissionRequest,
    CreateAgencyOption,
    CreateAgencyRequest,
    CreateAgencyRequestBody,
    CreateCloudServiceCustomPolicyRequest,
    CreateCloudServiceCustomPolicyRequestBody,
    DeleteAgencyRequest,
    DeleteCustomPolicyRequest,
    IamClient,
    KeystoneListAuthDomainsRequest,
    ListAgenciesRequest,
    ListCustomPoliciesRequest,
    ListProjectPermissionsForAgencyRequest,
    RemoveProjectPermissionFromAgencyRequest,
    ServicePolicy,
    ServicePolicyRoleOption,
    ServiceStatement,
    UpdateAgencyOption,
    UpdateAgencyRequest,
    UpdateAgencyRequestBody,
    UpdateCloudServiceCustomPolicyRequest,
    UpdateCloudServiceCustomPolicyRequestBody,
)

from scripts.deployment.cloud import CloudError, Keys, call, global_credentials, http_config
from scripts.deployment.marks import marks
from scripts.deployment.plan import Call
from scripts.deployment.resources import CurrentAgency, CurrentPolicy

PER_PAGE = 300  # ListCustomPolicies: per_page 1-300

OnRead = Callable[[str, str], None]


def _client(keys: Keys, endpoint: str, domain_id: str | None) -> IamClient:
    return (IamClient.new_builder().with_http_config(http_config()).with_credentials(
        global_credentials(keys, domain_id)).with_endpoints([endpoint]).build())


def domain_id(keys: Keys, endpoint: str, on_read: OnRead) -> str:
    """The account's ID, as IAM tells it to these keys."""
    answer = call("keystone_list_auth_domains", lambda: _client(keys, endpoint, None).keystone_list_auth_domains(
        KeystoneListAuthDomainsRequest()))
    domains = answer.domains or []
    if not domains:
        raise CloudError("keystone_list_auth_domains", None, "NoDomain", "IAM lists no account for these keys", None)
    on_read("keystone_list_auth_domains", f"account {domains[0].name or ''} ({domains[0].id})")
    return str(domains[0].id)


class Iam:
    operations = frozenset({"create_cloud_service_custom_policy", "update_cloud_service_custom_policy",
                            "delete_custom_policy", "create_agency", "update_agency", "delete_agency",
                            "associate_agency_with_project_permission", "remove_project_permission_from_agency"})

    def __init__(self, keys: Keys, endpoint: str, domain: str) -> None:
        self.domain_id = domain
        self._client = _client(keys, endpoint, domain)

    def read(self, policy_name: str, agency_name: str, function: str, project_id: str,
             on_read: OnRead) -> tuple[dict[str, CurrentPolicy], dict[str, CurrentAgency]]:
        """The custom policy and the agency of the template's names, if they exist, and every other custom policy and
        agency marked for ``function``, by name; each agency with its grants on the project."""
        policies = {p.display_name: p for p in self._policies()
                    if p.display_name == policy_name or function in p.marks}
        others = len(policies) - (policy_name in policies)
        on_read("list_custom_policies", f"policy {policy_name}: {'found' if policy_name in policies else 'none'}"
                                        f"{f'; {others} other(s) marked for function {function}' if others else ''}")
        listed = call("list_agencies", lambda: self._client.list_agencies(ListAgenciesRequest(
            domain_id=self.domain_id))).agencies or []
        found = [a for a in listed if a.name == agency_name or function in marks(a.description)]
        others = sum(1 for a in found if a.name != agency_name)
        on_read("list_agencies", f"agency {agency_name}: "
                                 f"{'found' if any(a.name == agency_name for a in found) else 'none'}"
                                 f"{f'; {others} other(s) marked for function {function}' if others else ''}")
        agencies = {}
        for agency in found:
            roles = call("list_project_permissions_for_agency", lambda agency=agency: self._client
                         .list_project_permissions_for_agency(ListProjectPermissionsForAgencyRequest(
                             project_id=project_id, agency_id=agency.id))).roles or []
            on_read("list_project_permissions_for_agency", f"agency {agency.name}: {len(roles)} grant(s) on the "
                                                           "project")
            agencies[agency.name] = CurrentAgency(agency.id, agency.name, agency.trust_domain_name or "",
                                                  agency.description or "", frozenset(r.id for r in roles))
        return policies, agencies

    def _policies(self) -> list[CurrentPolicy]:
        """Every custom policy of the account (ListCustomPolicies, page by page)."""
        found: list[CurrentPolicy] = []
        page = 1
        while True:
            answer = call("list_custom_policies", lambda page=page: self._client.list_custom_policies(
                ListCustomPoliciesRequest(page=page, per_page=PER_PAGE)))
            roles = answer.roles or []
            found += [CurrentPolicy(role.id, role.display_name, role.type or "", role.description or "",
                                    sanitize_for_serialization(role.policy) or {}, _references(answer, role.id))
                      for role in roles]
            if len(roles) < PER_PAGE or page * PER_PAGE >= (answer.total_number or 0):
                return found
            page += 1

    def send(self, planned: Call, params: dict[str, str]) -> str | None:
        """Send one planned call; the ID it produces (a created policy's or agency's), else None."""
        body = planned.body or {}
        client = self._client
        if planned.operation == "create_cloud_service_custom_policy":
            answer = call(planned.operation, lambda: client.create_cloud_service_custom_policy(
                CreateCloudServiceCustomPolicyRequest(body=CreateCloudServiceCustomPolicyRequestBody(
                    role=_role(body["role"])))))
            return str(answer.role.id)
        if planned.operation == "create_agency":
            answer = call(planned.operation, lambda: client.create_agency(CreateAgencyRequest(
                body=CreateAgencyRequestBody(agency=CreateAgencyOption(**body["agency"])))))
            return str(answer.agency.id)
        requests: dict[str, Callable[[], Any]] = {
            "update_cloud_service_custom_policy": lambda: client.update_cloud_service_custom_policy(
                UpdateCloudServiceCustomPolicyRequest(role_id=params["role_id"],
                                                      body=UpdateCloudServiceCustomPolicyRequestBody(
                                                          role=_role(body["role"])))),
            "delete_custom_policy": lambda: client.delete_custom_policy(DeleteCustomPolicyRequest(
                role_id=params["role_id"])),
            "update_agency": lambda: client.update_agency(UpdateAgencyRequest(
                agency_id=params["agency_id"], body=UpdateAgencyRequestBody(agency=UpdateAgencyOption(
                    **body["agency"])))),
            "delete_agency": lambda: client.delete_agency(DeleteAgencyRequest(agency_id=params["agency_id"])),
            "associate_agency_with_project_permission": lambda: client.associate_agency_with_project_permission(
                AssociateAgencyWithProjectPermissionRequest(project_id=params["project_id"],
                                                            agency_id=params["agency_id"], role_id=params["role_id"])),
            "remove_project_permission_from_agency": lambda: client.remove_project_permission_from_agency(
                RemoveProjectPermissionFromAgencyRequest(project_id=params["project_id"],
                                                         agency_id=params["agency_id"], role_id=params["role_id"])),
        }
        call(planned.operation, requests[planned.operation])
        return None


def _references(answer: Any, role_id: str) -> int:
    """How many grants name the policy: ListCustomPolicies' ``references``
    (https://support.huaweicloud.com/intl/en-us/api-iam/iam_02_0011.html), which the SDK 3.1.219 model drops, so it
    is read from the answer's JSON; 0 when absent."""
    try:
        roles = (answer.to_json_object() or {}).get("roles") or []
    except ValueError:
        return 0
    value = next((r.get("references") for r in roles if isinstance(r, dict) and r.get("id") == role_id), None)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _role(role: dict[str, Any]) -> ServicePolicyRoleOption:
    document = role["policy"]
    statements = [ServiceStatement(action=list(s["Action"]), effect=s["Effect"], resource=s.get("Resource"),
                                   condition=s.get("Condition")) for s in document["Statement"]]
    return ServicePolicyRoleOption(display_name=role["display_name"], type=role["type"],
                                   description=role["description"],
                                   policy=ServicePolicy(version=document["Version"], statement=statements))
