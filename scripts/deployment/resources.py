"""What deploy creates besides the function: SMN topics and subscriptions, the IAM custom policy and the agency, and
the agency's grant of the policy on the project. Pure: :func:`plan_resources` and :func:`plan_destroy` turn what
exists (:class:`Existing`, read by ``smn_api`` and ``iam_api``) into write calls, in dependency order.

How deploy recognises what it made ("deploy's"), for which function, and why it never touches anything else. The
mark is :func:`scripts.deployment.marks.marker`: ``managed by cce-postcheck-deploy for function <name>``, or ``for
functions <a>, <b>`` when several functions' deploys share the thing.

* **topic**: a tag whose value is the function's name, key ``cce-postcheck-deploy`` (SMN CreateResourceTag); a
  second function sharing the topic tags it under its own key ``cce-postcheck-deploy-<8 hex digits of the SHA-256 of
  its name>`` (one tag key holds one value). A topic is created with a *pending* display name
  (``cce-postcheck-deploy-pending-<function>``), then tagged, then given its display name: whichever of the three
  calls a run stops after, the next run still knows the topic as deploy's (pending name or tag) and finishes it.
  Deploy finds the topics marked for its function by tag (SMN ListResourceInstances), also those the template no
  longer names. A topic of a template's name without any mark is someone else's: used as it is (subscribed to, never
  renamed or deleted).
* **subscription**: its ``remark`` is the mark (set when deploy adds it; AddSubscription takes the remark in the same
  call; UpdateSubscription changes it). A declared protocol and endpoint that someone else already subscribed is left
  as it is and counts as subscribed.
* **custom policy** and **agency**: the mark is in their ``description``, set in the creating call. Deploy lists them
  all and finds the ones marked for its function, also those the template no longer names. A policy or agency of the
  template's name without any mark is someone else's: used as it is when it already does what the template says (the
  same policy document, an agency delegated to FunctionGraph holding the policy on the project), refused otherwise,
  before any write.
* **grant** of the policy to the agency on the project: deploy's when the agency is deploy's.

Something another function's deploy marked (a second template, e.g. a staging copy under another function name, that
names the same topic, policy or agency) is refused, before any write, unless ``--adopt`` is given: then deploy adds
its function to the mark and the thing is shared. Each function's ``--destroy`` removes only its own function from
a mark, and deletes the thing when no function's mark is left on it; a grant both functions' marks cover stays.

Marked things the template no longer names (a renamed policy, agency or topic) are released after the function is
updated: their grants revoked, then deleted (or only unmarked, when shared). ``--destroy`` releases everything
marked for the function, in the reverse order, and keeps (saying why) a topic with subscriptions deploy did not add,
an agency holding other grants, a policy granted elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scripts.deployment.marks import MANAGED_BY, marker, marks
from scripts.deployment.plan import Call
from scripts.deployment.template import ResolvedTopic, shown_endpoint

TAG_KEY = MANAGED_BY
_MARK_TAG_KEY = re.compile(rf"^{re.escape(TAG_KEY)}(?:-[0-9a-f]{{8}})?$")
PENDING_PREFIX = f"{MANAGED_BY}-pending-"
# The account IAM delegates to when FunctionGraph is the agency's cloud service: "op_svc_cff", the name Terraform's
# huaweicloud_identity_agency documents for FunctionGraph (delegated_service_name,
# https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs/resources/identity_agency); IAM's
# CreateAgency takes it as trust_domain_name (https://support.huaweicloud.com/intl/en-us/api-iam/iam_12_0003.html).
FUNCTIONGRAPH_ACCOUNT = "op_svc_cff"
POLICY_TYPE = "XA"  # a project-level policy, granted on the function's project only
# An agency's description: at most 255 characters (CreateAgency, iam_12_0003 above); the custom policy's is kept to
# the same. A subscription's remark: at most 128 bytes (https://support.huaweicloud.com/intl/en-us/api-smn/
# UpdateSubscription.html). A mark naming too many functions to fit is refused.
MAX_DESCRIPTION = 255
MAX_REMARK_BYTES = 128


def pending_display_name(function: str) -> str:
    return f"{PENDING_PREFIX}{function}"


def second_tag_key(function: str) -> str:
    """The tag key of a function's mark on a topic whose ``cce-postcheck-deploy`` tag names another function (36
    characters at most, letters, digits, - and _: SMN's tag key)."""
    return f"{TAG_KEY}-{hashlib.sha256(function.encode('utf-8')).hexdigest()[:8]}"


