"""The Recorder's memory of a resumed folder: where each item's summaries are, not the text."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

from bench.run.record import Recorder, index_outputs
from bench.run.systems import System
from bench.store import Store
from bench.task import Task


def _record(task: str, summary: str, key: str, error: str | None = None) -> dict[str, object]:
    found: dict[str, object] = {"task_id": task, "system": "lead", "summary": summary, "key": key}
    if error:
        found["error"] = error
    return found


def test_the_last_attempt_of_an_item_wins_and_a_failed_one_is_not_done() -> None:
    records = [
        (0, _record("t1", "first try", "k1")),
        (10, {**_record("t1", "", "k1", "timeout")}),
        (20, _record("t1", "second try", "k1")),
        (30, _record("t2", "old key", "k1")),
        (40, _record("t2", "new key", "k2")),
        (50, _record("t3", "ok", "k1")),
        (60, _record("t3", "", "k1", "HTTP 500")),
    ]
    assert index_outputs(records) == {("t1", "lead"): ("k1", (20,)), ("t2", "lead"): ("k2", (40,))}


def test_a_resumed_item_reads_its_summaries_from_the_store_when_taken(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    store.append_outputs(
        [
            {**_record("t1", "Sample one.", "k"), "sample": "0", "meta": {"latency_s": 1.0}},
            {**_record("t1", "Sample two.", "k"), "sample": "1"},
        ]
    )
    store.sync()
    recorder = Recorder(Store(tmp_path))
    recorder.open({"name": "resumed"})
    task = cast(Task, SimpleNamespace(id="t1"))  # the recorder reads only the ids
    system = cast(System, SimpleNamespace(name="lead"))
    key, summaries = recorder.take_stored(task, system) or (None, [])
    assert key == "k" and [s.text for s in summaries] == ["Sample one.", "Sample two."]
    assert summaries[0].meta == {"latency_s": 1.0}
    assert recorder.take_stored(task, system) is None


def test_items_with_summaries_of_an_earlier_attempt_are_made_anew() -> None:
    # A run made t2 again under a new key and stopped before removing the old version's rows.
    records = [
        (0, _record("t1", "one", "k1")),
        (10, _record("t2", "old key", "k1")),
        (20, _record("t2", "new key", "k2")),
        (30, _record("t3", "", "k1", "timeout")),
        (40, _record("t3", "retried", "k1")),
    ]
    made_anew: set[tuple[str, str]] = set()
    index_outputs(records, made_anew)
    assert made_anew == {("t2", "lead")}  # a failed attempt retried is not a second version


def test_an_item_to_be_made_anew_keeps_its_rows_until_it_is_replaced(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    store.append_outputs([_record("t1", "old", "k1"), _record("t2", "old", "k1")])
    store.append_scores(
        [("t1", "lead", "rouge", "rouge1_f", 0.5), ("t2", "lead", "rouge", "rouge1_f", 0.6)]
    )
    store.sync()
    recorder = Recorder(store)
    recorder.open({"status": "running"})
    tasks = {t: cast(Task, SimpleNamespace(id=t)) for t in ("t1", "t2")}
    lead = cast(System, SimpleNamespace(name="lead"))
    for task in tasks.values():  # both were to be made anew (their system changed) ...
        recorder.forget_scores(task, lead)
    recorder.failure(tasks["t2"], lead, RuntimeError("HTTP 500"))  # ... only t2 was: it failed
    recorder.close({"status": "interrupted"})
    assert list(store.scores().task_id) == ["t1"]  # t1 was never replaced: its rows stay
    assert [(r["task_id"], r.get("error")) for r in store.outputs()] == [
        ("t1", None),
        ("t2", "RuntimeError: HTTP 500"),
    ]


def test_rows_are_split_at_line_feeds_only(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    store.append_outputs([_record("t1", "a\u2028b\x85c", "k1"), _record("t2", "kept", "k1")])
    store.sync()
    assert store.drop_rows({("t1", "lead")}, set(), store.sizes()) == 1
    assert [r["summary"] for r in store.outputs()] == ["kept"]
