"""Deploy the function and everything it needs as ``template.yaml`` describes it, from an empty account, with one
command: the SMN topics and their subscriptions (``huaweicloudsdksmn``), the IAM custom policy and the agency
delegated to FunctionGraph with the policy granted on the project (``huaweicloudsdkiam``), the function, its
asynchronous configuration and triggers (``huaweicloudsdkfunctiongraph``), the CTS trigger's filter spelled the
way CTS lists the operation (``huaweicloudsdkcts``).

    python -m scripts.deployment [--template template.yaml] [--plan] [--endpoint URL]
    python -m scripts.deployment --destroy [--plan]   # remove exactly what deploy created, in reverse order
    python -m scripts.deployment --adopt [--plan]     # once: take over a function deploy made before it marked it
    python -m scripts.deployment --check            # validate the template and its ${NAME} references, offline
    python -m scripts.deployment --print-policy     # the agency's IAM policy as JSON

Environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN (temporary keys only),
PROJECT_ID, REGION; and whatever ``${NAME}`` the template references (NOTIFY_EMAIL in the one shipped).

It reads first (IAM's account, policy and agency; the topics, their tags and subscriptions; CTS's operation list;
the function, its async settings and triggers), computes the calls that make the cloud match the template, prints
them, and sends them in order: topics, subscriptions, policy, agency, grant, function, async settings, triggers.
Marked things the template no longer names (a renamed policy, agency or topic) are released last, after the
function's calls. ``--plan`` stops after printing: it sends the reads, never a write. A second run on an unchanged
template finds nothing to do and sends no write; a run stopped by a failed call is finished by the next one. What
deploy recognises as its own, and never touches otherwise: ``scripts/deployment/resources.py`` and ``plan.py`` (the
function: its description carries deploy's mark). The keys are never printed, nor a subscription's secrets, nor a
URL's user, password, path or query.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from scripts.deployment import cts_api, iam_api, smn_api
from scripts.deployment.cloud import CloudError, FunctionGraph, Keys, connect
from scripts.deployment.plan import (
    MAX_INLINE_PACKAGE_BYTES,
    Call,
    Current,
    Package,
    desired,
    destroy_function,
    function_urn,
    plan,
    read_paths,
    refusals,
    summarize,
)
from scripts.deployment.resources import Existing, Outcome, Wanted, plan_destroy, plan_resources
from scripts.deployment.resources import read_paths as resource_read_paths
from scripts.deployment.template import (
    DEFAULT_TEMPLATE,
    Resolved,
    ResolvedTopic,
    TemplateError,
    load_template,
    resolve,
    resolve_topics,
)
from scripts.deployment.topics import published_topics, uncovered

REGION_RE = re.compile(r"^[a-z]{2,}(?:-[a-z0-9]+)+$")
PROJECT_RE = re.compile(r"^[0-9a-f]{32}$")
ENDPOINT_RE = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+/?$")
KEY_NAMES = ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "PROJECT_ID", "REGION")


class Refused(Exception):
    """Deploy cannot start: the message says what to fix."""


@dataclass(frozen=True)
class Endpoints:
    functiongraph: str
    smn: str
    cts: str
    iam: str

    def __str__(self) -> str:
        if len({self.functiongraph, self.smn, self.cts, self.iam}) == 1:
            return self.iam
        return f"FunctionGraph {self.functiongraph}, SMN {self.smn}, CTS {self.cts}, IAM {self.iam}"


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None,
         out: TextIO | None = None) -> int:
    args = _arguments(argv)
    environ = os.environ if environ is None else environ
    out = out or sys.stdout
    try:
        template = load_template(args.template)
        if args.print_policy:
            print(json.dumps(template.agency.policy.document(), indent=2), file=out)
            return 0
        if args.check:
            resolved = resolve(template, environ, base_dir=args.template.resolve().parent)
            topics = resolve_topics(template, environ)
            if REGION_RE.fullmatch(environ.get("REGION", "")) and PROJECT_RE.fullmatch(environ.get("PROJECT_ID", "")):
                _covered(resolved, environ["REGION"], environ["PROJECT_ID"])
                _declared(resolved, topics, environ["REGION"], environ["PROJECT_ID"])
            print(f"{args.template}: valid; function {template.function.name}, package {resolved.package_path}",
                  file=out)
            return 0
        keys, region = _keys(environ)
        resolved = resolve(template, environ, base_dir=args.template.resolve().parent)
        topics = resolve_topics(template, environ)
        _covered(resolved, region, keys.project_id)
        _declared(resolved, topics, region, keys.project_id)
        package = None if args.destroy else _package(resolved)
        endpoints = _endpoints(args.endpoint, region)
    except (TemplateError, Refused) as problem:
        print(f"deploy: {problem}", file=sys.stderr)
        return 2
    run = _Run(resolved, topics, keys, region, endpoints, out, args.adopt)
    if args.destroy:
        return run.destroy(args.plan)
    assert package is not None
    return run.deploy(package, args.plan)


class _Run:
    """One deploy or destroy: the reads, the plan, the writes."""

    def __init__(self, resolved: Resolved, topics: tuple[ResolvedTopic, ...], keys: Keys, region: str,
                 endpoints: Endpoints, out: TextIO, adopt: bool = False) -> None:
        self.resolved, self.topics, self.keys, self.region, self.endpoints, self.out, self.adopt = \
            resolved, topics, keys, region, endpoints, out, adopt
        function = resolved.template.function
        self.urn = function_urn(region, keys.project_id, function.package, function.name)
        self.paths = {**resource_read_paths(keys.project_id), **read_paths(keys.project_id, self.urn)}

    def on_read(self, operation: str, outcome: str) -> None:
        method, path = self.paths[operation]
        print(f"  {method:6} {path}  [{operation}] -> {outcome}", file=self.out)

    def _read_resources(self) -> tuple[Wanted, Existing, iam_api.Iam, smn_api.Smn]:
        template = self.resolved.template
        domain_id = iam_api.domain_id(self.keys, self.endpoints.iam, self.on_read)
        iam = iam_api.Iam(self.keys, self.endpoints.iam, domain_id)
        function = template.function.name
        policies, agencies = iam.read(template.agency.policy_name, template.agency.name, function,
                                      self.keys.project_id, self.on_read)
        smn = smn_api.Smn(smn_api.connect(self.keys, self.endpoints.smn))
        topics = smn.read([topic.name for topic in self.topics], function, self.on_read)
        wanted = Wanted(function, self.region, self.keys.project_id, domain_id, self.topics,
                        template.agency.policy_name, template.agency.policy.document(), template.agency.name)
        return wanted, Existing(topics, policies, agencies), iam, smn

    def _header(self, what: str) -> None:
        function = self.resolved.template.function
        print(f"{what} {function.name} ({function.runtime}) in {self.region}, project {self.keys.project_id}, "
              f"via {self.endpoints}", file=self.out)

    def deploy(self, package: Package, plan_only: bool) -> int:
        self._header("function")
        print(f"package  {package.path} {package.describe()}", file=self.out)
        print("reads (sent, also with --plan; they change nothing):", file=self.out)
        template = self.resolved.template
        try:
            wanted, existing, iam, smn = self._read_resources()
            cts_type = cts_api.resource_type(cts_api.connect(self.keys, self.endpoints.cts), template.cts.service,
                                             template.cts.operations, self.on_read)
            target = desired(self.resolved, package, self.region, self.keys.project_id, cts_type)
            functiongraph = FunctionGraph(connect(self.keys, self.endpoints.functiongraph))
            current = functiongraph.read(target.urn, self.on_read)
        except CloudError as error:
            print(f"deploy: could not read what exists: {error}", file=sys.stderr)
            return 1
        except cts_api.NotTraced as problem:
            print(f"deploy: {problem}; nothing was written", file=sys.stderr)
            return 2
        resources = plan_resources(wanted, existing, self.adopt)
        function_refusals = refusals(target.name, current, self.adopt)
        if self.adopt and current.function is not None and not function_refusals and target.config.description \
                != current.function.config.description:
            resources.notes.append(f"function {target.name}: --adopt: deploy takes it over and writes its mark into "
                                   "the description")
        calls = resources.calls + plan(target, current) + resources.after
        return self._apply(calls, resources, function_refusals + resources.refusals, plan_only, {
            **dict.fromkeys(iam.operations, iam.send), **dict.fromkeys(smn.operations, smn.send),
            **dict.fromkeys(functiongraph.operations, _fg_sender(functiongraph))}, "deploy")

    def destroy(self, plan_only: bool) -> int:
        self._header("destroy: function")
        print("reads (sent, also with --plan; they change nothing):", file=self.out)
        try:
            wanted, existing, iam, smn = self._read_resources()
            functiongraph = FunctionGraph(connect(self.keys, self.endpoints.functiongraph))
            current: Current = functiongraph.read(self.urn, self.on_read)
        except CloudError as error:
            print(f"deploy: could not read what exists: {error}", file=sys.stderr)
            return 1
        function_refusals = refusals(self.resolved.template.function.name, current, self.adopt, destroy=True)
        function_calls, trigger_refusals = ([], []) if function_refusals else \
            destroy_function(self.urn, self.keys.project_id, current)
        resources = plan_destroy(wanted, existing)
        return self._apply(function_calls + resources.calls, resources,
                           function_refusals + trigger_refusals + resources.refusals,
                           plan_only, {**dict.fromkeys(iam.operations, iam.send),
                                       **dict.fromkeys(smn.operations, smn.send),
                                       **dict.fromkeys(functiongraph.operations, _fg_sender(functiongraph))},
                           "destroy")

    def _apply(self, calls: list[Call], outcome: Outcome, problems: list[str], plan_only: bool,
               senders: dict[str, Callable[[Call, dict[str, str]], str | None]], what: str) -> int:
        out = self.out
        for note in outcome.notes:
            print(f"note: {note}", file=out)
        if problems:
            for problem in problems:
                print(f"deploy: {problem}", file=sys.stderr)
            print(f"deploy: nothing was written ({len(problems)} problem(s) above)", file=sys.stderr)
            return 2
        _print_plan(calls, out)
        if plan_only:
            print(f"--plan: none of these {len(calls)} write call(s) was sent; only the reads above were.",
                  file=out)
            return 0
        results: dict[str, str] = {}
        for number, call in enumerate(calls, 1):
            params = {**call.params, **{param: results[key] for param, key in call.needs}}
            try:
                produced = senders[call.operation](call, params)
                if call.produces and not produced:
                    raise CloudError(call.operation, None, "NotFound", "what it created could not be read back",
                                     None)
            except CloudError as error:
                print(f"deploy: call {number} of {len(calls)} failed: {error}", file=sys.stderr)
                print(f"deploy: {number - 1} call(s) were made; run {what} again to finish (it starts from what "
                      "exists)", file=sys.stderr)
                return 1
            if call.produces:
                results[call.produces] = str(produced)
            print(f"  done {number}/{len(calls)}: {call.operation}", file=out)
        if what == "destroy":
            print(_destroyed(self.resolved.template.function.name, bool(calls), outcome), file=out)
        else:
            print("deployed: the cloud matches the template" if calls else
                  "nothing to do: the cloud already matches the template", file=out)
        return 0


def _destroyed(function: str, sent: bool, outcome: Outcome) -> str:
    """Destroy's last line: what is left of what deploy made for ``function``."""
    if outcome.kept:
        return (f"destroyed, except what is kept (notes above) and still marked for function {function}: "
                f"{', '.join(outcome.kept)}")
    shared = (f"; kept for other functions, without function {function}'s mark: {', '.join(outcome.shared)}"
              if outcome.shared else "")
    if sent:
        return f"destroyed: nothing marked for function {function} is left{shared}"
    return "nothing to destroy: nothing deploy created exists"


