"""Presets for the summarization benchmarks the field reports: where each lives, how its columns
map to tasks, and the quirks to know.

Budgets are about the mean reference length reported for each dataset, in words; override them
with ``--budget``. Several hub repositories were published with loading scripts, which
``datasets`` 4 and later no longer run: for those, load a local copy (see the notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.tasksets.columns import ColumnMapping, parse_mapping
from bench.tasksets.sources import HUB_PREFIX

NEWS = "Summarize this news article. Report only what it states."
CLUSTER = "Summarize these news articles. Report only what they state."


@dataclass(frozen=True)
class Preset:
    """One standard benchmark: hub location, column mapping, budget and known quirks."""

    name: str
    title: str
    dataset: str
    config: str | None
    split: str
    mapping: str
    budget: int
    instructions: str
    notes: str
    confidence: str
    separator: str | None = None
    newline_token: str | None = None

    @property
    def source(self) -> str:
        """The ``--tasks`` value for the hub copy, ``hf:NAME[:CONFIG]:SPLIT``."""
        config = f":{self.config}" if self.config else ""
        return f"{HUB_PREFIX}{self.dataset}{config}:{self.split}"

    def column_mapping(self) -> ColumnMapping:
        """The parsed column mapping."""
        return parse_mapping(self.mapping)

    def task_options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`bench.tasksets.open_tasks` (with any source)."""
        return {
            "mapping": self.column_mapping(),
            "separator": self.separator,
            "newline_token": self.newline_token,
            "budget": self.budget,
            "instructions": self.instructions,
        }


_PRESETS = [
    Preset(
        name="cnn_dailymail",
        title="CNN/DailyMail 3.0.0 (non-anonymized)",
        dataset="abisee/cnn_dailymail",
        config="3.0.0",
        split="test",
        mapping="documents=article,references=highlights,id=id",
        budget=55,
        instructions=NEWS,
        notes=(
            "11,490 test rows. highlights are 3-4 sentences, one per line: kept as one "
            "reference with its line breaks, which rougeLsum uses as sentence boundaries. "
            "Articles keep their bylines and '(CNN) --' / 'By . Daily Mail Reporter .' openers. "
            "ids are SHA-1 hex digests of the story URLs."
        ),
        confidence="high: article/highlights/id in the dataset card and its mirrors",
    ),
    Preset(
        name="xsum",
        title="XSum (extreme summarization, BBC)",
        dataset="EdinburghNLP/xsum",
        config=None,
        split="test",
        mapping="documents=document,references=summary,id=id",
        budget=25,
        instructions="Summarize this news article in one sentence.",
        notes=(
            "11,334 test rows. The summary is the article's introductory sentence, removed from "
            "the document; one sentence of about 23 words. The hub repository was published "
            "with a loading script: if datasets refuses it, use a local Parquet/JSONL copy."
        ),
        confidence=(
            "high for columns (document/summary/id in its dataset_infos.json); "
            "medium that the hub copy loads without its script"
        ),
    ),
    Preset(
        name="multi_news",
        title="Multi-News (multi-document, newser.com)",
        dataset="alexfabbri/multi_news",
        config=None,
        split="test",
        mapping="documents=document,references=summary",
        budget=260,
        instructions=CLUSTER,
        separator="|||||",
        newline_token="NEWLINE_CHAR",
        notes=(
            "5,622 test rows. Source articles are joined with '|||||' in one string (a trailing "
            "separator leaves an empty piece, dropped); the raw release writes line breaks as "
            "NEWLINE_CHAR, turned back into line breaks. Summaries open with '– '. No id "
            "column: tasks get row-000000 ids. Some clusters hold one article."
        ),
        confidence=(
            "high for columns and separator (HF and TFDS cards); medium for the hub id "
            "(formerly 'multi_news')"
        ),
    ),
    Preset(
        name="samsum",
        title="SAMSum (chat dialogues)",
        dataset="Samsung/samsum",
        config="samsum",
        split="test",
        mapping="documents=dialogue,references=summary,id=id",
        budget=20,
        instructions="Summarize this chat conversation.",
        notes=(
            "819 test rows. Dialogues hold one 'Name: message' turn per line (CRLF, normalised "
            "to LF). The hub repository reads a .7z archive through a loading script (needs "
            "py7zr) that datasets 4+ no longer runs: use a local copy."
        ),
        confidence="high for columns (id/dialogue/summary); medium for the config name",
    ),
    Preset(
        name="billsum",
        title="BillSum (US Congressional bills)",
        dataset="FiscalNote/billsum",
        config=None,
        split="test",
        mapping="documents=text,references=summary,title=title",
        budget=200,
        instructions="Summarize this bill.",
        notes=(
            "3,269 test rows (ca_test: 1,237 California bills). text keeps the bill's section "
            "layout ('SECTION 1. SHORT TITLE.'); title is the official title. No id column: "
            "tasks get row-000000 ids. Parquet on the hub."
        ),
        confidence="high: text/summary/title in the dataset card, Parquet files on the hub",
    ),
    Preset(
        name="arxiv",
        title="arXiv (long scientific papers)",
        dataset="ccdv/arxiv-summarization",
        config="section",
        split="test",
        mapping="documents=article,references=abstract",
        budget=220,
        instructions="Write the abstract of this scientific paper.",
        notes=(
            "6,440 test rows. 'section' config: sections separated by line breaks ('document' "
            "joins them). Math is replaced by @xmath tokens and citations by @xcite, kept as is. "
            "No id column: tasks get row-000000 ids. Articles run to ~6,000 words."
        ),
        confidence="medium-high: article/abstract and the section/document configs per its card",
    ),
    Preset(
        name="pubmed",
        title="PubMed (long biomedical papers)",
        dataset="ccdv/pubmed-summarization",
        config="section",
        split="test",
        mapping="documents=article,references=abstract",
        budget=200,
        instructions="Write the abstract of this scientific paper.",
        notes=(
            "6,658 test rows. Same layout as arxiv ('section' / 'document' configs, @xmath and "
            "@xcite tokens). No id column: tasks get row-000000 ids."
        ),
        confidence="medium-high: same schema as ccdv/arxiv-summarization per its card",
    ),
    Preset(
        name="wcep",
        title="WCEP-10 (multi-document, Wikipedia Current Events Portal)",
        dataset="ccdv/WCEP-10",
        config="list",
        split="test",
        mapping="documents=document,references=summary,id=id",
        budget=35,
        instructions=CLUSTER,
        separator="</s>",
        notes=(
            "1,022 test rows, up to 10 articles each. The 'list' config gives document as a "
            "list of articles; the default 'roberta' config joins them with '</s>' (handled by "
            "the separator; 'newline' and 'bert' ('[SEP]') configs need --separator). The hub "
            "repository uses a loading script that datasets 4+ no longer runs: use a local copy."
        ),
        confidence="high for id/document/summary and the configs (dataset card)",
    ),
]
PRESETS: dict[str, Preset] = {p.name: p for p in _PRESETS}


def list_presets() -> list[Preset]:
    """Every preset, in display order."""
    return list(_PRESETS)


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (a ValueError lists the known ones)."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None


def preset_source(name: str) -> tuple[str, ColumnMapping, str | None, int]:
    """(hub source, column mapping, document separator, word budget) of a preset."""
    preset = get_preset(name)
    return preset.source, preset.column_mapping(), preset.separator, preset.budget
