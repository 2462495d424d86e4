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


_SUMMARY_END = object()
_ARTICLE_END = object()


def positions(article: Sequence[str]) -> dict[str, list[int]]:
    """Where each token occurs in ``article``: the index :func:`fragments` searches."""
    where: dict[str, list[int]] = defaultdict(list)
    for position, token in enumerate(article):
        where[token].append(position)
    return where


def fragments(
    summary: Sequence[str], article: Sequence[str], where: dict[str, list[int]] | None = None
) -> list[Fragment]:
    """Greedy extractive fragments (Newsroom Algorithm 1), article positions indexed by token
    (``where``: :func:`positions` of ``article``, when already known).

    At each summary position the longest match is sought among article occurrences of the
    token; like the paper, after a match the search resumes where that match ended, so an
    occurrence starting inside an earlier match is not tried.
    """
    if where is None:
        where = positions(article)
    found: list[Fragment] = []
    size = len(summary)
    # Each text ends in a marker equal to nothing, so a match stops at either text's end.
    own: list[object] = [*summary, _SUMMARY_END]
    source: list[object] = [*article, _ARTICLE_END]
    i = 0
    while i < size:
        best_start, best_length = -1, 0
        resume = 0
        for start in where.get(summary[i], ()):
            if start < resume:
                continue
            length = 1
            while own[i + length] == source[start + length]:
                length += 1
            if length > best_length:
                best_start, best_length = start, length
            resume = start + length
        if best_length:
            found.append(Fragment(i, best_start, best_length))
            i += best_length
        else:
            i += 1
    return found


def coverage_density(
    summary: Sequence[str], article: Sequence[str], where: dict[str, list[int]] | None = None
) -> tuple[float, float]:
    """Newsroom coverage and density of ``summary`` over ``article``; (0, 0) for no tokens."""
    if not summary:
        return 0.0, 0.0
    lengths = [f.length for f in fragments(summary, article, where)]
    return sum(lengths) / len(summary), sum(n * n for n in lengths) / len(summary)


def novel_bigram_share(
    summary: Sequence[str],
    documents: Sequence[Sequence[str]],
    known: set[tuple[str, str]] | None = None,
) -> float:
    """Share of the summary's bigram occurrences found in no document (``known``: the
    documents' bigrams, when already known); 0.0 under 2 tokens."""
    bigrams = list(pairwise(summary))
    if not bigrams:
        return 0.0
    if known is None:
        known = {pair for doc in documents for pair in pairwise(doc)}
    return sum(1 for pair in bigrams if pair not in known) / len(bigrams)


@dataclass(frozen=True)
class _Sources:
    """What every summary of a task is compared with, computed once per task."""

    words: int
    article: list[str]
    where: dict[str, list[int]]
    bigrams: set[tuple[str, str]]


CACHED_TASKS = 64
"""Tasks whose tokenized sources ``stats`` keeps: a run scores every system of a task close
together, so a few suffice, and memory stays bounded."""


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
        self._sources: dict[tuple[str, ...], _Sources] = {}

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
        sources = self._sources_of(task, key)
        summary_tokens = self._tokens(summary.text)
        coverage, density = coverage_density(summary_tokens, sources.article, sources.where)
        values = {
            "words": float(words),
            "sentences": float(len(split_sentences(summary.text, task.language, self.split))),
            "compression": sources.words / words if words else 0.0,
            "coverage": coverage,
            "density": density,
            "novel_bigrams": novel_bigram_share(summary_tokens, [], sources.bigrams),
        }
        return ItemScore(values=values)

    def _sources_of(self, task: Task, key: tuple[str, ...]) -> _Sources:
        found = self._sources.get(key)
        if found is None:
            documents = [self._tokens(d.text) for d in task.documents]
            article: list[str] = []
            for doc in documents:
                article.extend([*doc, _BOUNDARY])
            found = _Sources(
                words=sum(count_words(d.text) for d in task.documents),
                article=article,
                where=positions(article),
                bigrams={pair for doc in documents for pair in pairwise(doc)},
            )
            if len(self._sources) >= CACHED_TASKS:
                del self._sources[next(iter(self._sources))]
            self._sources[key] = found
        return found
