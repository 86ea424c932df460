"""The deployment package: what it holds, that it is reproducible, and that the handler runs from it alone."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

from scripts import build
from scripts.deployment.deploy import main as deploy_main
from scripts.local_context import CHILD_CONTEXT_SOURCE
from tests.support import CLUSTER, TOPIC, event

ROOT = Path(__file__).resolve().parents[2]
LOCAL = f"Python{sys.version_info.major}.{sys.version_info.minor}"

RUN_FROM_PACKAGE = CHILD_CONTEXT_SOURCE + """
import json, sys
sys.path[:0] = [sys.argv[1]]
cfg = json.loads(sys.argv[2])
import index
from postcheck import sdkload
result = index.handler(cfg["event"], Context(cfg))
print(json.dumps({"result": result, "loaded": sdkload.LOADED, "paths": sorted({m.__file__.split(sys.argv[1])[0]
      for m in list(sys.modules.values()) if getattr(m, "__file__", None) and "site-packages" in m.__file__})}))
"""


@pytest.fixture(scope="module")
def local_package(tmp_path_factory) -> build.Package:
    return build.build(LOCAL, tmp_path_factory.mktemp("dist"))


TARGET_RUNTIMES = ["Python3.10", "Python3.12"]  # what template.yaml may deploy (FunctionGraph's runtimes)


def target_interpreter(runtime: str) -> str:
    """An interpreter of the target runtime; without one the test is skipped, or fails under CI."""
    interpreter = build.find_interpreter(build.RUNTIMES[runtime])
    if interpreter is None:
        # CI must run the package template.yaml deploys: a missing interpreter there is a failure.
        message = f"no {runtime} interpreter on this machine: the {runtime} package was NOT built with its bytecode"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI requires it: install it with pyenv)")
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    return interpreter


@pytest.fixture(scope="module")
def target_packages(tmp_path_factory) -> dict[str, build.Package]:
    """Each target runtime's package, built once for the module (a build takes 10-20 s)."""
    return {runtime: build.build(runtime, tmp_path_factory.mktemp(f"dist-{runtime}"))
            for runtime in TARGET_RUNTIMES if build.find_interpreter(build.RUNTIMES[runtime])}


@pytest.fixture(scope="module")
def rebuilt_packages(tmp_path_factory, target_packages) -> dict[str, build.Package]:
    """The same tree built a second time, into another directory, by a second build process."""
    return {runtime: build.build(runtime, tmp_path_factory.mktemp(f"rebuilt-{runtime}")) for runtime in target_packages}


def run_from(package: build.Package, interpreter: str, tmp_path: Path, standin) -> tuple[dict, str]:
    code = tmp_path / "code"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(code)
    cred = standin.credentials
    cfg = {"ak": cred.ak, "sk": cred.sk, "token": cred.security_token, "project": standin.project_id,
           "env": {"SMN_TOPIC_URN": TOPIC, "CCE_ENDPOINT": standin.url, "SMN_ENDPOINT": standin.url},
           "event": event("cts_cluster_upgrade")}
    # -I -S: no site-packages, no environment; -B: write nothing; -v: say where each module came from
    out = subprocess.run([interpreter, "-I", "-S", "-B", "-v", "-c", RUN_FROM_PACKAGE, str(code), json.dumps(cfg)],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def test_the_package_holds_the_function_and_its_runtime_dependencies_only(local_package):
    names = zipfile.ZipFile(local_package.path).namelist()

    assert "index.py" in names and "postcheck/dispatch.py" in names
    for needed in ("huaweicloudsdkcore/", "huaweicloudsdkcce/", "huaweicloudsdksmn/", "pydantic/", "pydantic_core/"):
        assert any(n.startswith(needed) for n in names), needed
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
    assert any(n.startswith("pydantic_core/") and n.endswith(".so") and tag in n for n in names)
    for unwanted in ("tests/", "scripts/", "bin/", "pytest", "hypothesis/", "ruff", "huaweicloudsdkfunctiongraph"):
        assert not any(n.startswith(unwanted) for n in names), unwanted
    assert f"postcheck/__pycache__/dispatch.{sys.implementation.cache_tag}.pyc" in names
    assert "precompiled" in local_package.bytecode


def test_the_same_inputs_give_the_same_zip(local_package, tmp_path):
    again = build.build(LOCAL, tmp_path)

    assert again.sha256 == local_package.sha256
    assert again.path.read_bytes() == local_package.path.read_bytes()


def test_the_handler_runs_from_the_unpacked_package_alone_with_its_bytecode(local_package, tmp_path, standin):
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]

    report, verbose = run_from(local_package, sys.executable, tmp_path, standin)

    assert report["result"]["outcome"] == "checked"
    assert len(standin.published) == 1
    assert report["loaded"] == {"huaweicloudsdkcce.v3": "lazy", "huaweicloudsdksmn.v2": "lazy"}
    assert report["paths"] == []  # nothing came from a site-packages folder
    code = str(tmp_path / "code")
    # every module of the function and of the SDK came from the package's .pyc, none was compiled
    assert f"code object from '{code}/postcheck/__pycache__/dispatch." in verbose
    assert f"code object from '{code}/huaweicloudsdkcce/v3/__pycache__/cce_client." in verbose
    assert "bytecode is stale" not in verbose
    assert f"code object from '{code}/postcheck/dispatch.py'" not in verbose


@pytest.mark.parametrize("runtime", TARGET_RUNTIMES)
def test_the_target_runtimes_package_runs_on_that_python(runtime, target_packages, tmp_path, standin):
    interpreter = target_interpreter(runtime)
    standin.cluster(CLUSTER).upgrade_tasks[0].phases = ["Success"]

    report, verbose = run_from(target_packages[runtime], interpreter, tmp_path, standin)

    assert report["result"]["outcome"] == "checked"
    assert "bytecode is stale" not in verbose


