"""Descriptive statistics of a summary: length, compression, extractiveness and novelty.

Coverage and density follow Grusky, Naaman & Artzi (2018), "Newsroom", Algorithm 1, as in their
reference code (``newsroom/analyze/fragments.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from bench.request import Summary
from bench.scorers._tokens import tokens, unicode_tokens, warn_if_dropped
from bench.scorers.base import ItemScore, Metric, Need, Scorer, register_scorer
from bench.signature import Signature
from bench.task import Task
from bench.text import DEFAULT_SPLITTER, count_words, parse_splitter, split_sentences

_BOUNDARY = ""
"""Placed between documents; tokens are never empty, so no fragment crosses a document."""


@dataclass(frozen=True)
class Fragment:
    """A shared token sequence: start in the summary, start in the article, length."""

    summary: int
    article: int
    length: int


def fragments(summary: Sequence[str], article: Sequence[str]) -> list[Fragment]:
    """Greedy extractive fragments (Newsroom Algorithm 1), article positions indexed by token.

    At each summary position the longest match is sought among article occurrences of the
    token; like the paper, after a match the search resumes where that match ended, so an
    occurrence starting inside an earlier match is not tried.
    """
    where: dict[str, list[int]] = defaultdict(list)
    for position, token in enumerate(article):
        where[token].append(position)
    found: list[Fragment] = []
    i = 0
    while i < len(summary):
        best = Fragment(i, -1, 0)
        resume = 0
        for start in where.get(summary[i], ()):
            if start < resume:
                continue
            length = 1
            while (
                i + length < len(summary)
                and start + length < len(article)
                and summary[i + length] == article[start + length]
            ):
                length += 1
            if length > best.length:
                best = Fragment(i, start, length)
            resume = start + length
        if best.length:
            found.append(best)
            i += best.length
        else:
            i += 1
    return found


def coverage_density(summary: Sequence[str], article: Sequence[str]) -> tuple[float, float]:
    """Newsroom coverage and density of ``summary`` over ``article``; (0, 0) for no tokens."""
    if not summary:
        return 0.0, 0.0
    lengths = [f.length for f in fragments(summary, article)]
    return sum(lengths) / len(summary), sum(n * n for n in lengths) / len(summary)


def novel_bigram_share(summary: Sequence[str], documents: Sequence[Sequence[str]]) -> float:
    """Share of the summary's bigram occurrences found in no document; 0.0 under 2 tokens."""
    bigrams = list(pairwise(summary))
    if not bigrams:
        return 0.0
    known = {pair for doc in documents for pair in pairwise(doc)}
    return sum(1 for pair in bigrams if pair not in known) / len(bigrams)


@register_scorer("stats")
class Stats(Scorer):
    """Words, sentences, compression, Newsroom coverage/density and novel bigrams."""

    name = "stats"
    requires: ClassVar[frozenset[Need]] = frozenset({"documents"})

    def __init__(self, tokenizer: str = "default", split: str = DEFAULT_SPLITTER) -> None:
        self.split = parse_splitter(split)
        self.tokenizer = str(tokenizer).strip().lower()
        if self.tokenizer not in ("default", "unicode"):
            raise ValueError(
                f"parameter 'tokenizer' must be one of default, unicode, got {tokenizer!r}"
            )
        self._tokens = tokens if self.tokenizer == "default" else unicode_tokens
        self._warned: set[str] = set()
        """Tasks warned about a tokenizer that drops their script (once each)."""
        self._checked: set[tuple[str, ...]] = set()
        """Recent tasks whose documents were checked for a dropped script."""

    def signature(self) -> str:
        """``stats:v1|tok:default|split:punkt`` (``tok:unicode``: every script's letters)."""
        fields = (("tok", self.tokenizer), ("split", self.split))
        return Signature("stats", "v1", fields).format()

    def metrics(self) -> list[Metric]:
        """Descriptive metrics: no best value is marked."""
        return [
            Metric("words", "Words", None, 1, 0),
            Metric("sentences", "Sents", None, 1, 1, shown=False),
            Metric("compression", "Compr.", None, 1, 1, shown=False),
            Metric("coverage", "Cov.", None, 1, 2),
            Metric("density", "Dens.", None, 1, 2),
            Metric("novel_bigrams", "Novel-2", None, 100, 1),
        ]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """Statistics of one summary; an empty summary gets 0 everywhere, compression included."""
        # The task's documents are checked once (first, so every system's item gives the same
        # warning); each summary after them.
        key = (task.id, *(d.content_hash for d in task.documents))
        documents_checked = key in self._checked
        if not documents_checked:
            if len(self._checked) >= 4096:
                self._checked.clear()
            self._checked.add(key)
        if (
            self.tokenizer == "default"
            and task.id not in self._warned
            and warn_if_dropped(
                "stats",
                task.id,
                (
                    []
                    if documents_checked
                    else [(f"document {d.id!r}", d.text) for d in task.documents]
                )
                + [("the summary", summary.text)],
                "coverage, density and novel bigrams are void for non-Latin scripts; "
                "stats:tokenizer=unicode keeps every script's letters",
            )
        ):
            self._warned.add(task.id)
        words = count_words(summary.text)
        source_words = sum(count_words(d.text) for d in task.documents)
        summary_tokens = self._tokens(summary.text)
        documents = [self._tokens(d.text) for d in task.documents]
        article: list[str] = []
        for doc in documents:
            article.extend([*doc, _BOUNDARY])
        coverage, density = coverage_density(summary_tokens, article)
        values = {
            "words": float(words),
            "sentences": float(len(split_sentences(summary.text, task.language, self.split))),
            "compression": source_words / words if words else 0.0,
            "coverage": coverage,
            "density": density,
            "novel_bigrams": novel_bigram_share(summary_tokens, documents),
        }
        return ItemScore(values=values)
