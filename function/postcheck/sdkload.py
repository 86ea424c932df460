"""Load only the SDK classes this function uses: the cold-start fix, in one guarded place.

``huaweicloudsdkcce.v3`` imports all of its ~714 model modules in its ``__init__``, and the client looks
response classes up with ``getattr(importlib.import_module("<package>.model"), name)``. Importing a
submodule does not avoid the package ``__init__``. So :func:`service_package` registers the package and
its ``model`` package as modules that are *not executed*, each with a module ``__getattr__`` (PEP 562)
that imports a class's own module the first time the class is asked for. Which module holds which class
is read from the package's own ``__init__.py`` files (``from <module> import <Class>`` lines).

If anything about that layout is not as expected (files missing, a needed class not listed, a class that
does not import), the stubs are removed and the package is imported the ordinary way: slower, never wrong.
A package already imported (by anything) is used as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
from pathlib import Path

_IMPORT_LINE = re.compile(r"^from\s+(?P<module>[\w.]+)\s+import\s+(?P<name>\w+)\s*$", re.MULTILINE)

# How each package was loaded: "lazy" or "plain" (for tests and the benchmark).
LOADED: dict[str, str] = {}


def service_package(name: str, needs: tuple[str, ...]) -> types.ModuleType:
    """The SDK package ``name`` (e.g. ``huaweicloudsdkcce.v3``), loading classes on first use."""
    existing = sys.modules.get(name)
    if existing is not None:
        LOADED.setdefault(name, "lazy" if isinstance(existing.__dict__.get("__getattr__"), _Resolver) else "plain")
        return existing
    try:
        package = _lazy(name, needs)
    except Exception:  # noqa: BLE001 - any surprise in the SDK's layout: fall back to the plain import
        for module_name in (f"{name}.model", name):
            if isinstance(getattr(sys.modules.get(module_name), "__getattr__", None), _Resolver):
                del sys.modules[module_name]
        LOADED[name] = "plain"
        return importlib.import_module(name)
    LOADED[name] = "lazy"
    return package


class _Resolver:
    """A module ``__getattr__``: imports the module that defines the asked-for class, once."""

    def __init__(self, module: types.ModuleType, where: dict[str, str]) -> None:
        self._module = module
        self._where = where

    def __call__(self, attribute: str) -> object:
        target = self._where.get(attribute)
        if target is None:
            raise AttributeError(f"module {self._module.__name__!r} has no attribute {attribute!r}")
        value = getattr(importlib.import_module(target), attribute)
        setattr(self._module, attribute, value)
        return value


def _lazy(name: str, needs: tuple[str, ...]) -> types.ModuleType:
    importlib.import_module(name.rpartition(".")[0])  # the distribution's top package (an empty __init__)
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{name} is not a package")
    root = Path(next(iter(spec.submodule_search_locations)))
    listed = (root / "__init__.py").read_text("utf-8") + "\n" + (root / "model" / "__init__.py").read_text("utf-8")
    where = {m["name"]: m["module"] for m in _IMPORT_LINE.finditer(listed) if m["module"].startswith(name + ".")}
    missing = [n for n in needs if n not in where]
    if missing:
        raise LookupError(f"{name} does not list {', '.join(missing)}")
    package = _register(spec, where)
    model_spec = importlib.util.find_spec(f"{name}.model")
    if model_spec is None:
        raise ImportError(f"{name}.model not found")
    package.model = _register(model_spec, {k: v for k, v in where.items() if v.startswith(f"{name}.model.")})
    for needed in needs:
        getattr(package, needed)  # every class this function uses must load now, or the plain import is used
    return package


def _register(spec: importlib.machinery.ModuleSpec, where: dict[str, str]) -> types.ModuleType:
    module = importlib.util.module_from_spec(spec)  # created, not executed: its __init__ never runs
    module.__getattr__ = _Resolver(module, where)  # type: ignore[method-assign]
    sys.modules[spec.name] = module
    return module