def _fg_sender(functiongraph: FunctionGraph) -> Callable[[Call, dict[str, str]], str | None]:
    def send(call: Call, params: dict[str, str]) -> str | None:
        functiongraph.send(replace(call, params=params))
        return None

    return send


def _print_plan(calls: list[Call], out: TextIO) -> None:
    if not calls:
        print("plan: no changes (0 write calls)", file=out)
        return
    print(f"plan: {len(calls)} write call(s), in this order:", file=out)
    for number, call in enumerate(calls, 1):
        print(f"  {number}. {call.method:6} {call.path}  [{call.operation}]", file=out)
        for change in call.changes:
            print(f"       - {change}", file=out)
        body = summarize(call)
        if body:
            print(f"       body: {body}", file=out)


def _keys(environ: Mapping[str, str]) -> tuple[Keys, str]:
    missing = [name for name in KEY_NAMES if not environ.get(name, "").strip()]
    if missing:
        raise Refused(f"set {', '.join(missing)} in the environment (see docs/deployment.md)")
    region, project = environ["REGION"].strip(), environ["PROJECT_ID"].strip()
    if not REGION_RE.fullmatch(region):
        raise Refused(f"REGION: expected a region ID such as cn-north-4, got {region!r}")
    if not PROJECT_RE.fullmatch(project):
        raise Refused("PROJECT_ID: expected the 32-hex-digit ID of the region's project")
    token = environ.get("HUAWEICLOUD_SDK_SECURITY_TOKEN", "").strip() or None
    return Keys(environ["HUAWEICLOUD_SDK_AK"].strip(), environ["HUAWEICLOUD_SDK_SK"].strip(), token, project), region