def mark_tag_keys(function: str) -> tuple[str, str]:
    """The tag keys a function's mark on a topic can have."""
    return TAG_KEY, second_tag_key(function)


@dataclass(frozen=True)
class CurrentSubscription:
    urn: str
    protocol: str
    endpoint: str
    remark: str
    status: int | None

    @property
    def marks(self) -> frozenset[str]:
        return marks(self.remark)


@dataclass(frozen=True)
class CurrentTopic:
    name: str
    urn: str
    topic_id: str
    display_name: str
    tags: dict[str, str]
    subscriptions: tuple[CurrentSubscription, ...]

    @property
    def marks(self) -> frozenset[str]:
        found = {value for key, value in self.tags.items() if _MARK_TAG_KEY.fullmatch(key) and value}
        if self.display_name.startswith(PENDING_PREFIX):
            found.add(self.display_name[len(PENDING_PREFIX):])
        return frozenset(found)

    def tag_keys(self, function: str) -> list[str]:
        """The keys of the tags that mark the topic for ``function``."""
        return sorted(key for key, value in self.tags.items() if _MARK_TAG_KEY.fullmatch(key) and value == function)

    def new_tag_key(self, function: str) -> str:
        """The key to mark the topic for ``function`` with: ``cce-postcheck-deploy`` unless it names another."""
        return TAG_KEY if self.tags.get(TAG_KEY, function) == function else second_tag_key(function)


@dataclass(frozen=True)
class CurrentPolicy:
    id: str
    display_name: str
    type: str
    description: str
    document: dict[str, Any]
    references: int

    @property
    def marks(self) -> frozenset[str]:
        return marks(self.description)


@dataclass(frozen=True)
class CurrentAgency:
    id: str
    name: str
    trust_domain_name: str
    description: str
    grants: frozenset[str]  # role IDs granted on the project

    @property
    def marks(self) -> frozenset[str]:
        return marks(self.description)


@dataclass(frozen=True)
class Existing:
    """What exists, by name: the template's topics, policy and agency (absent: none of that name), and every other
    topic, policy and agency marked for the function."""

    topics: dict[str, CurrentTopic]
    policies: dict[str, CurrentPolicy] = field(default_factory=dict)
    agencies: dict[str, CurrentAgency] = field(default_factory=dict)


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


def policy_description(functions: Iterable[str]) -> str:
    names = sorted(set(functions))
    whose = f"function {names[0]}" if len(names) == 1 else f"functions {', '.join(names)}"
    return f"Least privilege of the FunctionGraph {whose}; {marker(names)}"


def agency_description(functions: Iterable[str]) -> str:
    names = sorted(set(functions))
    who = f"function {names[0]} runs" if len(names) == 1 else f"functions {', '.join(names)} run"
    return f"The FunctionGraph {who} with this agency; {marker(names)}"


@dataclass
class Outcome:
    """The calls, in order (``after``: those to send after the function's, on deploy); notes for the operator;
    refusals (then nothing is sent); what stays marked for the function (``kept``) and what stays for other
    functions only (``shared``), for destroy's last line."""

    calls: list[Call] = field(default_factory=list)
    after: list[Call] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)


def topic_is_deploys(topic: CurrentTopic, function: str) -> bool:
    return function in topic.marks


def policy_is_deploys(policy: CurrentPolicy, function: str) -> bool:
    return function in policy.marks


def agency_is_deploys(agency: CurrentAgency, function: str) -> bool:
    return function in agency.marks


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """A policy document compared by meaning: statements in order, each one's actions and resources as sets."""
    return {"Version": document.get("Version"), "Statement": [
        {"Effect": s.get("Effect"), "Action": sorted(s.get("Action") or []),
         "Resource": sorted(s.get("Resource") or []), "Condition": s.get("Condition") or {}}
        for s in document.get("Statement") or []]}


def _names(functions: Iterable[str]) -> str:
    names = sorted(functions)
    return f"function{'s' if len(names) > 1 else ''} {', '.join(names)}"


def _not_ours(kind: str, wanted: Wanted, owners: frozenset[str]) -> str:
    return (f"{kind}: deploy marked it for {_names(owners)}, not for function {wanted.function}: another deployment "
            f"uses it, and its --destroy would delete it from under {wanted.function}. Run with --adopt to share it "
            "(each function's --destroy then removes only its own mark), or give it another name in the template")


