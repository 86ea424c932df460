"""Deploy from an empty account, against the stand-in, through the official SDKs: SMN topics and subscriptions, the
IAM policy, agency and grant, the CTS trigger's spelling from CTS, then the function; convergence after a failure
at every write; ``--destroy``; and never touching what deploy did not create (docs/deployment.md).
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.deployment import deploy as deploy_module
from scripts.deployment.cloud import CloudError
from scripts.deployment.deploy import main
from scripts.deployment.template import load_template
from scripts.local_context import LocalContext
from scripts.standin import StandIn
from scripts.standin.functiongraph import Function, Trigger
from tests.support import CLUSTER, DEMO, FAST, event

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = "cce-postcheck"
EMAIL = "ops@example.com"
MARKER = f"managed by cce-postcheck-deploy for function {FUNCTION}"  # docs/deployment.md, "What is deploy's"
# A first run on an empty account, in dependency order (docs/deployment.md, "What deploy does"): each topic (created,
# tagged, named) with its subscription, then the policy, the agency delegated to FunctionGraph, the grant, the function,
# its asynchronous settings and its two triggers.
FIRST_RUN = [
    "create_topic", "create_resource_tag", "update_topic", "add_subscription",
    "create_topic", "create_resource_tag", "update_topic", "add_subscription",
    "create_cloud_service_custom_policy", "create_agency", "associate_agency_with_project_permission",
    "create_function", "update_function_async_invoke_config", "create_function_trigger", "create_function_trigger",
]
EMPTY_ACCOUNT = {**copy.deepcopy(DEMO), "topics": []}
# Reads sent as POST: SMN's query of topics by tag ("Querying Resources by Tag", ListResourceInstances,
# https://support.huaweicloud.com/en-us/api-smn/ListResourceInstances.html) changes nothing.
QUERIES = {"list_resource_instances"}


def package(text: str = "v1") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("index.py", date_time=(1980, 1, 1, 0, 0, 0))  # the same bytes in every test
        archive.writestr(info, f"def handler(event, context):\n    return {{'version': {text!r}}}\n")
    return buffer.getvalue()


class Project:
    """A copy of template.yaml and a dummy package, and the command against a stand-in."""

    def __init__(self, root: Path, standin: StandIn) -> None:
        self.root, self.standin = root, standin
        self.template = root / "template.yaml"
        self.template.write_text((ROOT / "template.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        (root / "dist").mkdir(exist_ok=True)
        (root / "dist" / "cce-postcheck-Python3.10.zip").write_bytes(package())
        cred = standin.credentials
        self.env = {"HUAWEICLOUD_SDK_AK": cred.ak, "HUAWEICLOUD_SDK_SK": cred.sk,
                    "HUAWEICLOUD_SDK_SECURITY_TOKEN": cred.security_token or "",
                    "PROJECT_ID": standin.project_id, "REGION": "cn-north-4", "NOTIFY_EMAIL": EMAIL}

    def run(self, *args: str, capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str]:
        out = io.StringIO()
        code = main(["--template", str(self.template), "--endpoint", self.standin.url, *args], self.env, out)
        return code, out.getvalue() + (capsys.readouterr().err if capsys else "")

    def edit(self, old: str, new: str) -> None:
        text = self.template.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        self.template.write_text(text.replace(old, new), encoding="utf-8")

    def mark(self) -> int:
        return len(self.standin.requests)

    def writes(self, since: int = 0) -> list[str]:
        return [r["operation"] for r in self.standin.requests[since:]
                if r["method"] != "GET" and r["operation"] not in QUERIES]

    def reads_only(self, since: int = 0) -> bool:
        """Every request since ``since`` was a read (a GET, or a query sent as POST)."""
        return all(r["method"] == "GET" or r["operation"] in QUERIES for r in self.standin.requests[since:])


def state(standin: StandIn) -> dict[str, Any]:
    """Everything deploy can create, by name (IDs differ from one stand-in to the next)."""
    iam = standin.state.iam.snapshot()
    names = {p["id"]: name for name, p in iam["policies"].items()}
    topics = {name: {"display_name": t["display_name"], "tags": t["tags"],
                     "subscriptions": sorted((s["protocol"], s["endpoint"], s["remark"]) for s in t["subscriptions"])}
              for name, t in standin.state.smn.snapshot().items()}
    policies = {name: {"type": p["type"], "description": p["description"], "policy": p["policy"]}
                for name, p in iam["policies"].items()}
    agencies = {name: {"trust": a["trust_domain_name"], "description": a["description"],
                       "grants": {project: sorted(names.get(r, r) for r in roles)
                                  for project, roles in a["grants"].items()}}
                for name, a in iam["agencies"].items()}
    functions = {}
    for name, f in standin.functions.items():
        config = {k: f["config"][k] for k in ("runtime", "handler", "memory_size", "timeout", "xrole", "user_data",
                                              "enable_lts_log", "code_filename", "description")}
        async_config = f["async_config"] and {k: f["async_config"][k] for k in (
            "max_async_retry_attempts", "max_async_event_age_in_seconds", "destination_config")}
        functions[name] = {"config": config, "code": f["code_sha256"], "async": async_config,
                           "triggers": sorted(json.dumps([t["trigger_type_code"], t["trigger_status"],
                                                          t["event_data"]]) for t in f["triggers"])}
    return {"topics": topics, "policies": policies, "agencies": agencies, "functions": functions}


@pytest.fixture
def scenario() -> dict[str, Any]:
    return copy.deepcopy(EMPTY_ACCOUNT)


@pytest.fixture
def project(tmp_path: Path, standin: StandIn) -> Project:
    return Project(tmp_path, standin)


@pytest.fixture(scope="module")
def deployed_once(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The state one clean deploy leaves in an empty account: what every interrupted deploy must converge to."""
    with StandIn(copy.deepcopy(EMPTY_ACCOUNT)) as standin:
        code, output = Project(tmp_path_factory.mktemp("reference"), standin).run()
        assert code == 0, output
        return state(standin)


