"""The lexical backend: no model, judged on words.

Two directions, one judge:

- a key fact against a summary (:data:`FACTS`, the ``lexical-v2`` key-fact matcher): the share
  of the fact's content words, weighted by how rare they are among the task's facts, anywhere in
  the summary; its numbers and dates must be there and its polarity must agree.
- a summary sentence against a source document (:data:`SOURCES`): the claim is aligned with its
  best source sentence and, for a claim that spans two, the sentence holding most of its other
  words; its score is the share of its content words (weighted by inverse sentence frequency in
  the document) in those sentences times the share of its word pairs in the best one (who did
  what to whom). A content word the document never uses, or a number or date missing from the
  aligned sentences, makes it unsupported; a negation, a different count of the same thing or an
  antonym of its verb in the aligned sentences makes it contradicted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
from bench.support.lexicon import (
    canonical_set,
    canonical_words,
    claim_weights,
    content_words,
    cover,
    detokenize,
    names,
    polarity_clash,
    stems,
)
from bench.support.numbers import counts, dates, missing_dates, missing_numbers, quantities
from bench.support.premise import Premise, claim_pairs
from bench.support.synonyms import canonical, opposite

FACTS_THRESHOLD = 0.575
"""``lexical-v2``'s share of a key fact's weighted content words that makes it present."""
SOURCES_THRESHOLD = 0.5
"""Support score from which a summary sentence counts as supported by a source (refit on your
judgments with ``sumbench calibrate``)."""
VERSION = "v1"


def fact_features(
    premise: Premise, claim: str, context: Sequence[str] = ()
) -> tuple[dict[str, float], list[int]]:
    """``lexical-v2``'s named features of a key fact against a summary, and the sentences that
    hold its words (the calibrated matchers fit on these)."""
    weights = claim_weights(claim, context)
    total = sum(weights.values()) or 1.0
    bags = premise.bags
    found = {w for w in weights if w in premise.words}
    support = cover(found, weights, bags)
    by_sentence = [sum(weights[w] for w in found & bag) for bag in bags]
    best = max(by_sentence, default=0.0)
    mean = total / (len(weights) or 1)
    # Only the fact's distinctive words in its main sentence decide the polarity.
    key_words = {w for w in found if weights[w] >= mean}
    summary = " ".join(premise.sentences)
    claim_names = names(claim)
    plain = content_words(claim)
    feats = {
        "coverage": sum(weights[w] for w in found) / total,
        "sentence_coverage": best / total,
        "plain_coverage": (
            sum(1 for w in plain if canonical(w) in premise.words) / (len(plain) or 1)
        ),
        "numbers_missing": float(bool(missing_numbers(claim, summary))),
        "dates_missing": float(bool(missing_dates(claim, summary))),
        "names_found": (
            sum(1 for n in claim_names if n in premise.words) / len(claim_names)
            if claim_names
            else 1.0
        ),
        "contradiction": float(
            best > 0
            and polarity_clash(claim, premise.sentences, by_sentence.index(best), key_words)
        ),
        "fact_words": float(len(weights)),
    }
    return feats, support


def judge_fact(premise: Premise, claim: str, context: Sequence[str], threshold: float) -> Support:
    """A key fact against a summary, as ``lexical-v2`` decides it."""
    feats, support = fact_features(premise, claim, context)
    score = feats["coverage"]
    if feats["contradiction"]:
        return Support(CONTRADICTED, 0.0, tuple(support), "stated with the opposite polarity")
    if feats["numbers_missing"] or feats["dates_missing"]:
        what = "number" if feats["numbers_missing"] else "date"
        return Support(NOT_MENTIONED, 0.0, (), f"a {what} of the claim is not in the premise")
    if score >= threshold:
        return Support(SUPPORTED, score, tuple(support))
    return Support(NOT_MENTIONED, score, (), "too few of its words")


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
    total = sum(weights.values())
    bags = premise.bags
    gains = [sum(weights[w] for w in weights.keys() & bag) for bag in bags]
    best = max(range(len(bags)), key=gains.__getitem__)
    left = weights.keys() - bags[best]
    more = [sum(weights[w] for w in left & bag) for bag in bags]
    second = max(range(len(bags)), key=more.__getitem__)
    window = (best, second) if more[second] > 0 else (best,)
    held = gains[best] + (more[second] if len(window) > 1 else 0.0)
    pairs = claim_pairs(claim)
    shown = frozenset().union(*(premise.pairs[i] for i in window))
    order = len(pairs & shown) / len(pairs) if pairs else 1.0
    return Alignment(best, tuple(sorted(window)), held / total if total else 0.0, order)


def contradiction(premise: Premise, claim: str, found: Alignment, words: Sequence[str]) -> str:
    """Why the aligned sentences state the opposite of the claim, or ``""``."""
    shown = [premise.sentences[i] for i in found.window]
    key = {w for w in words if w in premise.bags[found.best]}
    if polarity_clash(claim, shown, 0 if found.window[0] == found.best else 1, key):
        return "the source states the opposite"
    stated = {(value, _noun(noun)) for value, noun, approx in counts(claim) if not approx}
    if stated:
        said = {
            (value, _noun(noun))
            for i in found.window
            for value, noun, approx in counts(premise.sentences[i])
            if not approx
        }
        for value, noun in stated - said:
            other = sorted(v for v, n in said if n == noun and v != value)
            if other:
                return f"the source gives {number_text(other[0])} {noun}, not {number_text(value)}"
    window_words = frozenset().union(*(premise.bags[i] for i in found.window))
    for word in canonical_set(claim) - window_words:
        antonym = opposite(word)
        if antonym is not None and antonym in window_words:
            return f"the source says {antonym!r} where the claim says {word!r}"
    return ""


def number_text(value: float) -> str:
    """A number as a reader writes it: 40000000.0 -> "40,000,000", 2.5 -> "2.5"."""
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def _noun(word: str) -> str:
    return canonical(stem(word))


def judge_source(premise: Premise, claim: str, threshold: float) -> Support:
    """A summary sentence against one source document."""
    text = detokenize(claim)
    words = canonical_words(text)
    if not premise.sentences:
        return Support(NOT_MENTIONED, 0.0, (), "the source is empty")
    if not words:
        words = tuple(dict.fromkeys(stems(text)))
        if not words:
            return Support(NOT_MENTIONED, 0.0, (), "no words to check")
    # A word the source states by its opposite ("fell" where it says "rose") is aligned as
    # that opposite, so the antonym check below sees the sentence that states it.
    words = tuple(_as_opposite(premise, w) for w in words)
    found = align(premise, words, text)
    score = found.coverage * found.order
    if found.coverage >= threshold:
        why = contradiction(premise, text, found, words)
        if why:
            return Support(CONTRADICTED, 0.0, found.window, why)
    why = _unsupported(premise, text, words, found)
    if why:
        return Support(NOT_MENTIONED, 0.0, found.window, why)
    if score >= threshold:
        return Support(SUPPORTED, score, found.window)
    return Support(NOT_MENTIONED, score, found.window, "too few of its words, or not in order")


def _as_opposite(premise: Premise, word: str) -> str:
    if word in premise.words:
        return word
    antonym = opposite(word)
    return antonym if antonym is not None and antonym in premise.words else word


def _unsupported(premise: Premise, claim: str, words: Sequence[str], found: Alignment) -> str:
    """The first word, number or date of the claim the source does not state, as a reason."""
    novel = [w for w in words if w not in premise.words]
    if novel:
        listed = ", ".join(repr(w) for w in novel[:3])
        return f"{listed} {'is' if len(novel) == 1 else 'are'} not in the source"
    numbers = quantities(claim, False) - frozenset().union(
        *(premise.numbers[i] for i in found.window)
    )
    if numbers:
        return f"the number {number_text(min(numbers))} is not in the aligned source sentences"
    days = dates(claim) - frozenset().union(*(premise.dates[i] for i in found.window))
    if days:
        return f"the date {sorted(days)[0]!r} is not in the aligned source sentences"
    return ""


class LexicalBackend:
    """The lexical judge in both directions; ``direction`` says which."""

    light = True

    def __init__(self, direction: str = "sources", threshold: float | None = None) -> None:
        if direction not in ("sources", "facts"):
            raise ValueError(f"direction must be 'sources' or 'facts', got {direction!r}")
        self.direction = direction
        default = SOURCES_THRESHOLD if direction == "sources" else FACTS_THRESHOLD
        self.threshold = default if threshold is None else threshold
        self.name = f"lexical-{VERSION}" if direction == "sources" else "lexical-v2"

    def judge(
        self, premises: Sequence[Premise], claims: Sequence[str], context: Sequence[str] = ()
    ) -> list[ClaimSupport | Undecided]:
        """Every claim against every premise."""
        found: list[ClaimSupport | Undecided] = []
        for claim in claims:
            if self.direction == "facts":
                verdicts = tuple(judge_fact(p, claim, context, self.threshold) for p in premises)
            else:
                verdicts = tuple(judge_source(p, claim, self.threshold) for p in premises)
            found.append(ClaimSupport(claim, verdicts))
        return found


@register_backend("lexical")
def lexical(threshold: float | None = None, direction: str = "sources") -> LexicalBackend:
    """Words, numbers, dates and names of the claim in the aligned premise sentences; negation,
    count and antonym checks (no model)."""
    return LexicalBackend(direction, threshold)
