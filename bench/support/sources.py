"""Summary sentences against every source document of a task: one verdict per sentence, which
documents support and which contradict it, and whether it takes a side where they disagree.

A sentence is ``disputed`` when one document supports it and another contradicts it, or when it
states one side of a disagreement the task declares (``metadata.disagreements``) without saying
whose claim it is. "According to the BBC ...", "one report says ...", "reports differ ..." are
attributions: the sentence is then judged on what follows, and reporting a side is not taking it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.support.base import (
    CONTRADICTED,
    DISPUTED,
    NOT_MENTIONED,
    SUPPORTED,
    ClaimSupport,
    Support,
    Verdict,
)
from bench.support.lexicon import canonical_words
from bench.support.numbers import quantities

_SOURCE_WORDS = (
    r"reports?|reported|outlets?|articles?|sources?|media|newspapers?|coverage|accounts?|"
    r"documents?|stor(?:y|ies)|press"
)
_SAYS = (
    r"(?:say|says|said|report|reports|reported|claim|claims|claimed|state|states|stated|"
    r"write|writes|wrote|describe|describes|described|put|puts|call|calls|called)"
)
_ACCORDING = re.compile(r",?\s*\baccording to ([^,.;]+)[,.;]?\s*", re.IGNORECASE)
_LEADING = re.compile(
    rf"^\s*((?:[^,.;]{{0,60}}?)\b{_SAYS})\b(?:\s+that)?\s*[:,]?\s*", re.IGNORECASE
)
_DIFFER = re.compile(
    rf"\b(?:{_SOURCE_WORDS})\s+(?:differ|disagree|vary|conflict)"
    r"|\bdisagree\b|\bdiffer(?:s|ed)? on\b",
    re.IGNORECASE,
)
_HEDGE_TEXT = "report reports differ disagree vary conflict outlets sources accounts"
"""The words of a hedge, as written (stemmed on use: stemming imports NLTK)."""
_GENERIC = re.compile(rf"\b(?:{_SOURCE_WORDS}|one|some|others?|several)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Attribution:
    """A summary sentence with its attribution taken off: ``claim`` is what it asserts."""

    claim: str
    attributed: bool
    """Whether the sentence says whose claim it is (a document, an outlet, "one report")."""
    hedged: bool = False
    """Whether it says the sources disagree ("reports differ on ...")."""


def attribution(sentence: str, outlets: Sequence[str] = ()) -> Attribution:
    """Take an attribution to a source off ``sentence`` ("According to the BBC, X" -> X).

    Only attributions to a report, an outlet or a document count ("Starmer said X" asserts that
    Starmer said it and is kept whole); ``outlets`` are the documents' outlets and titles."""
    if _DIFFER.search(sentence):
        return Attribution(sentence, True, hedged=True)
    found = _ACCORDING.search(sentence)
    if found and _names_a_source(found.group(1), outlets):
        rest = (sentence[: found.start()] + " " + sentence[found.end() :]).strip()
        return Attribution(rest[:1].upper() + rest[1:] if rest else sentence, True)
    found = _LEADING.match(sentence)
    if found and _names_a_source(found.group(1), outlets):
        rest = sentence[found.end() :].strip()
        return Attribution(rest[:1].upper() + rest[1:] if rest else sentence, True)
    return Attribution(sentence, False)


def _names_a_source(phrase: str, outlets: Sequence[str]) -> bool:
    if _GENERIC.search(phrase):
        return True
    lowered = phrase.lower()
    return any(o and o.lower() in lowered for o in outlets)


@dataclass(frozen=True)
class Side:
    """One document's side of a declared disagreement."""

    topic: str
    document: str
    words: frozenset[str]
    """The canonical content words of what it says, less those every side shares."""
    numbers: frozenset[float]


def declared_sides(metadata: Mapping[str, Any], task_id: str = "") -> list[list[Side]]:
    """The sides of each disagreement in a task's ``metadata.disagreements`` (a list of
    ``{topic, claims: [{document, says}]}``); raises ValueError naming the field when malformed."""
    found: list[list[Side]] = []
    entries = metadata.get("disagreements") or []
    where = f"task {task_id!r}: metadata.disagreements"
    if not isinstance(entries, list):
        raise ValueError(f"{where}: expected a list of {{topic, claims}}, got {entries!r}")
    for index, entry in enumerate(entries):
        claims = entry.get("claims") if isinstance(entry, dict) else None
        if not isinstance(claims, list) or not all(
            isinstance(c, dict) and isinstance(c.get("says"), str) for c in claims
        ):
            raise ValueError(f"{where}[{index}].claims: expected a list of {{document, says}}")
        topic = str(entry.get("topic", index))
        said = [(str(c.get("document", "")), c["says"]) for c in claims]
        bags = [frozenset(canonical_words(text)) for _, text in said]
        common = frozenset.intersection(*bags) if bags else frozenset()
        found.append(
            [
                Side(topic, document, bag - common, quantities(text, False))
                for (document, text), bag in zip(said, bags, strict=True)
            ]
        )
    return found


SIDE_MATCH = 0.6
"""Share of a side's own words a sentence must state to take that side (or one of its numbers)."""