# -- deploy ----------------------------------------------------------------------------------------------------


def plan_resources(wanted: Wanted, existing: Existing, adopt: bool = False) -> Outcome:
    """Topics and their subscriptions, then the policy, the agency and its grant; after the function: the release
    of what is marked for the function and the template no longer names."""
    outcome = Outcome()
    for topic in wanted.topics:
        _topic(wanted, topic, existing.topics.get(topic.name), outcome, adopt)
    _iam(wanted, existing, outcome, adopt)
    _release(wanted, existing, outcome, outcome.after, keep={wanted.policy_name, wanted.agency_name},
             keep_topics={topic.name for topic in wanted.topics})
    return outcome


def _topic(wanted: Wanted, topic: ResolvedTopic, current: CurrentTopic | None, outcome: Outcome,
           adopt: bool) -> None:
    paths = _SmnPaths(wanted.project_id)
    urn = topic.urn(wanted.region, wanted.project_id)
    function = wanted.function
    id_key = f"topic:{topic.name}"
    if current is None:
        outcome.calls += [
            Call("create_topic", "POST", paths.topics, {"name": topic.name,
                                                        "display_name": pending_display_name(function)},
                 (f"create topic {topic.name} ({urn})",), produces=id_key),
            Call("create_resource_tag", "POST", paths.tags("{topic_id}"), {"tag": {"key": TAG_KEY, "value": function}},
                 (f"mark topic {topic.name} as deploy's",), {"resource_type": "smn_topic"},
                 needs=(("resource_id", id_key),)),
            Call("update_topic", "PUT", paths.topic(urn), {"display_name": topic.display_name},
                 (f"display name of {topic.name}: {topic.display_name!r}",), {"topic_urn": urn})]
        _subscriptions(wanted, topic, urn, (), outcome, adopt)
        return
    owners = current.marks
    if function in owners or (owners and adopt):
        if function not in {current.tags.get(key) for key in current.tag_keys(function)}:
            key = current.new_tag_key(function)
            why = f"mark topic {topic.name} as deploy's" if function in owners else \
                f"mark topic {topic.name} as deploy's for function {function} too (shared with {_names(owners)})"
            outcome.calls.append(Call("create_resource_tag", "POST", paths.tags(current.topic_id),
                                      {"tag": {"key": key, "value": function}}, (why,),
                                      {"resource_type": "smn_topic", "resource_id": current.topic_id}))
        if current.display_name != topic.display_name:
            outcome.calls.append(Call("update_topic", "PUT", paths.topic(urn), {"display_name": topic.display_name},
                                      (f"display name of {topic.name}: {current.display_name!r} -> "
                                       f"{topic.display_name!r}",), {"topic_urn": urn}))
    elif owners:
        outcome.refusals.append(_not_ours(f"topic {topic.name}", wanted, owners))
        return
    else:
        outcome.notes.append(f"topic {topic.name}: exists and was not created by deploy: used as it is")
    _subscriptions(wanted, topic, urn, current.subscriptions, outcome, adopt)


def _subscriptions(wanted: Wanted, topic: ResolvedTopic, urn: str, existing: tuple[CurrentSubscription, ...],
                   outcome: Outcome, adopt: bool) -> None:
    paths = _SmnPaths(wanted.project_id)
    function = wanted.function
    declared = {(s.protocol, s.endpoint) for s in topic.subscriptions}
    for subscription in topic.subscriptions:
        same = [s for s in existing if (s.protocol, s.endpoint) == (subscription.protocol, subscription.endpoint)]
        shown = shown_endpoint(subscription.endpoint)
        what = f"topic {topic.name}: {subscription.protocol} {shown}"
        if same:
            ours = [s for s in same if function in s.marks]
            marked = [s for s in same if s.marks]
            if ours:
                if any(s.status == 0 for s in ours):
                    outcome.notes.append(f"{what} has not confirmed its subscription yet (the link SMN sent it)")
            elif marked and adopt:
                owners = marked[0].marks
                _remark(paths, urn, marked[0], owners | {function}, f"{what}: mark it as deploy's for function "
                        f"{function} too (shared with {_names(owners)})", outcome, outcome.calls)
            elif marked:
                outcome.refusals.append(_not_ours(f"{what} (subscription)", wanted, marked[0].marks))
            else:
                outcome.notes.append(f"{what} is subscribed already, not by deploy: left as it is")
            continue
        body: dict[str, Any] = {"protocol": subscription.protocol, "endpoint": subscription.endpoint,
                                "remark": wanted.marker}
        if subscription.extension:
            body["extension"] = dict(subscription.extension)
        outcome.calls.append(Call("add_subscription", "POST", paths.subscriptions(urn), body,
                                  (f"subscribe {subscription.protocol} {shown} to {topic.name}",), {"topic_urn": urn}))
    for current in existing:
        if function in current.marks and (current.protocol, current.endpoint) not in declared:
            _unsubscribe(paths, urn, topic.name, current, function, "no longer in the template", outcome,
                         outcome.calls)


