"""plan_run: options and a config file -> a Run, with the rules of ``sumbench run``."""

from __future__ import annotations

import inspect
import json
from dataclasses import fields
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from conftest import REPO, write_task

from bench.cli.run import run as run_command
from bench.run import AUTO_FEW_CORES_ITEMS, Run, RunError, RunOptions, plan_run, score_workers
from bench.scorers import ItemScore, Metric, Scorer, register_scorer
from bench.task import Task

BUNDLED = [
    "paris-summit",
    "paris-summit-001",
    "paris-summit-002",
    "paris-summit-003",
    "paris-summit-004",
]


@register_scorer("test-heavy")
class Heavy(Scorer):
    """Stands for a scorer holding a model that each scoring process would load."""

    name: ClassVar[str] = "test-heavy"
    light = False

    def signature(self) -> str:
        return "test-heavy:v1"

    def metrics(self) -> list[Metric]:
        return [Metric("heavy", "Heavy", None, 1.0)]

    def score(self, task: Task, summary: object) -> ItemScore:
        return ItemScore({"heavy": 1.0})


def plan(tmp_path: Path, **given: object) -> Run:
    """A plan on the bundled tasks with light systems and scorers, into ``tmp_path/run``."""
    defaults: dict[str, object] = {
        "tasks": str(REPO / "tasks"),
        "systems": ["lead"],
        "scorers": ["stats"],
        "out": tmp_path / "run",
        "no_cache": True,
    }
    return plan_run(RunOptions(**{**defaults, **given}))  # type: ignore[arg-type]


def ids(job: Run) -> list[str]:
    return [task.id for task in job.tasks]


def write_table(tmp_path: Path, rows: int, suffix: str = ".parquet") -> Path:
    """A table of ``rows`` tasks: Parquet knows its size, JSON Lines does not."""
    records = [
        {
            "id": f"t{i:03d}",
            "article": "The council approved the bridge. Work starts in May.",
            "highlights": "The council approved a new bridge.",
        }
        for i in range(rows)
    ]
    tmp_path.mkdir(exist_ok=True)
    table = tmp_path / f"tasks{suffix}"
    if suffix == ".jsonl":
        table.write_text("".join(json.dumps(r) + "\n" for r in records))
    else:
        pd.DataFrame(records).to_parquet(table)
    return table


TABLE_MAP = "documents=article,references=highlights,id=id"


def test_run_options_defaults_are_the_command_lines() -> None:
    parameters = inspect.signature(run_command).parameters
    shared = [f for f in fields(RunOptions) if f.name in parameters]
    assert len(shared) == len(fields(RunOptions)) - 1  # all but argv
    for option in shared:
        assert option.default == parameters[option.name].default, option.name


def test_a_task_folder_loads_into_a_list_and_limit_takes_the_first(tmp_path: Path) -> None:
    everything = plan(tmp_path)
    assert isinstance(everything.tasks, list) and ids(everything) == BUNDLED
    assert everything.expected == 5 and not everything.selected
    first = plan(tmp_path, limit=2)
    assert ids(first) == BUNDLED[:2] and first.expected == 2 and first.selected


def test_a_sample_is_stable_for_a_seed_and_changes_with_it(tmp_path: Path) -> None:
    one = ids(plan(tmp_path, sample=3, sample_seed=1))
    assert len(one) == 3 and one == ids(plan(tmp_path, sample=3, sample_seed=1))
    others = {tuple(ids(plan(tmp_path, sample=3, sample_seed=s))) for s in range(2, 8)}
    assert others - {tuple(one)}


def test_shards_of_a_folder_are_disjoint_and_cover_it(tmp_path: Path) -> None:
    parts = [ids(plan(tmp_path, shard=f"{i}/2")) for i in (1, 2)]
    assert sorted(parts[0] + parts[1]) == BUNDLED and not set(parts[0]) & set(parts[1])


def test_a_table_streams_with_its_expected_size(tmp_path: Path) -> None:
    table = str(write_table(tmp_path, 10))
    streamed = plan(tmp_path, tasks=table, mapping=TABLE_MAP)
    assert not isinstance(streamed.tasks, list) and streamed.expected == 10
    assert len(ids(streamed)) == 10
    limited = plan(tmp_path, tasks=table, mapping=TABLE_MAP, limit=4)
    assert limited.expected == 4 and ids(limited) == ["t000", "t001", "t002", "t003"]
    sampled = plan(tmp_path, tasks=table, mapping=TABLE_MAP, sample=3, sample_seed=2)
    assert sampled.expected == 3 and len(ids(sampled)) == 3
    sharded = plan(tmp_path, tasks=table, mapping=TABLE_MAP, shard="1/3")
    assert sharded.expected is None and 0 < len(ids(sharded)) < 10