@pytest.mark.parametrize("runtime", TARGET_RUNTIMES)
def test_two_builds_of_one_tree_give_identical_bytes_with_the_target_interpreter(runtime, target_packages,
                                                                                  rebuilt_packages):
    # Python 3.10 writes a frozenset constant in hash order, and string hashes change from process to process
    # unless PYTHONHASHSEED is fixed: before the fix, 42 .pyc files differed between two 3.10 builds.
    interpreter = target_interpreter(runtime)
    first, again = target_packages[runtime], rebuilt_packages[runtime]

    assert interpreter in first.bytecode and interpreter in again.bytecode  # both compiled by that interpreter
    tag = f"cpython-{build.RUNTIMES[runtime].replace('.', '')}.pyc"
    assert any(name.endswith(tag) for name in zipfile.ZipFile(again.path).namelist())
    different = _different_members(first.path, again.path)
    assert different == [], f"{len(different)} file(s) differ between two builds, e.g. {different[:5]}"
    assert again.sha256 == first.sha256
    assert again.path.read_bytes() == first.path.read_bytes()


def _different_members(one: Path, other: Path) -> list[str]:
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(other) as b:
        names = sorted(set(a.namelist()) | set(b.namelist()))
        return [name for name in names if name not in a.namelist() or name not in b.namelist()
                or a.read(name) != b.read(name)]


@pytest.mark.parametrize("runtime", TARGET_RUNTIMES)
def test_an_unchanged_redeploy_after_a_rebuild_sends_no_write(runtime, target_packages, rebuilt_packages, tmp_path,
                                                              standin):
    target_interpreter(runtime)
    root = tmp_path / "project"
    (root / "dist").mkdir(parents=True)
    template = root / "template.yaml"
    template.write_text((ROOT / "template.yaml").read_text(encoding="utf-8").replace("Python3.10", runtime),
                        encoding="utf-8")  # the runtime and the package's path
    shutil.copyfile(target_packages[runtime].path, root / "dist" / f"cce-postcheck-{runtime}.zip")
    cred = standin.credentials
    env = {"HUAWEICLOUD_SDK_AK": cred.ak, "HUAWEICLOUD_SDK_SK": cred.sk, "PROJECT_ID": standin.project_id,
           "HUAWEICLOUD_SDK_SECURITY_TOKEN": cred.security_token or "", "REGION": "cn-north-4",
           "NOTIFY_EMAIL": "ops@example.com"}
    args = ["--template", str(template), "--endpoint", standin.url]
    assert deploy_main(args, env, io.StringIO()) == 0
    assert standin.functions["cce-postcheck"]["code_sha256"] == target_packages[runtime].sha256

    shutil.copyfile(rebuilt_packages[runtime].path, root / "dist" / f"cce-postcheck-{runtime}.zip")  # rebuilt
    mark = len(standin.requests)
    out = io.StringIO()
    assert deploy_main(args, env, out) == 0

    assert [r["operation"] for r in standin.requests[mark:]  # SMN's query by tag is a POST that writes nothing
            if r["method"] != "GET" and r["operation"] != "list_resource_instances"] == []
    assert "nothing to do" in out.getvalue()


# CCE's timestamps as CCE writes them (Go's time format with up to 9 fractional digits and the zone's name, the
# documented example "2016-08-01 10:11:02.139235173 +0000 UTC":
# https://docs.otc.t-systems.com/en-us/api/cce/en-us_topic_0035964136.html) and as RFC 3339; the instant each
# stands for, to the microsecond, in UTC. The standard library's date parsing differs between runtimes (3.10's
# strptime and fromisoformat read at most 6 fractional digits, no "Z"), so each target runtime parses them.
CCE_TIMES = {
    "2016-08-01 10:11:02.139235173 +0000 UTC": "2016-08-01T10:11:02.139235+00:00",
    "2023-06-01 08:30:00.123456789 +0800 CST": "2023-06-01T00:30:00.123456+00:00",
    "2023-06-01 08:30:00.5 +0800 CST": "2023-06-01T00:30:00.500000+00:00",
    "2023-06-01 08:30:00 +0000 UTC": "2023-06-01T08:30:00+00:00",
    "2023-06-01T08:30:00.1234567Z": "2023-06-01T08:30:00.123456+00:00",
    "2023-06-01T08:30:00Z": "2023-06-01T08:30:00+00:00",
    "2023-06-01T08:30Z": "2023-06-01T08:30:00+00:00",
    "2023-06-01T08:30:00+08:00": "2023-06-01T00:30:00+00:00",
    "2023-06-01T16:30:00.25-08:00": "2023-06-02T00:30:00.250000+00:00",
}


@pytest.mark.parametrize("runtime", TARGET_RUNTIMES)
def test_each_target_runtime_reads_cces_timestamps_to_the_microsecond(runtime, target_packages, tmp_path):
    interpreter = target_interpreter(runtime)
    code = tmp_path / "code"
    with zipfile.ZipFile(target_packages[runtime].path) as archive:
        archive.extractall(code)
    script = ("import json, sys\nsys.path[:0] = [sys.argv[1]]\nfrom postcheck.records import parse_time\n"
              "print(json.dumps({t: (lambda p: p and p.isoformat())(parse_time(t)) for t in json.loads(sys.argv[2])}))")
    out = subprocess.run([interpreter, "-I", "-S", "-B", "-c", script, str(code), json.dumps(list(CCE_TIMES))],
                         capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == CCE_TIMES