# -- from an empty account -------------------------------------------------------------------------------------


def test_one_command_creates_everything_in_dependency_order(project: Project, deployed_once: dict[str, Any]) -> None:
    code, output = project.run()
    assert code == 0, output
    assert project.writes() == FIRST_RUN
    now = state(project.standin)
    assert now == deployed_once
    project_id = project.standin.project_id
    assert now["topics"] == {
        "cce-upgrades": {"display_name": "CCE-upgrade-check", "tags": {"cce-postcheck-deploy": FUNCTION},
                         "subscriptions": [("email", EMAIL, MARKER)]},
        "cce-postcheck-failures": {"display_name": "CCE-upgrade-check-failures",
                                   "tags": {"cce-postcheck-deploy": FUNCTION},
                                   "subscriptions": [("email", EMAIL, MARKER)]},
    }
    policy = now["policies"]["cce-postcheck-least-privilege"]
    assert policy["type"] == "XA" and MARKER in policy["description"]  # project level, marked as deploy's
    actions = {a for statement in policy["policy"]["Statement"] for a in statement["Action"]}
    assert "smn:topic:publish" in actions and "cce:cluster:get" in actions and not any("*" in a for a in actions)
    agency = now["agencies"]["cce-postcheck"]
    assert agency["trust"] == "op_svc_cff"  # FunctionGraph
    assert agency["grants"] == {project_id: ["cce-postcheck-least-privilege"]}  # this project only
    function = now["functions"][FUNCTION]
    assert function["config"]["xrole"] == "cce-postcheck"
    failure = json.loads(function["async"]["destination_config"]["on_failure"]["param"])["topic_urn"]
    assert failure == f"urn:smn:cn-north-4:{project_id}:cce-postcheck-failures"
    assert failure in project.standin.state.topics
    assert "deployed: the cloud matches the template" in output


def test_a_second_run_and_its_plan_write_nothing(project: Project) -> None:
    assert project.run()[0] == 0
    before = state(project.standin)
    mark = project.mark()
    code, output = project.run("--plan")
    assert code == 0 and "plan: no changes (0 write calls)" in output
    code, output = project.run()
    assert code == 0 and "nothing to do" in output
    assert project.writes(mark) == []
    assert project.reads_only(mark)
    assert state(project.standin) == before
    assert f"email {EMAIL} has not confirmed its subscription yet" in output


def test_the_deployed_function_publishes_to_the_topic_deploy_created(project: Project) -> None:
    assert project.run()[0] == 0
    standin = project.standin
    config = standin.functions[FUNCTION]["config"]
    user_data = {**json.loads(config["user_data"]), "CCE_ENDPOINT": standin.url, "SMN_ENDPOINT": standin.url}
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]
    cred = standin.credentials
    from index import handler

    result = handler(event("manual"), LocalContext(cred.ak, cred.sk, cred.security_token, standin.project_id,
                                                   user_data), FAST)

    assert result["outcome"] == "checked"
    assert [p["topic_urn"] for p in standin.published] == [user_data["SMN_TOPIC_URN"]]
    assert user_data["SMN_TOPIC_URN"].endswith(":cce-upgrades")


# -- the CTS trigger's spelling comes from CTS -----------------------------------------------------------------


def test_the_cts_filter_takes_the_resource_type_cts_lists(project: Project) -> None:
    project.standin.state.cts.operations = [
        {"service_type": "CCE", "resource_type": "node", "operation_list": ["createNode"]},
        {"service_type": "CCE", "resource_type": "Cluster", "operation_list": ["createCluster", "clusterUpgrade"]}]
    assert project.run()[0] == 0
    cts = next(t for t in project.standin.functions[FUNCTION]["triggers"] if t["trigger_type_code"] == "CTS")
    assert cts["event_data"]["operations"] == ["CCE:Cluster:clusterUpgrade"]

    project.standin.state.cts.operations = [
        {"service_type": "CCE", "resource_type": "cluster", "operation_list": ["clusterUpgrade"]}]
    mark = project.mark()
    assert project.run()[0] == 0
    assert project.writes(mark) == ["delete_function_trigger", "create_function_trigger"]
    cts = next(t for t in project.standin.functions[FUNCTION]["triggers"] if t["trigger_type_code"] == "CTS")
    assert cts["event_data"]["operations"] == ["CCE:cluster:clusterUpgrade"]


