"""A premise prepared once for every claim judged against it: its sentences, and for each the
canonical words, word pairs, numbers and dates the lexical backend compares."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bench.support.lexicon import (
    canonical_sequence,
    canonical_set,
    canonical_words,
    detokenize,
    split_digits,
)
from bench.support.numbers import dates, quantities
from bench.text import split_sentences


@dataclass(frozen=True, eq=False)
class Premise:
    """A text split into sentences, named (a document id, or ``summary``)."""

    sentences: tuple[str, ...]
    name: str = ""
    title: str = ""
    """What the text calls itself (a document's title or outlet), for attributions."""

    @classmethod
    def of_sentences(cls, sentences: Sequence[str], name: str = "") -> Premise:
        """A premise whose sentences are given (a summary already split)."""
        return cls(tuple(sentences), name)

    @classmethod
    def of_text(cls, text: str, name: str = "", language: str = "en", title: str = "") -> Premise:
        """A document split into sentences, after undoing corpus tokenization marks."""
        return _prepared(text, name, language, title)

    @cached_property
    def compared(self) -> tuple[str, ...]:
        """Each sentence as its words are compared: digits split from letters ("9pm" -> "9 pm")."""
        return tuple(split_digits(s) for s in self.sentences)

    @cached_property
    def bags(self) -> tuple[frozenset[str], ...]:
        """Canonical stems of every token of each sentence."""
        return tuple(canonical_set(s) for s in self.compared)

    @cached_property
    def content(self) -> tuple[frozenset[str], ...]:
        """Canonical content words of each sentence."""
        return tuple(frozenset(canonical_words(s)) for s in self.compared)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every canonical stem of the premise."""
        return frozenset().union(*self.bags)

    @cached_property
    def pairs(self) -> tuple[frozenset[tuple[str, str]], ...]:
        """Adjacent canonical stems of each sentence (word order, who did what)."""
        return tuple(frozenset(_pairs(canonical_sequence(s))) for s in self.compared)

    @cached_property
    def numbers(self) -> tuple[frozenset[float], ...]:
        """Numbers each sentence states."""
        return tuple(quantities(s) for s in self.sentences)

    @cached_property
    def all_numbers(self) -> frozenset[float]:
        """Every number the premise states."""
        return frozenset().union(*self.numbers)

    @cached_property
    def dates(self) -> tuple[frozenset[str], ...]:
        """Months and weekdays each sentence names."""
        return tuple(dates(s) for s in self.sentences)

    @cached_property
    def text(self) -> str:
        """The sentences joined by spaces."""
        return " ".join(self.sentences)

    @cached_property
    def written_bags(self) -> tuple[frozenset[str], ...]:
        """Canonical stems of every token of each sentence as written (no digit splitting: the
        key-fact rules compare words so)."""
        return tuple(canonical_set(s) for s in self.sentences)

    @cached_property
    def written_words(self) -> frozenset[str]:
        """Every stem of :attr:`written_bags`."""
        return frozenset().union(*self.written_bags)

    @cached_property
    def text_numbers(self) -> frozenset[float]:
        """Numbers :attr:`text` states (a number may span two sentences)."""
        return quantities(self.text)

    @cached_property
    def text_dates(self) -> frozenset[str]:
        """Months and weekdays :attr:`text` names."""
        return dates(self.text)

    @cached_property
    def inverse_frequency(self) -> dict[str, float]:
        """Sentence-level inverse document frequency of each content word; a word the premise
        lacks weighs most (it is the rarest)."""
        counts: Counter[str] = Counter(w for bag in self.content for w in bag)
        n = len(self.sentences)
        return {w: math.log((n + 1) / (c + 0.5)) for w, c in counts.items()}

    def weight(self, word: str) -> float:
        """:attr:`inverse_frequency` of ``word``, the highest for a word not in the premise."""
        found = self.inverse_frequency.get(word)
        return found if found is not None else math.log((len(self.sentences) + 1) / 0.5)


def _pairs(words: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words))


def claim_pairs(claim: str) -> frozenset[tuple[str, str]]:
    """Adjacent canonical stems of a claim."""
    return frozenset(_pairs(canonical_sequence(split_digits(claim))))


@lru_cache(maxsize=256)
def _prepared(text: str, name: str, language: str, title: str) -> Premise:
    """Documents are judged against every summary of every system: split each once."""
    sentences = tuple(s for s in split_sentences(detokenize(text), language) if s.strip())
    return Premise(sentences, name, title)