def _declared(resolved: Resolved, topics: tuple[ResolvedTopic, ...], region: str, project_id: str) -> None:
    """Every topic the function publishes to is one the template's ``topics`` declares, so deploy creates it."""
    declared = {topic.urn(region, project_id) for topic in topics}
    problems = [f"{where}: {urn} is not one of the topics the template declares ({', '.join(t.name for t in topics)})"
                ": add it under topics, so that deploy creates it" for where, urn in published_topics(resolved)
                if urn not in declared]
    if problems:
        raise Refused("\n".join(problems))


def _covered(resolved: Resolved, region: str, project_id: str) -> None:
    """Every topic the function publishes to is one the agency's policy covers (scripts/deployment/topics.py)."""
    problems = uncovered(resolved, region, project_id)
    if problems:
        raise Refused("\n".join(problems))


def _package(resolved: Resolved) -> Package:
    path = resolved.package_path
    runtime = resolved.template.function.runtime
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Refused(f"function.code.path: cannot read {path}: {error.strerror}; build it with "
                      f"python -m scripts.build --runtime {runtime}") from None
    if len(data) > MAX_INLINE_PACKAGE_BYTES:
        raise Refused(f"function.code.path: {path} is {len(data):,} bytes; deploy uploads packages up to "
                      f"{MAX_INLINE_PACKAGE_BYTES:,} bytes inline (larger ones need OBS, which it does not do)")
    return Package(path, data)


