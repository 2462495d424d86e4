"""Third-party adapters and scorers, found through entry points of an installed distribution.

The fixture distribution ``tests/fixtures/plugin_pkg`` (``sumbench-shout``) is installed with pip
into a temporary folder, never into the project's environment; putting that folder on
``sys.path`` / ``PYTHONPATH`` is enough for ``importlib.metadata`` to find its ``.dist-info``.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_task

from bench.registry import Registry

FIXTURE = Path(__file__).parent / "fixtures" / "plugin_pkg"
ORIGIN = "plugin:sumbench-shout"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed plugin distribution (built from a copy: pip builds
    in the source tree and would leave build/ and *.egg-info in the repository)."""
    source = tmp_path_factory.mktemp("plugin-src") / "plugin_pkg"
    shutil.copytree(FIXTURE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    site = tmp_path_factory.mktemp("plugin-site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture
def on_path(plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The plugin folder on this process's ``sys.path`` for one test."""
    monkeypatch.syspath_prepend(str(plugin_site))
    yield plugin_site
    for module in ("sumbench_shout", "sumbench_shout_broken"):
        sys.modules.pop(module, None)


def sumbench(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter that sees the plugin folder through PYTHONPATH."""
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "bench.cli", *args],
        env={**os.environ, "PYTHONPATH": path},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def systems_list(
    plugin_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> subprocess.CompletedProcess[str]:
    """``sumbench systems list`` with the plugin visible (run once: it takes seconds)."""
    return sumbench(plugin_site, "systems", "list", cwd=tmp_path_factory.mktemp("list"))


def test_dist_info_in_a_folder_on_sys_path_is_discovered(on_path: Path) -> None:
    found = {ep.name: ep for ep in importlib.metadata.entry_points(group="sumbench.adapters")}
    assert found["shout"].value == "sumbench_shout:Shout"
    assert found["shout"].dist is not None and found["shout"].dist.name == "sumbench-shout"


def test_plugin_is_not_installed_in_the_project_environment(plugin_site: Path) -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("sumbench-shout")


def test_registry_loads_plugins_with_their_origin_and_records_broken_ones(on_path: Path) -> None:
    registry: Registry[object] = Registry("adapter", "sumbench.adapters")
    shout = registry.get("shout")
    assert shout.origin == ORIGIN
    assert shout.parameters() == {"mark": "'!'"}
    assert "ImportError" in registry.broken()["whisper"]


def test_systems_list_shows_the_plugin_adapter_with_origin_and_parameters(
    systems_list: subprocess.CompletedProcess[str],
) -> None:
    result = systems_list
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    summary = "The first sentence of the first document, upper-cased."
    assert f"shout\t{ORIGIN}\tmark='!'\t{summary}" in lines
    assert any(line.startswith("lead\tbuiltin\t") for line in lines)


@pytest.mark.slow
def test_scorers_list_shows_the_plugin_scorer(plugin_site: Path, tmp_path: Path) -> None:
    result = sumbench(plugin_site, "scorers", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"exclaim\t{ORIGIN}\t-\tHow many exclamation marks a summary has." in (
        result.stdout.splitlines()
    )


@pytest.mark.slow
def test_run_with_a_plugin_adapter_and_scorer_records_their_origin(
    plugin_site: Path, tmp_path: Path
) -> None:
    write_task(tmp_path)
    out = tmp_path / "run"
    result = sumbench(
        plugin_site,
        "run",
        "--tasks",
        "tasks",
        "--systems",
        "shout",
        "--scorers",
        "exclaim",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "run.json").read_text())
    assert [(s["name"], s["origin"]) for s in info["systems"]] == [("shout", ORIGIN)]
    assert [(s["name"], s["origin"]) for s in info["scorers"]] == [("exclaim", ORIGIN)]
    [output] = [json.loads(line) for line in (out / "outputs.jsonl").read_text().splitlines()]
    assert output["summary"] == "THE COUNCIL APPROVED THE NEW BRIDGE ON MONDAY!"
    scores = pd.read_csv(out / "scores.csv")
    assert scores[["system", "scorer", "metric", "value"]].values.tolist() == [
        ["shout", "exclaim", "exclaims", 1.0]
    ]


def test_a_broken_plugin_does_not_break_the_built_ins(
    systems_list: subprocess.CompletedProcess[str],
) -> None:
    result = systems_list
    assert result.returncode == 0, result.stderr
    names = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert {"lead", "textrank", "precomputed", "shout"} <= set(names)


def test_systems_list_names_a_broken_plugin_with_its_error(
    systems_list: subprocess.CompletedProcess[str],
) -> None:
    result = systems_list
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert any(line.startswith("whisper\t") and "megaphone" in line for line in lines), lines


@pytest.mark.slow
def test_using_a_broken_plugin_is_a_clear_error(plugin_site: Path, tmp_path: Path) -> None:
    write_task(tmp_path)
    result = sumbench(plugin_site, "run", "--tasks", "tasks", "--systems", "whisper", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "plugin adapter 'whisper' from sumbench-shout failed to load: ImportError: "
        "sumbench_shout_broken needs the 'megaphone' package" in " ".join(result.stderr.split())
    )
    assert not (tmp_path / "results").exists()