def test_a_jsonl_table_streams_with_its_size_unknown(tmp_path: Path) -> None:
    table = str(write_table(tmp_path, 10, ".jsonl"))
    streamed = plan(tmp_path, tasks=table, mapping=TABLE_MAP, limit=4)
    assert not isinstance(streamed.tasks, list) and streamed.expected is None
    assert ids(streamed) == ["t000", "t001", "t002", "t003"]
    sampled = [ids(plan(tmp_path, tasks=table, mapping=TABLE_MAP, sample=3)) for _ in range(2)]
    assert len(sampled[0]) == 3 and sampled[0] == sampled[1]


def test_a_config_file_fills_what_the_options_do_not_give(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        f"tasks: {REPO / 'tasks' / 'paris-summit-002'}\nreferences: {REPO / 'references'}\n"
        f"out: {tmp_path / 'from-config'}\nsystems: [lead, random]\nscorers: [stats]\n"
        "metrics: [words]\nbaseline_system: lead\ncache: false\n"
    )
    job = plan_run(RunOptions(config_file=config))
    assert ids(job) == ["paris-summit-002"]
    assert [s.name for s in job.systems] == ["lead", "random"]
    assert [s.name for s in job.scorers] == ["stats"]
    assert job.store.root == tmp_path / "from-config" and job.cache is None
    assert job.report.metrics == ["words"] and job.report.baseline_system == "lead"
    assert job.config["config_file"] == str(config)
    assert job.config["references"] == str(REPO / "references")
    overridden = plan_run(
        RunOptions(
            config_file=config, systems=["textrank", "lead"], out=tmp_path / "flag", ci="none"
        )
    )
    assert [s.name for s in overridden.systems] == ["textrank", "lead"]
    assert overridden.store.root == tmp_path / "flag" and overridden.report.ci == "none"


