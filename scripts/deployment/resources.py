"""What deploy creates besides the function: SMN topics and subscriptions, the IAM custom policy and the agency, and
the agency's grant of the policy on the project. Pure: :func:`plan_resources` and :func:`plan_destroy` turn what
exists (:class:`Existing`, read by ``smn_api`` and ``iam_api``) into write calls, in dependency order.

How deploy recognises what it created ("deploy's"), and why it never touches anything else:

* **topic**: its tag ``cce-postcheck-deploy`` = the function's name (SMN CreateResourceTag). A topic is created with
  a *pending* display name (``cce-postcheck-deploy-pending-<function>``), then tagged, then given its display name:
  whichever of the three calls a run stops after, the next run still knows the topic as deploy's (pending name or
  tag) and finishes it. Any other topic of a template's name is used as it is (subscribed to, never renamed or
  deleted).
* **subscription**: its ``remark`` is the marker ``managed by cce-postcheck-deploy for function <name>`` (set when
  deploy adds it; AddSubscription takes the remark in the same call). A declared protocol and endpoint that someone
  else already subscribed is left as it is and counts as subscribed.
* **custom policy** and **agency**: the marker is in their ``description``, set in the creating call. A policy or
  agency of the template's name without it is someone else's: used as it is when it already does what the template
  says (the same policy document, an agency delegated to FunctionGraph holding the policy on the project), refused
  otherwise, before any write.
* **grant** of the policy to the agency on the project: deploy's when the agency is deploy's.

``--destroy`` removes, in the reverse order, exactly what is deploy's by these rules, and keeps (saying why) a
topic with subscriptions deploy did not add, an agency holding other grants, a policy granted elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from scripts.deployment.plan import Call
from scripts.deployment.template import ResolvedTopic, shown_endpoint

MANAGED_BY = "cce-postcheck-deploy"
TAG_KEY = MANAGED_BY
# The account IAM delegates to when FunctionGraph is the agency's cloud service: "op_svc_cff", the name Terraform's
# huaweicloud_identity_agency documents for FunctionGraph (delegated_service_name,
# https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs/resources/identity_agency); IAM's
# CreateAgency takes it as trust_domain_name (https://support.huaweicloud.com/intl/en-us/api-iam/iam_12_0003.html).
FUNCTIONGRAPH_ACCOUNT = "op_svc_cff"
POLICY_TYPE = "XA"  # a project-level policy, granted on the function's project only


def marker(function: str) -> str:
    return f"managed by {MANAGED_BY} for function {function}"


def pending_display_name(function: str) -> str:
    return f"{MANAGED_BY}-pending-{function}"


@dataclass(frozen=True)
class CurrentSubscription:
    urn: str
    protocol: str
    endpoint: str
    remark: str
    status: int | None


@dataclass(frozen=True)
class CurrentTopic:
    name: str
    urn: str
    topic_id: str
    display_name: str
    tags: dict[str, str]
    subscriptions: tuple[CurrentSubscription, ...]


@dataclass(frozen=True)
class CurrentPolicy:
    id: str
    display_name: str
    type: str
    description: str
    document: dict[str, Any]
    references: int


@dataclass(frozen=True)
class CurrentAgency:
    id: str
    name: str
    trust_domain_name: str
    description: str
    grants: frozenset[str]  # role IDs granted on the project


@dataclass(frozen=True)
class Existing:
    topics: dict[str, CurrentTopic]  # by name; absent: no such topic
    policy: CurrentPolicy | None
    agency: CurrentAgency | None


@dataclass(frozen=True)
class Wanted:
    function: str
    region: str
    project_id: str
    domain_id: str
    topics: tuple[ResolvedTopic, ...]
    policy_name: str
    policy_document: dict[str, Any]
    agency_name: str

    @property
    def marker(self) -> str:
        return marker(self.function)

    @property
    def policy_description(self) -> str:
        return f"Least privilege of the FunctionGraph function {self.function}; {self.marker}"

    @property
    def agency_description(self) -> str:
        return f"The FunctionGraph function {self.function} runs with this agency; {self.marker}"


@dataclass
class Outcome:
    """The calls, in order; notes for the operator; refusals (then nothing is sent)."""

    calls: list[Call] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


def topic_is_deploys(topic: CurrentTopic, function: str) -> bool:
    return topic.tags.get(TAG_KEY) == function or topic.display_name == pending_display_name(function)


def policy_is_deploys(policy: CurrentPolicy, function: str) -> bool:
    return marker(function) in (policy.description or "")


def agency_is_deploys(agency: CurrentAgency, function: str) -> bool:
    return marker(function) in (agency.description or "")


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """A policy document compared by meaning: statements in order, each one's actions and resources as sets."""
    return {"Version": document.get("Version"), "Statement": [
        {"Effect": s.get("Effect"), "Action": sorted(s.get("Action") or []),
         "Resource": sorted(s.get("Resource") or []), "Condition": s.get("Condition") or {}}
        for s in document.get("Statement") or []]}