def _iam(wanted: Wanted, existing: Existing, outcome: Outcome, adopt: bool) -> None:
    paths = _IamPaths()
    function = wanted.function
    policy, agency = existing.policies.get(wanted.policy_name), existing.agencies.get(wanted.agency_name)
    if policy is None:
        role = {"display_name": wanted.policy_name, "type": POLICY_TYPE,
                "description": policy_description([function]), "policy": wanted.policy_document}
        outcome.calls.append(Call("create_cloud_service_custom_policy", "POST", paths.roles, {"role": role},
                                  (f"create custom policy {wanted.policy_name} (project level)",), produces="policy"))
    elif function in policy.marks or (policy.marks and adopt):
        owners = policy.marks
        changes = []
        if function not in owners:
            changes.append(f"mark it as deploy's for function {function} too (shared with {_names(owners)})")
        if normalized(policy.document) != normalized(wanted.policy_document):
            changes.append(f"policy document: {_actions(policy.document)} -> {_actions(wanted.policy_document)}")
            if owners - {function}:
                outcome.notes.append(f"custom policy {wanted.policy_name}: shared with {_names(owners - {function})}, "
                                     "which get the new document too")
        if policy.type != POLICY_TYPE:
            changes.append(f"type: {policy.type} -> {POLICY_TYPE}")
        description = policy_description(owners | {function}) if function not in owners else policy.description
        if len(description) > MAX_DESCRIPTION:
            outcome.refusals.append(f"custom policy {wanted.policy_name}: a description naming "
                                    f"{_names(owners | {function})} is longer than {MAX_DESCRIPTION} characters")
        elif changes:
            role = {"display_name": wanted.policy_name, "type": POLICY_TYPE, "description": description,
                    "policy": wanted.policy_document}
            outcome.calls.append(Call("update_cloud_service_custom_policy", "PATCH", paths.role(policy.id),
                                      {"role": role}, tuple(changes), {"role_id": policy.id}))
    elif policy.marks:
        outcome.refusals.append(_not_ours(f"custom policy {wanted.policy_name}", wanted, policy.marks))
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
            "description": agency_description([function]), "duration": "FOREVER"}},
            (f"create agency {wanted.agency_name}, delegated to FunctionGraph ({FUNCTIONGRAPH_ACCOUNT})",),
            produces="agency"))
    elif function in agency.marks or (agency.marks and adopt):
        owners = agency.marks
        update: dict[str, str] = {}
        changes = []
        if function not in owners:
            update["description"] = agency_description(owners | {function})
            changes.append(f"mark it as deploy's for function {function} too (shared with {_names(owners)})")
        if agency.trust_domain_name != FUNCTIONGRAPH_ACCOUNT:
            update["trust_domain_name"] = FUNCTIONGRAPH_ACCOUNT
            changes.append(f"delegated to: {agency.trust_domain_name} -> {FUNCTIONGRAPH_ACCOUNT}")
        if len(update.get("description", "")) > MAX_DESCRIPTION:
            outcome.refusals.append(f"agency {wanted.agency_name}: a description naming {_names(owners | {function})} "
                                    f"is longer than {MAX_DESCRIPTION} characters")
        elif update:
            outcome.calls.append(Call("update_agency", "PUT", paths.agency(agency.id), {"agency": update},
                                      tuple(changes), {"agency_id": agency.id}))
    elif agency.marks:
        outcome.refusals.append(_not_ours(f"agency {wanted.agency_name}", wanted, agency.marks))
        return
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


# -- destroy, and what the template no longer names --------------------------------------------------------------