def test_a_bad_config_file_is_a_run_error_with_its_problems(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("taks: tasks\n")
    with pytest.raises(RunError, match="invalid config") as caught:
        plan_run(RunOptions(config_file=config))
    assert [p.field for p in caught.value.problems] == ["taks"]


def test_an_unknown_metric_names_the_metrics_there_are(tmp_path: Path) -> None:
    with pytest.raises(RunError, match=r"unknown metric\(s\) \['bleu'\]; these scorers give: "):
        plan(tmp_path, metrics=["bleu"])


def test_unknown_names_and_bad_options_are_run_errors(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="unknown adapter 'leed'"):
        plan(tmp_path, systems=["leed"])
    with pytest.raises(RunError, match="confidence level"):
        plan(tmp_path, level=2.0)
    with pytest.raises(RunError, match="unknown preset"):
        plan(tmp_path, preset="no-such-preset")
    with pytest.raises(RunError, match="bad shard"):
        plan(tmp_path, shard="two")


def test_an_out_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").touch()
    with pytest.raises(RunError, match="is a file; expected a results folder"):
        plan(tmp_path, out=tmp_path / "afile")


def test_an_out_folder_of_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("hi")
    with pytest.raises(RunError, match=r"holds files \(notes.txt\) but no run.json"):
        plan(tmp_path)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["notes.txt"]


def test_an_empty_out_folder_is_used_and_a_results_folder_resumed(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    plan(tmp_path).execute()
    assert plan(tmp_path).store.exists()  # run.json: a results folder, resumed


def test_a_bad_interval_style_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="--ci: unknown interval style 'foo'; choose one of pm"):
        plan(tmp_path, ci="foo")
    assert not (tmp_path / "run").exists()


def test_a_baseline_system_must_be_one_of_the_runs_systems(tmp_path: Path) -> None:
    message = "--baseline-system: 'nosuch' is not a system of this run; choose one of lead, random"
    with pytest.raises(RunError, match=message):
        plan(tmp_path, systems=["lead", "random"], baseline_system="nosuch")
    assert plan(tmp_path, systems=["lead", "random"], baseline_system="random")
    config = tmp_path / "c.yaml"
    config.write_text("baseline_system: lead\n")
    with pytest.raises(RunError, match=r"c.yaml: baseline_system: 'lead' is not a system"):
        plan(tmp_path, systems=["random"], config_file=config)


def test_a_baseline_system_the_resumed_folder_holds_is_accepted(tmp_path: Path) -> None:
    # Adding a system to a folder that holds lead: the table covers the whole folder.
    plan(tmp_path, systems=["lead"], limit=1).execute()
    assert plan(tmp_path, systems=["random"], baseline_system="lead", limit=1)


def test_an_out_folder_with_only_hidden_files_is_used(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / ".gitkeep").touch()
    assert plan(tmp_path).store.root == tmp_path / "run"


def test_folders_given_as_text_are_paths(tmp_path: Path) -> None:
    job = plan(tmp_path, out=str(tmp_path / "run"), references=str(REPO / "references"))
    assert job.store.root == tmp_path / "run"
    assert job.config["references"] == str(REPO / "references")


def test_a_bad_task_file_is_a_run_error_carrying_each_problem(tmp_path: Path) -> None:
    write_task(tmp_path, documents=[{"id": "d1", "path": "sources/missing.txt"}])
    with pytest.raises(RunError, match=r"1 problem\(s\) in .*sumbench tasks validate") as caught:
        plan(tmp_path, tasks=str(tmp_path / "tasks"))
    (problem,) = caught.value.problems
    assert problem.field == "documents[0].path" and "source file not found" in problem.message


def test_resuming_with_another_selection_is_refused(tmp_path: Path) -> None:
    plan(tmp_path, sample=2, sample_seed=1).execute()
    assert ids(plan(tmp_path, sample=2, sample_seed=1))  # the same selection resumes
    with pytest.raises(RunError, match=r"another selection of tasks \(sample_seed 1 -> 2\)"):
        plan(tmp_path, sample=2, sample_seed=2)


def test_precomputed_ids_outside_the_tasks_are_returned_as_warnings(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.jsonl"
    rows = [
        {"task_id": "paris-summit-002", "system": "mine", "summary": "Leaders met."},
        {"task_id": "ghost", "system": "mine", "summary": "Nothing."},
    ]
    outputs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    job = plan(tmp_path, systems=[f"precomputed:path={outputs}"], limit=1)
    assert ids(job) == ["paris-summit"]
    assert job.warnings == [
        "mine: the outputs file has 2 task id(s) not in the tasks selected for this run, "
        "ignored: ghost, paris-summit-002"
    ]


def test_score_workers_auto_uses_the_cores_only_for_large_light_runs() -> None:
    assert score_workers("auto", 5, 6, cores=8) == 1  # the bundled run: 30 items
    assert score_workers("auto", 1000, 3, cores=8) == 7
    assert score_workers("auto", None, 1, cores=8) == 7  # a table of unknown size
    assert score_workers("auto", 1000, 3, light=False, cores=8) == 1  # a scorer with a model
    assert score_workers("auto", 2000, 3, cores=2) == 2  # no core spared below 4
    assert score_workers("auto", 1000, 3, cores=2) == 1  # start-up outweighs below 5,000 items
    assert score_workers("auto", 2000, 3, cores=1) == 1
    assert score_workers("3", 5, 6, light=False) == 3
    for bad in ("0", "zero", "-2"):
        with pytest.raises(RunError, match="--score-workers must be a positive number or auto"):
            score_workers(bad, 5, 6)


def test_plan_applies_the_score_workers_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bench.run.plan.cpu_count", lambda: 4)
    table = str(write_table(tmp_path, 250))
    large = {"tasks": table, "mapping": TABLE_MAP, "systems": ["lead", "random"]}
    assert plan(tmp_path, **large).score_workers == 3
    assert plan(tmp_path, **large, scorers=["stats", "test-heavy"]).score_workers == 1
    assert plan(tmp_path, **large, limit=100).score_workers == 1  # 200 items
    assert plan(tmp_path, **large, shard="1/2").score_workers == 3  # size unknown
    assert plan(tmp_path, **large, score_workers=2).config["score_workers"] == 2
    monkeypatch.setattr("bench.run.plan.cpu_count", lambda: 2)
    assert plan(tmp_path, **large).score_workers == 1  # 500 items: too few on 2 cores


def test_auto_counts_the_rows_of_a_streamed_table_only_as_far_as_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bench.run.plan.cpu_count", lambda: 2)
    wanted = AUTO_FEW_CORES_ITEMS // 2  # rows for 2 systems on 2 cores
    two = {"mapping": TABLE_MAP, "systems": ["lead", "random"]}
    small = str(write_table(tmp_path / "small", wanted - 1, ".jsonl"))
    assert plan(tmp_path, tasks=small, **two).score_workers == 1
    large = str(write_table(tmp_path / "large", wanted, ".jsonl"))
    assert plan(tmp_path, tasks=large, **two).score_workers == 2
    assert plan(tmp_path, tasks=large, **two, limit=10).score_workers == 1
    assert plan(tmp_path, tasks=large, **two, sample=10).score_workers == 1
    assert plan(tmp_path, tasks=large, **two, score_workers="3").score_workers == 3
    assert plan(tmp_path, tasks=large, **two, shard="1/2").score_workers == 2  # size unknown
