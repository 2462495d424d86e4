"""Evidence kinds the viewer shows per summary: each is one row file of the results folder and
one reader turning its rows into records for the browser.

A new kind (say, a QA-based scorer's questions) is one more :class:`EvidenceKind` in
:data:`EVIDENCE_KINDS` and one more section renderer in ``assets/view.js``; a kind the
browser does not know is still shown, as a table of its fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report.view.rows import csv_records
from bench.store import FACTS_FILE

CLAIMS_FILE = "claims.csv"
"""Per-sentence faithfulness verdicts, written by the ``faithfulness`` scorer."""

ITEM_COLUMNS = ("task_id", "system")


def number(text: str | None) -> float | None:
    """A CSV cell as a float, None when empty or not a finite number."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _index(text: str | None) -> int | None:
    value = number(text)
    return int(value) if value is not None and value.is_integer() else None


def _first(row: Mapping[str, str], *names: str) -> str:
    for name in names:
        if row.get(name) not in (None, ""):
            return row[name]
    return ""


def fact_record(row: Mapping[str, str]) -> dict[str, Any]:
    """A ``facts.csv`` row: the verdict on one key fact, the summary sentence that states it
    and the matcher's score."""
    return {
        "sample": row.get("sample", ""),
        "fact_id": row.get("fact_id", ""),
        "weight": number(row.get("weight")),
        "present": row.get("present", "").strip().lower() in ("true", "1", "1.0"),
        "evidence": row.get("evidence", ""),
        "matcher": row.get("matcher", ""),
        "score": number(row.get("score")),
    }


_CLAIM_FIELDS = {
    "sample": ("sample",),
    "sentence": ("sentence", "sentence_index"),
    "claim": ("claim", "claim_text", "text"),
    "verdict": ("verdict", "label"),
    "score": ("score",),
    "evidence_doc": ("evidence_doc", "evidence_document", "document", "doc_id"),
    "evidence": ("evidence", "evidence_sentence", "evidence_text"),
    "backend": ("backend",),
}
"""Record field -> the ``claims.csv`` column names it is read from (first one present)."""


def claim_record(row: Mapping[str, str]) -> dict[str, Any]:
    """A ``claims.csv`` row: one summary sentence's (or claim's) verdict against the sources,
    with the source document and sentence (its index or its text) given as evidence; columns
    beyond the known ones are kept under ``extra``."""
    used = {name for names in _CLAIM_FIELDS.values() for name in names} | set(ITEM_COLUMNS)
    evidence = _first(row, *_CLAIM_FIELDS["evidence"])
    return {
        "sample": _first(row, *_CLAIM_FIELDS["sample"]),
        "sentence": _index(_first(row, *_CLAIM_FIELDS["sentence"])),
        "claim": _first(row, *_CLAIM_FIELDS["claim"]),
        "verdict": _first(row, *_CLAIM_FIELDS["verdict"]).strip().lower().replace("_", " "),
        "score": number(_first(row, *_CLAIM_FIELDS["score"])),
        "evidence_doc": _first(row, *_CLAIM_FIELDS["evidence_doc"]),
        "evidence_index": _index(evidence),
        "evidence": "" if _index(evidence) is not None else evidence,
        "backend": _first(row, *_CLAIM_FIELDS["backend"]),
        "extra": {k: v for k, v in row.items() if k not in used and v not in (None, "")},
    }


@dataclass(frozen=True)
class EvidenceKind:
    """One kind of per-summary evidence: where its rows are and how each becomes a record."""

    name: str
    """The section of the summary page (and the key in each item's ``evidence``)."""
    title: str
    file: str
    record: Callable[[Mapping[str, str]], dict[str, Any]]
    key: tuple[str, ...]
    """Record fields that identify a decision: a later row with the same key (a resumed item
    scored again) replaces the earlier one."""
    verdict: str
    """The record field the verdict filter works on."""

    def rows(self, root: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(task id, system, record) of every row of the kind's file, in file order."""
        for row in csv_records(root / self.file, ITEM_COLUMNS):
            yield row["task_id"], row["system"], self.record(row)


EVIDENCE_KINDS = (
    EvidenceKind(
        "facts",
        "Key facts",
        FACTS_FILE,
        fact_record,
        ("sample", "fact_id", "matcher"),
        "present",
    ),
    EvidenceKind(
        "claims",
        "Faithfulness to the sources",
        CLAIMS_FILE,
        claim_record,
        ("sample", "sentence", "claim", "backend"),
        "verdict",
    ),
)
"""Every evidence kind the viewer reads, in the order the summary page shows them."""


def latest(records: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """``records`` with only the last of each key, in the order of first appearance."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in records:
        found[tuple(record.get(k) for k in key)] = record
    return list(found.values())
