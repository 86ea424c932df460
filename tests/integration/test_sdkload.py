"""Loading only the SDK classes used: the lazy path, its fallback, and that both send the same requests."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap

import pytest

from postcheck import sdkload
from scripts.local_context import CHILD_CONTEXT_SOURCE
from scripts.standin import StandIn
from tests.support import ROOT, TOPIC, demo_scenario, event

RUN = CHILD_CONTEXT_SOURCE + """
import json, sys
cfg = json.loads(sys.argv[1])
if cfg["plain"]:  # something imported the SDK packages the ordinary way first
    import huaweicloudsdkcce.v3, huaweicloudsdksmn.v2
import index
from postcheck import sdkload
results = [index.handler(e, Context(cfg))["outcome"] for e in cfg["events"]]
models = [m for m in sys.modules if m.startswith("huaweicloudsdkcce.v3.model.")]
print(json.dumps({"results": results, "loaded": sdkload.LOADED, "models": len(models)}))
"""


def run(standin, plain: bool) -> dict:
    cred = standin.credentials
    cfg = {"plain": plain, "ak": cred.ak, "sk": cred.sk, "token": cred.security_token, "project": standin.project_id,
           "env": {"SMN_TOPIC_URN": TOPIC, "CCE_ENDPOINT": standin.url, "SMN_ENDPOINT": standin.url},
           "events": [event("manual_with_versions"), event("cts_cluster_upgrade"), {"sweep": True}]}
    paths = [str(ROOT / "function"), sysconfig.get_paths()["purelib"]]
    code = f"import sys; sys.path[:0] = {paths!r}\n{RUN}"
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, json.dumps(cfg)], capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def wire(standin) -> list:
    """What reached the stand-in, without what differs by nature (IDs and times it made up)."""
    requests = [(r["method"], r["path"], r["operation"], r["status"]) for r in standin.requests]
    bodies = [p["body"] for p in standin.postchecks]
    subjects = [p["subject"] for p in standin.published]
    return [requests, bodies, subjects]


def test_the_lazy_and_the_plain_import_send_identical_requests():
    scenario = demo_scenario()
    scenario["clusters"][0]["upgrade_tasks"][0]["phases"] = ["Success"]
    with StandIn(scenario) as standin:
        lazy = run(standin, plain=False)
        lazy_wire = wire(standin)
    with StandIn(scenario) as standin:
        plain = run(standin, plain=True)
        plain_wire = wire(standin)

    assert lazy["loaded"] == {"huaweicloudsdkcce.v3": "lazy", "huaweicloudsdksmn.v2": "lazy"}
    assert plain["loaded"] == {"huaweicloudsdkcce.v3": "plain", "huaweicloudsdksmn.v2": "plain"}
    # the manual check marks the workflow done, so the upgrade event after it is ignored
    assert lazy["results"] == plain["results"] == ["checked", "ignored", "swept"]
    # only the classes used were loaded: the requests and answers of nine operations (with the health gate's
    # nodes, node pools and add-ons), not the ~700 model modules of the package
    assert lazy["models"] < 80 < 700 < plain["models"]
    assert plain_wire == lazy_wire


def test_an_unexpected_layout_falls_back_to_the_plain_import(tmp_path, monkeypatch):
    package = tmp_path / "fakesdk" / "v1"
    package.mkdir(parents=True)
    (tmp_path / "fakesdk" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from fakesdk.v1.client import FakeClient\nEXECUTED = True\n")
    (package / "client.py").write_text("class FakeClient:\n    pass\n")  # and no model/ package at all
    monkeypatch.syspath_prepend(str(tmp_path))

    module = sdkload.service_package("fakesdk.v1", ("FakeClient",))

    assert module.EXECUTED is True  # the real __init__ ran
    assert module.FakeClient.__name__ == "FakeClient"
    assert sdkload.LOADED["fakesdk.v1"] == "plain"
    assert sys.modules["fakesdk.v1"] is module


def test_a_needed_class_the_package_does_not_list_falls_back_too(tmp_path, monkeypatch):
    package = tmp_path / "othersdk" / "v2"
    (package / "model").mkdir(parents=True)
    (tmp_path / "othersdk" / "__init__.py").write_text("")
    (package / "__init__.py").write_text(textwrap.dedent("""
        from othersdk.v2.client import OtherClient
        from othersdk.v2.model.thing import Thing
        EXECUTED = True
    """))
    (package / "client.py").write_text("class OtherClient:\n    pass\n")
    (package / "model" / "__init__.py").write_text("from othersdk.v2.model.thing import Thing\n")
    (package / "model" / "thing.py").write_text("class Thing:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    lazy = sdkload.service_package("othersdk.v2", ("OtherClient", "Thing"))
    assert sdkload.LOADED["othersdk.v2"] == "lazy" and not hasattr(lazy, "EXECUTED")
    assert lazy.model.Thing.__name__ == "Thing"

    for name in [m for m in sys.modules if m.startswith("othersdk.v2")]:
        monkeypatch.delitem(sys.modules, name)
    plain = sdkload.service_package("othersdk.v2", ("OtherClient", "NotThere"))
    assert plain.EXECUTED is True and sdkload.LOADED["othersdk.v2"] == "plain"


@pytest.fixture(autouse=True)
def _forget_fakes():
    yield
    for name in [m for m in sys.modules if m.startswith(("fakesdk", "othersdk"))]:
        del sys.modules[name]
