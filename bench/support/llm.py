"""The ``llm`` support backend: an OpenAI-compatible chat model judges a summary's sentences
against the source documents, FineSurE-style (Song et al., 2024).

One request per summary: the numbered documents first ("Document 1 (BBC)", so a server that
caches prompt prefixes reads them once for every summary of the same task), then the summary's
sentences numbered, asking for a JSON list with, per sentence, FineSurE's error category and the
numbers of the documents that support and contradict it. "no error" is supported,
"out-of-context error" is not mentioned, every other category is contradicted (the category is
the reason). Documents longer than ``max_source_chars`` together are cut at a sentence boundary
and every claim's note says so. Replies are cached and replayable (``replay=true``); an
unparsable or unanswered reply leaves the summary undecided, never faithful.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.clients.judge import JudgeSession, Reply, Unanswered
from bench.params import at_least
from bench.support.base import (
    CONTRADICTED,
    NOT_MENTIONED,
    SUPPORTED,
    ClaimSupport,
    JudgeFailed,
    Support,
    Undecided,
    register_backend,
)
from bench.support.lexical import align
from bench.support.lexicon import canonical_words, detokenize, stems
from bench.support.premise import Premise

COMPONENT = "support backend 'llm'"
VERSION = "v1"
PROMPT_NAME = "finesure-sources-v1"
NO_ERROR = "no error"
OUT_OF_CONTEXT = "out-of-context error"
CATEGORIES = (
    NO_ERROR,
    OUT_OF_CONTEXT,
    "entity error",
    "predicate error",
    "circumstantial error",
    "grammatical error",
    "coreference error",
    "linking error",
    "other error",
)
"""FineSurE's categories of a summary sentence."""
MAX_SOURCE_CHARS = 12_000
"""Characters of all documents together the judge sees by default (about 3,000 tokens: with
the instructions, the summary and the answer this fits a 4,096-token context)."""
TOKENS_PER_SENTENCE = 40
"""Reply cap per summary sentence (one JSON object each)."""

PROMPT_HEAD = """You will check a summary against its source documents.

{documents}"""
PROMPT_TAIL = """Summary sentences:
{sentences}

For each summary sentence, decide whether the documents support it and, if not, which \
factual error it makes:
- "no error": the documents state it or it follows from them;
- "out-of-context error": the documents do not mention it;
- "entity error": a wrong person, place, organisation, number or date;
- "predicate error": a wrong action or relation;
- "circumstantial error": a wrong time, place or manner of an event;
- "grammatical error": too ungrammatical to check;
- "coreference error": a pronoun or reference pointing to the wrong entity;
- "linking error": a wrong causal or logical link between statements;
- "other error": any other factual error.
Answer with a JSON list only, one object per summary sentence, in order, for example:
[{{"sentence": 1, "category": "no error", "supported_by": [1], "contradicted_by": []}}]
"supported_by" lists the numbers of the documents that state the sentence, "contradicted_by" \
the numbers of the documents that state otherwise."""


@dataclass(frozen=True)
class Shown:
    """The sentences of each document the judge sees, and the note on what was cut."""

    sentences: tuple[tuple[str, ...], ...]
    note: str


def shown_sources(premises: Sequence[Premise], budget: int) -> Shown:
    """Each document's leading sentences that fit an equal share of ``budget`` characters (a
    share a short document leaves unused goes to the longer ones); the note names the cuts."""
    lengths = [sum(len(s) + 1 for s in p.sentences) for p in premises]
    left, share = budget, budget
    for rank, length in enumerate(sorted(lengths)):
        share = left // max(1, len(lengths) - rank)
        if length > share:
            break
        left -= length
    kept: list[tuple[str, ...]] = []
    cuts = []
    for number, (premise, length) in enumerate(zip(premises, lengths, strict=True), 1):
        if length <= share:
            kept.append(premise.sentences)
            continue
        used, taken = 0, 0
        for sentence in premise.sentences:
            if used + len(sentence) + 1 > share:
                break
            used += len(sentence) + 1
            taken += 1
        kept.append(premise.sentences[:taken])
        cuts.append(f"document {number} ({premise.name}) to {taken} of {len(premise.sentences)}")
    note = ""
    if cuts:
        note = f"the judge saw {', '.join(cuts)} sentences (max_source_chars={budget})"
    return Shown(tuple(kept), note)


