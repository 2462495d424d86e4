"""Names a package imports on first use (bench._lazy)."""

from __future__ import annotations

import sys
import types

import pytest

from bench._lazy import lazy_exports


def test_a_name_is_imported_on_first_use_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    package = types.ModuleType("lazy_demo")
    monkeypatch.setitem(sys.modules, "lazy_demo", package)
    getattr_, dir_ = lazy_exports("lazy_demo", {"json": ("dumps",), "textwrap": ("dedent",)})
    package.__getattr__ = getattr_  # type: ignore[method-assign]
    assert {"dumps", "dedent"} <= set(dir_())
    assert "dumps" not in vars(package)
    assert package.dumps([1]) == "[1]"
    assert vars(package)["dumps"] is sys.modules["json"].dumps  # kept: the next use is plain
    with pytest.raises(AttributeError, match="module 'lazy_demo' has no attribute 'loads'"):
        _ = package.loads


def test_the_packages_export_their_names() -> None:
    import bench
    import bench.run

    assert bench.Task.__module__ == "bench.task"
    assert "plan_run" in dir(bench.run) and bench.run.RunError.__name__ == "RunError"
    with pytest.raises(AttributeError, match="module 'bench' has no attribute 'Nope'"):
        _ = bench.Nope  # type: ignore[attr-defined]
