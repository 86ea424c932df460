"""Does the agency's policy cover every topic the function publishes to?

The policy (``template.yaml``, ``agency.policy``) grants ``smn:topic:publish`` with no ``Resource``: an old-IAM
custom policy (``Version`` ``1.1``) without a Resource applies to the project the policy is attached for, and the
deployment guide tells the operator to attach it for the function's region project only (docs/deployment.md,
"Permissions"). Whether
old IAM can scope ``smn:topic:publish`` to one topic URN is not documented publicly, so the template names none.
It therefore covers exactly the topics ``urn:smn:<REGION>:<PROJECT_ID>:*`` of the region and project deploy
deploys to, and no other: a topic URN names its region and project (``urn:smn:<region>:<project_id>:<name>``,
../shared/reference/platform-facts.md, "SMN: PublishMessage").

The function publishes to ``SMN_TOPIC_URN``, to every topic of ``TOPIC_ROUTES``, and FunctionGraph publishes a
failed asynchronous event to ``async_invocation.on_failure.topic_urn`` with the agency's rights (docs/deployment.md,
"Permissions"). :func:`uncovered` names each of those outside the deployed region and project; deploy refuses
to deploy while there is one.
"""

from __future__ import annotations

from scripts.deployment.template import Resolved

# the function's own parser: the same reading of TOPIC_ROUTES as at run time (template.py put function/ on the path)
from postcheck.config import TOPIC_URN_RE, parse_topic_routes  # isort: skip


def published_topics(resolved: Resolved) -> list[tuple[str, str]]:
    """``(where, topic URN)`` for every topic the deployed function and its failure destination publish to."""
    environment = resolved.environment
    topics = [("function.environment.SMN_TOPIC_URN", environment["SMN_TOPIC_URN"])]
    if environment.get("TOPIC_ROUTES", "").strip():
        for key, urn in parse_topic_routes(environment["TOPIC_ROUTES"].strip()):
            topics.append((f"function.environment.TOPIC_ROUTES[{key!r}]", urn))
    if resolved.failure_topic_urn:
        topics.append(("function.async_invocation.on_failure.topic_urn", resolved.failure_topic_urn))
    return topics


def uncovered(resolved: Resolved, region: str, project_id: str) -> list[str]:
    """One line per topic the agency's policy does not cover when the function is deployed to ``region`` and
    ``project_id``; empty when it covers them all."""
    problems = []
    for where, urn in published_topics(resolved):
        match = TOPIC_URN_RE.fullmatch(urn)
        if match is None:  # resolve() validated them; kept for a Resolved built otherwise
            problems.append(f"{where}: {urn!r} is not a topic URN")
        elif (match["region"], match["project"]) != (region, project_id):
            problems.append(
                f"{where}: {urn} is in region {match['region']}, project {match['project']}; the agency's policy "
                f"(smn:topic:publish, no Resource, attached for the function's project) covers only topics of "
                f"region {region}, project {project_id}: use a topic there")
    return problems
