"""postcheck.sdkload on small packages laid out as the Huawei SDK's are (platform facts, "Cold start"):
``<dist>/<version>/__init__.py`` imports the client and every model (``from <module> import <Class>`` lines), and
``<version>/model/__init__.py`` imports every model; the client resolves models with
``getattr(importlib.import_module("<package>.model"), name)``.

The contract (sdkload's docstring, docs/performance.md, "Cold start"): only the classes used are loaded, the package's
and the model package's ``__init__`` never run; anything unexpected falls back to the plain import, never wrong; a
package already imported is used as it is. ``LOADED`` says which way each package was loaded.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from postcheck import sdkload

DIST = "lazyfake"


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    fresh: dict[str, str] = {}
    monkeypatch.setattr(sdkload, "LOADED", fresh)
    return fresh


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / DIST).mkdir()
    (tmp_path / DIST / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    for name in [m for m in sys.modules if m == DIST or m.startswith(DIST + ".")]:
        del sys.modules[name]


def make(root: Path, version: str, *, package_tail: str = "\n", model_lines: str | None = None,
         broken_thing: bool = False) -> str:
    """A package ``lazyfake.<version>`` with a client, two models and markers of what ran."""
    name = f"{DIST}.{version}"
    package = root / DIST / version
    (package / "model").mkdir(parents=True)
    (package / "__init__.py").write_text(
        f"from {name}.client import FakeClient\n"
        f"from {name}.model.thing import Thing\n"
        f"from {name}.model.other import Other\n"
        "EXECUTED = True" + package_tail)
    (package / "client.py").write_text("class FakeClient:\n    pass\n")
    (package / "model" / "__init__.py").write_text(
        model_lines if model_lines is not None else
        f"from {name}.model.thing import Thing\nfrom {name}.model.other import Other\nEXECUTED = True\n")
    (package / "model" / "thing.py").write_text("class Thing:\n    pass\n" if not broken_thing else "Nothing = 1\n")
    (package / "model" / "other.py").write_text("class Other:\n    pass\n")
    return name


def test_only_the_classes_asked_for_are_loaded_and_no_init_runs(root: Path, loaded: dict[str, str]) -> None:
    name = make(root, "v1")

    package = sdkload.service_package(name, ("FakeClient", "Thing"))

    assert loaded == {name: "lazy"}
    assert sys.modules[name] is package
    assert "EXECUTED" not in vars(package)
    model = sys.modules[f"{name}.model"]
    assert package.model is model and "EXECUTED" not in vars(model)
    assert f"{name}.model.thing" in sys.modules and f"{name}.client" in sys.modules
    assert f"{name}.model.other" not in sys.modules  # not asked for: not loaded


def test_the_sdks_way_of_finding_a_model_works_on_the_lazy_package(root: Path, loaded: dict[str, str]) -> None:
    name = make(root, "v2")
    sdkload.service_package(name, ("FakeClient",))

    other = importlib.import_module(f"{name}.model").Other

    assert other.__name__ == "Other" and other.__module__ == f"{name}.model.other"
    assert "EXECUTED" not in vars(sys.modules[f"{name}.model"])


def test_a_class_is_imported_once_and_then_kept(root: Path, loaded: dict[str, str]) -> None:
    name = make(root, "v3")
    package = sdkload.service_package(name, ("FakeClient",))

    first = package.Thing

    assert vars(package)["Thing"] is first  # kept on the module: the next lookup does not go through __getattr__
    assert package.Thing is first is sys.modules[f"{name}.model.thing"].Thing


def test_a_name_the_package_does_not_list_is_a_plain_attribute_error(root: Path, loaded: dict[str, str]) -> None:
    name = make(root, "v4")
    package = sdkload.service_package(name, ("FakeClient",))

    with pytest.raises(AttributeError) as raised:
        package.NotThere  # noqa: B018 - the lookup is the test

    assert "NotThere" in str(raised.value) and name in str(raised.value)
    assert not hasattr(package.model, "AlsoNotThere")


def test_a_package_init_without_a_final_newline_still_lists_the_models(root: Path, loaded: dict[str, str]) -> None:
    # The model package's first line names the class only it lists.
    name = make(root, "v5", package_tail="",
                model_lines=f"from {DIST}.v5.model.thing import Thing\nfrom {DIST}.v5.model.only import Only\n")
    (root / DIST / "v5" / "model" / "only.py").write_text("class Only:\n    pass\n")
    (root / DIST / "v5" / "model" / "__init__.py").write_text(
        f"from {DIST}.v5.model.only import Only\nfrom {DIST}.v5.model.thing import Thing\n")

    package = sdkload.service_package(name, ("FakeClient", "Only"))

    assert loaded[name] == "lazy"
    assert package.model.Only.__name__ == "Only"


def test_a_class_that_does_not_load_falls_back_to_the_plain_import_everywhere(root: Path,
                                                                             loaded: dict[str, str]) -> None:
    name = make(root, "v6", broken_thing=True)  # listed, but its module does not define it

    with pytest.raises(ImportError):  # the plain import fails the same way: the package really is broken
        sdkload.service_package(name, ("FakeClient", "Thing"))

    assert loaded[name] == "plain"
    # no stub left behind for the plain import to trip over
    for module_name in (name, f"{name}.model"):
        module = sys.modules.get(module_name)
        assert module is None or not isinstance(module.__dict__.get("__getattr__"), sdkload._Resolver)


def test_a_fallback_runs_the_real_inits_of_the_package_and_its_models(root: Path, loaded: dict[str, str]) -> None:
    name = make(root, "v7")

    package = sdkload.service_package(name, ("FakeClient", "Unlisted"))

    assert loaded[name] == "plain"
    assert package.EXECUTED is True
    assert sys.modules[f"{name}.model"].EXECUTED is True  # the model package was imported for real too
    assert package.model is sys.modules[f"{name}.model"]


def test_a_package_already_imported_plainly_is_used_as_it_is(root: Path, loaded: dict[str, str]) -> None:
    name = make(root, "v8")
    plain = importlib.import_module(name)

    assert sdkload.service_package(name, ("FakeClient", "Thing")) is plain
    assert loaded == {name: "plain"}
    assert plain.EXECUTED is True


def test_a_package_loaded_lazily_before_is_the_same_package_and_still_lazy(root: Path,
                                                                            loaded: dict[str, str]) -> None:
    name = make(root, "v9")
    first = sdkload.service_package(name, ("FakeClient",))
    loaded.clear()  # as another module of the function would find it

    again = sdkload.service_package(name, ("FakeClient", "Thing"))

    assert again is first and loaded == {name: "lazy"}


def test_what_a_package_was_first_loaded_as_is_kept(root: Path, loaded: dict[str, str]) -> None:
    name = make(root, "v10")
    sdkload.service_package(name, ("FakeClient",))
    sys.modules[name].__dict__.pop("__getattr__")  # whatever happened to it since

    sdkload.service_package(name, ("FakeClient",))

    assert loaded == {name: "lazy"}


def test_the_real_sdk_packages_the_function_uses_are_loaded(loaded: dict[str, str]) -> None:
    from postcheck import smn

    assert smn.SmnClient.__name__ == "SmnClient"
    assert smn.PublishMessageRequest.__name__ == "PublishMessageRequest"
    assert sdkload.service_package("huaweicloudsdksmn.v2", ("SmnClient",)) is sys.modules["huaweicloudsdksmn.v2"]
    assert set(loaded) == {"huaweicloudsdksmn.v2"}


def test_a_package_name_with_a_deeper_parent_loads_lazily(root: Path, loaded: dict[str, str]) -> None:
    (root / DIST / "deep").mkdir()
    (root / DIST / "deep" / "__init__.py").write_text("")
    deep = root / DIST / "deep"
    name = f"{DIST}.deep.v1"
    (deep / "v1" / "model").mkdir(parents=True)
    (deep / "v1" / "__init__.py").write_text(textwrap.dedent(f"""\
        from {name}.client import DeepClient
        EXECUTED = True
    """))
    (deep / "v1" / "client.py").write_text("class DeepClient:\n    pass\n")
    (deep / "v1" / "model" / "__init__.py").write_text("")

    package = sdkload.service_package(name, ("DeepClient",))

    assert loaded[name] == "lazy" and "EXECUTED" not in vars(package)
    assert package.DeepClient.__name__ == "DeepClient"
