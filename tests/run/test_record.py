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
