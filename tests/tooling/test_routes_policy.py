"""Deploy's check that the agency's policy covers every topic ``TOPIC_ROUTES`` names (docs/deployment.md, "Permissions";
scripts/deployment/topics.py); the routes themselves are tests/unit/test_messages_routes.py's.

- The policy grants ``smn:topic:publish`` with no Resource, attached for the function's project: it covers the
  topics of the deployed region and project only; deploy refuses any other topic the function publishes to.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from scripts.deployment.deploy import main
from scripts.deployment.template import parse_template, resolve
from scripts.deployment.topics import published_topics, uncovered

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
OTHER = "f" * 32
DEFAULT = f"urn:smn:cn-north-4:{PROJECT}:cce-upgrades"
TEAM_A = f"urn:smn:cn-north-4:{PROJECT}:team-a"
TEAM_B = f"urn:smn:cn-north-4:{OTHER}:team-b"
ENV = {"REGION": "cn-north-4", "PROJECT_ID": PROJECT}


# -- deploy: the agency's policy covers every topic named ------------------------------------------------------------


def template(routes: dict[str, str] | None, failure: str = "urn:smn:${REGION}:${PROJECT_ID}:cce-postcheck-failures"):
    data = yaml.safe_load((ROOT / "template.yaml").read_text(encoding="utf-8"))
    data["function"]["environment"]["TOPIC_ROUTES"] = json.dumps(routes) if routes is not None else None
    data["function"]["async_invocation"]["on_failure"]["topic_urn"] = failure
    return parse_template(data)


def test_the_template_as_it_is_names_only_topics_the_policy_covers():
    resolved = resolve(template(None), ENV, base_dir=ROOT)
    assert [urn for _, urn in published_topics(resolved)] == [DEFAULT, f"urn:smn:cn-north-4:{PROJECT}:"
                                                              "cce-postcheck-failures"]
    assert uncovered(resolved, "cn-north-4", PROJECT) == []


def test_routed_topics_of_the_deployed_project_are_covered():
    resolved = resolve(template({"team-a-*": "urn:smn:${REGION}:${PROJECT_ID}:team-a"}), ENV, base_dir=ROOT)
    assert ("function.environment.TOPIC_ROUTES['team-a-*']", TEAM_A) in published_topics(resolved)
    assert uncovered(resolved, "cn-north-4", PROJECT) == []


def test_a_topic_in_another_project_is_named_as_not_covered():
    resolved = resolve(template({"team-a-*": TEAM_A, "team-b-*": TEAM_B}), ENV, base_dir=ROOT)

    [problem] = uncovered(resolved, "cn-north-4", PROJECT)
    assert problem.startswith("function.environment.TOPIC_ROUTES['team-b-*']: ")
    assert OTHER in problem


def test_every_topic_is_checked_the_default_and_the_failure_destination_too():
    resolved = resolve(template(None, failure=f"urn:smn:cn-north-4:{OTHER}:failures"), ENV, base_dir=ROOT)
    [problem] = uncovered(resolved, "cn-north-4", PROJECT)
    assert problem.startswith("function.async_invocation.on_failure.topic_urn: ")
    # deployed to another project, none of the template's topics is covered
    assert len(uncovered(resolve(template(None), ENV, base_dir=ROOT), "cn-north-4", OTHER)) == 2


def test_deploy_check_refuses_an_uncovered_topic(tmp_path, capsys):
    data = yaml.safe_load((ROOT / "template.yaml").read_text(encoding="utf-8"))
    data["function"]["environment"]["TOPIC_ROUTES"] = json.dumps({"team-b-*": TEAM_B})
    data["function"]["code"]["path"] = str(ROOT / data["function"]["code"]["path"])
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")

    environ = {**ENV, "NOTIFY_EMAIL": "ops@example.com"}  # what the template's subscriptions reference
    assert main(["--template", str(path), "--check"], environ=environ) == 2
    assert "TOPIC_ROUTES['team-b-*']" in capsys.readouterr().err

    data["function"]["environment"]["TOPIC_ROUTES"] = json.dumps({"team-a-*": TEAM_A})
    if "topics" in data:  # deploy creates the topics it lists: the routed one must be listed too
        data["topics"].append({"name": "team-a", "display_name": "team-a"})
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["--template", str(path), "--check"], environ=environ) == 0, capsys.readouterr().err


def test_the_template_documents_the_variable_and_the_policys_reach():
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    assert "TOPIC_ROUTES: null" in text
    assert "smn:topic:publish covers every topic of that project" in text
