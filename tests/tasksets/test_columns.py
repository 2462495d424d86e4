"""Column mappings: the CLI form, its errors, the identity mapping."""

from __future__ import annotations

import pytest

from bench.tasksets import ColumnMapping, parse_mapping


def test_parse_mapping_reads_fields_and_plus_joined_columns() -> None:
    mapping = parse_mapping("documents=article, references=ref1+ref2 ,id=id,budget=words")
    assert mapping == ColumnMapping(
        documents=("article",), references=("ref1", "ref2"), id="id", budget="words"
    )
    assert str(mapping) == "documents=article,references=ref1+ref2,id=id,budget=words"
    assert mapping.columns() == ["article", "ref1", "ref2", "id", "words"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("documents=article,summary=highlights", "unknown field 'summary'"),
        ("documents", "expected FIELD=COLUMN"),
        ("documents=a,documents=b", "mapped twice"),
        ("documents=a,id=x+y", "'id' takes one column"),
        ("references=highlights", "names no documents column"),
        ("documents=a+", "empty column name"),
    ],
)
def test_parse_mapping_rejects_bad_entries_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_mapping(text)


def test_identity_mapping_takes_the_columns_named_like_task_fields() -> None:
    mapping = ColumnMapping.identity(["id", "documents", "references", "extra"])
    assert mapping == ColumnMapping(documents=("documents",), references=("references",), id="id")