def render(premises: Sequence[Premise], shown: Shown, claims: Sequence[str]) -> str:
    """The prompt: documents first (a shared prefix across summaries), then the sentences."""
    blocks = []
    for number, (premise, sentences) in enumerate(zip(premises, shown.sentences, strict=True), 1):
        label = f" ({premise.title})" if premise.title else ""
        blocks.append(f"Document {number}{label}:\n{' '.join(sentences) or '(empty)'}")
    numbered = "\n".join(f"{i}. {c}" for i, c in enumerate(claims, 1))
    head = PROMPT_HEAD.format(documents="\n\n".join(blocks))
    return f"{head}\n\n{PROMPT_TAIL.format(sentences=numbered)}"


@dataclass(frozen=True)
class Labelled:
    """The judge's answer on one summary sentence."""

    category: str
    supported_by: frozenset[int]
    contradicted_by: frozenset[int]


def _objects(text: str) -> Iterator[Any]:
    """Every JSON value that starts at a ``[`` or ``{`` of ``text``, outermost first."""
    decoder = json.JSONDecoder()
    start = next((i for i, c in enumerate(text) if c in "[{"), -1)
    while start != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except (json.JSONDecodeError, ValueError, RecursionError):
            end = start + 1
        else:
            yield value
        start = next((i for i in range(end, len(text)) if text[i] in "[{"), -1)


def category_of(value: object) -> str | None:
    """FineSurE's category a judge wrote (case, ``_`` and ``-`` aside), or ``None``."""
    if not isinstance(value, str):
        return None
    words = " ".join(value.lower().replace("_", " ").replace("-", " ").split())
    if words in ("no error", "none", "no errors", "correct"):
        return NO_ERROR
    for category in CATEGORIES:
        if words in (category.replace("-", " "), category.replace("-", " ").removesuffix(" error")):
            return category
    return None


def _numbers(value: object, documents: int) -> frozenset[int]:
    """Document numbers in 1..``documents`` from a list of ints or "2" / "Document 2"."""
    items = value if isinstance(value, list) else [value]
    found = set()
    for item in items:
        text = str(item).lower().removeprefix("document").strip()
        if text.isascii() and text.isdecimal() and 1 <= int(text) <= documents:
            found.add(int(text))
    return frozenset(found)


def read_labels(reply: Reply, claims: int, documents: int) -> list[Labelled | None]:
    """The judge's answer per sentence (by its ``sentence`` number, else by position); ``None``
    for a sentence it does not answer."""
    entries: list[Any] = []
    for value in _objects(reply.text):
        if isinstance(value, list) and not entries and any(isinstance(v, dict) for v in value):
            entries = value
            break
        # A list cut short by the reply cap: its whole objects, one by one.
        if isinstance(value, dict) and "category" in value:
            entries.append(value)
    found: dict[int, Labelled] = {}
    for position, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            continue
        category = category_of(entry.get("category"))
        number = _numbers(entry.get("sentence", position), claims)
        index = min(number) if number else position
        if category is None or not 1 <= index <= claims or index in found:
            continue
        found[index] = Labelled(
            category,
            _numbers(entry.get("supported_by", []), documents),
            _numbers(entry.get("contradicted_by", []), documents),
        )
    return [found.get(n) for n in range(1, claims + 1)]


def sides(label: Labelled, documents: int) -> tuple[frozenset[int], frozenset[int]]:
    """The documents that support and contradict a sentence: the category decides the verdict,
    the cited numbers which documents hold it (none cited: every document not cited otherwise)."""
    every = frozenset(range(1, documents + 1))
    if label.category == OUT_OF_CONTEXT:
        return frozenset(), frozenset()
    if label.category == NO_ERROR:
        against = label.contradicted_by - label.supported_by
        backing = (label.supported_by - against) or (every - against)
        # The category wins over the citations: "no error" is never contradicted everywhere.
        return (backing, against) if backing else (every, frozenset())
    backing = label.supported_by - label.contradicted_by
    against = label.contradicted_by or (every - backing)
    if not against:
        return frozenset(), every
    return backing - against, against


