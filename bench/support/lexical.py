"""The lexical backend: no model, judged on words.

A summary sentence against a source document: the claim is aligned with its best source
sentence and, for a claim that spans two, the sentence holding most of its other words; its score
is the share of its content words (weighted by inverse sentence frequency in the document) in
those sentences times the share of its word pairs found there (who did what to whom). A content
word the document never uses, or a number or date missing from the aligned sentences, makes it
unsupported; a negation, a different count of the same thing or an antonym of its verb in the
aligned sentences makes it contradicted.

With ``claims=facts`` the same backend judges a task's key facts against a summary instead
(bench.support.facts): the key-fact scorer's default matcher asks it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bench.scorers._tokens import stem
from bench.support.base import (
    CONTRADICTED,
    NOT_MENTIONED,
    SUPPORTED,
    ClaimSupport,
    Support,
    Undecided,
    register_backend,
)
from bench.support.facts import FACTS_THRESHOLD, FACTS_VERSION, judge_fact
from bench.support.lexicon import (
    canonical_set,
    canonical_words,
    detokenize,
    polarity_clash,
    split_digits,
)
from bench.support.numbers import counts, dates, quantities
from bench.support.premise import Premise, claim_pairs
from bench.support.synonyms import canonical, opposite

SOURCES_THRESHOLD = 0.5
"""Support score from which a summary sentence counts as supported by a source (refit on your
judgments)."""
VERSION = "v2"


@dataclass(frozen=True)
class Alignment:
    """A claim's best source sentence, the window of sentences holding its words, and how much
    of it they hold."""

    best: int
    window: tuple[int, ...]
    coverage: float
    """Weighted share of the claim's content words in the window."""
    order: float
    """Share of the claim's adjacent word pairs in the best sentence."""


def align(premise: Premise, words: Sequence[str], claim: str) -> Alignment:
    """The best sentence by weighted words, plus the one holding most of the rest."""
    weights = {w: premise.weight(w) for w in words}
    total = math.fsum(weights.values())
    bags = premise.bags
    gains = [math.fsum(weights[w] for w in weights.keys() & bag) for bag in bags]
    best = max(range(len(bags)), key=gains.__getitem__)
    left = weights.keys() - bags[best]
    more = [math.fsum(weights[w] for w in left & bag) for bag in bags]
    second = max(range(len(bags)), key=more.__getitem__)
    window = (best, second) if more[second] > 0 else (best,)
    held = gains[best] + (more[second] if len(window) > 1 else 0.0)
    pairs = claim_pairs(claim)
    shown = frozenset().union(*(premise.pairs[i] for i in window))
    order = len(pairs & shown) / len(pairs) if pairs else 1.0
    return Alignment(best, tuple(sorted(window)), held / total if total else 0.0, order)


def contradiction(premise: Premise, claim: str, found: Alignment) -> str:
    """Why the aligned sentences state the opposite of the claim, or ``""``."""
    shown = [premise.sentences[i] for i in found.window]
    if polarity_clash(claim, shown):
        return "the source states the opposite"
    clash = count_clash(claim, [premise.sentences[i] for i in found.window])
    if clash:
        return clash
    window_words = frozenset().union(*(premise.bags[i] for i in found.window))
    for word in canonical_set(split_digits(claim)) - window_words:
        antonym = opposite(word)
        if antonym is not None and antonym in window_words:
            return f"the source says {antonym!r} where the claim says {word!r}"
    return ""


ESTIMATE_MARGIN = 0.25
"""Two estimates of one count ("about 20%", "around 40%") clash when they differ by more than
this share of the larger."""


