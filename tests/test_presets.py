"""Each preset's mapping and options, on a small local file with that dataset's column schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench.presets import get_preset, list_presets, preset_source
from bench.task import Task
from bench.tasksets import ColumnMapping, iter_tasks

ARTICLE = "The council approved the new bridge on Monday. Work starts in May, officials said."
SUMMARY = "The council approved a new bridge; work starts in May."


def tasks_of(
    tmp_path: Path, name: str, rows: list[dict[str, Any]], schema: pa.Schema
) -> list[Task]:
    """Write ``rows`` as Parquet with the dataset's exact schema and read them with the preset."""
    path = tmp_path / f"{name}.parquet"
    table = pa.Table.from_pylist(rows, schema=schema)
    assert table.schema.names == schema.names
    pq.write_table(table, path)
    return list(iter_tasks(path, **get_preset(name).task_options()))


STRING = pa.string()


def test_cnn_dailymail_keeps_highlight_lines_as_one_reference(tmp_path: Path) -> None:
    schema = pa.schema([("article", STRING), ("highlights", STRING), ("id", STRING)])
    highlights = "Council approves bridge .\nWork starts in May .\nOfficials confirm plans ."
    rows = [
        {
            "article": f"(CNN) -- {ARTICLE}",
            "highlights": highlights,
            "id": "42c027e4ff9730fbb3de84c1af0d2c506e41c3e4",
        },
        {
            "article": ARTICLE,
            "highlights": "One line .",
            "id": "ee8871b15c50d0db17b0179a6d2beab35065f1e9",
        },
    ]
    tasks = tasks_of(tmp_path, "cnn_dailymail", rows, schema)
    assert [t.id for t in tasks] == [r["id"] for r in rows]
    assert tasks[0].references[0].text == highlights
    assert len(tasks[0].references) == 1
    assert tasks[0].budget == 55


def test_xsum_reads_document_summary_id(tmp_path: Path) -> None:
    schema = pa.schema([("document", STRING), ("summary", STRING), ("id", STRING)])
    rows = [
        {"document": ARTICLE, "summary": SUMMARY, "id": "29750031"},
        {"document": ARTICLE, "summary": SUMMARY, "id": "38713140"},
    ]
    tasks = tasks_of(tmp_path, "xsum", rows, schema)
    assert [t.id for t in tasks] == ["29750031", "38713140"]
    assert tasks[0].references[0].text == SUMMARY


def test_multi_news_splits_articles_and_restores_newlines(tmp_path: Path) -> None:
    schema = pa.schema([("document", STRING), ("summary", STRING)])
    document = "First story line one.NEWLINE_CHARNEWLINE_CHARLine two. ||||| Second story. |||||"
    rows = [
        {"document": document, "summary": "– A summary in newser style."},
        {"document": "Only one story.|||||", "summary": "– Short."},
    ]
    first, second = tasks_of(tmp_path, "multi_news", rows, schema)
    assert [d.text for d in first.documents] == [
        "First story line one.\n\nLine two.",
        "Second story.",
    ]
    assert first.id == "row-000000" and len(second.documents) == 1
    assert first.references[0].text.startswith("– ")


def test_samsum_keeps_one_turn_per_line(tmp_path: Path) -> None:
    schema = pa.schema([("id", STRING), ("dialogue", STRING), ("summary", STRING)])
    rows = [
        {
            "id": "13818513",
            "dialogue": "Amanda: I baked cookies.\r\nJerry: Sure!",
            "summary": "Amanda baked cookies.",
        },
        {
            "id": "13728867",
            "dialogue": "Olivia: Who are you voting for?\r\nOlivia: Ok.",
            "summary": "Olivia asks.",
        },
    ]
    tasks = tasks_of(tmp_path, "samsum", rows, schema)
    assert tasks[0].documents[0].text == "Amanda: I baked cookies.\nJerry: Sure!"
    assert tasks[1].id == "13728867"


def test_billsum_takes_the_title_and_generates_ids(tmp_path: Path) -> None:
    schema = pa.schema([("text", STRING), ("summary", STRING), ("title", STRING)])
    rows = [
        {
            "text": "SECTION 1. SHORT TITLE.\n\n    This Act may be cited as the Bridge Act.",
            "summary": "Bridge Act - Funds a bridge.",
            "title": "To fund a bridge.",
        },
        {"text": ARTICLE, "summary": SUMMARY, "title": "To fund roads."},
    ]
    tasks = tasks_of(tmp_path, "billsum", rows, schema)
    assert [(t.id, t.title) for t in tasks] == [
        ("row-000000", "To fund a bridge."),
        ("row-000001", "To fund roads."),
    ]
    assert tasks[0].documents[0].text.startswith("SECTION 1. SHORT TITLE.\n\nThis Act")


@pytest.mark.parametrize("name", ["arxiv", "pubmed"])
def test_arxiv_and_pubmed_read_article_and_abstract(tmp_path: Path, name: str) -> None:
    schema = pa.schema([("article", STRING), ("abstract", STRING)])
    rows = [
        {
            "article": "we study @xmath0 models .\nresults follow @xcite .",
            "abstract": "we study models .",
        },
        {"article": ARTICLE, "abstract": SUMMARY},
    ]
    tasks = tasks_of(tmp_path, name, rows, schema)
    assert tasks[0].documents[0].text == "we study @xmath0 models .\nresults follow @xcite ."
    assert [t.id for t in tasks] == ["row-000000", "row-000001"]


def test_wcep_reads_the_list_config_and_the_joined_default(tmp_path: Path) -> None:
    listed = pa.schema([("id", STRING), ("document", pa.list_(STRING)), ("summary", STRING)])
    rows = [
        {"id": "1", "document": ["Story one.", "Story two.", "Story three."], "summary": SUMMARY},
        {"id": "2", "document": ["Only story."], "summary": SUMMARY},
    ]
    tasks = tasks_of(tmp_path, "wcep", rows, listed)
    assert [len(t.documents) for t in tasks] == [3, 1]
    joined = pa.schema([("id", STRING), ("document", STRING), ("summary", STRING)])
    rows = [
        {"id": "1", "document": "Story one.</s>Story two.", "summary": SUMMARY},
        {"id": "2", "document": "Only story.", "summary": SUMMARY},
    ]
    tasks = tasks_of(tmp_path, "wcep", rows, joined)
    assert [d.text for d in tasks[0].documents] == ["Story one.", "Story two."]


def test_every_preset_is_tested_listed_and_well_formed() -> None:
    names = [p.name for p in list_presets()]
    assert names == [
        "cnn_dailymail",
        "xsum",
        "multi_news",
        "samsum",
        "billsum",
        "arxiv",
        "pubmed",
        "wcep",
    ]
    for preset in list_presets():
        assert preset.source.startswith(f"hf:{preset.dataset}:")
        assert preset.source.endswith(f":{preset.split}")
        assert preset.budget > 0 and preset.notes and preset.confidence


def test_preset_source_gives_source_mapping_separator_budget() -> None:
    source, mapping, separator, budget = preset_source("multi_news")
    assert source == "hf:alexfabbri/multi_news:test"
    assert mapping == ColumnMapping(documents=("document",), references=("summary",))
    assert (separator, budget) == ("|||||", 260)
    assert preset_source("cnn_dailymail")[0] == "hf:abisee/cnn_dailymail:3.0.0:test"
    with pytest.raises(ValueError, match="unknown preset 'cnn'; known: cnn_dailymail"):
        get_preset("cnn")
