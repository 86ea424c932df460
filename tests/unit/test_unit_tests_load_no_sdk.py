"""tests/unit is pure (issue 12): importing any of its modules, with the helpers they use, loads no Huawei Cloud SDK
package and no stand-in. Checked in a fresh interpreter, since this one has the whole suite loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import postcheck

UNIT = Path(__file__).resolve().parent
ROOT = UNIT.parents[1]

PROGRAM = """
import importlib, json, sys
sys.path[:0] = sys.argv[1:4]
for name in json.loads(sys.argv[4]):
    importlib.import_module(name)
print(json.dumps(sorted(name for name in sys.modules
                        if name.startswith("huaweicloudsdk") or name.split(".")[:2] == ["scripts", "standin"])))
"""


def test_no_unit_test_module_loads_the_sdk_or_the_standin() -> None:
    # pytest loads the root conftest for these tests too
    modules = ["tests.conftest", "conftest", *sorted(path.stem for path in UNIT.glob("test_*.py"))]
    assert len(modules) > 10  # the unit tests are where this test looks for them
    # as pytest imports them (pyproject's pythonpath; the package from where this run has it: mutmut's copy differs)
    paths = [str(UNIT), str(Path(postcheck.__file__).resolve().parents[1]), str(ROOT)]

    run = subprocess.run([sys.executable, "-c", PROGRAM, *paths, json.dumps(modules)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []
