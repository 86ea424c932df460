"""template.yaml against its schema (scripts/deployment/template.py), its policy against the code, and the docs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from postcheck.config import VARIABLES
from scripts.deployment import permissions
from scripts.deployment.deploy import main
from scripts.deployment.template import (
    CtsTrigger,
    Template,
    TemplateError,
    TimerTrigger,
    load_template,
    parse_template,
    resolve,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ENV = {"REGION": "cn-north-4", "PROJECT_ID": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "NOTIFY_EMAIL": "ops@example.com"}
# The IAM action (old-style policies, Version 1.1) each SDK operation needs, from Huawei's documentation, written
# here independently of scripts/deployment/permissions.py (../shared/reference/platform-facts.md, "IAM"):
DOCUMENTED_ACTIONS = {
    # CCE API reference, "Actions Supported by Role/Policy-based Authorization (Old IAM Version)"
    # (https://support.huaweicloud.com/api-cce/cce_02_0327.html): GET .../clusters -> cce:cluster:list,
    # GET .../clusters/{cluster_id} -> cce:cluster:get
    "list_clusters": "cce:cluster:list",
    "show_cluster": "cce:cluster:get",
    # platform-facts: cce:cluster:get covers "show cluster, upgrade tasks, workflows"
    "list_upgrade_cluster_tasks": "cce:cluster:get",
    "show_upgrade_cluster_task": "cce:cluster:get",
    "list_upgrade_work_flows": "cce:cluster:get",
    "show_upgrade_work_flow": "cce:cluster:get",
    # UNCONFIRMED (platform-facts): no action is published for CCE's PostCheck; CCE Autopilot's documents this one
    "create_post_check": "cce:cluster:upgrade",
    # the health gate's reads: ListNodePools (https://support.huaweicloud.com/api-cce/cce_02_0269.html) and
    # ListAddonInstances (https://support.huaweicloud.com/api-cce/cce_02_0326.html) name these actions; ListNodes:
    # cce:node:list in CCE's "Permissions and Supported Actions" (as cited in scripts/deployment/permissions.py)
    "list_nodes": "cce:node:list",
    "list_node_pools": "cce:nodepool:list",
    "list_addon_instances": "cce:addonInstance:list",
    # SMN API reference, PublishMessage
    "publish_message": "smn:topic:publish",
}
# What the README says the function does, as SDK operations: the sweep lists clusters; a check reads the cluster,
# its upgrade tasks and workflows, runs the health gate's reads, then the post-check; the outcome is published.
DOCUMENTED_OPERATIONS = {"list_clusters", "show_cluster", "list_upgrade_cluster_tasks", "list_upgrade_work_flows",
                         "list_nodes", "list_node_pools", "list_addon_instances", "create_post_check",
                         "publish_message"}


def raw() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(TemplateError) as error:
        parse_template(data)
    return str(error.value)


# -- the template as it is ----------------------------------------------------------------------------


def test_template_validates_and_resolves() -> None:
    template = load_template(TEMPLATE)
    resolved = resolve(template, ENV, base_dir=ROOT)
    function = template.function
    assert (function.runtime, function.handler, function.memory_mb) == ("Python3.10", "index.handler", 128)
    assert resolved.package_path == ROOT / "dist" / "cce-postcheck-Python3.10.zip"
    assert resolved.environment["SMN_TOPIC_URN"] == f"urn:smn:cn-north-4:{ENV['PROJECT_ID']}:cce-upgrades"
    assert resolved.failure_topic_urn == f"urn:smn:cn-north-4:{ENV['PROJECT_ID']}:cce-postcheck-failures"
    assert json.loads(resolved.user_data()) == resolved.environment


def test_environment_names_are_exactly_what_the_function_reads() -> None:
    assert set(load_template(TEMPLATE).function.environment) == set(VARIABLES)


def test_triggers_are_the_upgrade_trace_and_the_sweep_timer() -> None:
    template = load_template(TEMPLATE)
    # the resource type is CTS's, read at deploy time (tests/tooling/test_deploy_resources.py)
    assert template.cts.event_data("Cluster") == {"name": "cce_cluster_upgrade",
                                                  "operations": ["CCE:Cluster:clusterUpgrade"]}
    assert (template.timer.schedule_type, template.timer.period_minutes) == ("Rate", 60)
    assert template.function.environment["SWEEP_WINDOW_MINUTES"] == str(template.timer.period_minutes)
    # the upgrade event's invocation follows upgrades up to 6 hours (docs/operations.md, "Timing"); a sweep stops itself
    # after 840 s, within the timer's period, so two sweeps never overlap
    assert template.function.timeout_s >= 6 * 3600
    assert template.timer.period_minutes * 60 > 840


def test_policy_grants_exactly_the_documented_actions_of_the_operations_the_code_calls() -> None:
    called = permissions.operations_called()
    assert called >= DOCUMENTED_OPERATIONS, "the scan of the code misses an operation the function performs"
    undocumented = called - set(DOCUMENTED_ACTIONS)
    assert not undocumented, f"look up the IAM action of {sorted(undocumented)} and add it to DOCUMENTED_ACTIONS"
    policy = load_template(TEMPLATE).agency.policy
    assert set(policy.actions) == {DOCUMENTED_ACTIONS[operation] for operation in called}
    assert len(policy.actions) == len(set(policy.actions))
    assert permissions.required_actions(called) == set(policy.actions)  # what `deploy --print-policy` relies on
    for operation, permission in permissions.OPERATION_ACTIONS.items():
        assert permission.action == DOCUMENTED_ACTIONS[operation], operation
    document = policy.document()
    assert document["Version"] == "1.1"
    assert "*" not in json.dumps(document)
    assert all(statement["Effect"] == "Allow" for statement in document["Statement"])


def test_an_unmapped_sdk_operation_is_named() -> None:
    with pytest.raises(KeyError, match="delete_cluster"):
        permissions.required_actions({"show_cluster", "delete_cluster"})


def test_print_policy_prints_the_policy_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--template", str(TEMPLATE), "--print-policy"], environ={}) == 0
    assert json.loads(capsys.readouterr().out) == load_template(TEMPLATE).agency.policy.document()


def test_check_validates_offline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--template", str(TEMPLATE), "--check"], environ=ENV) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["--template", str(TEMPLATE), "--check"], environ={}) == 2
    assert "${PROJECT_ID} is not set" in capsys.readouterr().err


# -- invalid templates: the error names the field --------------------------------------------------------


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("function.memory_mb", 100, r"function\.memory_mb: expected one of 128, 256"),
    ("function.memory_mb", "128", r"function\.memory_mb: Input should be a valid integer"),
    ("function.timeout_s", 2, r"function\.timeout_s: Input should be greater than or equal to 3"),
    ("function.timeout_s", 600, r"function\.timeout_s: 600 s is shorter than a sweep's own budget \(840 s\)"),
    ("function.handler", "main.handler", r"function\.handler: Input should be 'index\.handler'"),
    ("function.runtime", "Python3.8", r"function\.runtime: Input should be"),
    ("function.runtime", "Python3.12", r"code\.path 'dist/cce-postcheck-Python3\.10\.zip' does not name the runtime"),
    ("function.name", "1-bad", r"function\.name: String should match pattern"),
    ("function.colour", "blue", r"function\.colour: Extra inputs are not permitted"),
    ("function.environment.SMN_TOPIC_URN", _DELETE, r"function\.environment: .*missing SMN_TOPIC_URN"),
    ("function.environment.HOME", "/root", r"function\.environment: .*unknown HOME"),
    ("function.environment.MAX_CONCURRENCY", 8, r"function\.environment: .*MAX_CONCURRENCY: values are strings"),
    ("function.environment.SMN_TOPIC_URN", "urn:smn:${region}:x", r"function\.environment\.SMN_TOPIC_URN: malformed"),
    ("function.environment.SWEEP_WINDOW_MINUTES", "30", r"SWEEP_WINDOW_MINUTES: '30' is not the period of the timer"),
    ("function.async_invocation.max_retries", 4,
     r"function\.async_invocation\.max_retries: Input should be less than or equal to 3"),
    ("function.async_invocation.on_failure.topic_urn", "cce-postcheck-failures",
     r"function\.async_invocation\.on_failure\.topic_urn: expected urn:smn:"),
    ("function.code.path", "dist/cce-postcheck-Python3.10.tar.gz", r"function\.code\.path: String should match"),
    ("agency.policy.Version", "1.0", r"agency\.policy\.Version: Input should be '1\.1'"),
    ("agency.policy.Statement.0.Action", ["cce:*:*"], r"agency\.policy\.Statement\[0\]\.Action: 'cce:\*:\*': no wildc"),
    ("agency.policy.Statement.0.Effect", "Deny", r"agency\.policy\.Statement\[0\]\.Effect: Input should be 'Allow'"),
    ("triggers.1.schedule", "90m", r"triggers\[1\]\(TIMER\)\.schedule: .*1-60 minutes"),
    ("triggers.1.schedule_type", "Cron", r"triggers\[1\]\(TIMER\)\.schedule_type: Input should be 'Rate'"),
    ("triggers.0.operations", ["deleteCluster"], r"triggers\[0\]\(CTS\)\.operations\[0\]: Input should be"),
    ("triggers.0.service", "ECS", r"triggers\[0\]\(CTS\)\.service: Input should be 'CCE'"),
    ("triggers.1.type", "SMN", r"triggers\[1\]: Input tag 'SMN' found using 'type' does not match"),
    ("version", 2, r"version: Input should be 1"),
])
def test_invalid_template_names_the_field(path: str, value: Any, expected: str) -> None:
    assert re.search(expected, problems(_set(raw(), path, value))), problems(_set(raw(), path, value))


def test_window_default_must_match_the_timer_too() -> None:
    data = _set(_set(raw(), "function.environment.SWEEP_WINDOW_MINUTES", None), "triggers.1.schedule", "30m")
    assert "SWEEP_WINDOW_MINUTES: its default 60 is not the period" in problems(data)


def test_exactly_one_timer_and_one_cts_trigger() -> None:
    data = raw()
    data["triggers"].append(dict(data["triggers"][1], name="second-sweep"))
    assert "triggers: exactly one TIMER trigger (the sweep) is required, found 2" in problems(data)
    data = raw()
    del data["triggers"][0]
    assert "exactly one CTS trigger (upgrade events) is required, found 0" in problems(data)


def test_yaml_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "template.yaml"
    bad.write_text("version: 1\nfunction: [unclosed\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"not valid YAML at line \d+ column \d+"):
        load_template(bad)
    with pytest.raises(TemplateError, match="cannot read the template"):
        load_template(tmp_path / "missing.yaml")


# -- resolving: references and the function's own configuration model -----------------------------------


def test_missing_reference_is_named() -> None:
    with pytest.raises(TemplateError) as error:
        resolve(load_template(TEMPLATE), {"REGION": "cn-north-4"})
    assert str(error.value).splitlines() == [
        "function.environment.SMN_TOPIC_URN: ${PROJECT_ID} is not set in the environment",
        "function.async_invocation.on_failure.topic_urn: ${PROJECT_ID} is not set in the environment",
    ]


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("DRY_RUN", "maybe", "function.environment.DRY_RUN: expected true or false, got 'maybe'"),
    ("MAX_CONCURRENCY", "100", "function.environment.MAX_CONCURRENCY: Input should be less than or equal to 64"),
    ("CLUSTER_IDS", "not-a-cluster", "function.environment.CLUSTER_IDS.0: expected a CCE ID"),
    ("CCE_ENDPOINT", "ftp://cce", "function.environment.CCE_ENDPOINT: expected a base URL"),
])
def test_resolved_environment_is_checked_by_the_functions_own_model(name: str, value: str, expected: str) -> None:
    template = parse_template(_set(raw(), f"function.environment.{name}", value))
    with pytest.raises(TemplateError) as error:
        resolve(template, ENV)
    assert expected in str(error.value)


def test_a_referenced_value_is_checked_once_resolved() -> None:
    template = parse_template(_set(raw(), "function.environment.SWEEP_WINDOW_MINUTES", "${WINDOW}"))
    assert resolve(template, {**ENV, "WINDOW": "60"}).environment["SWEEP_WINDOW_MINUTES"] == "60"
    with pytest.raises(TemplateError, match="SWEEP_WINDOW_MINUTES: '30' is not the period"):
        resolve(template, {**ENV, "WINDOW": "30"})
    with pytest.raises(TemplateError, match="SMN_TOPIC_URN: expected urn:smn:"):
        resolve(load_template(TEMPLATE), {**ENV, "REGION": "North 4"})


def test_environment_size_limit() -> None:
    template = parse_template(_set(raw(), "function.environment.CLUSTER_IDS",
                                   ",".join(["8978deaa-1743-11ee-8e46-0255ac10004c"] * 120)))
    with pytest.raises(TemplateError, match="FunctionGraph takes at most 20 variables and 4096 bytes"):
        resolve(template, ENV)


# -- docs/deployment.md documents every field --------------------------------------------------------


def _fields(model: type[Any], prefix: str) -> list[str]:
    found = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        found.append(key)
        annotation = info.annotation
        for candidate in getattr(annotation, "__args__", (annotation,)):
            inner = getattr(candidate, "__args__", (candidate,))
            for item in inner:
                if isinstance(item, type) and hasattr(item, "model_fields") and item is not model:
                    found.extend(_fields(item, f"{key}{'[]' if 'list' in str(annotation) else ''}."))
    return found


def test_readme_documents_every_template_field() -> None:
    section = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    paths = _fields(Template, "")
    paths += [f"triggers[].{name}" for model in (CtsTrigger, TimerTrigger) for name in model.model_fields]
    missing = sorted({path for path in paths if path != "triggers" and f"`{path}`" not in section})
    assert not missing, f"docs/deployment.md: document {missing}"