def count_clash(claim: str, sentences: Sequence[str]) -> str:
    """Why ``sentences`` give a different count of something the claim counts, or ``""``:
    exact counts differ, or an estimate is over :data:`ESTIMATE_MARGIN` away (bounds such as
    "more than 30" never clash)."""
    said: dict[str, list[tuple[float, str]]] = {}
    for sentence in sentences:
        for value, noun, kind in counts(sentence):
            if kind != "bound":
                said.setdefault(_noun(noun), []).append((value, kind))
    for value, noun, kind in counts(claim):
        given = said.get(_noun(noun), [])
        if kind == "bound" or not given or any(v == value for v, _ in given):
            continue
        close = [
            v
            for v, k in given
            if (k or kind) and abs(v - value) <= ESTIMATE_MARGIN * max(abs(v), abs(value))
        ]
        if not close:
            return f"the source gives {number_text(given[0][0])} {noun}, not {number_text(value)}"
    return ""


def number_text(value: float) -> str:
    """A number as a reader writes it: 40000000.0 -> "40,000,000", 2.5 -> "2.5"."""
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def _noun(word: str) -> str:
    return canonical(stem(word))


@dataclass(eq=False)
class Measure:
    """What the lexical judge measures of a claim against a premise before any threshold is
    applied (cached, so refitting thresholds re-judges without re-aligning)."""

    premise: Premise
    text: str
    words: tuple[str, ...]
    found: Alignment
    """The alignment of every content word of the claim."""
    plain: Alignment
    """The alignment of its words without digits (where a wrong number is checked)."""
    wordish: tuple[str, ...]

    @cached_property
    def clash(self) -> str:
        """Why the sentences aligned with the claim's words state its opposite, or ``""``."""
        return contradiction(self.premise, self.text, self.plain)

    @cached_property
    def novel(self) -> tuple[str, ...]:
        """The claim's words the premise never uses."""
        return tuple(w for w in self.words if w not in self.premise.words)

    @cached_property
    def unstated(self) -> str:
        """The first number or date of the claim the aligned sentences do not state, as a
        reason, or ``""``."""
        return _unstated(self.premise, self.text, self.found)


@lru_cache(maxsize=8192)
def measure(premise: Premise, claim: str) -> Measure | str:
    """The claim's alignment with the premise, or why there is nothing to align."""
    text = detokenize(claim)
    words = canonical_words(split_digits(text))
    if not premise.sentences:
        return "the source is empty"
    if not words:
        return "no content words to check"
    # A word the source states by its opposite ("fell" where it says "rose") is aligned as
    # that opposite, so the antonym check sees the sentence that states it.
    words = tuple(_as_opposite(premise, w) for w in words)
    found = align(premise, words, text)
    # A wrong number is checked for a clash on the sentence the other words align with.
    wordish = tuple(w for w in words if not any(c.isdigit() for c in w)) or words
    plain = align(premise, wordish, text) if len(wordish) < len(words) else found
    return Measure(premise, text, words, found, plain, wordish)


@dataclass(frozen=True)
class Knobs:
    """The lexical judge's thresholds (``sumbench calibrate`` fits them on judgments)."""

    threshold: float = SOURCES_THRESHOLD
    """Support score from which a claim is supported; also the coverage from which the
    aligned sentences are checked for a contradiction."""
    novel: int = 0
    """Content words the source never uses that a supported claim may still hold."""
    order: float = 1.0
    """Exponent of the word-pair (order) share in the score: 0 ignores word order."""


def judge_source(premise: Premise, claim: str, knobs: Knobs | float = SOURCES_THRESHOLD) -> Support:
    """A summary sentence against one source document."""
    knobs = knobs if isinstance(knobs, Knobs) else Knobs(knobs)
    m = measure(premise, claim)
    if isinstance(m, str):
        return Support(NOT_MENTIONED, 0.0, (), reason=m)
    found = m.found
    score = found.coverage * found.order**knobs.order
    if m.plain.coverage >= knobs.threshold and m.clash:
        return Support(CONTRADICTED, 0.0, m.plain.window, m.plain.coverage, m.clash)
    why = ""
    if len(m.novel) > knobs.novel:
        listed = ", ".join(repr(w) for w in m.novel[:3])
        why = f"{listed} {'is' if len(m.novel) == 1 else 'are'} not in the source"
    why = why or m.unstated
    if why:
        return Support(NOT_MENTIONED, 0.0, found.window, found.coverage, why)
    if score >= knobs.threshold:
        return Support(SUPPORTED, score, found.window, found.coverage)
    return Support(
        NOT_MENTIONED, score, found.window, found.coverage, "too few of its words, or not in order"
    )


