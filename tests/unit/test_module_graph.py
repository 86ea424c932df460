"""The shape of ``function/postcheck`` (issue 12): its modules import one another without a loop, and the pure
core (event parsing, CCE's records, the decisions, the health judgement, the messages, the result) reaches no SDK,
directly or through another module. Read from the sources (their ``import`` statements), nothing imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "function" / "postcheck"
PURE = ("fields", "bounds", "times", "payloads", "envelopes", "intent", "parse", "records", "decision", "health",
        "result", "notification", "chat", "policy")
SDK_EDGE = ("sdk", "sdkload", "cce", "smn")  # the modules that talk to the Huawei Cloud SDK


def _imports() -> dict[str, tuple[set[str], set[str]]]:
    """Each module: (the package's modules it imports, the outside top-level packages it imports)."""
    graph = {}
    for path in sorted(PACKAGE.glob("*.py")):
        inside, outside = set(), set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                inside |= {node.module} if node.module else {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                outside.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                outside |= {alias.name.split(".")[0] for alias in node.names}
        graph[path.stem] = ({name.split(".")[0] for name in inside}, outside)
    return graph


GRAPH = _imports()


def _reached(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for name in GRAPH[todo.pop()][0] - seen:
            seen.add(name)
            todo.append(name)
    return seen


def test_the_graph_is_read_from_the_package():
    assert {"dispatch", "check", "sweep", "sdk"} <= set(GRAPH)
    assert "cce" in GRAPH["runtime"][0] and "huaweicloudsdkcore" in GRAPH["sdk"][1]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_reaches_itself_through_its_imports(module):
    assert module not in _reached(module)


@pytest.mark.parametrize("module", PURE)
def test_the_pure_core_reaches_no_sdk(module):
    reached = _reached(module) | {module}
    assert not reached & set(SDK_EDGE), f"{module} reaches {sorted(reached & set(SDK_EDGE))}"
    outside = set().union(*(GRAPH[name][1] for name in reached))
    assert not {name for name in outside if name.startswith(("huaweicloudsdk", "requests", "urllib3"))}
