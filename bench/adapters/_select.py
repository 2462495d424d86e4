"""Helpers shared by the extractive adapters: the sentence pool, the word budget and
near-duplicate skipping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.request import Summary, SummaryRequest
from bench.text import alphanumeric_words, count_words, split_sentences, truncate_words

NEAR_DUPLICATE_JACCARD = 0.6
"""A candidate whose token set is at least this similar to a chosen sentence is skipped."""


@dataclass(frozen=True)
class Sentence:
    """One sentence of the request, with its position and what the helpers need to know."""

    doc: int
    index: int
    text: str
    words: int
    tokens: frozenset[str]

    @property
    def position(self) -> tuple[int, int]:
        """(document index, sentence index): sorting by it gives source order."""
        return (self.doc, self.index)


def sentence_pool(request: SummaryRequest) -> list[Sentence]:
    """Every sentence of every document, in source order.

    Fragments without a single word character (a closing quote the splitter cut off, a row of
    asterisks) are left out; indices still count them, so they match ``split_sentences``.
    """
    pool: list[Sentence] = []
    for doc, document in enumerate(request.documents):
        for index, text in enumerate(split_sentences(document.text, request.language)):
            found = frozenset(alphanumeric_words(text))
            if found:
                pool.append(Sentence(doc, index, text, count_words(text), found))
    return pool


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two token sets; two empty sets count as identical."""
    union = len(a | b)
    return len(a & b) / union if union else 1.0


class Selection:
    """Sentences chosen so far under a word budget, skipping near-duplicates.

    Whole sentences are added while they fit; only when nothing has been chosen yet may a
    sentence that is too long be added, cut to the budget, which then ends the selection.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.chosen: list[Sentence] = []
        self.texts: list[str] = []
        self.words = 0
        self.truncated = False

    @property
    def full(self) -> bool:
        """True when nothing more can be added."""
        return self.truncated or self.words >= self.budget

    def is_duplicate(self, sentence: Sentence) -> bool:
        """True if ``sentence`` nearly repeats one already chosen."""
        limit = NEAR_DUPLICATE_JACCARD
        return any(jaccard(sentence.tokens, other.tokens) >= limit for other in self.chosen)

    def candidate_text(self, sentence: Sentence) -> str | None:
        """The text ``sentence`` would add (possibly truncated), or None if it cannot be added."""
        if self.full or self.is_duplicate(sentence):
            return None
        if self.words + sentence.words <= self.budget:
            return sentence.text
        if not self.chosen:
            return truncate_words(sentence.text, self.budget)
        return None

    def offer(self, sentence: Sentence) -> bool:
        """Add ``sentence`` if it is no near-duplicate and fits; return whether it was added."""
        text = self.candidate_text(sentence)
        if text is None:
            return False
        self.chosen.append(sentence)
        self.texts.append(text)
        self.words += count_words(text)
        self.truncated = text != sentence.text
        return True

    def summary(self, *, source_order: bool, **meta: Any) -> Summary:
        """The chosen sentences one per line, in source order or in the order chosen."""
        pairs = list(zip(self.chosen, self.texts, strict=True))
        if source_order:
            pairs.sort(key=lambda pair: pair[0].position)
        return Summary(
            text="\n".join(text for _, text in pairs),
            meta={
                "sentences": len(pairs),
                "words": self.words,
                "selected": [list(sentence.position) for sentence, _ in pairs],
                "truncated": self.truncated,
                **meta,
            },
        )


def select_ranked(pool: list[Sentence], ranking: list[int], budget: int) -> Selection:
    """Offer sentences best first (indices into ``pool``) until the budget is full."""
    selection = Selection(budget)
    for index in ranking:
        if selection.full:
            break
        selection.offer(pool[index])
    return selection
