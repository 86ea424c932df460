"""Deploy the function as ``template.yaml`` describes it: create or update the function, its code, configuration,
asynchronous invocation settings and triggers, through ``huaweicloudsdkfunctiongraph``.

    python -m scripts.deployment [--template template.yaml] [--plan] [--endpoint URL]
    python -m scripts.deployment --check            # validate the template and its ${NAME} references, offline
    python -m scripts.deployment --print-policy     # the agency's IAM policy as JSON, for the IAM console

Environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN (temporary keys only),
PROJECT_ID, REGION; and whatever ``${NAME}`` the template references.

It reads first (GET the function's configuration, async settings, triggers), computes the calls that make
FunctionGraph match the template, prints them, and sends them in order. ``--plan`` stops after printing: it
sends the reads, never a write. A second run on an unchanged template finds nothing to do and sends no write.
The keys are never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from scripts.deployment.cloud import CloudError, FunctionGraph, Keys, connect
from scripts.deployment.plan import MAX_INLINE_PACKAGE_BYTES, Call, Package, desired, plan, read_paths, summarize
from scripts.deployment.template import DEFAULT_TEMPLATE, Resolved, TemplateError, load_template, resolve
from scripts.deployment.topics import uncovered

REGION_RE = re.compile(r"^[a-z]{2,}(?:-[a-z0-9]+)+$")
PROJECT_RE = re.compile(r"^[0-9a-f]{32}$")
ENDPOINT_RE = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+/?$")
KEY_NAMES = ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "PROJECT_ID", "REGION")


class Refused(Exception):
    """Deploy cannot start: the message says what to fix."""


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
            if REGION_RE.fullmatch(environ.get("REGION", "")) and PROJECT_RE.fullmatch(environ.get("PROJECT_ID", "")):
                _covered(resolved, environ["REGION"], environ["PROJECT_ID"])
            print(f"{args.template}: valid; function {template.function.name}, package {resolved.package_path}",
                  file=out)
            return 0
        keys, region = _keys(environ)
        resolved = resolve(template, environ, base_dir=args.template.resolve().parent)
        _covered(resolved, region, keys.project_id)
        package = _package(resolved)
        endpoint = _endpoint(args.endpoint, region)
    except (TemplateError, Refused) as problem:
        print(f"deploy: {problem}", file=sys.stderr)
        return 2
    return _deploy(resolved, package, keys, region, endpoint, args.plan, out)


def _deploy(resolved: Resolved, package: Package, keys: Keys, region: str, endpoint: str, plan_only: bool,
            out: TextIO) -> int:
    target = desired(resolved, package, region, keys.project_id)
    function = resolved.template.function
    print(f"function {function.name} ({function.runtime}) in {region}, project {keys.project_id}, "
          f"via {endpoint}", file=out)
    print(f"package  {package.path} {package.describe()}", file=out)
    print("reads (sent, also with --plan; they change nothing):", file=out)
    paths = read_paths(keys.project_id, target.urn)

    def on_read(operation: str, outcome: str) -> None:
        method, path = paths[operation]
        print(f"  {method:6} {path}  [{operation}] -> {outcome}", file=out)

    cloud = FunctionGraph(connect(keys, endpoint))
    try:
        current = cloud.read(target.urn, on_read)
    except CloudError as error:
        print(f"deploy: could not read the function: {error}", file=sys.stderr)
        return 1
    calls = plan(target, current)
    _print_plan(calls, out)
    if plan_only:
        print(f"--plan: none of these {len(calls)} write call(s) was sent; only the GET reads above were.",
              file=out)
        return 0
    for number, call in enumerate(calls, 1):
        try:
            cloud.send(call)
        except CloudError as error:
            print(f"deploy: call {number} of {len(calls)} failed: {error}", file=sys.stderr)
            print(f"deploy: {number - 1} call(s) were made; run deploy again to finish (it starts from what "
                  "exists)", file=sys.stderr)
            return 1
        print(f"  done {number}/{len(calls)}: {call.operation}", file=out)
    print("deployed: FunctionGraph matches the template" if calls else
          "nothing to do: FunctionGraph already matches the template", file=out)
    return 0


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
        raise Refused(f"set {', '.join(missing)} in the environment (see README, Deployment)")
    region, project = environ["REGION"].strip(), environ["PROJECT_ID"].strip()
    if not REGION_RE.fullmatch(region):
        raise Refused(f"REGION: expected a region ID such as cn-north-4, got {region!r}")
    if not PROJECT_RE.fullmatch(project):
        raise Refused("PROJECT_ID: expected the 32-hex-digit ID of the region's project")
    token = environ.get("HUAWEICLOUD_SDK_SECURITY_TOKEN", "").strip() or None
    return Keys(environ["HUAWEICLOUD_SDK_AK"].strip(), environ["HUAWEICLOUD_SDK_SK"].strip(), token, project), region


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


def _endpoint(given: str | None, region: str) -> str:
    endpoint = given or f"https://functiongraph.{region}.myhuaweicloud.com"
    if not ENDPOINT_RE.fullmatch(endpoint):
        raise Refused(f"--endpoint: expected a base URL such as https://functiongraph.{region}.myhuaweicloud.com")
    return endpoint.rstrip("/")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.deployment", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE, help="default: template.yaml")
    parser.add_argument("--plan", action="store_true", help="print the calls; send only the reads")
    parser.add_argument("--endpoint", help="FunctionGraph base URL (default: the region's public endpoint)")
    parser.add_argument("--check", action="store_true", help="validate the template offline and stop")
    parser.add_argument("--print-policy", action="store_true", help="print the agency's IAM policy and stop")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
