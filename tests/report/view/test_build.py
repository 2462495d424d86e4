"""Building the results site: every stored row reaches it, texts come from the run's task set
(checked against the recorded hashes), data files cannot break out of their script."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from bench.analysis import Resampling
from bench.report.view import ViewOptions, build_view
from bench.store import Store, StoreError
from tests.report.view.site_data import read_data, site_tasks


def _items(site: Path) -> dict[tuple[str, str], dict]:
    return {(t["id"], i["system"]): i for t in site_tasks(site) for i in t["items"]}


def test_every_summary_score_and_fact_of_the_run_is_in_the_site(
    viewer_run: Path, tmp_path: Path
) -> None:
    site = build_view(viewer_run, tmp_path / "site")
    store = Store(viewer_run)
    items = _items(tmp_path / "site")
    outputs = store.outputs()
    assert site.tasks == 5 and site.texts == 5 and len(items) == 30
    for record in outputs:
        item = items[(record["task_id"], record["system"])]
        samples = {s["sample"]: s for s in item["samples"]}
        assert samples[record["sample"]]["summary"] == record["summary"]
    scores = store.scores()
    for row in scores.itertuples():
        assert items[(row.task_id, row.system)]["scores"][row.metric] == row.value
    facts = store.facts()
    shown = sum(len(i["evidence"].get("facts", [])) for i in items.values())
    assert shown == len(facts)
    lead = items[("paris-summit", "lead")]["evidence"]["facts"]
    stored = facts[(facts.task_id == "paris-summit") & (facts.system == "lead")]
    assert [f["fact_id"] for f in lead] == list(stored.fact_id)
    assert [f["present"] for f in lead] == list(stored.present)


def test_texts_come_from_the_recorded_task_set_with_sentences_by_paragraph(
    viewer_run: Path, tmp_path: Path
) -> None:
    build_view(viewer_run, tmp_path / "site")
    task = next(t for t in site_tasks(tmp_path / "site") if t["id"] == "paris-summit")
    texts = task["texts"]
    assert [d["id"] for d in texts["documents"]] == ["d000", "d001", "d002", "d003", "d004"]
    assert texts["changed"] == []
    assert len(texts["references"]) == 3 and len(texts["keyfacts"]) == 16
    assert all(f["text"] and f["weight"] for f in texts["keyfacts"])
    human = next(i for i in task["items"] if i["system"] == "human")
    assert {s["sample"] for s in human["samples"]} == {r["id"] for r in texts["references"]}


def test_a_document_changed_since_the_run_is_flagged(viewer_run: Path, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    shutil.copytree(Path(__file__).resolve().parents[3] / "tasks", tasks)
    shutil.copytree(Path(__file__).resolve().parents[3] / "references", tmp_path / "references")
    source = next((tasks / "paris-summit-002" / "sources").iterdir())
    source.write_text(
        source.read_text(encoding="utf-8") + "\n\nAn added paragraph.\n", encoding="utf-8"
    )
    build_view(viewer_run, tmp_path / "site", ViewOptions(tasks=str(tasks)))
    changed = {t["id"]: t["texts"]["changed"] for t in site_tasks(tmp_path / "site")}
    assert changed["paris-summit-002"] == ["document d002"]
    assert changed["paris-summit-001"] == []
    assert read_data(tmp_path / "site", "tasks")["changed"] == [2]


def test_missing_task_set_still_builds_and_says_why(viewer_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(viewer_run, run)
    info = json.loads((run / "run.json").read_text())
    info["config"]["tasks"] = "no-such-folder"
    (run / "run.json").write_text(json.dumps(info))
    site = build_view(run, tmp_path / "site")
    assert site.texts == 0 and "'no-such-folder' is not found" in site.text_note
    manifest = read_data(tmp_path / "site", "manifest")
    assert manifest["tasks"] == {"count": 5, "with_texts": 0, "note": site.text_note}
    assert all(t["texts"] is None and t["items"] for t in site_tasks(tmp_path / "site"))


def test_claims_csv_becomes_a_section_of_each_summary(viewer_run: Path, tmp_path: Path) -> None:
    build_view(viewer_run, tmp_path / "site")
    manifest = read_data(tmp_path / "site", "manifest")
    assert [k["name"] for k in manifest["evidence"]] == ["facts", "claims"]
    claims = _items(tmp_path / "site")[("paris-summit-001", "lead")]["evidence"]["claims"]
    assert [(c["sentence"], c["verdict"]) for c in claims] == [
        (0, "supported"),
        (1, "contradicted"),
    ]
    assert claims[0]["evidence_index"] == 0 and claims[0]["evidence"] == ""
    assert claims[1]["evidence_index"] is None and claims[1]["evidence"]
    assert claims[0]["score"] == 0.91 and claims[0]["backend"] == "lexical-v1"
    assert "claims" not in _items(tmp_path / "site")[("paris-summit-001", "random")]["evidence"]


def test_a_resumed_item_shows_its_last_attempt_and_last_rows(
    viewer_run: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    shutil.copytree(viewer_run, run)
    with (run / "outputs.jsonl").open("a") as handle:
        handle.write(
            json.dumps(
                {
                    "task_id": "paris-summit",
                    "system": "lead",
                    "sample": "",
                    "summary": None,
                    "error": "TimeoutError: late",
                    "attempts": 3,
                }
            )
            + "\n"
        )
    with (run / "scores.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(["paris-summit", "random", "rouge", "rouge1_f", "0.125"])
        handle.write("paris-summit,random,rouge,rouge2_f,0.9")  # cut short by a crash
    build_view(run, tmp_path / "site")
    items = _items(tmp_path / "site")
    failed = items[("paris-summit", "lead")]
    assert failed["status"] == "failed" and failed["error"] == "TimeoutError: late"
    assert failed["attempts"] == 3 and failed["samples"] == []
    assert items[("paris-summit", "random")]["scores"]["rouge1_f"] == 0.125
    assert items[("paris-summit", "random")]["scores"]["rouge2_f"] != 0.9


def test_text_that_closes_a_script_stays_inside_its_data_file(
    hostile_run: Path, tmp_path: Path
) -> None:
    build_view(hostile_run, tmp_path / "site")
    for path in (tmp_path / "site" / "data").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert "<" not in text, path  # every "<" is written as \u003c inside a JSON string
    items = _items(tmp_path / "site")
    from tests.report.view.conftest import HOSTILE_SUMMARIES, HOSTILE_SYSTEM

    sample = items[("paris-summit-001", HOSTILE_SYSTEM)]["samples"][0]
    assert sample["summary"] == HOSTILE_SUMMARIES["paris-summit-001"]
    failed = items[("paris-summit", HOSTILE_SYSTEM)]
    assert failed["status"] == "failed" and "no summary for task" in failed["error"]


def test_problems_are_listed_and_counted_by_kind(hostile_run: Path, tmp_path: Path) -> None:
    build_view(hostile_run, tmp_path / "site")
    manifest = read_data(tmp_path / "site", "manifest")
    assert manifest["problems"] == {"error": 3}
    shown = read_data(tmp_path / "site", "problems")["shown"]
    assert len(shown) == 3 and {p["task_id"] for p in shown} == {
        "paris-summit",
        "paris-summit-003",
        "paris-summit-004",
    }


def test_per_metric_values_follow_the_task_order(viewer_run: Path, tmp_path: Path) -> None:
    build_view(viewer_run, tmp_path / "site")
    manifest = read_data(tmp_path / "site", "manifest")
    ids = read_data(tmp_path / "site", "tasks")["ids"]
    metric = next(m for m in manifest["metrics"] if m["name"] == "kf_recall")
    values = read_data(tmp_path / "site", f"metrics/{metric['file']}")["values"]
    scores = Store(viewer_run).scores()
    kf = scores[scores.metric == "kf_recall"].set_index(["system", "task_id"])["value"]
    for system, column in values.items():
        assert column == [pytest.approx(kf[(system, t)], rel=1e-5) for t in ids]
    assert list(values) == ["lead", "random", "textrank", "lexrank", "oracle", "human"]


def test_chunks_are_cut_by_size(viewer_run: Path, tmp_path: Path) -> None:
    build_view(viewer_run, tmp_path / "site", ViewOptions(chunk_bytes=1, chunk_tasks=200))
    index = read_data(tmp_path / "site", "tasks")
    assert index["starts"] == [0, 1, 2, 3, 4]
    assert [t["id"] for t in site_tasks(tmp_path / "site")] == index["ids"]


def test_a_folder_that_is_not_a_site_is_never_overwritten(viewer_run: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(StoreError, match="holds no site"):
        build_view(viewer_run, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
    build_view(viewer_run, tmp_path / "site")
    build_view(viewer_run, tmp_path / "site")  # a site is replaced
    assert not [p for p in (tmp_path / "site").iterdir() if p.name.startswith(".view-")]


def test_a_folder_without_a_table_or_run_is_an_error(tmp_path: Path, viewer_run: Path) -> None:
    with pytest.raises(StoreError, match="not a results folder"):
        build_view(tmp_path)
    run = tmp_path / "run"
    shutil.copytree(viewer_run, run)
    (run / "table.md").unlink()
    with pytest.raises(StoreError, match=r"no table\.md; build it with `sumbench report"):
        build_view(run)


def test_diff_of_two_runs_has_the_compare_figures_and_changed_items(
    bundled_run: Path, degraded_run: Path, tmp_path: Path
) -> None:
    build_view(bundled_run, tmp_path / "site", ViewOptions(compare_to=degraded_run))
    manifest = read_data(tmp_path / "site", "manifest")
    assert manifest["diff"]["new"] == "run" and manifest["diff"]["old"] == "bundled"
    diff = read_data(tmp_path / "site", "diff")
    from bench.compare import compare_runs

    expected = [d.as_dict() for d in compare_runs(Store(bundled_run), Store(degraded_run))]
    # the site's JSON holds no infinities: an unbounded interval end (the exact sign-flip
    # test at 5 tasks) is stored as null
    for row in expected:
        for end in ("low", "high"):
            if row[end] is not None and not math.isfinite(row[end]):
                row[end] = None
    assert [{k: v for k, v in d.items() if k != "shown"} for d in diff["differences"]] == expected
    changed = diff["changed"]["lead"]["rouge1_f"]
    assert changed[0]["delta"] < 0 and all(c["delta"] != 0 for c in changed)
    assert changed[0]["new"] == pytest.approx(changed[0]["old"] + changed[0]["delta"], abs=1e-5)
    assert [abs(c["delta"]) for c in changed] == sorted(
        (abs(c["delta"]) for c in changed), reverse=True
    )
    pair = diff["summaries"][f"{changed[0]['task']}\u0000lead"]
    assert len(pair["new"].split()) == 15 and len(pair["old"].split()) > 15


@pytest.mark.parametrize("against", ["degraded", "itself"])
def test_diff_cells_read_as_sumbench_compare_prints_them(
    bundled_run: Path, degraded_run: Path, tmp_path: Path, against: str
) -> None:
    new = degraded_run if against == "degraded" else bundled_run
    build_view(bundled_run, tmp_path / "site", ViewOptions(compare_to=new))
    diff = read_data(tmp_path / "site", "diff")
    rows = {(d["system"], d["metric"]): d for d in diff["differences"]}
    from bench.compare import compare_runs, to_markdown

    differences = compare_runs(Store(bundled_run), Store(new))
    lines = to_markdown(differences, Resampling()).splitlines()[2:]
    for d, line in zip(differences, lines, strict=False):
        shown = rows[(d.system, d.metric.name)]["shown"]
        cells = [c.strip() for c in line.split("|")[1:-1]]
        assert [shown["old"], shown["new"], shown["delta"], shown["p"]] == [
            cells[2],
            cells[3],
            cells[4],
            cells[6],
        ]
        # the exact sign-flip test at 5 tasks bounds no difference: shown as the CLI writes it
        assert shown["interval"] == "[−∞, +∞]"
    if against == "itself":
        # 46.25 exactly: Python rounds the tie to even (46.2), as table.md does; the page's
        # own toFixed would round it up (46.3)
        oracle = rows[("oracle", "kf_recall")]
        assert oracle["old"] == 46.25 and oracle["shown"]["old"] == "46.2"
        table = (bundled_run / "table.md").read_text().splitlines()
        assert "| 46.2 ± " in next(line for line in table if line.startswith("| oracle |"))


def _files(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


_PIDS: list[Path] = []
"""Where the forked processes of the next test leave their process ids."""


def _tracked(block: tuple[int, int, int]) -> list[Any]:
    import os

    import bench.report.view.build as build

    (_PIDS[0] / str(os.getpid())).touch()
    return build._block_entries(build._BLOCKS[0], block, build._BLOCKS[1], build._BLOCKS[2])


def test_forked_processes_build_the_same_site_block_by_block(
    viewer_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import bench.report.view.build as build

    options = ViewOptions(chunk_bytes=20_000, chunk_tasks=200)
    build_view(viewer_run, tmp_path / "here", options)
    monkeypatch.setattr(build, "PARALLEL_TASKS", 2)
    monkeypatch.setattr(build, "TASK_BLOCK", 2)  # blocks of 2, 2 and 1 tasks
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(build, "_block_in_process", _tracked)
    _PIDS[:] = [tmp_path / "pids"]
    _PIDS[0].mkdir()
    try:
        build_view(viewer_run, tmp_path / "forked", options)
    finally:
        workers = {int(p.name) for p in _PIDS[0].iterdir()}
        _PIDS.clear()
    assert workers and os.getpid() not in workers
    assert _files(tmp_path / "forked") == _files(tmp_path / "here")


def test_a_diff_interval_is_rounded_from_the_unrounded_bound_as_compare_does() -> None:
    from bench.compare import Difference, to_markdown
    from bench.report.view.diff import shown_row
    from bench.scorers.base import Metric
    from bench.stats import PairedTest

    metric = Metric("kf_recall", "KF")  # x 100, 1 digit: the interval has 2
    # 0.0013499999997 x 100 rounds to +0.13; rounded to 6 digits first (0.135) it would be +0.14
    test = PairedTest(0.001, 0.0013499999997, 0.002, 0.5, "sign-flip", 30, 10000, 0)
    diff = Difference("a", metric, 0.5, 0.501, test, "")
    assert shown_row(diff)["interval"] == "[+0.13, +0.20]"
    assert "[+0.13, +0.20]" in to_markdown([diff], Resampling())