def plan_destroy(wanted: Wanted, existing: Existing) -> Outcome:
    """Everything marked for the function: the grants, the agencies, the policies, the subscriptions and the topics,
    the reverse of :func:`plan_resources` (the function, first of all, is FunctionGraph's part:
    ``plan.destroy_function``); deploy's subscriptions on someone else's topic of a template's name too."""
    outcome = Outcome()
    for kind, thing in (("agency", existing.agencies.get(wanted.agency_name)),
                        ("custom policy", existing.policies.get(wanted.policy_name))):
        if thing is not None and wanted.function not in thing.marks:
            name = thing.name if isinstance(thing, CurrentAgency) else thing.display_name
            whose = f"deploy's for {_names(thing.marks)}" if thing.marks else "not created by deploy"
            outcome.notes.append(f"{kind} {name}: {whose}: kept")
    _release(wanted, existing, outcome, outcome.calls, keep=set(), keep_topics=set())
    return outcome


def _release(wanted: Wanted, existing: Existing, outcome: Outcome, calls: list[Call], keep: set[str],
             keep_topics: set[str]) -> None:
    """Release what is marked for the function and not named in ``keep`` / ``keep_topics``: revoke the grants, then
    delete the agencies and policies (or, when shared, remove only the function from their mark), then the
    function's subscriptions and the topics. Calls go to ``calls``."""
    function = wanted.function
    iam = _IamPaths()
    policies = _ordered(existing.policies, wanted.policy_name)
    agencies = _ordered(existing.agencies, wanted.agency_name)
    template_policy = existing.policies.get(wanted.policy_name)
    # the grants deploy made: of the policies marked for the function, and of the template's policy (deploy grants it
    # to its agency when it uses someone else's policy as it is), on the agencies marked for the function
    granted = {p.id: p for p in policies if function in p.marks}
    if template_policy is not None:
        granted.setdefault(template_policy.id, template_policy)
    revoked: dict[str, set[str]] = {}
    for agency in (a for a in agencies if function in a.marks):
        agency_released = agency.name not in keep
        for role_id in sorted(agency.grants & granted.keys()):
            policy = granted[role_id]
            policy_released = function in policy.marks and policy.display_name not in keep
            if not (agency_released or policy_released):
                continue
            if agency.marks - {function} and policy.marks - {function}:
                continue  # the other function's deploy made (or uses) this grant too
            calls.append(Call("remove_project_permission_from_agency", "DELETE",
                              iam.grant(wanted.project_id, agency.id, role_id), None,
                              (f"grant of {policy.display_name} to {agency.name}",),
                              {"project_id": wanted.project_id, "agency_id": agency.id, "role_id": role_id}))
            revoked.setdefault(agency.id, set()).add(role_id)
    for agency in (a for a in agencies if function in a.marks and a.name not in keep):
        others = agency.marks - {function}
        if others:
            calls.append(Call("update_agency", "PUT", iam.agency(agency.id), {"agency": {
                "description": agency_description(others)}},
                (f"agency {agency.name}: remove function {function} from its mark, kept for {_names(others)}",),
                {"agency_id": agency.id}))
            outcome.shared.append(f"agency {agency.name}")
        elif agency.grants - revoked.get(agency.id, set()):
            left = len(agency.grants - revoked.get(agency.id, set()))
            outcome.notes.append(f"agency {agency.name}: kept: it holds {left} grant(s) deploy did not make")
            outcome.kept.append(f"agency {agency.name}")
        else:
            calls.append(Call("delete_agency", "DELETE", iam.agency(agency.id), None, (f"agency {agency.name}",),
                              {"agency_id": agency.id}))
    revocations = Counter(role_id for roles in revoked.values() for role_id in roles)
    for policy in (p for p in policies if function in p.marks and p.display_name not in keep):
        others = policy.marks - {function}
        if others:
            role = {"display_name": policy.display_name, "type": policy.type,
                    "description": policy_description(others), "policy": policy.document}
            calls.append(Call("update_cloud_service_custom_policy", "PATCH", iam.role(policy.id), {"role": role},
                              (f"custom policy {policy.display_name}: remove function {function} from its mark, kept "
                               f"for {_names(others)}",), {"role_id": policy.id}))
            outcome.shared.append(f"custom policy {policy.display_name}")
        elif policy.references - revocations[policy.id] > 0:
            outcome.notes.append(f"custom policy {policy.display_name}: kept: still granted "
                                 f"{policy.references - revocations[policy.id]} time(s) elsewhere")
            outcome.kept.append(f"custom policy {policy.display_name}")
        else:
            calls.append(Call("delete_custom_policy", "DELETE", iam.role(policy.id), None,
                              (f"custom policy {policy.display_name}",), {"role_id": policy.id}))
    smn = _SmnPaths(wanted.project_id)
    declared = [topic.name for topic in wanted.topics]
    names = [name for name in reversed(declared) if name in existing.topics] + sorted(
        name for name, topic in existing.topics.items() if name not in declared and function in topic.marks)
    for name in (n for n in names if n not in keep_topics):
        current = existing.topics[name]
        for subscription in current.subscriptions:
            if function in subscription.marks:
                _unsubscribe(smn, current.urn, name, subscription, function, "added by deploy", outcome, calls)
        if function not in current.marks:
            whose = f"deploy's for {_names(current.marks)}" if current.marks else "not created by deploy"
            outcome.notes.append(f"topic {name}: {whose}: kept")
            continue
        others = current.marks - {function}
        left = [s for s in current.subscriptions if function not in s.marks or s.marks - {function}]
        if others:
            calls += [Call("delete_resource_tag", "DELETE", smn.tag(current.topic_id, key), None,
                           (f"topic {name}: remove function {function}'s mark, kept for {_names(others)}",),
                           {"resource_type": "smn_topic", "resource_id": current.topic_id, "key": key})
                      for key in current.tag_keys(function)]
            outcome.shared.append(f"topic {name}")
        elif left:
            outcome.notes.append(f"topic {name}: kept: it has {len(left)} subscription(s) deploy did not add "
                                 "(deleting the topic would delete them)")
            outcome.kept.append(f"topic {name}")
        else:
            calls.append(Call("delete_topic", "DELETE", smn.topic(current.urn), None,
                              (f"topic {name} ({current.urn})",), {"topic_urn": current.urn}))