@pytest.mark.parametrize("spelling", ["cce", "Cce"])
def test_cts_answering_the_service_in_another_case_is_read(project: Project, spelling: str) -> None:
    # CTS's own example answer of ListOperations spells the service in lower case ("service_type" : "cts", the
    # Chinese edition https://support.huaweicloud.com/intl/zh-cn/ally-visitor-1-api-cts/cts_api_0332.html)
    project.standin.state.cts.operations = [
        {"service_type": spelling, "resource_type": "cluster", "operation_list": ["createCluster", "clusterUpgrade"]}]
    code, output = project.run()
    assert code == 0, output
    cts = next(t for t in project.standin.functions[FUNCTION]["triggers"] if t["trigger_type_code"] == "CTS")
    assert cts["event_data"]["operations"] == ["CCE:cluster:clusterUpgrade"]  # the template's spelling of CCE


def test_a_cts_list_without_cluster_upgrade_is_a_clear_error_before_any_write(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.standin.state.cts.operations = [
        {"service_type": "CCE", "resource_type": "cluster", "operation_list": ["createCluster", "deleteCluster"]}]
    code, output = project.run(capsys=capsys)
    assert code == 2
    assert "CTS does not list the operation(s) clusterUpgrade for service CCE" in output
    assert "cluster: createCluster, deleteCluster" in output and "nothing was written" in output
    assert project.writes() == []
    project.standin.state.cts.operations = []
    code, output = project.run(capsys=capsys)
    assert code == 2 and "it lists nothing" in output and project.writes() == []


# -- a run that fails halfway ----------------------------------------------------------------------------------


def _fault_at(project: Project, index: int) -> None:
    operation = FIRST_RUN[index]
    project.standin.add_fault({"operation": operation, "kind": "error_json", "status": 500,
                               "after": FIRST_RUN[:index].count(operation)})


@pytest.mark.parametrize("index", range(len(FIRST_RUN)), ids=lambda i: f"{i + 1}-{FIRST_RUN[i]}")
def test_a_run_failing_at_any_write_is_finished_by_the_next(project: Project, deployed_once: dict[str, Any],
                                                            capsys: pytest.CaptureFixture[str], index: int) -> None:
    _fault_at(project, index)
    code, output = project.run(capsys=capsys)
    assert code == 1
    assert f"deploy: call {index + 1} of {len(FIRST_RUN)} failed: {FIRST_RUN[index]}" in output
    assert project.writes() == FIRST_RUN[:index + 1]  # stopped at the failed call

    mark = project.mark()
    code, output = project.run(capsys=capsys)
    assert code == 0, output
    assert project.writes(mark) == FIRST_RUN[index:]  # the rest, nothing twice
    assert state(project.standin) == deployed_once
    mark = project.mark()
    assert project.run()[0] == 0 and project.writes(mark) == []


@pytest.fixture
def answers_lost(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Lose the answer of the N-th write (set ``[N]``): the call is made, deploy hears a timeout."""
    lose: list[int] = []
    original = deploy_module._Run._apply

    def apply(self: Any, calls: Any, notes: Any, refusals: Any, plan_only: bool, senders: dict[str, Any],
              what: str) -> int:
        sent = [0]

        def wrap(send: Any) -> Any:
            def lossy(call: Any, params: dict[str, str]) -> Any:
                answer = send(call, params)
                sent[0] += 1
                if lose and sent[0] == lose[0]:
                    raise CloudError(call.operation, None, "ReadTimeout", "no answer in time", None)
                return answer

            return lossy

        return original(self, calls, notes, refusals, plan_only, {k: wrap(v) for k, v in senders.items()}, what)

    monkeypatch.setattr(deploy_module._Run, "_apply", apply)
    yield lose


@pytest.mark.parametrize("index", range(len(FIRST_RUN)), ids=lambda i: f"{i + 1}-{FIRST_RUN[i]}")
def test_a_write_whose_answer_is_lost_is_not_repeated(project: Project, deployed_once: dict[str, Any],
                                                      answers_lost: list[int], index: int) -> None:
    answers_lost.append(index + 1)
    assert project.run()[0] == 1
    assert project.writes() == FIRST_RUN[:index + 1]  # the call was made
    answers_lost.clear()

    mark = project.mark()
    code, output = project.run()
    assert code == 0, output
    assert project.writes(mark) == FIRST_RUN[index + 1:]  # it is recognised as done, deploy's own
    assert state(project.standin) == deployed_once


# -- never touching what deploy did not create ----------------------------------------------------------------


@pytest.fixture
def someone_elses(project: Project) -> dict[str, Any]:
    """An account where someone made things before deploy ran: a topic of the template's name with a subscription,
    another topic, a policy and an agency of other names, the agency granted that policy."""
    standin = project.standin
    smn, iam = standin.state.smn, standin.state.iam
    topic = smn.apply(lambda: smn._add_topic("cce-upgrades", "Their upgrades").urn)
    smn.add_existing_subscription(topic, "email", "them@example.com", "theirs")
    other = smn.apply(lambda: smn._add_topic("unrelated", "Unrelated").urn)
    smn.add_existing_subscription(other, "sms", "+8613800000000")
    role = iam.add_policy("their-policy", "theirs", {"Version": "1.1", "Statement": [
        {"Effect": "Allow", "Action": ["obs:bucket:list"]}]})
    agency = iam.add_agency("their-agency", "theirs")
    iam.grant(agency, standin.project_id, role)
    return state(standin)


def test_deploy_subscribes_to_a_topic_it_did_not_create_and_changes_nothing_of_it(
        project: Project, someone_elses: dict[str, Any]) -> None:
    code, output = project.run()
    assert code == 0, output
    assert "create_topic" in project.writes() and project.writes().count("create_topic") == 1  # only the other one
    now = state(project.standin)
    theirs = now["topics"]["cce-upgrades"]
    assert theirs["display_name"] == "Their upgrades" and theirs["tags"] == {}  # not renamed, not tagged
    assert theirs["subscriptions"] == sorted([("email", "them@example.com", "theirs"), ("email", EMAIL, MARKER)])
    assert "topic cce-upgrades: exists and was not created by deploy: used as it is" in output
    for kind in ("policies", "agencies"):
        for name, thing in someone_elses[kind].items():
            assert now[kind][name] == thing
    assert now["topics"]["unrelated"] == someone_elses["topics"]["unrelated"]


def test_destroy_removes_exactly_what_deploy_created_in_reverse_order(project: Project,
                                                                      someone_elses: dict[str, Any]) -> None:
    assert project.run()[0] == 0
    created = project.writes()
    deployed = state(project.standin)

    mark = project.mark()
    code, output = project.run("--destroy", "--plan")
    assert code == 0 and project.writes(mark) == [] and state(project.standin) == deployed
    assert re.search(r"--plan: none of these \d+ write call\(s\) was sent", output)

    mark = project.mark()
    code, output = project.run("--destroy")
    assert code == 0, output
    removed = project.writes(mark)
    assert removed == ["delete_function_trigger", "delete_function_trigger", "delete_function",
                       "remove_project_permission_from_agency", "delete_agency", "delete_custom_policy",
                       "cancel_subscription", "delete_topic", "cancel_subscription"]
    # the reverse of the creation: the triggers and the function, the grant, the agency, the policy, then the failure
    # topic (created second) with its subscription, then deploy's subscription to their topic (made first)
    assert created == ["add_subscription", "create_topic", "create_resource_tag", "update_topic", "add_subscription",
                       *FIRST_RUN[8:]]
    assert state(project.standin) == someone_elses  # exactly what was there before deploy

    mark = project.mark()
    code, output = project.run("--destroy")
    assert code == 0 and project.writes(mark) == [] and "nothing to destroy" in output


def test_destroy_keeps_what_others_added_to_deploys_things(project: Project) -> None:
    assert project.run()[0] == 0
    standin = project.standin
    failures = next(urn for urn in standin.state.topics if urn.endswith(":cce-postcheck-failures"))
    standin.state.smn.add_existing_subscription(failures, "sms", "+8613900000000")  # someone subscribed too
    agency_id = standin.state.iam.snapshot()["agencies"]["cce-postcheck"]["id"]
    other = standin.state.iam.add_policy("extra", "theirs", {"Version": "1.1", "Statement": [
        {"Effect": "Allow", "Action": ["obs:bucket:list"]}]})
    standin.state.iam.grant(agency_id, standin.project_id, other)  # and granted deploy's agency more

    code, output = project.run("--destroy")
    assert code == 0, output
    now = state(standin)
    assert "cce-postcheck-failures" in now["topics"] and "cce-postcheck" in now["agencies"]
    assert now["topics"]["cce-postcheck-failures"]["subscriptions"] == [("sms", "+8613900000000", "")]
    assert now["agencies"]["cce-postcheck"]["grants"] == {standin.project_id: ["extra"]}
    assert "cce-postcheck-least-privilege" not in now["policies"] and standin.functions == {}
    assert "topic cce-postcheck-failures: kept: it has 1 subscription(s) deploy did not add" in output
    assert "agency cce-postcheck: kept: it holds 1 grant(s) deploy did not make" in output


def test_destroy_refuses_a_function_with_triggers_deploy_does_not_manage(project: Project,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert project.run()[0] == 0
    fg = project.standin.state.functiongraph
    urn = fg.urn_of(FUNCTION)
    fg.apply(urn, lambda f: f.triggers.append(Trigger("t-1", "SMN", "ACTIVE", {"name": "theirs"}, "", "")))
    mark = project.mark()
    code, output = project.run("--destroy", capsys=capsys)
    assert code == 2 and "trigger(s) deploy does not manage (SMN theirs)" in output
    assert project.writes(mark) == []


def test_a_subscription_deploy_added_is_removed_when_it_leaves_the_template(project: Project) -> None:
    project.env["NOTIFY_PHONE"] = "+8613700000000"
    project.edit("        endpoint: ${NOTIFY_EMAIL}\n      # More, as needed",
                 "        endpoint: ${NOTIFY_EMAIL}\n      - protocol: sms\n        endpoint: ${NOTIFY_PHONE}\n"
                 "      # More, as needed")
    assert project.run()[0] == 0
    urn = next(urn for urn in project.standin.state.topics if urn.endswith(":cce-upgrades"))
    project.standin.state.smn.add_existing_subscription(urn, "sms", "+8613600000000", "someone else's")
    project.edit("      - protocol: sms\n        endpoint: ${NOTIFY_PHONE}\n", "")
    mark = project.mark()
    assert project.run()[0] == 0
    assert project.writes(mark) == ["cancel_subscription"]
    subscriptions = state(project.standin)["topics"]["cce-upgrades"]["subscriptions"]
    assert subscriptions == sorted([("email", EMAIL, MARKER), ("sms", "+8613600000000", "someone else's")])


def test_a_policy_of_that_name_that_deploy_did_not_create(project: Project,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    document = load_template(project.template).agency.policy.document()
    iam = project.standin.state.iam
    iam.add_policy("cce-postcheck-least-privilege", "made in the console", document)
    code, output = project.run(capsys=capsys)  # the same document: used as it is, granted to deploy's agency
    assert code == 0, output
    assert "create_cloud_service_custom_policy" not in project.writes()
    now = state(project.standin)
    assert now["policies"]["cce-postcheck-least-privilege"]["description"] == "made in the console"
    assert now["agencies"]["cce-postcheck"]["grants"] == {project.standin.project_id:
                                                         ["cce-postcheck-least-privilege"]}
    code, output = project.run("--destroy", capsys=capsys)
    assert code == 0
    assert "cce-postcheck-least-privilege" in state(project.standin)["policies"]  # kept: not deploy's


def test_a_different_policy_or_unfit_agency_of_that_name_is_refused_before_any_write(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    iam = project.standin.state.iam
    iam.add_policy("cce-postcheck-least-privilege", "theirs", {"Version": "1.1", "Statement": [
        {"Effect": "Allow", "Action": ["obs:bucket:list"]}]})
    iam.add_agency("cce-postcheck", "theirs", trust_domain_name="op_svc_ecs")
    code, output = project.run(capsys=capsys)
    assert code == 2
    assert "custom policy cce-postcheck-least-privilege: IAM has a policy of that name that deploy did not create" \
        in output
    assert "agency cce-postcheck: IAM has an agency of that name that deploy did not create" in output
    assert "nothing was written" in output and project.writes() == []


# -- what the template may say ---------------------------------------------------------------------------------


def test_a_topic_the_function_publishes_to_must_be_declared(project: Project,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    project.edit("  - name: cce-postcheck-failures ", "  - name: other-failures ")
    code, output = project.run(capsys=capsys)
    assert code == 2
    assert "function.async_invocation.on_failure.topic_urn: urn:smn:cn-north-4:" in output
    assert "is not one of the topics the template declares (cce-upgrades, other-failures)" in output
    assert project.standin.requests == []


def test_a_missing_or_malformed_endpoint_is_named(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    del project.env["NOTIFY_EMAIL"]
    code, output = project.run(capsys=capsys)
    assert code == 2 and "topics[0].subscriptions[0].endpoint: ${NOTIFY_EMAIL} is not set" in output
    project.env["NOTIFY_EMAIL"] = "not an address"
    code, output = project.run(capsys=capsys)
    assert code == 2 and "topics[0].subscriptions[0].endpoint: expected an e-mail address" in output
    assert project.standin.requests == []


def test_chat_robots_are_subscribed_and_their_secrets_never_printed(project: Project,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    token, secret = "robot-access-token-123", "SECsign-secret-456"
    project.env.update(ROBOT=f"https://oapi.dingtalk.com/robot/send?access_token={token}", ROBOT_SECRET=secret)
    project.edit("        endpoint: ${NOTIFY_EMAIL}\n      # More, as needed",
                 "        endpoint: ${NOTIFY_EMAIL}\n      - protocol: dingding\n        endpoint: ${ROBOT}\n"
                 "        extension: {sign_secret: \"${ROBOT_SECRET}\"}\n      # More, as needed")
    outputs = [project.run("--plan", capsys=capsys)[1]]
    code, output = project.run(capsys=capsys)
    outputs.append(output)
    assert code == 0, output
    subscriptions = state(project.standin)["topics"]["cce-upgrades"]["subscriptions"]
    assert ("dingding", project.env["ROBOT"], MARKER) in subscriptions
    stored = next(s for s in project.standin.state.smn._subscriptions.values() if s.protocol == "dingding")
    assert stored.extension == {"sign_secret": secret}  # sent to SMN
    for text in outputs:
        assert token not in text and secret not in text
        assert "https://oapi.dingtalk.com/..." in text

    project.standin.state.smn.chat_protocols = False  # a region without chat robots: SMN refuses, deploy says so
    project.edit("      - protocol: dingding\n", "      - protocol: feishu\n")
    project.env["ROBOT"] = "https://open.feishu.cn/open-apis/bot/v2/hook/abc"
    code, output = project.run(capsys=capsys)
    assert code == 1 and "add_subscription" in output and "protocol feishu is not supported in region" in output


# -- the function is deploy's only with deploy's mark ------------------------------------------------------------


def _someone_elses_function(standin: StandIn) -> None:
    """A function of the template's name that deploy never made, with its own timer."""
    fg = standin.state.functiongraph

    def add(_: Any) -> None:
        function = Function("f-theirs", fg.region, fg.project_id, FUNCTION, "default", "Python3.10", "index.handler",
                            256, 30, "theirs.zip", package("theirs"), description="made by another team")
        function.triggers.append(Trigger("t-timer", "TIMER", "ACTIVE", {
            "name": "their-nightly", "schedule_type": "Cron", "schedule": "0 0 2 * * ?", "user_event": ""}, "", ""))
        fg.add(function)

    fg.apply(None, add)


def test_the_function_deploy_creates_carries_its_mark(project: Project) -> None:
    assert project.run()[0] == 0
    description = load_template(project.template).function.description
    assert state(project.standin)["functions"][FUNCTION]["config"]["description"] == f"{description}; {MARKER}"


@pytest.mark.parametrize("args", [(), ("--destroy",)], ids=["deploy", "destroy"])
def test_a_function_deploy_did_not_create_is_refused_before_any_write(
        project: Project, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    _someone_elses_function(project.standin)
    before = state(project.standin)
    code, output = project.run(*args, capsys=capsys)
    assert code == 2, output
    assert f"function {FUNCTION}: FunctionGraph has a function of that name that deploy did not create" in output
    assert "nothing was written" in output and "--adopt" in output
    assert project.writes() == []  # not a topic, not their code, not their timer
    assert state(project.standin) == before


def test_a_function_deployed_before_the_mark_is_taken_over_once_with_adopt(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert project.run()[0] == 0
    deployed = state(project.standin)
    plain = load_template(project.template).function.description  # what deploy wrote before it marked functions
    fg = project.standin.state.functiongraph
    fg.apply(fg.urn_of(FUNCTION), lambda f: setattr(f, "description", plain))

    assert project.run(capsys=capsys)[0] == 2 and project.run("--destroy", capsys=capsys)[0] == 2
    mark = project.mark()
    code, output = project.run("--adopt", "--plan", capsys=capsys)
    assert code == 0 and project.writes(mark) == [] and "[update_function_config]" in output
    assert f"- description: {plain!r} -> {f'{plain}; {MARKER}'!r}" in output
    code, output = project.run("--adopt", capsys=capsys)
    assert code == 0, output
    assert project.writes(mark) == ["update_function_config"]  # the mark, and nothing else
    assert state(project.standin) == deployed
    mark = project.mark()
    assert project.run()[0] == 0 and project.writes(mark) == []
    assert project.run("--destroy")[0] == 0 and state(project.standin)["functions"] == {}


def test_a_cts_or_timer_trigger_the_template_does_not_name_is_deleted_on_deploys_function_only(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert project.run()[0] == 0
    fg = project.standin.state.functiongraph
    urn = fg.urn_of(FUNCTION)
    fg.apply(urn, lambda f: f.triggers.append(Trigger("t-old", "TIMER", "ACTIVE", {
        "name": "old-sweep", "schedule_type": "Rate", "schedule": "30m", "user_event": ""}, "", "")))
    mark = project.mark()
    assert project.run()[0] == 0
    assert project.writes(mark) == ["delete_function_trigger"]  # two timers would sweep twice

    fg.apply(urn, lambda f: f.triggers.append(Trigger("t-old", "TIMER", "ACTIVE", {
        "name": "old-sweep", "schedule_type": "Rate", "schedule": "30m", "user_event": ""}, "", "")))
    fg.apply(urn, lambda f: setattr(f, "description", "taken over by someone"))  # no longer deploy's
    mark = project.mark()
    assert project.run(capsys=capsys)[0] == 2
    assert project.writes(mark) == []
    assert len(project.standin.functions[FUNCTION]["triggers"]) == 3


# -- two deployments: one function's destroy keeps what another function uses --------------------------------


def _second(project: Project, tmp_path: Path, name: str = "cce-postcheck-b") -> Project:
    """The same template for another function: the same topics, policy and agency."""
    (tmp_path / name).mkdir()
    other = Project(tmp_path / name, project.standin)
    other.edit(f"  name: {FUNCTION}\n  package:", f"  name: {name}\n  package:")
    return other


def test_what_another_functions_deploy_marked_is_refused_without_adopt(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert project.run()[0] == 0
    deployed = state(project.standin)
    other = _second(project, tmp_path)
    mark = project.mark()
    code, output = other.run(capsys=capsys)
    assert code == 2
    for thing in ("topic cce-upgrades", "topic cce-postcheck-failures", "custom policy cce-postcheck-least-privilege",
                  "agency cce-postcheck"):
        assert f"{thing}: deploy marked it for function {FUNCTION}, not for function cce-postcheck-b" in output
    assert "Run with --adopt to share it" in output and "nothing was written" in output
    assert other.writes(mark) == [] and state(project.standin) == deployed


def test_a_mark_names_whole_function_names(project: Project, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # "for function cce-postcheck" is a prefix of "for function cce-postcheck-b": deploy of cce-postcheck must still
    # see the things deploy made for cce-postcheck-b as another function's
    other = _second(project, tmp_path)
    assert other.run()[0] == 0
    mark = project.mark()
    code, output = project.run(capsys=capsys)
    assert code == 2 and "deploy marked it for function cce-postcheck-b, not for function cce-postcheck" in output
    assert project.writes(mark) == []


def test_shared_with_adopt_each_destroy_removes_only_its_own_function(project: Project, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert project.run()[0] == 0
    other = _second(project, tmp_path)
    mark = project.mark()
    code, output = other.run("--adopt", capsys=capsys)
    assert code == 0, output
    assert other.writes(mark) == [
        "create_resource_tag", "update_subscription", "create_resource_tag", "update_subscription",
        "update_cloud_service_custom_policy", "update_agency",
        "create_function", "update_function_async_invoke_config", "create_function_trigger", "create_function_trigger"]
    both = "managed by cce-postcheck-deploy for functions cce-postcheck, cce-postcheck-b"
    shared = state(project.standin)
    assert shared["topics"]["cce-upgrades"]["subscriptions"] == [("email", EMAIL, both)]
    assert both in shared["policies"]["cce-postcheck-least-privilege"]["description"]
    assert both in shared["agencies"]["cce-postcheck"]["description"]
    mark = project.mark()
    assert other.run()[0] == 0 and project.run()[0] == 0 and project.writes(mark) == []  # both converged

    code, output = project.run("--destroy", capsys=capsys)
    assert code == 0, output
    now = state(project.standin)
    assert list(now["functions"]) == ["cce-postcheck-b"]
    b = "managed by cce-postcheck-deploy for function cce-postcheck-b"
    assert now["agencies"]["cce-postcheck"]["grants"] == {project.standin.project_id:
                                                         ["cce-postcheck-least-privilege"]}  # b runs with it
    assert b in now["agencies"]["cce-postcheck"]["description"] and both not in now["agencies"]["cce-postcheck"][
        "description"]
    assert b in now["policies"]["cce-postcheck-least-privilege"]["description"]
    for topic in ("cce-upgrades", "cce-postcheck-failures"):
        assert now["topics"][topic]["subscriptions"] == [("email", EMAIL, b)]
        assert list(now["topics"][topic]["tags"].values()) == ["cce-postcheck-b"]
    assert "kept for other functions, without function cce-postcheck's mark" in output

    code, output = other.run("--destroy", capsys=capsys)
    assert code == 0, output
    assert state(project.standin) == {"topics": {}, "policies": {}, "agencies": {}, "functions": {}}
    assert "destroyed: nothing marked for function cce-postcheck-b is left" in output


# -- what the template no longer names -------------------------------------------------------------------------


def test_a_renamed_policy_replaces_the_old_one_and_destroy_leaves_nothing(project: Project) -> None:
    assert project.run()[0] == 0
    project.edit("  policy_name: cce-postcheck-least-privilege\n", "  policy_name: cce-postcheck-policy-v2\n")
    mark = project.mark()
    code, output = project.run()
    assert code == 0, output
    # the new policy granted first, the old one revoked and deleted after the function's calls
    assert project.writes(mark) == ["create_cloud_service_custom_policy", "associate_agency_with_project_permission",
                                    "remove_project_permission_from_agency", "delete_custom_policy"]
    now = state(project.standin)
    assert list(now["policies"]) == ["cce-postcheck-policy-v2"]
    assert now["agencies"]["cce-postcheck"]["grants"] == {project.standin.project_id: ["cce-postcheck-policy-v2"]}
    mark = project.mark()
    assert project.run()[0] == 0 and project.writes(mark) == []

    code, output = project.run("--destroy")
    assert code == 0, output
    assert state(project.standin) == {"topics": {}, "policies": {}, "agencies": {}, "functions": {}}
    assert "destroyed: nothing marked for function cce-postcheck is left" in output


def test_destroy_after_a_rename_it_did_not_deploy_finds_everything_by_its_mark(project: Project) -> None:
    assert project.run()[0] == 0
    project.edit("  policy_name: cce-postcheck-least-privilege\n", "  policy_name: cce-postcheck-policy-v2\n")
    project.edit("agency:\n  name: cce-postcheck\n", "agency:\n  name: cce-postcheck-v2\n")
    code, output = project.run("--destroy")  # the template names neither: destroy finds them by their mark
    assert code == 0, output
    assert state(project.standin) == {"topics": {}, "policies": {}, "agencies": {}, "functions": {}}


def test_a_renamed_agency_and_topic_are_released_after_the_function_moves(project: Project) -> None:
    assert project.run()[0] == 0
    project.edit("agency:\n  name: cce-postcheck\n", "agency:\n  name: cce-postcheck-v2\n")
    project.edit("  - name: cce-postcheck-failures ", "  - name: cce-postcheck-dead-letters ")
    project.edit(":cce-postcheck-failures\"", ":cce-postcheck-dead-letters\"")
    mark = project.mark()
    code, output = project.run()
    assert code == 0, output
    assert project.writes(mark) == [
        "create_topic", "create_resource_tag", "update_topic", "add_subscription",
        "create_agency", "associate_agency_with_project_permission",
        "update_function_config", "update_function_async_invoke_config",  # the function moves first
        "remove_project_permission_from_agency", "delete_agency", "cancel_subscription", "delete_topic"]
    now = state(project.standin)
    assert sorted(now["topics"]) == ["cce-postcheck-dead-letters", "cce-upgrades"]
    assert list(now["agencies"]) == ["cce-postcheck-v2"]
    assert now["functions"][FUNCTION]["config"]["xrole"] == "cce-postcheck-v2"
    mark = project.mark()
    assert project.run()[0] == 0 and project.writes(mark) == []


def test_a_renamed_thing_shared_with_another_function_only_loses_this_functions_mark(
        project: Project, tmp_path: Path) -> None:
    assert project.run()[0] == 0
    other = _second(project, tmp_path)
    assert other.run("--adopt")[0] == 0
    project.edit("  policy_name: cce-postcheck-least-privilege\n", "  policy_name: cce-postcheck-policy-v2\n")
    mark = project.mark()
    code, output = project.run()
    assert code == 0, output
    # the old policy is b's too: granted to the agency b shares, it stays granted; only cce-postcheck's mark goes
    assert project.writes(mark) == ["create_cloud_service_custom_policy", "associate_agency_with_project_permission",
                                    "update_cloud_service_custom_policy"]
    now = state(project.standin)
    assert sorted(now["agencies"]["cce-postcheck"]["grants"][project.standin.project_id]) == [
        "cce-postcheck-least-privilege", "cce-postcheck-policy-v2"]
    assert "managed by cce-postcheck-deploy for function cce-postcheck-b" in \
        now["policies"]["cce-postcheck-least-privilege"]["description"]


# -- a destroy that fails halfway ------------------------------------------------------------------------------

# --destroy after a first run, in the reverse order of its creation: the triggers and the function, the grant, the
# agency, the policy, then each topic's subscription and the topic (the failure topic first)
DESTROY = ["delete_function_trigger", "delete_function_trigger", "delete_function",
           "remove_project_permission_from_agency", "delete_agency", "delete_custom_policy",
           "cancel_subscription", "delete_topic", "cancel_subscription", "delete_topic"]


def _destroy_fault_at(project: Project, index: int) -> None:
    project.standin.add_fault({"operation": DESTROY[index], "kind": "error_json", "status": 500,
                               "after": DESTROY[:index].count(DESTROY[index])})


@pytest.mark.parametrize("index", range(len(DESTROY)), ids=lambda i: f"{i + 1}-{DESTROY[i]}")
def test_a_destroy_failing_at_any_write_is_finished_by_the_next(project: Project, index: int,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert project.run()[0] == 0
    _destroy_fault_at(project, index)
    mark = project.mark()
    assert project.run("--destroy", capsys=capsys)[0] == 1
    assert project.writes(mark) == DESTROY[:index + 1]
    mark = project.mark()
    code, output = project.run("--destroy", capsys=capsys)
    assert code == 0, output
    assert project.writes(mark) == DESTROY[index:]
    assert state(project.standin) == {"topics": {}, "policies": {}, "agencies": {}, "functions": {}}


@pytest.mark.parametrize("index", range(len(DESTROY)), ids=lambda i: f"{i + 1}-{DESTROY[i]}")
def test_a_deploy_after_a_destroy_failing_at_any_write_converges(project: Project, deployed_once: dict[str, Any],
                                                                 index: int,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert project.run()[0] == 0
    _destroy_fault_at(project, index)
    assert project.run("--destroy", capsys=capsys)[0] == 1
    code, output = project.run(capsys=capsys)
    assert code == 0, output
    assert state(project.standin) == deployed_once
    mark = project.mark()
    assert project.run()[0] == 0 and project.writes(mark) == []


# -- secrets in endpoints --------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint, secrets, shown", [
    ("HTTPS://oapi.dingtalk.com/robot/send?access_token=robot-token-SECRET1", ["robot-token-SECRET1"],
     "https://oapi.dingtalk.com/..."),
    ("https://alerts:hunter2-PASSWORD@hooks.example.com/smn", ["hunter2-PASSWORD", "alerts"],
     "https://hooks.example.com/..."),
    ("https://hooks.example.com:8443/a/b?sig=SECRET2#frag", ["SECRET2", "/a/b", "8443"],
     "https://hooks.example.com/..."),
], ids=["upper-case-scheme", "user-and-password", "port-path-query"])
def test_a_url_endpoint_is_printed_as_its_scheme_and_host_only(project: Project, capsys: pytest.CaptureFixture[str],
                                                               endpoint: str, secrets: list[str], shown: str) -> None:
    protocol = "dingding" if "dingtalk" in endpoint else "https"
    project.env["HOOK"] = endpoint
    project.edit("        endpoint: ${NOTIFY_EMAIL}\n      # More, as needed",
                 f"        endpoint: ${{NOTIFY_EMAIL}}\n      - protocol: {protocol}\n        endpoint: ${{HOOK}}\n"
                 "      # More, as needed")
    outputs = [project.run("--plan", capsys=capsys)[1], project.run(capsys=capsys)[1]]
    stored = [s["endpoint"] for s in project.standin.state.smn.snapshot()["cce-upgrades"]["subscriptions"]
              if s["protocol"] == protocol]
    assert stored == ["https" + endpoint[len("https"):]]  # sent whole, the scheme in lower case as SMN documents it
    project.edit(f"      - protocol: {protocol}\n        endpoint: ${{HOOK}}\n", "")
    outputs.append(project.run(capsys=capsys)[1])  # unsubscribed: the change line names it too
    assert "cancel_subscription" in project.writes()
    for output in outputs:
        assert shown in output
        for secret in secrets:
            assert secret not in output, [line for line in output.splitlines() if secret in line]
