"""scripts/mutation_report.py: the score of issue 7 and the rule that every survivor has a verdict."""

from __future__ import annotations

import json

from scripts import mutation_report as report

# mutmut's exit codes for one mutant (mutmut/stats.py): 1 a test failed, 0 every test passed, 36 timed out,
# 33 no test reached the function.
META = {"exit_code_by_key": {
    "postcheck.parse.x_a__mutmut_1": 1,
    "postcheck.parse.x_a__mutmut_2": 0,
    "postcheck.parse.x_a__mutmut_3": 36,
    "postcheck.parse.x_b__mutmut_1": 33,
}}


def _run(tmp_path, monkeypatch, verdicts_text: str, *args: str) -> tuple[int, str]:
    meta = tmp_path / "mutants" / "src" / "postcheck" / "parse.py.meta"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps(META), encoding="utf-8")
    doc = tmp_path / "survivors.md"
    doc.write_text(verdicts_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(report, "VERDICTS", doc)
    monkeypatch.setattr("sys.argv", ["mutation_report", *args])
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = report.main()
    return code, out.getvalue()


def test_killed_and_timed_out_mutants_count_and_every_other_verdict_counts_against(tmp_path, monkeypatch):
    _, out = _run(tmp_path, monkeypatch, "", "--no-check")
    parse_line = next(line for line in out.splitlines() if line.startswith("parse.py"))
    assert parse_line.split()[1:4] == ["2", "4", "50.0%"]


def test_a_survivor_without_a_verdict_fails_the_check(tmp_path, monkeypatch):
    doc = "### parse.py\n\n| mutant | verdict | why |\n|---|---|---|\n| `x_a__mutmut_2` | equivalent | same text |\n"
    code, out = _run(tmp_path, monkeypatch, doc)
    assert code == 1
    assert "survivors without one: 1" in out  # x_b__mutmut_1 (no tests) has none


def test_a_verdict_must_be_equivalent_or_accepted_with_a_reason(tmp_path, monkeypatch):
    rows = ("| `x_a__mutmut_2` | equivalent | same text |\n| `x_b__mutmut_1` | fine |  |\n")
    verdicts = report.load_verdicts(_doc(tmp_path, rows))
    files = {"parse.py": {m: report.verdict(c) for m, c in META["exit_code_by_key"].items()}}
    assert report.unexplained(files, verdicts) == ["postcheck.parse.x_b__mutmut_1"]


def test_a_verdict_for_a_mutant_now_killed_is_reported_stale(tmp_path, monkeypatch):
    rows = "| `x_a__mutmut_1` | accepted | was a survivor |\n"
    verdicts = report.load_verdicts(_doc(tmp_path, rows))
    files = {"parse.py": {m: report.verdict(c) for m, c in META["exit_code_by_key"].items()}}
    assert report.stale(files, verdicts) == ["postcheck.parse.x_a__mutmut_1"]


def _doc(tmp_path, rows: str):
    path = tmp_path / "v.md"
    head = "# Survivors\n\n### parse.py\n\n| mutant | verdict | why |\n|---|---|---|\n"
    path.write_text(head + rows, encoding="utf-8")
    return path
