"""IAM, as the deploy command uses it: the account (domain), custom policies, agencies and their project grants.

IAM is a global service: ``https://iam.myhuaweicloud.com``, one endpoint for every region. The SDK signs its calls
with ``GlobalCredentials``: an ``X-Domain-Id`` header (the account ID) where regional services send
``X-Project-Id`` (huaweicloudsdkcore 3.1.219, ``auth/credentials.py``: ``GlobalCredentials.sign_request``). Without
a domain ID, the SDK finds it with ``GET /v3/auth/domains`` (KeystoneListAuthDomains), signed without the header;
the stand-in serves that call to any valid signature and requires ``X-Domain-Id`` (the stand-in's account) on every
other IAM call (403 otherwise: the stand-in's choice).

Operations (``huaweicloudsdkiam.v3`` names), modelled on IAM's API reference:

==========================================  ======  =====================================================  ======
operation                                   method  path                                                   ref.
==========================================  ======  =====================================================  ======
keystone_list_auth_domains                  GET     ``/v3/auth/domains``                                    [1]
list_custom_policies                        GET     ``/v3.0/OS-ROLE/roles``                                 [2]
create_cloud_service_custom_policy          POST    ``/v3.0/OS-ROLE/roles``                                 [3]
update_cloud_service_custom_policy          PATCH   ``/v3.0/OS-ROLE/roles/{role_id}``                       [4]
delete_custom_policy                        DELETE  ``/v3.0/OS-ROLE/roles/{role_id}``                       [5]
list_agencies                               GET     ``/v3.0/OS-AGENCY/agencies``                            [6]
create_agency                               POST    ``/v3.0/OS-AGENCY/agencies``                            [7]
update_agency                               PUT     ``/v3.0/OS-AGENCY/agencies/{agency_id}``                [8]
delete_agency                               DELETE  ``/v3.0/OS-AGENCY/agencies/{agency_id}``                [8]
list_project_permissions_for_agency         GET     ``/v3.0/OS-AGENCY/projects/{p}/agencies/{a}/roles``     [9]
associate_agency_with_project_permission    PUT     ``/v3.0/OS-AGENCY/projects/{p}/agencies/{a}/roles/{r}`` [10]
remove_project_permission_from_agency       DELETE  ``/v3.0/OS-AGENCY/projects/{p}/agencies/{a}/roles/{r}`` [9]
==========================================  ======  =====================================================  ======

[1] IAM API reference, "Querying the List of Domains Accessible to Users" (``{"domains": [{"id", "name", ...}]}``);
    what the SDK itself calls to find the domain ID.
[2] https://support.huaweicloud.com/intl/en-us/api-iam/iam_02_0011.html: ``page`` and ``per_page`` (1-300) go
    together; ``{"links", "roles", "total_number"}``.
[3] https://support.huaweicloud.com/intl/en-us/api-iam/iam_02_0013.html: ``role.display_name``, ``type`` ``AX``
    (account level) or ``XA`` (project level), ``description`` (mandatory), ``policy.Version`` ``1.1``, at most 8
    statements, at most 100 actions each, ``Effect`` ``Allow``/``Deny``.
[4] IAM API reference, "Modifying a Custom Policy for Cloud Services" (the same body as [3]).
[5] https://support.huaweicloud.com/intl/en-us/api-iam/iam_02_0015.html: 200, ``{"message": "Delete success"}``.
[6] https://support.huaweicloud.com/intl/en-us/api-iam/iam_12_0001.html: ``domain_id`` mandatory, ``name``,
    ``trust_domain_id``; ``{"agencies": [...]}``.
[7] https://support.huaweicloud.com/intl/en-us/api-iam/iam_12_0003.html: ``agency.name`` (at most 64 characters),
    ``domain_id`` (the delegating account), ``trust_domain_id`` or ``trust_domain_name`` (the name wins),
    ``description`` (at most 255 characters), ``duration`` ``FOREVER`` (default), ``ONEDAY`` or a number of days.
[8] IAM API reference, "Modifying an Agency" and "Deleting an Agency" (204).
[9] IAM API reference, "Querying Permissions of an Agency for a Project" (``{"roles": [...]}``) and "Removing
    Permissions of an Agency for a Project" (204).
[10] https://support.huaweicloud.com/intl/en-us/api-iam/iam_12_0009.html: 204; the role may not be ``secu_admin``
    or ``te_agency``.

Errors: ``{"error": {"code": <HTTP status>, "message": ..., "title": ...}}``, the shape the agency pages show
("Could not find role: ..."). The stand-in's choices where nothing is documented: a second custom policy or
agency of the same name is refused (409); a project-level (``XA``) grant needs an ``XA`` policy; a policy still
granted to an agency cannot be deleted (409); a cloud service is delegated to by its ``op_svc_*`` account name
(FunctionGraph: ``op_svc_cff``, as Terraform's ``huaweicloud_identity_agency`` documents
``delegated_service_name``); deleting an agency drops its grants.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

from scripts.standin.replies import Reply, json_reply
from scripts.standin.request_parts import Rejected, member
from scripts.standin.request_parts import json_body as _json_body
from scripts.standin.request_parts import text as _text

DOMAIN_ID = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"  # the stand-in's account (FunctionGraph answers it as domain_id too)
DOMAIN_NAME = "standin-account"
IAM_URL = "https://iam.myhuaweicloud.com"
ACTION_RE = re.compile(r"^[a-z0-9]+:[A-Za-z0-9*]+:[A-Za-z0-9*]+$")
SERVICE_ACCOUNT_RE = re.compile(r"^op_svc_[A-Za-z0-9_]+$")
FORBIDDEN_DESCRIPTION = set("@#$%^&*<>\\")
MAX_STATEMENTS, MAX_ACTIONS = 8, 100
TITLES = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}
NEEDS_NO_DOMAIN = frozenset({"keystone_list_auth_domains"})


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "title": TITLES.get(status, "Error")}}


@dataclass
class Policy:
    id: str
    name: str
    display_name: str
    type: str
    description: str
    description_cn: str
    policy: dict[str, Any]
    created: str
    updated: str

    def body(self, references: int = 0) -> dict[str, Any]:
        return {"domain_id": DOMAIN_ID, "references": references, "updated_time": self.updated,
                "created_time": self.created, "description_cn": self.description_cn, "catalog": "CUSTOMED",
                "name": self.name, "description": self.description,
                "links": {"self": f"{IAM_URL}/v3/roles/{self.id}"}, "id": self.id, "display_name": self.display_name,
                "type": self.type, "policy": copy.deepcopy(self.policy)}


@dataclass
class Agency:
    id: str
    name: str
    trust_domain_id: str
    trust_domain_name: str
    description: str
    duration: str
    created: str
    grants: dict[str, set[str]] = field(default_factory=dict)  # project ID -> role IDs

    def body(self) -> dict[str, Any]:
        return {"create_time": self.created, "description": self.description, "domain_id": DOMAIN_ID,
                "duration": self.duration, "expire_time": None, "id": self.id, "name": self.name,
                "trust_domain_id": self.trust_domain_id, "trust_domain_name": self.trust_domain_name,
                "agency_urn": f"iam::{DOMAIN_ID}:agency:{self.name}"}


class IamState:
    """The stand-in's account: its one project, custom policies and agencies; guarded by its own lock."""

    def __init__(self, project_id: str) -> None:
        self.project_ids = frozenset({project_id})
        self._policies: dict[str, Policy] = {}
        self._agencies: dict[str, Agency] = {}
        self._count = 0
        self._lock = threading.Lock()

    def apply(self, change: Callable[[], Any]) -> Any:
        with self._lock:
            return change()

    def references(self, role_id: str) -> int:
        return sum(role_id in roles for agency in self._agencies.values() for roles in agency.grants.values())

    def snapshot(self) -> dict[str, Any]:
        """Policies and agencies by name, with their grants (for tests)."""
        with self._lock:
            return {
                "policies": {p.display_name: p.body(self.references(p.id)) for p in self._policies.values()},
                "agencies": {a.name: {**a.body(), "grants": {project: sorted(roles) for project, roles in
                                                             a.grants.items() if roles}}
                             for a in self._agencies.values()},
            }

    def add_policy(self, display_name: str, description: str, document: dict[str, Any]) -> str:
        """A custom policy someone else made (for tests); returns its ID."""
        return self.apply(lambda: self._new_policy(display_name, "XA", description, "", document).id)

    def add_agency(self, name: str, description: str, trust_domain_name: str = "op_svc_cff") -> str:
        """An agency someone else made (for tests); returns its ID."""
        return self.apply(lambda: self._new_agency(name, trust_domain_name, description, "FOREVER").id)

    def grant(self, agency_id: str, project_id: str, role_id: str) -> None:
        """A grant someone else made (for tests)."""
        self.apply(lambda: self._agencies[agency_id].grants.setdefault(project_id, set()).add(role_id))

    def _new_policy(self, display_name: str, kind: str, description: str, description_cn: str,
                    document: dict[str, Any]) -> Policy:
        if any(p.display_name == display_name for p in self._policies.values()):
            raise Rejected(409, f"A custom policy named {display_name!r} already exists.")
        self._count += 1
        now = _now()
        policy = Policy(uuid.uuid4().hex, f"custom_{DOMAIN_ID}_{self._count}", display_name, kind, description,
                        description_cn, copy.deepcopy(document), now, now)
        self._policies[policy.id] = policy
        return policy

    def _new_agency(self, name: str, trust_domain_name: str, description: str, duration: str) -> Agency:
        if any(a.name == name for a in self._agencies.values()):
            raise Rejected(409, f"An agency named {name!r} already exists.")
        agency = Agency(uuid.uuid4().hex, name, _trust_domain_id(trust_domain_name), trust_domain_name, description,
                        duration, _now())
        self._agencies[agency.id] = agency
        return agency

    def _policy(self, role_id: str) -> Policy:
        found = self._policies.get(role_id)
        if found is None:
            raise Rejected(404, f"Could not find role: {role_id}")
        return found

    def _agency(self, agency_id: str) -> Agency:
        found = self._agencies.get(agency_id)
        if found is None:
            raise Rejected(404, f"Could not find agency: {agency_id}")
        return found