# -- deploy ----------------------------------------------------------------------------------------------------


def plan_resources(wanted: Wanted, existing: Existing) -> Outcome:
    """Topics and their subscriptions, then the policy, the agency and its grant."""
    outcome = Outcome()
    for topic in wanted.topics:
        _topic(wanted, topic, existing.topics.get(topic.name), outcome)
    _iam(wanted, existing, outcome)
    return outcome


def _topic(wanted: Wanted, topic: ResolvedTopic, current: CurrentTopic | None, outcome: Outcome) -> None:
    paths = _SmnPaths(wanted.project_id)
    urn = topic.urn(wanted.region, wanted.project_id)
    id_key = f"topic:{topic.name}"
    tag_call = Call("create_resource_tag", "POST", paths.tags("{topic_id}" if current is None else current.topic_id),
                    {"tag": {"key": TAG_KEY, "value": wanted.function}}, (f"mark topic {topic.name} as deploy's",),
                    {"resource_type": "smn_topic"} | ({} if current is None else {"resource_id": current.topic_id}),
                    needs=(("resource_id", id_key),) if current is None else ())
    rename = Call("update_topic", "PUT", paths.topic(urn), {"display_name": topic.display_name},
                  (f"display name of {topic.name}: {topic.display_name!r}",), {"topic_urn": urn})
    if current is None:
        outcome.calls += [
            Call("create_topic", "POST", paths.topics, {"name": topic.name,
                                                        "display_name": pending_display_name(wanted.function)},
                 (f"create topic {topic.name} ({urn})",), produces=id_key),
            tag_call, rename]
        existing_subscriptions: tuple[CurrentSubscription, ...] = ()
    else:
        existing_subscriptions = current.subscriptions
        if topic_is_deploys(current, wanted.function):
            if current.tags.get(TAG_KEY) != wanted.function:
                outcome.calls.append(tag_call)
            if current.display_name != topic.display_name:
                outcome.calls.append(Call(rename.operation, rename.method, rename.path, rename.body, (
                    f"display name of {topic.name}: {current.display_name!r} -> {topic.display_name!r}",),
                    rename.params))
        else:
            outcome.notes.append(f"topic {topic.name}: exists and was not created by deploy: used as it is")
    _subscriptions(wanted, topic, urn, existing_subscriptions, outcome)


def _subscriptions(wanted: Wanted, topic: ResolvedTopic, urn: str, existing: tuple[CurrentSubscription, ...],
                   outcome: Outcome) -> None:
    paths = _SmnPaths(wanted.project_id)
    declared = {(s.protocol, s.endpoint) for s in topic.subscriptions}
    for subscription in topic.subscriptions:
        same = [s for s in existing if (s.protocol, s.endpoint) == (subscription.protocol, subscription.endpoint)]
        shown = _shown(subscription.endpoint)
        if same:
            if not any(s.remark == wanted.marker for s in same):
                outcome.notes.append(f"topic {topic.name}: {subscription.protocol} {shown} is subscribed already, not "
                                     "by deploy: left as it is")
            elif any(s.status == 0 for s in same):
                outcome.notes.append(f"topic {topic.name}: {subscription.protocol} {shown} has not confirmed its "
                                     "subscription yet (the link SMN sent it)")
            continue
        body: dict[str, Any] = {"protocol": subscription.protocol, "endpoint": subscription.endpoint,
                                "remark": wanted.marker}
        if subscription.extension:
            body["extension"] = dict(subscription.extension)
        outcome.calls.append(Call("add_subscription", "POST", paths.subscriptions(urn), body,
                                  (f"subscribe {subscription.protocol} {shown} to {topic.name}",), {"topic_urn": urn}))
    for current in existing:
        if current.remark == wanted.marker and (current.protocol, current.endpoint) not in declared:
            outcome.calls.append(_cancel(paths, current, topic.name, "no longer in the template"))


