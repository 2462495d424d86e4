"""The command line starts without importing what it does not use, and lists every command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from conftest import REPO
from typer.testing import CliRunner

from bench.cli import COMMANDS, GROUPS, app

HEAVY = ("pandas", "numpy", "matplotlib", "datasets", "torch", "pyarrow", "scipy", "nltk")
"""Modules that cost from 0.1 to several seconds to import."""


def _modules_after(args: list[str]) -> set[str]:
    """The modules loaded by ``sumbench ARGS`` in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "from bench.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.__stderr__.write('MODULES' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    return set(json.loads(done.stderr.rsplit("MODULES", 1)[1]))


@pytest.mark.parametrize(
    "args",
    [["--help"], ["tasks", "list"], ["tasks", "show", "paris-summit-004"], ["tasks", "--help"]],
)
def test_the_command_line_does_not_import_heavy_modules_it_does_not_use(args: list[str]) -> None:
    loaded = _modules_after(args)
    assert "bench.cli" in loaded
    assert not {m.split(".")[0] for m in loaded} & set(HEAVY), sorted(
        m for m in loaded if m.split(".")[0] in HEAVY
    )[:10]


def test_help_alone_imports_no_command_module() -> None:
    loaded = _modules_after(["--help"])
    # bench._lazy (the package's first-use imports, standard library only) comes with `bench`
    assert not {
        m for m in loaded if m.startswith("bench.") and m not in ("bench.cli", "bench._lazy")
    }


def _eager_app() -> typer.Typer:
    """The same commands registered the ordinary way (every module imported)."""
    import importlib

    eager = typer.Typer(
        help="Evaluate summarizers: run benchmarks, score outputs, build reports.",
        no_args_is_help=True,
        add_completion=False,
    )
    for name, (module, function) in COMMANDS.items():
        eager.command(name)(getattr(importlib.import_module(module), function))
    for name, (help, members) in GROUPS.items():
        group = typer.Typer(help=help, no_args_is_help=True)
        for command, (module, function) in members.items():
            group.command(command)(getattr(importlib.import_module(module), function))
        eager.add_typer(group, name=name)
    return eager


@pytest.mark.parametrize(
    "args", [["--help"], ["tasks", "--help"], ["systems", "--help"], ["run", "--help"]]
)
def test_lazy_help_reads_exactly_as_eager_help(args: list[str]) -> None:
    runner = CliRunner()
    lazy, eager = runner.invoke(app, args), runner.invoke(_eager_app(), args)
    assert lazy.exit_code == eager.exit_code == 0
    assert lazy.output == eager.output


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["nosuch"])
    assert result.exit_code == 2 and "No such command 'nosuch'" in result.output


def test_commands_that_never_compare_words_do_not_import_nltk(tmp_path: Path) -> None:
    # The registries import every scorer module; NLTK (about a second, with scipy.stats) comes
    # with the first word stemmed.
    run = tmp_path / "run"
    shutil.copytree(REPO / "results" / "baseline", run)
    for args in (
        ["report", str(run), "--no-charts", "--no-view"],
        ["compare", str(run), str(run)],
        ["scorers", "list"],
    ):
        loaded = _modules_after(args)
        assert "bench.scorers.rouge" in loaded, args
        assert "nltk" not in loaded, args
