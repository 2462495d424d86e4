"""Signatures: built, read back from stored strings, and compared by what they measure."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.scorers import scorers
from bench.scorers.extractive import Stats
from bench.signature import Signature, measurement

KEYS = st.text(st.characters(exclude_characters="|:"), max_size=8)
VALUES = st.text(st.characters(exclude_characters="|"), max_size=8)
ROUGE_VERSION = importlib.metadata.version("rouge-score")


def test_format_writes_the_head_then_each_field_in_order() -> None:
    signature = Signature("stats", "v1", (("tok", "default"), ("split", "pysbd")))
    assert signature.format() == "stats:v1|tok:default|split:pysbd"
    assert str(signature) == signature.format()


def test_parse_reads_head_fields_and_values_holding_colons() -> None:
    found = Signature.parse("keyfacts:v3|matcher:llm-v2:judge:finesure-v1|stem:porter")
    assert found == Signature(
        "keyfacts", "v3", (("matcher", "llm-v2:judge:finesure-v1"), ("stem", "porter"))
    )


@given(st.text())
def test_every_string_reads_back_to_itself(text: str) -> None:
    assert Signature.parse(text).format() == text


@given(KEYS, st.none() | VALUES, st.lists(st.tuples(KEYS, st.none() | VALUES), max_size=6))
def test_parse_is_the_inverse_of_format(
    name: str, version: str | None, fields: list[tuple[str, str | None]]
) -> None:
    signature = Signature(name, version, tuple(fields))
    assert Signature.parse(signature.format()) == signature


def test_measurement_ignores_the_engine() -> None:
    python = f"rouge:v{ROUGE_VERSION}|engine:python|tok:default|stem:porter|lsum:punkt|refs:max"
    rs = python.replace("engine:python", "engine:rs")
    assert measurement(python) == measurement(rs)
    assert measurement(python).format() == python.replace("|engine:python", "")
    assert measurement(python) != measurement(python.replace("refs:max", "refs:mean"))
    assert measurement("exclaim:v1") == Signature("exclaim", "v1")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "tok:default|stem:porter|lsum:punkt|refs:max"),
        ({"stem": "false", "refs": "mean"}, "tok:default|stem:none|lsum:punkt|refs:mean"),
        ({"tokenizer": "unicode"}, "tok:unicode|stem:porter|lsum:punkt|refs:max"),
        ({"types": "rouge1", "stem": False}, "tok:default|stem:none|lsum:punkt|refs:max"),
        ({"split": "pysbd"}, "tok:default|stem:porter|lsum:pysbd|refs:max"),
    ],
)
def test_rouge_signature_strings_are_unchanged(options: dict[str, str], expected: str) -> None:
    assert scorers.create("rouge", engine="python", **options).signature() == (
        f"rouge:v{ROUGE_VERSION}|engine:python|{expected}"
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "keyfacts:v3|matcher:lexical-v2|patterns:first|stem:porter"),
        ({"patterns": "ignore"}, "keyfacts:v3|matcher:lexical-v2|patterns:ignore|stem:porter"),
        (
            {"matcher": "calibrated-v2"},
            "keyfacts:v3|matcher:calibrated-v2|patterns:first|stem:porter",
        ),
        (
            {"matcher": "lexical-v1", "threshold": "0.75"},
            "keyfacts:v3|matcher:lexical-v1|patterns:first|stem:porter|threshold:0.75",
        ),
    ],
)
def test_keyfacts_signature_strings_are_unchanged(options: dict[str, str], expected: str) -> None:
    assert scorers.create("keyfacts", **options).signature() == expected


@pytest.mark.parametrize("tokenizer", ["default", "unicode"])
def test_stats_signature_strings_are_unchanged(tokenizer: str) -> None:
    assert Stats(tokenizer=tokenizer).signature() == f"stats:v1|tok:{tokenizer}|split:punkt"


def test_every_signature_of_the_committed_baseline_reads_back_to_itself() -> None:
    info = json.loads((Path(__file__).parent.parent / "results/baseline/run.json").read_text())
    for text in info["signatures"].values():
        assert Signature.parse(text).format() == text
        assert Signature.parse(text).name in {"rouge", "keyfacts", "stats"}