def _trust_domain_id(name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.accounts.standin").hex


class IamApi:
    def __init__(self, state: IamState) -> None:
        self.state = state
        self.operations: dict[str, Callable[[Any, dict[str, str], dict[str, str]], tuple[int, Any]]] = {
            "keystone_list_auth_domains": self._list_domains,
            "list_custom_policies": self._list_policies,
            "create_cloud_service_custom_policy": self._create_policy,
            "update_cloud_service_custom_policy": self._update_policy,
            "delete_custom_policy": self._delete_policy,
            "list_agencies": self._list_agencies,
            "create_agency": self._create_agency,
            "update_agency": self._update_agency,
            "delete_agency": self._delete_agency,
            "list_project_permissions_for_agency": self._list_grants,
            "associate_agency_with_project_permission": self._grant,
            "remove_project_permission_from_agency": self._revoke,
        }

    @staticmethod
    def domain_problem(operation: str, headers: tuple[tuple[str, str], ...]) -> str | None:
        """Why a signed request may not act in the stand-in's account (None: it may)."""
        header = next((v for k, v in headers if k.lower() == "x-domain-id"), None)
        if operation in NEEDS_NO_DOMAIN and header is None:
            return None
        if header is None:
            return "Forbidden: IAM calls need the X-Domain-Id header (GlobalCredentials with a domain ID)."
        if header.strip() != DOMAIN_ID:
            return f"Forbidden: domain {header.strip()} is not accessible with these credentials."
        return None

    def handle(self, operation: str, raw_body: bytes, params: dict[str, str], query: str, request_id: str) -> Reply:
        try:
            body = _json_body(raw_body) if operation in _WITH_BODY else None
            status, answer = self.operations[operation](body, params, dict(parse_qsl(query, keep_blank_values=True)))
        except Rejected as rejected:
            return json_reply(rejected.status, error_body(rejected.status, rejected.message), request_id)
        if answer is None:
            return Reply(status, b"", request_id)
        return json_reply(status, answer, request_id)

    # -- the account ------------------------------------------------------------------------------

    def _list_domains(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        return 200, {"domains": [{"description": "", "enabled": True, "id": DOMAIN_ID, "name": DOMAIN_NAME,
                                  "links": {"self": f"{IAM_URL}/v3/domains/{DOMAIN_ID}"}}],
                     "links": {"self": f"{IAM_URL}/v3/auth/domains"}}

    # -- custom policies ----------------------------------------------------------------------------

    def _list_policies(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        page, per_page = query.get("page"), query.get("per_page")
        if (page is None) != (per_page is None):
            raise Rejected(400, "page and per_page must be given together.")
        state = self.state

        def listing() -> tuple[int, Any]:
            roles = [p.body(state.references(p.id)) for p in state._policies.values()]
            shown = roles
            if page is not None and per_page is not None:
                if not (page.isdigit() and per_page.isdigit()) or int(page) < 1 or not 1 <= int(per_page) <= 300:
                    raise Rejected(400, "page must be 1 or more and per_page 1 to 300.")
                start = (int(page) - 1) * int(per_page)
                shown = roles[start:start + int(per_page)]
            return 200, {"links": {"self": f"{IAM_URL}/v3.0/OS-ROLE/roles", "previous": None, "next": None},
                         "roles": shown, "total_number": len(roles)}

        return state.apply(listing)

    def _create_policy(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        role = _policy_body(body)
        state = self.state
        return state.apply(lambda: (201, {"role": state._new_policy(
            role["display_name"], role["type"], role["description"], role.get("description_cn", ""),
            role["policy"]).body()}))

    def _update_policy(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        role = _policy_body(body)
        state = self.state

        def update() -> tuple[int, Any]:
            policy = state._policy(params["role_id"])
            if any(p.display_name == role["display_name"] and p.id != policy.id for p in state._policies.values()):
                raise Rejected(409, f"A custom policy named {role['display_name']!r} already exists.")
            policy.display_name, policy.type, policy.description = role["display_name"], role["type"], \
                role["description"]
            policy.description_cn = role.get("description_cn", "")
            policy.policy, policy.updated = copy.deepcopy(role["policy"]), _now()
            return 200, {"role": policy.body(state.references(policy.id))}

        return state.apply(update)

    def _delete_policy(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        state = self.state

        def delete() -> tuple[int, Any]:
            policy = state._policy(params["role_id"])
            if state.references(policy.id):
                raise Rejected(409, f"The policy {policy.display_name!r} is granted to an agency: remove the grant "
                                    "first.")
            del state._policies[policy.id]
            return 200, {"message": "Delete success"}

        return state.apply(delete)

    # -- agencies -------------------------------------------------------------------------------------

    def _list_agencies(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        if query.get("domain_id") != DOMAIN_ID:
            raise Rejected(400 if not query.get("domain_id") else 403,
                           "domain_id must be the ID of the delegating account.")
        state = self.state

        def listing() -> tuple[int, Any]:
            found = [a for a in state._agencies.values()
                     if query.get("name") in (None, "", a.name)
                     and query.get("trust_domain_id") in (None, "", a.trust_domain_id)]
            return 200, {"agencies": [a.body() for a in found]}

        return state.apply(listing)

    def _create_agency(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        agency = member(body, "agency")
        name = _text(agency, "name", required=True)
        if not 1 <= len(name) <= 64:
            raise Rejected(400, "agency.name must be 1 to 64 characters.")
        if _text(agency, "domain_id", required=True) != DOMAIN_ID:
            raise Rejected(403, "agency.domain_id must be the ID of the delegating (your) account.")
        trust = _trust(agency, required=True)
        description = _description(agency)
        duration = _duration(agency)
        state = self.state
        return state.apply(lambda: (201, {"agency": state._new_agency(name, trust, description, duration).body()}))

    def _update_agency(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        agency = member(body, "agency")
        trust = _trust(agency, required=False)
        description = _description(agency) if "description" in agency else None
        duration = _duration(agency) if "duration" in agency else None
        state = self.state

        def update() -> tuple[int, Any]:
            found = state._agency(params["agency_id"])
            if trust:
                found.trust_domain_name, found.trust_domain_id = trust, _trust_domain_id(trust)
            if description is not None:
                found.description = description
            if duration is not None:
                found.duration = duration
            return 200, {"agency": found.body()}

        return state.apply(update)

    def _delete_agency(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        state = self.state

        def delete() -> tuple[int, Any]:
            del state._agencies[state._agency(params["agency_id"]).id]
            return 204, None

        return state.apply(delete)

    # -- grants ---------------------------------------------------------------------------------------

    def _grant_target(self, params: dict[str, str]) -> Agency:
        if params["project_id"] not in self.state.project_ids:
            raise Rejected(404, f"Could not find project: {params['project_id']}")
        return self.state._agency(params["agency_id"])

    def _list_grants(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        state = self.state

        def listing() -> tuple[int, Any]:
            agency = self._grant_target(params)
            roles = agency.grants.get(params["project_id"], set())
            return 200, {"roles": [state._policy(r).body(state.references(r)) for r in sorted(roles)
                                   if r in state._policies]}

        return state.apply(listing)

    def _grant(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        state = self.state

        def grant() -> tuple[int, Any]:
            agency = self._grant_target(params)
            policy = state._policy(params["role_id"])
            if policy.type != "XA":
                raise Rejected(400, f"The policy {policy.display_name!r} is not a project-level (XA) policy.")
            agency.grants.setdefault(params["project_id"], set()).add(policy.id)
            return 204, None

        return state.apply(grant)

    def _revoke(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        state = self.state

        def revoke() -> tuple[int, Any]:
            roles = self._grant_target(params).grants.get(params["project_id"], set())
            if params["role_id"] not in roles:
                raise Rejected(404, f"Could not find role: {params['role_id']} granted to the agency.")
            roles.discard(params["role_id"])
            return 204, None

        return state.apply(revoke)


_WITH_BODY = frozenset({"create_cloud_service_custom_policy", "update_cloud_service_custom_policy", "create_agency",
                        "update_agency"})


def _policy_body(body: dict[str, Any]) -> dict[str, Any]:
    role = member(body, "role")
    display_name = _text(role, "display_name", required=True)
    if not 1 <= len(display_name) <= 128:
        raise Rejected(400, "role.display_name must be 1 to 128 characters.")
    if role.get("type") not in ("AX", "XA"):
        raise Rejected(400, "role.type must be AX (account level) or XA (project level).")
    _text(role, "description", required=True)
    _text(role, "description_cn")
    document = role.get("policy")
    if not isinstance(document, dict) or document.get("Version") != "1.1":
        raise Rejected(400, "role.policy must be a policy with Version 1.1.")
    statements = document.get("Statement")
    if not isinstance(statements, list) or not 1 <= len(statements) <= MAX_STATEMENTS:
        raise Rejected(400, f"role.policy.Statement must hold 1 to {MAX_STATEMENTS} statements.")
    for number, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise Rejected(400, f"Statement[{number}].Effect must be Allow or Deny.")
        actions = statement.get("Action")
        if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_ACTIONS or not all(
                isinstance(action, str) and ACTION_RE.fullmatch(action) for action in actions):
            raise Rejected(400, f"Statement[{number}].Action must hold 1 to {MAX_ACTIONS} actions "
                                "service:resource:operation.")
        resource = statement.get("Resource")
        if resource is not None and not (isinstance(resource, list) and all(isinstance(r, str) for r in resource)):
            raise Rejected(400, f"Statement[{number}].Resource must be a list of strings.")
        if set(statement) - {"Action", "Effect", "Condition", "Resource"}:
            raise Rejected(400, f"Statement[{number}] has an unknown field.")
    return role


def _trust(agency: dict[str, Any], required: bool) -> str:
    name = _text(agency, "trust_domain_name")
    if not name and _text(agency, "trust_domain_id"):
        raise Rejected(404, "The stand-in knows no other account: delegate to a cloud service by its name.")
    if not name:
        if required:
            raise Rejected(400, "agency.trust_domain_id or agency.trust_domain_name is required.")
        return ""
    if not SERVICE_ACCOUNT_RE.fullmatch(name):
        raise Rejected(404, f"Could not find domain: {name} (the stand-in knows cloud services' op_svc_* only).")
    return name


def _description(agency: dict[str, Any]) -> str:
    description = _text(agency, "description")
    if len(description) > 255 or FORBIDDEN_DESCRIPTION & set(description):
        raise Rejected(400, "agency.description: at most 255 characters, none of @#$%^&*<>\\.")
    return description


def _duration(agency: dict[str, Any]) -> str:
    duration = agency.get("duration", "FOREVER")
    if duration is None:
        return "FOREVER"
    if not isinstance(duration, str) or not (duration in ("FOREVER", "ONEDAY") or duration.isdigit()):
        raise Rejected(400, "agency.duration must be FOREVER, ONEDAY or a number of days.")
    return duration