def side_taken(claim: str, topic: Sequence[Side]) -> Side | None:
    """The side of a disagreement ``claim`` states, when it states one side and not the others."""
    words = frozenset(canonical_words(claim))
    numbers = quantities(claim, False)
    scores = []
    for side in topic:
        share = len(words & side.words) / len(side.words) if side.words else 0.0
        scores.append(1.0 if numbers & side.numbers else share)
    best = max(scores, default=0.0)
    if best < SIDE_MATCH or all(s == best for s in scores):
        return None
    return topic[scores.index(best)]


@dataclass(frozen=True)
class SentenceVerdict:
    """The verdict on one summary sentence against all the sources."""

    index: int
    sentence: str
    verdict: Verdict
    score: float
    document: str
    """The document whose sentences are the evidence ("" when none)."""
    evidence: str
    supported_by: tuple[str, ...]
    contradicted_by: tuple[str, ...]
    reason: str
    attributed: bool
    backend: str = ""

    def row(self) -> dict[str, Any]:
        """The ``claims.csv`` columns after task, system and sample."""
        return {
            "sentence": self.index,
            "claim": self.sentence,
            "verdict": self.verdict,
            "score": self.score,
            "document": self.document,
            "evidence": self.evidence,
            "supported_by": " ".join(self.supported_by),
            "contradicted_by": " ".join(self.contradicted_by),
            "attributed": self.attributed,
            "reason": self.reason,
            "backend": self.backend,
        }


_NONE = Support(NOT_MENTIONED, 0.0)


def _evidence_choice(
    supported: list[tuple[str, Support]],
    contradicted: list[tuple[str, Support]],
    pairs: list[tuple[str, Support]],
    taken: list[Side],
) -> tuple[str, Support]:
    """The document whose sentences are shown as evidence for the verdict."""
    if taken:
        by_name = dict(pairs)
        if taken[0].document in by_name:
            return taken[0].document, by_name[taken[0].document]
    if supported:
        return max(supported, key=lambda p: p[1].score or 0.0)
    if contradicted:
        return contradicted[0]
    return max(pairs, key=lambda p: (p[1].score or 0.0, p[1].coverage))


def states_disagreement(sentence: Attribution, sides: Sequence[Sequence[Side]]) -> str:
    """The declared disagreement a "reports differ on ..." sentence speaks of, or ``""``."""
    if not sentence.hedged:
        return ""
    words = frozenset(canonical_words(sentence.claim)) - frozenset(canonical_words(_HEDGE_TEXT))
    for topic in sides:
        named = frozenset(canonical_words(topic[0].topic)).union(*(s.words for s in topic))
        if topic and words & named:
            return topic[0].topic
    return ""


def combine(
    index: int,
    sentence: Attribution,
    original: str,
    result: ClaimSupport,
    names: Sequence[str],
    texts: Sequence[Sequence[str]],
    sides: Sequence[Sequence[Side]],
    backend: str = "",
) -> SentenceVerdict:
    """One sentence's verdict from its verdict against each document (``names``, ``texts``
    their ids and sentences) and the declared disagreement ``sides``: ``disputed`` when it takes
    a declared side, or one document supports and another contradicts it, unattributed."""
    pairs = list(zip(names, result.by_premise, strict=True))
    supported = [(n, s) for n, s in pairs if s.verdict == SUPPORTED]
    contradicted = [(n, s) for n, s in pairs if s.verdict == CONTRADICTED]
    by_name = dict(pairs)
    # A side is taken by stating it, never by contradicting its own document.
    taken = [
        t
        for s in sides
        if (t := side_taken(sentence.claim, s))
        and not sentence.attributed
        and by_name.get(t.document, _NONE).verdict != CONTRADICTED
    ]
    name, chosen = _evidence_choice(supported, contradicted, pairs, taken)
    verdict: Verdict = NOT_MENTIONED
    reason = chosen.reason
    topic = states_disagreement(sentence, sides)
    if topic:
        verdict, reason = SUPPORTED, f"states that the documents disagree on {topic!r}"
    elif taken:
        verdict = DISPUTED
        reason = f"takes {taken[0].document}'s side on {taken[0].topic!r} without attributing it"
    elif supported and contradicted and not sentence.attributed:
        verdict = DISPUTED
        reason = f"{', '.join(n for n, _ in contradicted)} contradict(s) it; not attributed"
    elif supported:
        verdict, reason = SUPPORTED, ""
    elif contradicted:
        verdict = CONTRADICTED
    if result.note:  # e.g. the judge saw the documents cut
        reason = f"{reason}; {result.note}" if reason else result.note
    shown = texts[names.index(name)] if name in names else ()
    evidence = " ".join(shown[i] for i in chosen.evidence if i < len(shown))
    score = 1.0 if topic else 0.0 if verdict == CONTRADICTED else float(chosen.score or 0.0)
    return SentenceVerdict(
        index,
        original,
        verdict,
        score,
        name if evidence else "",
        evidence,
        tuple(n for n, _ in supported),
        tuple(n for n, _ in contradicted),
        reason,
        sentence.attributed,
        backend,
    )
