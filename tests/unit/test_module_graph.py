"""The shape of ``function/postcheck`` (issue 12): its modules import one another without a loop, and the pure
core (event parsing, CCE's records, the decisions, the health judgement, the messages, the result) reaches no SDK,
directly or through another module. Read from the sources (their ``import`` statements), nothing imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import postcheck

# The package the tests import (function/postcheck; under mutmut, its mutated copy)
PACKAGE = Path(postcheck.__file__).resolve().parent
PURE = ("fields", "bounds", "times", "payloads", "envelopes", "intent", "parse", "records", "decision", "health",
        "result", "notification", "chat", "policy", "config", "deadline", "logs")
SDK_EDGE = ("sdk", "sdkload", "cce", "smn", "endpoints")  # the modules that import the Huawei Cloud SDK


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


DESIGN = Path(__file__).resolve().parents[2] / "docs" / "design.md"


def _flow_order() -> list[str]:
    """The flow modules in the order docs/design.md lists them ("**Flow**": each imports only those before it)."""
    text = DESIGN.read_text(encoding="utf-8")
    section = text[text.index("**Flow**"):text.index("## One CTS event")]
    return [line.split("`")[1] for line in section.splitlines() if line.startswith("- `")]


def test_the_design_lists_every_module_once():
    listed = [line.split("`")[1] for line in DESIGN.read_text(encoding="utf-8").splitlines()
              if line.startswith("- `") and line.split("`")[1] in GRAPH]
    assert sorted(listed) == sorted(set(GRAPH) - {"__init__"})


@pytest.mark.parametrize("module", _flow_order())
def test_a_flow_module_imports_only_the_flow_modules_listed_before_it(module):
    order = _flow_order()
    later = set(order[order.index(module):])
    assert not GRAPH[module][0] & later, f"{module} imports {sorted(GRAPH[module][0] & later)}"
