"""Per-file scores and surviving mutants of the last `make mutate` run (mutmut's mutants/*.meta files).

    python -m scripts.mutation_report [--survivors | --markdown] [--no-check]

A mutant counts as killed when a test failed or timed out with it; every other verdict (survived, no tests,
suspicious, not checked) counts against the score. Every mutant not killed needs a verdict in
docs/mutation-survivors.md (equivalent or accepted, and why). Exits 1 when the pure modules together score under
85 % or the whole package under 70 % (issue 7), or when a survivor has no verdict, unless --no-check.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

MUTANTS = Path("mutants") / "src" / "postcheck"
VERDICTS = Path(__file__).resolve().parent.parent / "docs" / "mutation-survivors.md"

# The modules without I/O or SDK calls (issue 7: parsing, decisions, messages, deadlines, configuration).
PURE = ("parse.py", "payloads.py", "envelopes.py", "fields.py", "intent.py", "decision.py", "notification.py",
        "result.py", "deadline.py", "config.py")
PURE_TARGET = 85.0
PACKAGE_TARGET = 70.0

# mutmut's exit codes (mutmut/stats.py): killed by a failing test, or by pytest's internal error; timeouts.
KILLED = {1, 3}
TIMEOUT = {36, 24, -24, 152, 255}
NAMES = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious", None: "not checked"}
KINDS = ("equivalent", "accepted")
# A verdict row: | `x_function__mutmut_3` | equivalent | why |, under a "### module.py" heading.
_HEADING = re.compile(r"^#{2,4}\s+`?(\w+\.py)`?")
_ROW = re.compile(r"^\|\s*`(x\w+__mutmut_\d+)`\s*\|\s*(\w+)\s*\|\s*(.*?)\s*\|\s*$")


def verdict(code: int | None) -> str:
    if code in KILLED:
        return "killed"
    if code in TIMEOUT:
        return "timeout"
    return NAMES.get(code, "suspicious")


def load() -> dict[str, dict[str, str]]:
    """file name -> {mutant name: verdict}"""
    files = {}
    for meta in sorted(MUTANTS.glob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        files[meta.name.removesuffix(".meta")] = {name: verdict(code) for name, code in codes.items()}
    return files


def load_verdicts(path: Path | None = None) -> dict[str, tuple[str, str]]:
    """full mutant name -> (equivalent | accepted, why), from the tables of docs/mutation-survivors.md."""
    path = path or VERDICTS
    found: dict[str, tuple[str, str]] = {}
    module = None
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            module = heading.group(1).removesuffix(".py")
            continue
        row = _ROW.match(line)
        if row and module:
            found[f"postcheck.{module}.{row.group(1)}"] = (row.group(2), row.group(3))
    return found


def unexplained(files: dict[str, dict[str, str]], verdicts: dict[str, tuple[str, str]]) -> list[str]:
    """Survivors without a verdict, or with one that is neither equivalent nor accepted or gives no reason."""
    return [m for vs in files.values() for m, v in vs.items() if v not in ("killed", "timeout", "skipped")
            and (m not in verdicts or verdicts[m][0] not in KINDS or not verdicts[m][1].strip())]


def stale(files: dict[str, dict[str, str]], verdicts: dict[str, tuple[str, str]]) -> list[str]:
    """Verdicts for mutants that are now killed, or that no longer exist."""
    status = {m: v for vs in files.values() for m, v in vs.items()}
    modules = {f"postcheck.{n.removesuffix('.py')}." for n in files}
    return [m for m in verdicts if any(m.startswith(p) for p in modules) and status.get(m, "killed") in
            ("killed", "timeout")]


def change(mutant: str, path: str) -> str:
    """The mutant's changed lines, ``old -> new``, from mutmut's own diff."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # dev dependency, only for the listing

    try:
        diff = get_diff_for_mutant(mutant, path=path).splitlines()
    except Exception as exc:  # noqa: BLE001 - a listing must not stop at one unreadable mutant
        return f"(no diff: {type(exc).__name__})"
    old = " / ".join(line[1:].strip() for line in diff if line.startswith("-") and not line.startswith("---"))
    new = " / ".join(line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++"))
    return f"`{old}` → `{new}`".replace("|", "\\|")


def markdown(files: dict[str, dict[str, str]], verdicts: dict[str, tuple[str, str]]) -> None:
    """Every mutant not killed and not yet explained, by file, as Markdown tables with each change."""
    for name, states in files.items():
        rest = {m: v for m, v in states.items() if v not in ("killed", "timeout") and m not in verdicts}
        if not rest:
            continue
        print(f"\n#### {name} ({len(rest)})\n\n| mutant | status | change |\n|---|---|---|")
        for mutant, v in rest.items():
            short = mutant.split(".", 2)[-1]
            print(f"| `{short}` | {v} | {change(mutant, f'src/postcheck/{name}')} |")


def score(verdicts: list[str]) -> tuple[int, int, float]:
    killed = sum(v in ("killed", "timeout") for v in verdicts)
    total = len(verdicts) - verdicts.count("skipped")
    return killed, total, 100.0 * killed / total if total else 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list every mutant not killed")
    parser.add_argument("--markdown", action="store_true",
                        help="list the survivors without a verdict as Markdown tables, with each change")
    parser.add_argument("--no-check", action="store_true", help="do not fail under the targets")
    args = parser.parse_args()

    files = load()
    if not files:
        print(f"no mutmut results under {MUTANTS}: run `make mutate` first", file=sys.stderr)
        return 2
    verdicts = load_verdicts()
    print(f"{'file':<16} {'killed':>6} {'total':>6} {'score':>7}  not killed")
    for name, states in files.items():
        killed, total, pct = score(list(states.values()))
        others = Counter(v for v in states.values() if v not in ("killed", "timeout"))
        print(f"{name:<16} {killed:>6} {total:>6} {pct:>6.1f}%  {dict(sorted(others.items())) or ''}")
    pure = score([v for n, vs in files.items() if n in PURE for v in vs.values()])
    whole = score([v for vs in files.values() for v in vs.values()])
    print(f"{'pure modules':<16} {pure[0]:>6} {pure[1]:>6} {pure[2]:>6.1f}%  (target {PURE_TARGET:.0f} %)")
    print(f"{'package':<16} {whole[0]:>6} {whole[1]:>6} {whole[2]:>6.1f}%  (target {PACKAGE_TARGET:.0f} %)")
    missing_verdicts = unexplained(files, verdicts)
    outdated = set(stale(files, verdicts))
    kinds = Counter(v[0] for m, v in verdicts.items() if m not in outdated)
    print(f"verdicts: {dict(sorted(kinds.items()))}; survivors without one: {len(missing_verdicts)}; "
          f"verdicts for mutants now killed or gone: {len(outdated)} ({VERDICTS.name})")

    if args.survivors:
        print()
        for states in files.values():
            for mutant, v in states.items():
                if v not in ("killed", "timeout"):
                    print(f"{v:<12} {verdicts.get(mutant, ('-',))[0]:<11} {mutant}")

    if args.markdown:
        markdown(files, verdicts)

    missing = [n for n in PURE if n not in files]
    if missing:
        print(f"no results for {missing}", file=sys.stderr)
    if args.no_check:
        return 0
    return 0 if (pure[2] >= PURE_TARGET and whole[2] >= PACKAGE_TARGET and not missing
                 and not missing_verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