def _evidence(sentences: Sequence[str], claim: str) -> tuple[int, ...]:
    """The shown sentences holding most of the claim's words (the judge names documents only)."""
    text = detokenize(claim)
    words = canonical_words(text) or tuple(dict.fromkeys(stems(text)))
    if not sentences or not words:
        return ()
    return align(Premise.of_sentences(sentences), words, text).window


def supports(label: Labelled, claim: str, shown: Shown, documents: int) -> ClaimSupport:
    """One sentence's :class:`ClaimSupport` from the judge's answer."""
    backing, against = sides(label, documents)
    found = []
    for number, sentences in enumerate(shown.sentences, 1):
        if number in backing:
            found.append(Support(SUPPORTED, 1.0, _evidence(sentences, claim), 1.0))
        elif number in against:
            found.append(
                Support(CONTRADICTED, 0.0, _evidence(sentences, claim), reason=label.category)
            )
        else:
            reason = label.category if label.category == OUT_OF_CONTEXT else ""
            found.append(Support(NOT_MENTIONED, 0.0, reason=reason))
    return ClaimSupport(claim, tuple(found), shown.note)


class LLMBackend:
    """Asks a chat model through the shared judge session (cache, replay, retries, give-up)."""

    light = False

    def __init__(
        self,
        session: JudgeSession,
        max_source_chars: int = MAX_SOURCE_CHARS,
        max_tokens: int = TOKENS_PER_SENTENCE,
    ) -> None:
        self.session = session
        self.max_source_chars = at_least(COMPONENT, "max_source_chars", max_source_chars, 200)
        self.max_tokens = at_least(COMPONENT, "max_tokens", max_tokens, 8)
        parts = [f"llm-{VERSION}", session.model, PROMPT_NAME]
        if max_source_chars != MAX_SOURCE_CHARS:
            parts.append(f"max_source_chars={max_source_chars}")
        if max_tokens != TOKENS_PER_SENTENCE:
            parts.append(f"max_tokens={max_tokens}")
        self.name = ":".join(parts)

    def judge(
        self, premises: Sequence[Premise], claims: Sequence[str], context: Sequence[str] = ()
    ) -> list[ClaimSupport | Undecided]:
        """Every claim of one summary in one request (``context`` is not used)."""
        if not claims:
            return []
        why = self.session.give_up(self.name)
        if why:
            raise JudgeFailed(why)
        shown = shown_sources(premises, self.max_source_chars)
        text = render(premises, shown, claims)
        started = time.perf_counter()
        try:
            reply = self.session.ask(text, self.max_tokens * len(claims) + 16)
        except Unanswered as error:
            return [Undecided(str(error))] * len(claims)
        finally:
            with self.session.lock:
                self.session.seconds += time.perf_counter() - started
        labels = read_labels(reply, len(claims), len(premises))
        if not any(labels):
            self.session.failed(reply)
            return [Undecided(f"unparsable judge reply: {reply.text[:200]!r}")] * len(claims)
        self.session.verdict_ok()
        return [
            supports(label, claim, shown, len(premises))
            if label is not None
            else Undecided(f"the judge's reply has no entry for sentence {n}: {reply.text[:200]!r}")
            for n, (claim, label) in enumerate(zip(claims, labels, strict=True), 1)
        ]

    def usage(self) -> str:
        """Requests made, cached replies and wall time, for reports."""
        return self.session.usage(self.name)


@register_backend("llm")
def llm(
    model: str,
    base_url: str | None = None,
    cache: str = ".sumbench-cache/faithfulness-verdicts.jsonl",
    replay: bool = False,
    max_source_chars: int = MAX_SOURCE_CHARS,
    max_tokens: int = TOKENS_PER_SENTENCE,
    api_key_env: str = "OPENAI_API_KEY",
    concurrency: int = 4,
    retries: int = 5,
    timeout: float = 300.0,
) -> LLMBackend:
    """An OpenAI-compatible judge, FineSurE-style (one request per summary, documents first);
    ``max_source_chars`` caps the documents shown, ``max_tokens`` the reply per sentence;
    replies are cached in ``cache`` and ``replay=true`` answers from it alone."""
    session = JudgeSession(
        COMPONENT,
        model,
        base_url,
        api_key_env=api_key_env,
        cache=Path(cache),
        replay=replay,
        timeout=timeout,
        concurrency=concurrency,
        retries=retries,
    )
    return LLMBackend(session, max_source_chars, max_tokens)
