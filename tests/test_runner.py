"""The runner: items stored as computed, failures recorded per item, interrupted runs resumed."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from conftest import write_task

from bench.adapters import GoldSummarizer, Summarizer, register_adapter
from bench.request import Summary, SummaryRequest
from bench.runner import Run, RunError, build_scorers, build_systems, parse_spec
from bench.scorers import ItemScore, Metric, Scorer, register_scorer
from bench.store import Store
from bench.task import Task, load_tasks

CALLS: list[str] = []


@register_adapter("test-first-words")
class FirstWords(Summarizer):
    """First n words of the first document."""

    def __init__(self, n: int | str = 3, fail_on: str = "", interrupt_on: str = "") -> None:
        self.n, self.fail_on, self.interrupt_on = int(n), fail_on, interrupt_on

    def summarize(self, request: SummaryRequest) -> Summary:
        CALLS.append(request.task_id)
        if request.task_id == self.interrupt_on:
            raise KeyboardInterrupt
        if request.task_id == self.fail_on:
            raise RuntimeError("model server said no")
        return Summary(text=" ".join(request.documents[0].text.split()[: self.n]))


@register_adapter("test-each-reference")
class EachReference(GoldSummarizer):
    """Every reference, left out in turn."""

    def summarize_task(self, task: Task) -> list[Summary]:
        return [Summary(text=r.text, reference_id=r.id) for r in task.references]


@register_scorer("test-length")
class Length(Scorer):
    """Words in the summary, and the number of references scored against."""

    name: ClassVar[str] = "test-length"
    requires = frozenset({"references"})

    def __init__(self, unit: str = "words") -> None:
        self.unit = unit

    def signature(self) -> str:
        return f"test-length:v1|unit:{self.unit}"

    def metrics(self) -> list[Metric]:
        return [Metric("length", "Len", None, 1.0), Metric("refs", "Refs", None, 1.0)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        return ItemScore(
            {
                "length": float(len(summary.text.split())),
                "refs": float(len(task.references_for(summary))),
            }
        )


@pytest.fixture
def three_tasks(tmp_path: Path) -> list[Task]:
    for name in ("t1", "t2", "t3"):
        write_task(tmp_path, name)
    return load_tasks(tmp_path / "tasks")


def make_run(
    tasks: list[Task], out: Path, systems: list[str], scorers: list[str] | None = None
) -> Run:
    return Run(tasks, build_systems(systems), build_scorers(scorers or ["test-length"]), Store(out))


def test_parse_spec_reads_parameters_and_names() -> None:
    assert parse_spec("lead") == ("lead", {}, "lead")
    assert parse_spec("lead:k=5") == ("lead", {"k": "5"}, "lead:k=5")
    assert parse_spec("lead:k=5,name=lead5") == ("lead", {"k": "5"}, "lead5")
    with pytest.raises(RunError, match="expected key=value"):
        parse_spec("lead:k")


def test_run_stores_every_item(three_tasks: list[Task], tmp_path: Path) -> None:
    stats = make_run(three_tasks, tmp_path / "run", ["test-first-words:n=4"]).execute()
    store = Store(tmp_path / "run")
    assert stats.generated == 3 and stats.scored == 3
    scores = store.scores()
    assert sorted(scores["task_id"].unique()) == ["t1", "t2", "t3"]
    assert set(scores[scores.metric == "length"]["value"]) == {4.0}
    info = store.run_info()
    assert info["status"] == "complete"
    assert info["signatures"] == {"test-length": "test-length:v1|unit:words"}
    assert info["systems"][0]["params"] == {"n": "4"}
    assert all(len(d["hash"]) == 16 for t in info["tasks"] for d in t["documents"])


def test_failing_adapter_is_recorded_and_the_run_goes_on(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    stats = make_run(three_tasks, tmp_path, ["test-first-words:fail_on=t2"]).execute()
    store = Store(tmp_path)
    assert len(stats.errors) == 1 and "model server said no" in stats.errors[0]
    assert sorted(store.scores()["task_id"].unique()) == ["t1", "t3"]
    failed = [o for o in store.outputs() if o.get("error")]
    assert failed[0]["task_id"] == "t2" and failed[0]["summary"] is None
    assert [p["kind"] for p in store.problems()] == ["error"]


def test_rerun_retries_only_failed_items(three_tasks: list[Task], tmp_path: Path) -> None:
    make_run(three_tasks, tmp_path, ["test-first-words:fail_on=t2,name=sys"]).execute()
    CALLS.clear()
    stats = make_run(three_tasks, tmp_path, ["test-first-words:name=sys"]).execute()
    assert CALLS == ["t2"] and stats.generated == 1 and stats.reused == 2
    assert sorted(Store(tmp_path).scores()["task_id"]) == ["t1", "t1", "t2", "t2", "t3", "t3"]


def test_interrupted_run_keeps_work_and_resumes_without_repeating(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    with pytest.raises(KeyboardInterrupt):
        make_run(three_tasks, tmp_path, ["test-first-words:interrupt_on=t3,name=sys"]).execute()
    store = Store(tmp_path)
    assert store.run_info()["status"] == "interrupted"
    assert sorted(store.scores()["task_id"].unique()) == ["t1", "t2"]
    CALLS.clear()
    make_run(three_tasks, tmp_path, ["test-first-words:name=sys"]).execute()
    assert CALLS == ["t3"]
    assert store.run_info()["status"] == "complete"
    assert len(store.scores()) == 6


def test_new_scorer_does_not_regenerate(three_tasks: list[Task], tmp_path: Path) -> None:
    make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    CALLS.clear()
    make_run(
        three_tasks, tmp_path, ["test-first-words"], ["test-length:unit=words,name=len2"]
    ).execute()
    assert CALLS == []
    assert set(Store(tmp_path).scores()["scorer"]) == {"test-length", "len2"}


def test_changed_scorer_signature_refuses_to_mix(three_tasks: list[Task], tmp_path: Path) -> None:
    make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    with pytest.raises(RunError, match="signature"):
        make_run(
            three_tasks, tmp_path, ["test-first-words"], ["test-length:unit=chars,name=test-length"]
        ).execute()


def test_task_without_references_is_reported_not_scored_zero(tmp_path: Path) -> None:
    write_task(tmp_path, "t1", references=[], keyfacts=[])
    tasks = load_tasks(tmp_path / "tasks")
    stats = make_run(tasks, tmp_path / "run", ["test-first-words"]).execute()
    assert stats.scored == 0 and "no references" in stats.skipped[0]
    assert Store(tmp_path / "run").scores().empty


def test_multi_sample_bound_is_averaged_with_its_reference_left_out(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    make_run(three_tasks[:1], tmp_path, ["test-each-reference"]).execute()
    store = Store(tmp_path)
    scores = store.scores().set_index("metric")["value"]
    words = [len(r.text.split()) for r in three_tasks[0].references]
    assert scores["length"] == sum(words) / len(words)
    assert scores["refs"] == 1.0
    assert [o["sample"] for o in store.outputs()] == ["r1", "r2"]
    assert store.run_info()["systems"][0]["bound"] is True


def test_duplicate_system_names_are_rejected() -> None:
    with pytest.raises(RunError, match="used twice"):
        build_systems(["test-first-words", "test-first-words"])


def test_bad_system_parameter_is_a_run_error() -> None:
    with pytest.raises(RunError, match="has no parameter 'k'"):
        build_systems(["test-first-words:k=2"])