def _ordered(things: dict[str, Any], first: str) -> list[Any]:
    """The template's one first, then the others by name."""
    return [things[name] for name in sorted(things, key=lambda name: (name != first, name))]


def _unsubscribe(paths: _SmnPaths, topic_urn: str, topic: str, subscription: CurrentSubscription, function: str,
                 why: str, outcome: Outcome, calls: list[Call]) -> None:
    """Cancel a subscription marked for ``function`` only; one shared with other functions loses only its mark."""
    others = subscription.marks - {function}
    if others:
        _remark(paths, topic_urn, subscription, others, f"{subscription.protocol} "
                f"{shown_endpoint(subscription.endpoint)} on {topic}: remove function {function} from its mark, "
                f"kept for {_names(others)}", outcome, calls)
        return
    calls.append(Call("cancel_subscription", "DELETE", paths.subscription(subscription.urn), None,
                      (f"unsubscribe {subscription.protocol} {shown_endpoint(subscription.endpoint)} from {topic}: "
                       f"{why}",), {"subscription_urn": subscription.urn}))


def _remark(paths: _SmnPaths, topic_urn: str, subscription: CurrentSubscription, functions: frozenset[str],
            why: str, outcome: Outcome, calls: list[Call]) -> None:
    remark = marker(functions)
    if len(remark.encode("utf-8")) > MAX_REMARK_BYTES:
        outcome.refusals.append(f"{why}: a remark naming {_names(functions)} is longer than {MAX_REMARK_BYTES} bytes")
        return
    calls.append(Call("update_subscription", "PUT", paths.subscription_of(topic_urn, subscription.urn),
                      {"remark": remark}, (why,), {"topic_urn": topic_urn, "subscription_urn": subscription.urn}))


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

    def subscription_of(self, topic_urn: str, urn: str) -> str:
        return f"{self.subscriptions(topic_urn)}/{urn}"

    def tags(self, topic_id: str) -> str:
        return f"/v2/{self.project_id}/smn_topic/{topic_id}/tags"

    def tag(self, topic_id: str, key: str) -> str:
        return f"{self.tags(topic_id)}/{key}"

    @property
    def instances(self) -> str:
        return f"/v2/{self.project_id}/smn_topic/resource_instances/action"


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
        "list_resource_instances": ("POST", smn.instances),
        "list_resource_tags": ("GET", smn.tags("{topic_id}")),
        "list_subscriptions_by_topic": ("GET", smn.subscriptions("{topic_urn}")),
        "list_operations": ("GET", f"/v3/{project_id}/operations"),
    }
