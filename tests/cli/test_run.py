"""`sumbench run`, end to end on the bundled benchmark."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import REPO, write_task
from rouge_score import rouge_scorer
from typer.testing import CliRunner

from bench.cli import app
from bench.store import Store
from bench.task import load_tasks
from bench.text import split_sentences

runner = CliRunner()
RUN_FILES = [
    "run.json",
    "outputs.jsonl",
    "scores.csv",
    "facts.csv",
    "table.md",
    "table.tex",
    "table.csv",
    "charts/rouge.png",
]


def test_run_prints_a_table_of_six_systems_over_five_tasks(bundled_run: Path) -> None:
    table = (bundled_run / "table.md").read_text()
    rows = {
        line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")
    }
    for system in ["lead", "random", "textrank", "lexrank", "oracle", "human"]:
        assert rows[system].rstrip(" |").endswith("| 5"), rows[system]
    assert "*Upper bounds*" in table
    assert table.index("*Upper bounds*") < table.index("| oracle")


def test_run_writes_every_result_file(bundled_run: Path) -> None:
    for name in RUN_FILES:
        assert (bundled_run / name).is_file(), name
    tasks = [t.id for t in load_tasks(REPO / "tasks")]
    for task_id in tasks:
        assert (bundled_run / "charts" / f"keyfacts-{task_id}.png").is_file()
    info = json.loads((bundled_run / "run.json").read_text())
    assert info["status"] == "complete" and info["finished"]
    assert set(info["signatures"]) == {"rouge", "keyfacts", "stats"}
    assert info["versions"]["rouge-score"][0].isdigit()
    assert info["started"] <= info["finished"]


def test_every_rouge_row_equals_a_direct_rouge_score_computation(bundled_run: Path) -> None:
    tasks = {t.id: t for t in load_tasks(REPO / "tasks")}
    types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    scorer = rouge_scorer.RougeScorer(types, use_stemmer=True)
    expected: dict[tuple[str, str, str], list[float]] = {}
    for record in Store(bundled_run).outputs():
        task = tasks[record["task_id"]]
        refs = [r.text for r in task.references if r.id != record.get("reference_id")]
        summary = record["summary"]
        plain = scorer.score_multi(refs, summary)
        lsum = scorer.score_multi(
            ["\n".join(split_sentences(r)) for r in refs], "\n".join(split_sentences(summary))
        )
        for kind in types:
            score = (lsum if kind == "rougeLsum" else plain)[kind]
            for letter, value in zip("prf", score, strict=True):
                key = (record["task_id"], record["system"], f"{kind}_{letter}")
                expected.setdefault(key, []).append(value)
    rows = pd.read_csv(bundled_run / "scores.csv")
    rouge_rows = rows[rows.scorer == "rouge"]
    assert len(rouge_rows) == 5 * 6 * 12
    for row in rouge_rows.itertuples():
        values = expected[(row.task_id, row.system, row.metric)]
        assert row.value == sum(values) / len(values), row


def test_key_fact_rows_carry_evidence_from_the_summary(bundled_run: Path) -> None:
    facts = Store(bundled_run).facts()
    outputs = {
        (o["task_id"], o["system"], o["sample"]): o["summary"] for o in Store(bundled_run).outputs()
    }
    present = facts[facts.present]
    assert len(present) > 0
    for row in present.itertuples():
        summary = outputs[(row.task_id, row.system, row.sample)]
        for piece in row.evidence.split(" … "):
            assert piece in summary


def test_rerun_into_the_same_folder_reuses_everything(bundled_run: Path) -> None:
    result = runner.invoke(
        app, ["run", "--tasks", str(REPO / "tasks"), "--out", str(bundled_run), "--no-charts"]
    )
    assert result.exit_code == 0
    assert "generated 0, cached 0, reused 30, scored 0, failed 0" in result.stderr


def test_precomputed_outputs_are_scored_per_system(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.jsonl"
    lines = [
        {
            "task_id": "paris-summit-002",
            "system": "model-a",
            "summary": "The UK and France signed a declaration of intent to deploy troops.",
        },
        {"task_id": "paris-summit-002", "system": "model-b", "summary": "Allies met in Paris."},
        {
            "task_id": "paris-summit-003",
            "system": "model-a",
            "summary": "The UK and France vowed to deploy troops after a ceasefire.",
        },
        {"task_id": "paris-summit-003", "system": "model-b", "summary": "Talks were held."},
    ]
    outputs.write_text("".join(json.dumps(line) + "\n" for line in lines))
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    for name in ("paris-summit-002", "paris-summit-003"):
        (tasks / name).symlink_to(REPO / "tasks" / name)
    result = runner.invoke(
        app,
        [
            "run",
            "--tasks",
            str(tasks),
            "--references",
            str(REPO / "references"),
            "--systems",
            f"precomputed:path={outputs}",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    scores = Store(tmp_path / "run").scores()
    r1 = scores[scores.metric == "rouge1_f"].set_index(["system", "task_id"])["value"]
    assert set(r1.index) == {
        (s, t) for s in ("model-a", "model-b") for t in ("paris-summit-002", "paris-summit-003")
    }
    assert r1["model-a"].mean() > r1["model-b"].mean()
    assert "| model-a |" in result.stdout and "| model-b |" in result.stdout


def test_missing_precomputed_task_is_an_error_for_that_task_only(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    outputs = tmp_path / "out.jsonl"
    outputs.write_text(json.dumps({"task_id": "t1", "system": "m", "summary": "A bridge."}) + "\n")
    result = runner.invoke(
        app,
        [
            "run",
            "--tasks",
            str(tmp_path / "tasks"),
            "--systems",
            f"precomputed:path={outputs}",
            "--out",
            str(tmp_path / "run"),
            "--no-charts",
        ],
    )
    assert result.exit_code == 1
    assert "no summary for task 't2'" in result.stderr
    assert set(Store(tmp_path / "run").scores()["task_id"]) == {"t1"}


def test_unknown_system_is_a_clear_error_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", "--tasks", str(REPO / "tasks"), "--systems", "leed", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "unknown adapter 'leed'" in result.stderr and "lead" in result.stderr
    assert "Traceback" not in result.output


def test_broken_tasks_stop_the_run_with_file_and_field(tmp_path: Path) -> None:
    write_task(tmp_path, documents=[{"id": "d1", "path": "sources/missing.txt"}])
    result = runner.invoke(
        app, ["run", "--tasks", str(tmp_path / "tasks"), "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 2
    assert "task.yaml: documents[0].path: source file not found" in result.stderr
    assert "Traceback" not in result.output


def test_deterministic_systems_in_a_full_run_equal_direct_calls(bundled_run: Path) -> None:
    from bench.adapters import adapters

    tasks = {t.id: t for t in load_tasks(REPO / "tasks")}
    outputs = {(o["task_id"], o["system"]): o["summary"] for o in Store(bundled_run).outputs()}
    for name in ("lead", "random", "textrank", "lexrank"):
        adapter = adapters.create(name)
        for task_id, task in tasks.items():
            assert outputs[(task_id, name)] == adapter.summarize(task.request()).text, (
                name,
                task_id,
            )


def test_bad_row_in_a_streamed_table_stops_cleanly_and_keeps_earlier_work(tmp_path: Path) -> None:
    rows = [
        {
            "id": f"t{i}",
            "article": "The council approved the bridge. Work starts in May.",
            "highlights": "The council approved a new bridge.",
        }
        for i in range(3)
    ]
    rows.append({"id": "t3", "article": "", "highlights": "Nothing here at all."})
    table = tmp_path / "tasks.jsonl"
    table.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(
        app,
        [
            "run",
            "--tasks",
            str(table),
            "--map",
            "documents=article,references=highlights,id=id",
            "--systems",
            "lead",
            "--scorers",
            "stats",
            "--no-charts",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "row 3" in result.stderr and "Traceback" not in result.output
    assert set(Store(tmp_path / "run").scores()["task_id"]) == {"t0", "t1", "t2"}


def _html_table(tmp_path: Path) -> Path:
    row = {
        "id": "t0",
        "article": "<p>The council approved the new bridge over the river on Monday.</p>"
        "<p>Work starts in May and ends in two years.</p>",
        "highlights": "The council approved a new bridge.",
    }
    table = tmp_path / "tasks.jsonl"
    table.write_text(json.dumps(row) + "\n")
    return table


def test_run_takes_budget_instructions_and_cleaning_for_a_table(tmp_path: Path) -> None:
    table = _html_table(tmp_path)
    mapping = "documents=article,references=highlights,id=id"
    options = ["--budget", "6", "--instructions", "One short sentence.", "--clean"]
    result = runner.invoke(
        app,
        [
            "run",
            "--tasks",
            str(table),
            "--map",
            mapping,
            *options,
            "--systems",
            "lead",
            "--scorers",
            "stats",
            "--no-charts",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 0, result.output
    [output] = Store(tmp_path / "run").outputs()
    assert output["summary"].split() == ["The", "council", "approved", "the", "new", "bridge"]
    recorded = json.loads((tmp_path / "run" / "run.json").read_text())["config"]["selection"]
    assert recorded["budget"] == 6 and recorded["clean"] is True
    exported = runner.invoke(
        app,
        ["tasks", "export", str(table), "--map", mapping, *options, "--to", str(tmp_path / "x")],
    )
    assert exported.exit_code == 0, exported.output
    [row] = [json.loads(line) for line in (tmp_path / "x" / "tasks.jsonl").open()]
    assert row["budget"] == 6 and row["instructions"] == "One short sentence."
    assert "<p>" not in json.dumps(row["documents"]) and "bridge" in json.dumps(row["documents"])


def test_table_options_on_a_task_folder_are_an_error_not_ignored(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", "--tasks", str(REPO / "tasks"), "--budget", "30", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "budget apply to table sources" in result.stderr
    assert "task.yaml" in result.stderr
    for option in (["--budget", "0"], ["--instructions", ""]):
        again = runner.invoke(app, ["run", "--tasks", str(REPO / "tasks"), *option])
        assert again.exit_code == 2 and "apply to table sources" in again.stderr


def test_precomputed_ids_missing_from_a_streamed_table_are_reported(tmp_path: Path) -> None:
    table = _html_table(tmp_path)
    outputs = tmp_path / "outputs.jsonl"
    rows = [
        {"task_id": "t0", "system": "mine", "summary": "The council approved the bridge."},
        {"task_id": "ghost", "system": "mine", "summary": "Nothing."},
    ]
    outputs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(
        app,
        [
            "run",
            "--tasks",
            str(table),
            "--map",
            "documents=article,references=highlights,id=id",
            "--systems",
            f"precomputed:path={outputs}",
            "--scorers",
            "stats",
            "--no-charts",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 task id(s) not in the task set, ignored: ghost" in " ".join(result.stderr.split())


def test_a_zero_budget_is_an_error_not_the_default(tmp_path: Path) -> None:
    table = _html_table(tmp_path)
    result = runner.invoke(
        app,
        [
            "run",
            "--tasks",
            str(table),
            "--map",
            "documents=article,references=highlights,id=id",
            "--budget",
            "0",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 2
    assert "budget must be a positive number of words (got 0)" in result.stderr


def test_resuming_with_another_selection_of_tasks_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", "--systems", "lead", "--scorers", "stats", "--no-charts", "--out", str(out)]
    first = runner.invoke(app, [*args, "--sample", "3", "--sample-seed", "1"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, [*args, "--sample", "3", "--sample-seed", "1"])
    assert again.exit_code == 0, again.output  # the same selection resumes
    other = runner.invoke(app, [*args, "--sample", "3", "--sample-seed", "2"])
    assert other.exit_code == 2
    assert "another selection of tasks (sample_seed 1 -> 2)" in " ".join(other.stderr.split())


def _invoke(*args: str) -> Any:
    result = runner.invoke(app, ["run", *args])
    assert "Traceback" not in result.output
    return result


def test_bad_table_options_are_refused_before_any_work(tmp_path: Path) -> None:
    out = str(tmp_path / "run")
    ci = _invoke("--systems", "lead", "--systems", "random", "--ci", "foo", "--out", out)
    assert ci.exit_code == 2
    assert "--ci: unknown interval style 'foo'; choose one of pm, brackets, none" in ci.stderr
    baseline = _invoke(
        "--systems", "lead", "--systems", "random", "--baseline-system", "nosuch", "--out", out
    )
    assert baseline.exit_code == 2
    assert (
        "--baseline-system: 'nosuch' is not a system of this run; choose one of lead, random"
        in " ".join(baseline.stderr.split())
    )
    assert not (tmp_path / "run").exists()  # nothing generated, nothing stored


def test_an_out_folder_of_the_users_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "notes.txt").write_text("hi")
    result = _invoke("--systems", "lead", "--scorers", "rouge", "--out", str(tmp_path / "d"))
    assert result.exit_code == 2
    assert "holds files (notes.txt) but no run.json" in " ".join(result.stderr.split())
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["notes.txt"]


def test_missing_required_parameters_of_systems_and_scorers_are_named(tmp_path: Path) -> None:
    out = str(tmp_path / "run")
    system = _invoke("--systems", "openai:model=gpt-4o-mini", "--out", out)
    assert system.exit_code == 2
    assert (
        "system 'openai:model=gpt-4o-mini': adapter 'openai' needs parameter 'base_url'; "
        "it requires: base_url, model" in " ".join(system.stderr.split())
    )
    scorer = _invoke("--systems", "lead", "--scorers", "cost", "--out", out)
    assert scorer.exit_code == 2
    assert "scorer 'cost': scorer 'cost' needs parameter 'prices'" in scorer.stderr


def test_the_readme_money_commands_plan_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [line.split("#")[0] for line in readme.splitlines() if "--prices examples/" in line]
    assert len(commands) == 2
    monkeypatch.chdir(REPO)  # the README's paths are relative to the repository
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    for command in commands:
        args = shlex.split(command)
        assert args[:2] == ["sumbench", "run"]
        dry = [*args[2:], "--no-cache"] + ([] if "--dry-run" in args else ["--dry-run"])
        result = _invoke(*dry)
        assert result.exit_code == 0, result.output
        assert "| openai:base_url=https://api.openai.com/v1,model=gpt-4o-mini | 5 |" in (
            result.stdout
        )


def test_a_python_system_imports_a_module_of_the_current_folder_and_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_task(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    (tmp_path / "mysum_cli.py").write_text("def summarize(text):\n    return text[:50]\n")
    args = ["--tasks", "tasks", "--systems", "python:function=mysum_cli:summarize,input=text"]
    args += ["--scorers", "stats", "--cache", "cache", "--no-charts", "--no-view"]
    try:
        first = _invoke(*args, "--out", "one")
        second = _invoke(*args, "--out", "two")
    finally:
        sys.modules.pop("mysum_cli", None)
    assert first.exit_code == 0, first.output
    assert "generated 1, cached 0" in first.stderr
    assert second.exit_code == 0, second.output
    assert "generated 0, cached 1" in second.stderr  # the same module source: the same key
