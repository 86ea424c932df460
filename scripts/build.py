"""Build the deployment package: the zip FunctionGraph runs.

    python -m scripts.build --runtime Python3.10        # or Python3.12; Python3.11 = this machine, for tests
    python -m scripts.build --runtime Python3.12 --python /path/to/python3.12 --out dist/

The zip holds the code of ``function/`` at its root (``index.py`` there) and the pinned runtime dependencies
of ``requirements/runtime.txt``, installed from wheels for the target CPython on x86_64 Linux (compiled
wheels such as ``pydantic_core`` match it), and nothing else: no tools, no tests, no console scripts.

Where an interpreter of the target version is at hand (``--python``, ``pythonX.Y`` on PATH, or pyenv's
versions), every module is precompiled with ``--invalidation-mode unchecked-hash``: such bytecode does not
depend on file times, so it stays valid after the zip is extracted, and the read-only code directory never
needs compiling. The build says when it could not.

The same inputs give the same zip, byte for byte: sorted entries, fixed times and permissions.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIMES = {"Python3.10": "3.10", "Python3.12": "3.12", "Python3.11": "3.11"}
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64")
CODE_DIR = "/opt/function/code"  # where FunctionGraph extracts the code: the path tracebacks show
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PRUNE_DIRS = ("bin", "__pycache__")
# The whole environment of the compiling interpreter: a fixed hash seed (see _compile), nothing else.
COMPILE_ENVIRONMENT = {"PYTHONHASHSEED": "0"}


@dataclass(frozen=True)
class Package:
    path: Path
    size: int
    sha256: str
    files: int
    bytecode: str  # what was compiled with, or why nothing was


def build(runtime: str, out_dir: Path, python: str | None = None) -> Package:
    version = RUNTIMES[runtime]
    with tempfile.TemporaryDirectory(prefix="cce-postcheck-build-") as tmp:
        stage = Path(tmp) / "code"
        _install_dependencies(stage, version)
        _prune(stage)
        _copy_function(stage)
        interpreter = find_interpreter(version, python)
        if interpreter:
            _compile(stage, interpreter)
            bytecode = f"precompiled with {interpreter} (unchecked-hash .pyc)"
        else:
            bytecode = (f"none: no Python {version} interpreter found (pass --python); the function will "
                        "compile every module at each cold start")
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"cce-postcheck-{runtime}.zip"
        files = _zip(stage, target)
    data = target.read_bytes()
    return Package(target, len(data), hashlib.sha256(data).hexdigest(), files, bytecode)


def find_interpreter(version: str, explicit: str | None = None) -> str | None:
    """A CPython of ``version``: the one given, this one, ``pythonX.Y`` on PATH, or one of pyenv's."""
    candidates = [explicit] if explicit else []
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        candidates.append(sys.executable)
    candidates.append(shutil.which(f"python{version}"))
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / f"python{version}") for p in sorted(pyenv.glob(f"{version}.*"), reverse=True)]
    for candidate in filter(None, candidates):
        if _reports_version(candidate, version):
            return candidate
    return None


def _reports_version(interpreter: str, version: str) -> bool:
    try:
        out = subprocess.run([interpreter, "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def _install_dependencies(stage: Path, version: str) -> None:
    platforms = [arg for p in PLATFORMS for arg in ("--platform", p)]
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--no-deps", "--only-binary=:all:", "--implementation", "cp", "--python-version", version, *platforms,
         "--target", str(stage), "-r", str(ROOT / "requirements" / "runtime.txt")],
        check=True,
    )


def _prune(stage: Path) -> None:
    for directory in sorted(stage.rglob("*"), reverse=True):
        if directory.is_dir() and directory.name in PRUNE_DIRS:
            shutil.rmtree(directory)


def _copy_function(stage: Path) -> None:
    source = ROOT / "function"
    for path in sorted(source.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        target = stage / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _compile(stage: Path, interpreter: str) -> None:
    """Compile every module with ``interpreter``, the same bytes on every run.

    Before 3.11, marshal writes a frozenset constant (``x in {"a", "b"}``) in its iteration order, which follows
    the string hashes, which are randomised per process: three 3.10 builds in a row gave three zips, 42 ``.pyc``
    files apart. A fixed ``PYTHONHASHSEED`` in the compiling interpreter's (and its workers') environment fixes
    the order. ``-I`` would ignore that variable (it implies ``-E``), so the isolation is spelled out instead: an
    environment holding nothing but the seed, ``-s -S`` (no user or site packages) and an empty working
    directory (nothing of the stage shadows the standard library).

    One process (``-j 1``), in compileall's sorted order: marshal (3.10) marks an interned string for back-reference
    only when something else holds it, so a file's bytes also depend on what the same process compiled before it;
    with a pool of workers that varies from run to run (one 3.10 file still differed with the seed fixed).
    """
    with tempfile.TemporaryDirectory(prefix="cce-postcheck-compile-") as empty:
        subprocess.run(
            [interpreter, "-s", "-S", "-m", "compileall", "-q", "-j", "1", "--invalidation-mode", "unchecked-hash",
             "-s", str(stage), "-p", CODE_DIR, str(stage)],
            check=True, cwd=empty, env=COMPILE_ENVIRONMENT,
        )


def _zip(stage: Path, target: Path) -> int:
    paths = sorted(p for p in stage.rglob("*") if p.is_file())
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for path in paths:
            info = zipfile.ZipInfo(path.relative_to(stage).as_posix(), date_time=ZIP_TIME)
            info.create_system = 3  # Unix, so that the permissions below are read
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(target)
    return len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", choices=sorted(RUNTIMES), default="Python3.10")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--python", help="an interpreter of the target version, for the bytecode")
    args = parser.parse_args(argv)
    package = build(args.runtime, args.out, args.python)
    print(f"{package.path}: {package.size / 1e6:.1f} MB, {package.files} files, sha256 {package.sha256}")
    print(f"bytecode: {package.bytecode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