def _iam(wanted: Wanted, existing: Existing, outcome: Outcome) -> None:
    paths = _IamPaths()
    policy, agency = existing.policy, existing.agency
    role = {"display_name": wanted.policy_name, "type": POLICY_TYPE, "description": wanted.policy_description,
            "policy": wanted.policy_document}
    policy_ours = policy is None or policy_is_deploys(policy, wanted.function)
    if policy is None:
        outcome.calls.append(Call("create_cloud_service_custom_policy", "POST", paths.roles, {"role": role},
                                  (f"create custom policy {wanted.policy_name} (project level)",), produces="policy"))
    elif policy_ours:
        changes = []
        if normalized(policy.document) != normalized(wanted.policy_document):
            changes.append(f"policy document: {_actions(policy.document)} -> {_actions(wanted.policy_document)}")
        if policy.type != POLICY_TYPE:
            changes.append(f"type: {policy.type} -> {POLICY_TYPE}")
        if changes:
            outcome.calls.append(Call("update_cloud_service_custom_policy", "PATCH", paths.role(policy.id),
                                      {"role": role}, tuple(changes), {"role_id": policy.id}))
    elif normalized(policy.document) == normalized(wanted.policy_document) and policy.type == POLICY_TYPE:
        outcome.notes.append(f"custom policy {wanted.policy_name}: exists, not created by deploy, and grants exactly "
                             "agency.policy: used as it is")
    else:
        outcome.refusals.append(
            f"custom policy {wanted.policy_name}: IAM has a policy of that name that deploy did not create "
            f"(its description lacks {wanted.marker!r}) and that differs from agency.policy: delete it, or give "
            "agency.policy_name another name")
    if agency is None:
        outcome.calls.append(Call("create_agency", "POST", paths.agencies, {"agency": {
            "name": wanted.agency_name, "domain_id": wanted.domain_id, "trust_domain_name": FUNCTIONGRAPH_ACCOUNT,
            "description": wanted.agency_description, "duration": "FOREVER"}},
            (f"create agency {wanted.agency_name}, delegated to FunctionGraph ({FUNCTIONGRAPH_ACCOUNT})",),
            produces="agency"))
    elif agency_is_deploys(agency, wanted.function):
        if agency.trust_domain_name != FUNCTIONGRAPH_ACCOUNT:
            outcome.calls.append(Call("update_agency", "PUT", paths.agency(agency.id), {"agency": {
                "trust_domain_name": FUNCTIONGRAPH_ACCOUNT}},
                (f"delegated to: {agency.trust_domain_name} -> {FUNCTIONGRAPH_ACCOUNT}",), {"agency_id": agency.id}))
    else:
        fits = agency.trust_domain_name == FUNCTIONGRAPH_ACCOUNT and policy is not None and policy.id in agency.grants
        if fits:
            outcome.notes.append(f"agency {wanted.agency_name}: exists, not created by deploy, delegated to "
                                 "FunctionGraph and holding the policy on the project: used as it is")
        else:
            outcome.refusals.append(
                f"agency {wanted.agency_name}: IAM has an agency of that name that deploy did not create (its "
                f"description lacks {wanted.marker!r}) and that is not delegated to FunctionGraph with "
                f"{wanted.policy_name} granted on project {wanted.project_id}: delete it, or give agency.name another "
                "name")
        return
    if agency is None or policy is None or policy.id not in agency.grants:
        needs = tuple(pair for pair, missing in ((("agency_id", "agency"), agency is None),
                                                 (("role_id", "policy"), policy is None)) if missing)
        params = {"project_id": wanted.project_id} | ({} if agency is None else {"agency_id": agency.id}) | (
            {} if policy is None else {"role_id": policy.id})
        outcome.calls.append(Call(
            "associate_agency_with_project_permission", "PUT",
            paths.grant(wanted.project_id, params.get("agency_id", "{agency_id}"), params.get("role_id", "{role_id}")),
            None, (f"grant {wanted.policy_name} to {wanted.agency_name} on project {wanted.project_id}",), params,
            needs=needs))


# -- destroy ---------------------------------------------------------------------------------------------------


