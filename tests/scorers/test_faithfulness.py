"""The faithfulness scorer on the bundled cluster: hand-written summaries get a careful reader's
verdicts; claims.csv holds them with evidence, survives a resume and a merge."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from bench.merge import merge_runs
from bench.request import Summary
from bench.run import Run, build_scorers, build_systems
from bench.scorers import CannotScore, scorers
from bench.scorers.faithfulness import Faithfulness
from bench.store import CLAIMS_FILE, Store
from bench.task import Task, load_tasks


@pytest.fixture(scope="module")
def tasks() -> dict[str, Task]:
    return {t.id: t for t in load_tasks(REPO / "tasks")}


@pytest.fixture(scope="module")
def scorer() -> Faithfulness:
    made = scorers.create("faithfulness")
    assert isinstance(made, Faithfulness)
    return made


def verdicts(scorer: Faithfulness, task: Task, text: str) -> tuple[list[str], dict[str, float]]:
    item = scorer.score(task, Summary(text=text))
    return [c.verdict for c in item.claims], item.values


def test_a_faithful_summary_that_attributes_the_disputed_points_is_supported_throughout(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    text = (
        "According to the BBC, the UK and France have signed a declaration of intent to deploy "
        "forces to Ukraine in the event of a peace deal. "
        "Following a ceasefire, the UK and France will establish military hubs across Ukraine. "
        "Reports differ on how many nations the coalition includes."
    )
    found, values = verdicts(scorer, tasks["paris-summit"], text)
    assert found == ["supported", "supported", "supported"]
    assert values["faithful"] == 1.0 and values["faithful_all"] == 1.0
    assert values["contradicted"] == 0.0 and values["sides_taken"] == 0.0


def test_support_grades_what_faithful_counts(scorer: Faithfulness, tasks: dict[str, Task]) -> None:
    """``support`` is the mean of the sentences' scores: a contradicted sentence adds 0, a
    supported one its degree of support, so it orders summaries ``faithful`` ties."""
    supported = (
        "Following a ceasefire, the UK and France will establish military hubs across Ukraine."
    )
    wrong = "Moscow currently controls about 40% of Ukrainian territory."
    item = scorer.score(tasks["paris-summit"], Summary(text=f"{supported} {wrong}"))
    scores = [c.score for c in item.claims]
    assert [c.verdict for c in item.claims] == ["supported", "contradicted"]
    assert scores[1] == 0.0 and 0.5 <= scores[0] <= 1.0
    assert item.values["support"] == pytest.approx(sum(scores) / 2)
    assert item.values["faithful"] == 0.5
    assert "support" in [m.name for m in scorer.metrics()]


def test_a_wrong_number_is_contradicted_by_the_document_that_gives_the_right_one(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    item = scorer.score(
        tasks["paris-summit"],
        Summary(text="Moscow currently controls about 40% of Ukrainian territory."),
    )
    [claim] = item.claims
    assert claim.verdict == "contradicted"
    assert claim.contradicted_by == ("d002",)
    assert "20" in claim.reason and "20%" in claim.evidence
    assert item.values["contradicted"] == 1.0 and item.values["faithful"] == 0.0


def test_a_number_no_document_gives_is_unsupported_not_faithful(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    text = "The UK and France will establish 12 military hubs across Ukraine."
    found, values = verdicts(scorer, tasks["paris-summit"], text)
    assert found == ["not mentioned"]
    assert values["faithful"] == 0.0 and values["unsupported_entities"] > 0


def test_stating_35_nations_as_settled_takes_a_side_the_documents_disagree_on(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    item = scorer.score(tasks["paris-summit"], Summary(text="The coalition comprises 35 nations."))
    [claim] = item.claims
    assert claim.verdict == "disputed"
    assert claim.document == "d001" and "35" in claim.evidence
    assert item.values["sides_taken"] == 1.0 and item.values["faithful"] == 0.0


def test_35_nations_attributed_to_a_report_is_not_taking_a_side(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    text = "According to one report, the coalition comprises 35 nations."
    found, values = verdicts(scorer, tasks["paris-summit"], text)
    assert found == ["supported"]
    assert values["sides_taken"] == 0.0


def test_saying_the_uk_refused_is_contradicted(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    item = scorer.score(
        tasks["paris-summit"], Summary(text="The UK refused to send troops to Ukraine.")
    )
    [claim] = item.claims
    assert claim.verdict == "contradicted"
    assert "d001" in claim.contradicted_by
    assert claim.supported_by == ()


def test_single_document_task_never_counts_sides(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    text = "The coalition comprises 35 nations."
    found, values = verdicts(scorer, tasks["paris-summit-001"], text)
    assert found == ["supported"]
    assert values["sides_taken"] == 0.0


def test_an_empty_summary_is_reported_not_scored(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    with pytest.raises(CannotScore, match="empty"):
        scorer.score(tasks["paris-summit"], Summary(text="  "))


def test_a_summary_in_a_script_the_tokenizer_drops_is_reported_not_scored(
    scorer: Faithfulness, tasks: dict[str, Task]
) -> None:
    with pytest.raises(CannotScore, match="script"):
        scorer.score(tasks["paris-summit"], Summary(text="Великобритания отказалась."))


def test_the_signature_names_the_backend_and_its_version(scorer: Faithfulness) -> None:
    assert "backend:lexical-v2" in scorer.signature()


def _run(tasks: list[Task], folder: Path) -> Store:
    store = Store(folder)
    Run(tasks, build_systems(["lead"]), build_scorers(["faithfulness"]), store, {}).execute()
    return store


def test_the_key_fact_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="'claims' is not accepted"):
        scorers.create("faithfulness", claims="facts")


def test_a_run_writes_claims_csv_with_evidence_and_merge_keeps_it(
    tasks: dict[str, Task], tmp_path: Path
) -> None:
    ordered = list(tasks.values())
    one, two = _run(ordered[:2], tmp_path / "one"), _run(ordered[2:], tmp_path / "two")
    claims = one.claims()
    assert set(claims["task_id"]) == {t.id for t in ordered[:2]}
    assert set(claims["verdict"]) <= {"supported", "contradicted", "not mentioned", "disputed"}
    assert (claims["backend"] == "lexical-v2").all()
    supported = claims[claims["verdict"] == "supported"]
    assert not supported.empty and (supported["evidence"] != "").all()
    merged = Store(tmp_path / "merged")
    merge_runs([one, two], merged)
    assert (tmp_path / "merged" / CLAIMS_FILE).is_file()
    assert len(merged.claims()) == len(claims) + len(two.claims())
    scores = merged.scores()
    assert {"faithful", "faithful_all", "sides_taken"} <= set(scores["metric"])


def test_a_resumed_run_does_not_duplicate_claims(tasks: dict[str, Task], tmp_path: Path) -> None:
    ordered = list(tasks.values())[:2]
    store = _run(ordered, tmp_path / "run")
    rows = (tmp_path / "run" / CLAIMS_FILE).read_text(encoding="utf-8").count("\n")
    _run(ordered, tmp_path / "run")
    assert (tmp_path / "run" / CLAIMS_FILE).read_text(encoding="utf-8").count("\n") == rows
    assert len(store.claims()) == rows - 1