def _endpoints(given: str | None, region: str) -> Endpoints:
    """Each service's base URL: the region's public endpoints, IAM's global one; ``--endpoint`` replaces them all
    (the local stand-in serves every service on one address)."""
    if given is not None:
        if not ENDPOINT_RE.fullmatch(given):
            raise Refused(f"--endpoint: expected a base URL such as https://functiongraph.{region}.myhuaweicloud.com")
        base = given.rstrip("/")
        return Endpoints(base, base, base, base)
    return Endpoints(f"https://functiongraph.{region}.myhuaweicloud.com", f"https://smn.{region}.myhuaweicloud.com",
                     f"https://cts.{region}.myhuaweicloud.com", "https://iam.myhuaweicloud.com")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.deployment", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE, help="default: template.yaml")
    parser.add_argument("--plan", action="store_true", help="print the calls; send only the reads")
    parser.add_argument("--endpoint", help="one base URL for every service (FunctionGraph, SMN, CTS, IAM), e.g. the "
                                           "local stand-in (default: each service's public endpoint)")
    parser.add_argument("--destroy", action="store_true",
                        help="remove what deploy created (function, grant, agency, policy, subscriptions, topics), "
                             "in reverse order; with --plan, only print the calls")
    parser.add_argument("--adopt", action="store_true",
                        help="take over the function of the template's name although it lacks deploy's mark (a "
                             "deployment made before deploy marked functions), and share topics, policy and agency "
                             "another function's deploy marked; once, with --plan first")
    parser.add_argument("--check", action="store_true", help="validate the template offline and stop")
    parser.add_argument("--print-policy", action="store_true", help="print the agency's IAM policy and stop")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
