"""Human faithfulness judgments of summaries, read for ``sumbench meta`` and
``sumbench calibrate`` (:mod:`bench.faithmeta`).

Judgments file (JSON Lines, one object per judged summary)::

    {"doc_id": "a1", "system": "s1", "document": "The source text ...", "summary": "Text ...",
     "sentences": ["First unit.", "Second unit."], "score": 0.5, "label": 0,
     "sentence_labels": [1, 0], "subset": "news", "metrics": {"FactCC": 0.61}}

``doc_id``, ``system``, ``summary`` and ``document`` (or ``documents``: a list of texts or of
``{"id", "text"}``) are required, and at least one of ``score`` (a human faithfulness score,
higher is more faithful), ``label`` (1 when the whole summary is faithful) or
``sentence_labels`` (one 0/1 per unit of ``sentences``, 1 = faithful). ``sentences`` are the
units the annotators judged (else the summary is split); ``subset`` groups rows for per-subset
figures; ``metrics`` are other metrics' values on the same rows, reported side by side. FRANK's
field names (``article_id``, ``article``, ``summary_sentences``, ``factuality``,
``all_factual``, ``dataset``, ``published_metrics``) are read as they are; other names map with
``fields={"score": "my_score"}`` (``--field score=my_score``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.meta import JudgmentError, read_jsonl

FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "doc_id": ("doc_id", "article_id"),
    "system": ("system",),
    "documents": ("documents", "document", "article"),
    "summary": ("summary",),
    "sentences": ("sentences", "summary_sentences"),
    "score": ("score", "factuality"),
    "label": ("label", "all_factual"),
    "sentence_labels": ("sentence_labels",),
    "subset": ("subset", "dataset"),
    "metrics": ("metrics", "published_metrics"),
}
"""Each field of a faithfulness judgment and the names it is read from, first found wins."""
EXPECTED = {
    "id": "text (optional; default doc_id:system)",
    "doc_id": "text: the judged article (its summaries are resampled together)",
    "system": "text: the system that wrote the summary",
    "documents": "the source text, or a list of texts or of {id, text}",
    "summary": "text: the judged summary",
    "sentences": "a list of texts: the units the annotators judged",
    "score": "a number: the human faithfulness score (higher is more faithful)",
    "label": "0 or 1: 1 when the whole summary is faithful",
    "sentence_labels": "a list of 0/1, one per unit of `sentences` (1 = faithful)",
    "subset": "text: a group for per-subset figures (e.g. the dataset)",
    "metrics": "an object of metric name -> number (other metrics on the same row)",
}


@dataclass(frozen=True)
class FaithJudgment:
    """Human faithfulness judgments of one summary of one article by one system."""

    id: str
    doc_id: str
    system: str
    documents: tuple[str, ...]
    summary: str
    sentences: tuple[str, ...] = ()
    score: float | None = None
    label: int | None = None
    sentence_labels: tuple[int, ...] = ()
    subset: str = ""
    metrics: Mapping[str, float] = field(default_factory=dict)


def is_faithfulness(
    records: Sequence[Mapping[str, Any]], fields: Mapping[str, str] | None = None
) -> bool:
    """Whether records are faithfulness judgments (they carry source documents)."""
    names = (*FIELDS["documents"], *((fields or {}).get("documents", ""),))
    return (
        bool(records)
        and isinstance(records[0], Mapping)
        and any(n in records[0] for n in names if n)
    )


def load_faith_judgments(
    path: Path, fields: Mapping[str, str] | None = None
) -> list[FaithJudgment]:
    """Faithfulness judgments from a JSON Lines file (the documented format, FRANK's fields, or
    names mapped by ``fields``); raises JudgmentError naming the line, field and expectation."""
    unknown = sorted(set(fields or {}) - set(FIELDS))
    if unknown:
        raise JudgmentError(
            f"unknown judgment field(s) {', '.join(map(repr, unknown))} in the mapping; "
            f"known: {', '.join(FIELDS)}"
        )
    return [parse(r, f"{path}:{n}", fields or {}) for n, r in enumerate(read_jsonl(path), 1)]


def parse(record: Mapping[str, Any], where: str, fields: Mapping[str, str]) -> FaithJudgment:
    """One record as a judgment; ``where`` (file:line) names it in errors."""
    if not isinstance(record, Mapping):
        raise JudgmentError(f"{where}: expected a JSON object, got {type(record).__name__}")

    def get(name: str, required: bool = False) -> Any:
        names = (fields[name],) if name in fields else FIELDS[name]
        for key in names:
            if key in record and record[key] is not None:
                return record[key]
        if required:
            raise _bad(where, name, names, "missing")
        return None

    doc_id, system = (
        _text(get("doc_id", True), where, "doc_id"),
        _text(get("system", True), where, "system"),
    )
    summary = get("summary", True)
    if not isinstance(summary, str):
        raise _bad(where, "summary", FIELDS["summary"], f"got {summary!r:.60}")
    sentences = _texts(get("sentences"), where, "sentences")
    judgment = FaithJudgment(
        id=_text(get("id") or f"{doc_id}:{system}", where, "id"),
        doc_id=doc_id,
        system=system,
        documents=_documents(get("documents", True), where),
        summary=summary,
        sentences=sentences,
        score=_number(get("score"), where, "score"),
        label=_binary(get("label"), where, "label"),
        sentence_labels=_labels(get("sentence_labels"), sentences, where),
        subset=_text(get("subset") or "", where, "subset"),
        metrics=_metrics(get("metrics"), where),
    )
    if judgment.score is None and judgment.label is None and not judgment.sentence_labels:
        raise JudgmentError(
            f"{where}: no human judgment: expected `score` ({EXPECTED['score']}), `label` "
            f"({EXPECTED['label']}) or `sentence_labels` ({EXPECTED['sentence_labels']})"
        )
    return judgment


def _bad(where: str, name: str, names: Sequence[str], problem: str) -> JudgmentError:
    read = " / ".join(f"`{n}`" for n in names)
    return JudgmentError(f"{where}: field {read}: {problem}; expected {EXPECTED[name]}")


def _text(value: Any, where: str, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _bad(where, name, FIELDS[name], f"got {value!r:.60}")
    return str(value)


def _texts(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(where, name, FIELDS[name], f"got {value!r:.60}")
    return tuple(value)


def _documents(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    texts = [v.get("text") if isinstance(v, Mapping) else v for v in value or [None]]
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in texts):
        raise _bad(where, "documents", FIELDS["documents"], f"got {value!r:.60}")
    return tuple(str(t) for t in texts)


def _number(value: Any, where: str, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise _bad(where, name, FIELDS[name], f"got {value!r:.60}")
    return float(value)


def _binary(value: Any, where: str, name: str) -> int | None:
    if value is None:
        return None
    if value not in (0, 1) or isinstance(value, str):
        raise _bad(where, name, FIELDS[name], f"got {value!r:.60}")
    return int(value)


def _labels(value: Any, sentences: Sequence[str], where: str) -> tuple[int, ...]:
    if value is None:
        return ()
    names = FIELDS["sentence_labels"]
    if not isinstance(value, list) or any(v not in (0, 1) or isinstance(v, str) for v in value):
        raise _bad(where, "sentence_labels", names, f"got {value!r:.60}")
    if len(value) != len(sentences):
        raise _bad(
            where,
            "sentence_labels",
            names,
            f"{len(value)} labels for {len(sentences)} `sentences` (the units must be given)",
        )
    return tuple(int(v) for v in value)


def _metrics(value: Any, where: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _bad(where, "metrics", FIELDS["metrics"], f"got {value!r:.60}")
    found = {}
    for name, number in value.items():
        if isinstance(number, int | float) and not isinstance(number, bool):
            found[str(name)] = float(number)
        elif number is not None:
            raise _bad(where, "metrics", FIELDS["metrics"], f"{name!r} is {number!r:.40}")
    return found