def _as_opposite(premise: Premise, word: str) -> str:
    if word in premise.words:
        return word
    antonym = opposite(word)
    return antonym if antonym is not None and antonym in premise.words else word


def _unstated(premise: Premise, claim: str, found: Alignment) -> str:
    """The first number or date of the claim missing from the aligned sentences, as a reason."""
    numbers = quantities(claim, False) - frozenset().union(
        *(premise.numbers[i] for i in found.window)
    )
    if numbers:
        return f"the number {number_text(min(numbers))} is not in the aligned source sentences"
    days = dates(claim) - frozenset().union(*(premise.dates[i] for i in found.window))
    if days:
        return f"the date {sorted(days)[0]!r} is not in the aligned source sentences"
    return ""


CLAIMS = ("sentences", "facts")
"""What the claims are: summary sentences against source documents, or a task's key facts
against a summary (bench.support.facts)."""


class LexicalBackend:
    """The lexical judge: of summary sentences against source documents (``claims="sentences"``)
    or of key facts against a summary (``claims="facts"``)."""

    light = True

    def __init__(
        self,
        threshold: float | None = None,
        novel: int = 0,
        order: float = 1.0,
        claims: str = "sentences",
    ) -> None:
        component = "support backend 'lexical'"
        if claims not in CLAIMS:
            raise ValueError(f"{component}: claims must be 'sentences' or 'facts', got {claims!r}")
        if threshold is not None and not 0 < threshold <= 1:
            raise ValueError(f"{component}: threshold must be in (0, 1], got {threshold}")
        if novel < 0:
            raise ValueError(f"{component}: novel must be 0 or more, got {novel}")
        if not 0 <= order <= 1:
            raise ValueError(f"{component}: order must be in [0, 1], got {order}")
        if claims == "facts" and (novel, order) != (0, 1.0):
            raise ValueError(
                f"{component}: novel and order apply to summary sentences, "
                "not to key facts (claims=facts)"
            )
        self.claims = claims
        default = FACTS_THRESHOLD if claims == "facts" else SOURCES_THRESHOLD
        self.knobs = Knobs(default if threshold is None else threshold, novel, order)
        self.threshold = self.knobs.threshold
        self.name = f"lexical-facts-{FACTS_VERSION}" if claims == "facts" else f"lexical-{VERSION}"

    def judge(
        self, premises: Sequence[Premise], claims: Sequence[str], context: Sequence[str] = ()
    ) -> list[ClaimSupport | Undecided]:
        """Every claim against every premise; ``context`` (the set of key facts) weighs a
        fact's words and is not used for summary sentences."""
        if self.claims == "facts":
            return [
                ClaimSupport(
                    claim, tuple(judge_fact(p, claim, context, self.threshold) for p in premises)
                )
                for claim in claims
            ]
        return [
            ClaimSupport(claim, tuple(judge_source(p, claim, self.knobs) for p in premises))
            for claim in claims
        ]


@register_backend("lexical")
def lexical(
    threshold: float | None = None, novel: int = 0, order: float = 1.0, claims: str = "sentences"
) -> LexicalBackend:
    """Words, numbers and dates of the claim in the aligned source sentences; negation, count
    and antonym checks (no model). ``threshold``: support score from which a sentence is
    supported; ``novel``: words the source never uses a supported sentence may hold;
    ``order``: weight of word order in the score (0-1); ``claims``: ``sentences`` (summary
    sentences against sources) or ``facts`` (key facts against a summary: only ``threshold``
    applies). Each is checked (:class:`LexicalBackend`)."""
    return LexicalBackend(threshold, novel, order, claims)