def plan_destroy(wanted: Wanted, existing: Existing) -> Outcome:
    """The grant, the agency, the policy, the subscriptions and the topics deploy created: the reverse of
    :func:`plan_resources` (the function, first of all, is FunctionGraph's part: ``plan.destroy_function``)."""
    outcome = Outcome()
    paths = _IamPaths()
    policy, agency = existing.policy, existing.agency
    policy_ours = policy is not None and policy_is_deploys(policy, wanted.function)
    grant_removed = False
    if agency is not None and agency_is_deploys(agency, wanted.function):
        if policy is not None and policy.id in agency.grants:
            outcome.calls.append(Call("remove_project_permission_from_agency", "DELETE",
                                      paths.grant(wanted.project_id, agency.id, policy.id), None,
                                      (f"grant of {policy.display_name} to {agency.name}",),
                                      {"project_id": wanted.project_id, "agency_id": agency.id, "role_id": policy.id}))
            grant_removed = True
        others = agency.grants - ({policy.id} if policy is not None else set())
        if others:
            outcome.notes.append(f"agency {agency.name}: kept: it holds {len(others)} grant(s) deploy did not make")
        else:
            outcome.calls.append(Call("delete_agency", "DELETE", paths.agency(agency.id), None,
                                      (f"agency {agency.name}",), {"agency_id": agency.id}))
    elif agency is not None:
        outcome.notes.append(f"agency {agency.name}: not created by deploy: kept")
    if policy is not None and policy_ours:
        elsewhere = policy.references - (1 if grant_removed else 0)
        if elsewhere > 0:
            outcome.notes.append(f"custom policy {policy.display_name}: kept: still granted {elsewhere} time(s) "
                                 "elsewhere")
        else:
            outcome.calls.append(Call("delete_custom_policy", "DELETE", paths.role(policy.id), None,
                                      (f"custom policy {policy.display_name}",), {"role_id": policy.id}))
    elif policy is not None:
        outcome.notes.append(f"custom policy {policy.display_name}: not created by deploy: kept")
    smn = _SmnPaths(wanted.project_id)
    for topic in reversed(wanted.topics):
        current = existing.topics.get(topic.name)
        if current is None:
            continue
        ours = [s for s in current.subscriptions if s.remark == wanted.marker]
        theirs = [s for s in current.subscriptions if s.remark != wanted.marker]
        outcome.calls += [_cancel(smn, s, topic.name, "added by deploy") for s in ours]
        if not topic_is_deploys(current, wanted.function):
            outcome.notes.append(f"topic {topic.name}: not created by deploy: kept")
        elif theirs:
            outcome.notes.append(f"topic {topic.name}: kept: it has {len(theirs)} subscription(s) deploy did not "
                                 "add (deleting the topic would delete them)")
        else:
            outcome.calls.append(Call("delete_topic", "DELETE", smn.topic(current.urn), None,
                                      (f"topic {topic.name} ({current.urn})",), {"topic_urn": current.urn}))
    return outcome


def _cancel(paths: _SmnPaths, subscription: CurrentSubscription, topic: str, why: str) -> Call:
    return Call("cancel_subscription", "DELETE", paths.subscription(subscription.urn), None,
                (f"unsubscribe {subscription.protocol} {_shown(subscription.endpoint)} from {topic}: {why}",),
                {"subscription_urn": subscription.urn})


def _shown(endpoint: str) -> str:
    return shown_endpoint(endpoint)


def _actions(document: dict[str, Any]) -> str:
    return json.dumps(sorted(a for s in document.get("Statement") or [] for a in s.get("Action") or []))


@dataclass(frozen=True)
class _SmnPaths:
    project_id: str

    @property
    def topics(self) -> str:
        return f"/v2/{self.project_id}/notifications/topics"

    def topic(self, urn: str) -> str:
        return f"{self.topics}/{urn}"

    def subscriptions(self, urn: str) -> str:
        return f"{self.topic(urn)}/subscriptions"

    def subscription(self, urn: str) -> str:
        return f"/v2/{self.project_id}/notifications/subscriptions/{urn}"

    def tags(self, topic_id: str) -> str:
        return f"/v2/{self.project_id}/smn_topic/{topic_id}/tags"


class _IamPaths:
    roles = "/v3.0/OS-ROLE/roles"
    agencies = "/v3.0/OS-AGENCY/agencies"

    def role(self, role_id: str) -> str:
        return f"{self.roles}/{role_id}"

    def agency(self, agency_id: str) -> str:
        return f"{self.agencies}/{agency_id}"

    @staticmethod
    def grant(project_id: str, agency_id: str, role_id: str) -> str:
        return f"/v3.0/OS-AGENCY/projects/{project_id}/agencies/{agency_id}/roles/{role_id}"


def read_paths(project_id: str) -> dict[str, tuple[str, str]]:
    """The reads deploy makes for these resources: operation -> (method, path pattern)."""
    smn = _SmnPaths(project_id)
    return {
        "keystone_list_auth_domains": ("GET", "/v3/auth/domains"),
        "list_custom_policies": ("GET", _IamPaths.roles),
        "list_agencies": ("GET", _IamPaths.agencies),
        "list_project_permissions_for_agency": ("GET", "/v3.0/OS-AGENCY/projects/{project_id}/agencies/{agency_id}"
                                                       "/roles"),
        "list_topics": ("GET", smn.topics),
        "list_resource_tags": ("GET", smn.tags("{topic_id}")),
        "list_subscriptions_by_topic": ("GET", smn.subscriptions("{topic_urn}")),
        "list_operations": ("GET", f"/v3/{project_id}/operations"),
    }
