"""Faithfulness to the sources: for every summary sentence, whether the task's documents support
it, contradict it or never mention it, with the source sentences as evidence (``claims.csv``).

Per summary: ``faithful`` (share of sentences supported), ``support`` (mean support score of
its sentences, 0-1: the backend's degree of support, 0 for a contradicted sentence; graded where
``faithful`` counts; a disputed sentence keeps its supporting document's score), ``faithful_all``
(1 when every sentence is), ``contradicted`` (share contradicted), ``unsupported_entities``
(share of the summary's numbers and names no document states), ``sides_taken`` (sentences
stating one side of a disagreement between the documents without attributing it; 0 for a single
document).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from bench.params import invalid
from bench.request import Summary
from bench.scorers._tokens import MIN_KEPT_SHARE, kept_share
from bench.scorers.base import CannotScore, ItemScore, Metric, Need, Scorer, register_scorer
from bench.signature import Signature
from bench.support.base import (
    CONTRADICTED,
    DEFAULT_BACKEND,
    SUPPORTED,
    SupportBackend,
    Undecided,
    backends,
)
from bench.support.lexicon import detokenize, names
from bench.support.numbers import quantities
from bench.support.premise import Premise
from bench.support.sources import SentenceVerdict, attribution, combine, declared_sides
from bench.task import Task
from bench.text import split_sentences

VERSION = "v1"
OPERATIONAL = frozenset(
    {"model", "base_url", "cache", "replay", "api_key_env", "concurrency", "retries", "timeout"}
)
"""Backend parameters left out of the signature: they change no verdict, or the backend's name
already shows them (its model)."""


@register_scorer("faithfulness")
class Faithfulness(Scorer):
    """Support of each summary sentence by the source documents, judged by a support backend.
    The backend is a parameter, ``faithfulness:backend=lexical,threshold=0.5``; other
    parameters go to the backend."""

    name = "faithfulness"
    requires: ClassVar[frozenset[Need]] = frozenset({"documents"})

    def __init__(self, backend: str = DEFAULT_BACKEND, **params: Any) -> None:
        if "claims" in params:
            raise ValueError(
                "scorer 'faithfulness': parameter 'claims' is not accepted: it judges summary "
                "sentences (claims=facts is the key-fact direction, used by keyfacts)"
            )
        if "threshold" in params:
            value = float(params["threshold"])
            if not 0 < value <= 1:
                raise invalid("scorer 'faithfulness'", "threshold", "a number in (0, 1]", value)
            params["threshold"] = value
        self.backend: SupportBackend = backends.create(backend, **params)
        self.params = {k: str(v) for k, v in sorted(params.items())}

    @property
    def light(self) -> bool:  # type: ignore[override]
        """As light as its backend."""
        return self.backend.light

    def signature(self) -> str:
        """e.g. ``faithfulness:v1|backend:lexical-v2|claims:sentences|disputes:declared+found``."""
        fields = [
            ("backend", self.backend.name),
            ("claims", "sentences"),
            ("disputes", "declared+found"),
            *((k, v) for k, v in self.params.items() if k not in OPERATIONAL),
        ]
        return Signature("faithfulness", VERSION, tuple(fields)).format()

    def metrics(self) -> list[Metric]:
        """Shares of sentences and the mean support score (percent), and the count of sides
        taken."""
        return [
            Metric("faithful", "Faith", True),
            Metric("support", "Support", True),
            Metric("faithful_all", "Faith-all", True),
            Metric("contradicted", "Contra", False),
            Metric("unsupported_entities", "Unsup-ent", False),
            Metric("sides_taken", "Sides", False, scale=1.0, digits=2),
        ]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """One verdict per summary sentence; raises CannotScore for an empty summary, one in a
        script the tokenizer drops, or a backend that reaches no verdict (never scored)."""
        return self.judge(task, summary.text)

    def judge(self, task: Task, text: str, sentences: Sequence[str] = ()) -> ItemScore:
        """Score ``text`` sentence by sentence: ``sentences`` are its units when given (a human
        judgment's), else it is split; raises CannotScore as :meth:`score` does."""
        units = [s for s in (sentences or split_sentences(text, task.language)) if s.strip()]
        if not units:
            raise CannotScore("the summary is empty: nothing to check against the sources")
        # A model judge reads any script; the lexical one only what the tokenizer keeps.
        kept = kept_share(text) if self.backend.light else None
        if kept is not None and kept < MIN_KEPT_SHARE:
            raise CannotScore(
                f"the tokenizer keeps only {kept:.0%} of the summary's characters (a script it "
                "drops): the lexical judge cannot read it"
            )
        verdicts = judge_summary(self.backend, task, units)
        return ItemScore(values=summary_values(task, text, verdicts), claims=verdicts)


def judge_summary(
    backend: SupportBackend, task: Task, sentences: list[str]
) -> list[SentenceVerdict]:
    """Every sentence against every document of ``task``."""
    premises = [
        Premise.of_text(d.text, d.id, task.language, d.outlet or d.title or "")
        for d in task.documents
    ]
    outlets = [p.title for p in premises if p.title]
    attributed = [attribution(detokenize(s), outlets) for s in sentences]
    results = backend.judge(premises, [a.claim for a in attributed])
    try:
        sides = declared_sides(task.metadata, task.id)
    except ValueError as error:
        raise CannotScore(str(error)) from None
    found = []
    for index, (sentence, result) in enumerate(zip(attributed, results, strict=True)):
        if isinstance(result, Undecided):
            raise CannotScore(f"sentence {index}: {backend.name} reached no verdict: {result}")
        names_ = [p.name for p in premises]
        texts = [p.sentences for p in premises]
        found.append(
            combine(index, sentence, sentences[index], result, names_, texts, sides, backend.name)
        )
    return found


def summary_values(task: Task, text: str, verdicts: list[SentenceVerdict]) -> dict[str, float]:
    """The per-summary metrics from its sentences' verdicts."""
    n = len(verdicts)
    supported = sum(1 for v in verdicts if v.verdict == SUPPORTED)
    return {
        "faithful": supported / n,
        "support": math.fsum(v.score for v in verdicts) / n,
        "faithful_all": float(supported == n),
        "contradicted": sum(1 for v in verdicts if v.verdict == CONTRADICTED) / n,
        "unsupported_entities": unsupported_entities(task, text),
        "sides_taken": float(sum(1 for v in verdicts if v.verdict == "disputed")),
    }


def unsupported_entities(task: Task, text: str) -> float:
    """Share of the summary's numbers and capitalised names that no document states (0 when
    it states none)."""
    clean = detokenize(text)
    documents = [Premise.of_text(d.text, d.id, task.language) for d in task.documents]
    numbers = quantities(clean, False)
    stated_numbers = frozenset().union(*(p.all_numbers for p in documents))
    found = [n for s in split_sentences(clean, task.language) for n in names(s)]
    entities = set(found)
    stated_words = frozenset().union(*(p.words for p in documents))
    missing = len(numbers - stated_numbers) + len(entities - stated_words)
    total = len(numbers) + len(entities)
    return missing / total if total else 0.0
