"""Run configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from bench.cli import app
from bench.run.config import ScorerEntry, SystemEntry, load_config
from bench.store import Store
from bench.task import TaskError

runner = CliRunner()


def test_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOLLM2_DIR", "/models/smollm2")
    config = load_config(REPO / "examples" / "compare-models.yaml")
    adapters = [s.adapter if isinstance(s, SystemEntry) else s for s in config.systems]
    assert adapters[:5] == ["lead", "textrank", "lexrank", "oracle", "human"]
    assert "hf" in adapters and config.baseline_system == "lead"


def test_run_from_a_config_file_with_entries_and_strings(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"""
tasks: {REPO / "tasks" / "paris-summit-002"}
references: {REPO / "references"}
out: {tmp_path / "run"}
systems:
  - lead
  - adapter: lead
    name: lead1
    params: {{k: 1}}
scorers:
  - stats
  - scorer: rouge
    params: {{stem: false}}
metrics: [rouge1_f, words]
""")
    result = runner.invoke(app, ["run", "--config", str(config), "--no-charts"])
    assert result.exit_code == 0, result.stderr
    info = Store(tmp_path / "run").run_info()
    assert [s["name"] for s in info["systems"]] == ["lead", "lead1"]
    assert info["systems"][1]["params"] == {"k": 1}
    assert "stem:none" in info["signatures"]["rouge:stem=False"]
    header = result.stdout.splitlines()[0]
    assert "R-1" in header and "Words" in header and "R-2" not in header


def test_command_line_options_override_the_config(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        f"tasks: {REPO / 'tasks' / 'paris-summit-002'}\nsystems: [lead]\n"
        f"scorers: [stats]\nout: {tmp_path / 'from-config'}\n"
    )
    result = runner.invoke(
        app,
        [
            "run",
            "--config",
            str(config),
            "--no-charts",
            "--systems",
            "textrank",
            "--out",
            str(tmp_path / "from-flag"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert [s["name"] for s in Store(tmp_path / "from-flag").run_info()["systems"]] == ["textrank"]
    assert not (tmp_path / "from-config").exists()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("systems: [{adapter: lead, parms: {k: 1}}]", "systems.0.parms"),
        ("scorers: [{name: x}]", "scorers.0.scorer"),
        ("taks: tasks", "taks"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    with pytest.raises(TaskError) as caught:
        load_config(config)
    assert any(p.field == field and p.file == str(config) for p in caught.value.problems), (
        caught.value.problems
    )
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2 and field in result.stderr


def test_config_entries_build_the_same_systems_as_specs() -> None:
    from bench.run import build_scorers, build_systems

    (entry,) = build_systems([SystemEntry(adapter="lead", params={"k": 2})])
    (spec,) = build_systems(["lead:k=2"])
    assert entry.name == spec.name == "lead:k=2"
    (scorer,) = build_scorers([ScorerEntry(scorer="rouge", name="r", params={"refs": "mean"})])
    assert scorer.name == "r" and "refs:mean" in scorer.scorer.signature()


def test_config_parameters_expand_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("systems:\n  - adapter: precomputed\n    params: {path: $OUTS/o.jsonl}\n")
    monkeypatch.setenv("OUTS", "/data")
    (entry,) = load_config(config).systems
    assert isinstance(entry, SystemEntry) and entry.params["path"] == "/data/o.jsonl"
    monkeypatch.delenv("OUTS")
    with pytest.raises(TaskError) as caught:
        load_config(config)
    (problem,) = caught.value.problems
    assert problem.field == "systems.0.params.path" and "OUTS is not set" in problem.message


def test_string_entries_expand_environment_variables_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("systems:\n  - precomputed:path=${OUTS}/o.jsonl\nscorers:\n  - rouge\n")
    monkeypatch.setenv("OUTS", "/data")
    assert load_config(config).systems == ["precomputed:path=/data/o.jsonl"]
    monkeypatch.delenv("OUTS")
    with pytest.raises(TaskError) as caught:
        load_config(config)
    (problem,) = caught.value.problems
    assert problem.field == "systems.0" and "OUTS is not set" in problem.message
