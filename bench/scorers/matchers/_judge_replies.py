"""Reading the ``llm`` judge's replies: verdicts from the text, and their probability from the
answer token's log-probabilities when the server returns them (OpenAI's ``logprobs``).

A verdict is, in this order of preference: the first JSON object with a boolean ``present``
(and optionally ``sentence``), or a reply whose first word is yes/no (true/false). A reply for
a whole summary is read one line per fact: ``N. yes`` or ``N. no``. The probability of a verdict
is P(yes) / (P(yes) + P(no)) at the token holding its answer word, adding up the variants the
server lists among the top alternatives (``Yes``, ``yes``, `` yes``, ``true`` ...).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bench.scorers.matchers.base import Undecided

YES = frozenset({"yes", "true"})
NO = frozenset({"no", "false"})
_DECODER = json.JSONDecoder()
_PRESENT = re.compile(r'"present"\s*:\s*(true|false)')
_FIRST_WORD = re.compile(r"^[\W_]*([A-Za-z]+)\b")
_LINE = re.compile(r"^[\W_]*(\d+)[\s.):\-*]*(yes|no|true|false)\b", re.IGNORECASE | re.MULTILINE)

Token = tuple[str, float, tuple[tuple[str, float], ...]]
"""A generated token, its log-probability and the top alternatives at its position."""


@dataclass(frozen=True)
class Reply:
    """A judge's reply: its text and, when the server returned them, the log-probabilities of
    every generated token."""

    text: str
    tokens: tuple[Token, ...] = ()

    @classmethod
    def from_choice(cls, choice: Mapping[str, Any]) -> Reply:
        """From a chat-completions choice (``logprobs.content`` is optional)."""
        text = str(choice["message"]["content"])
        return cls(text, _tokens((choice.get("logprobs") or {}).get("content")))

    def to_record(self) -> dict[str, Any]:
        """JSON-ready form for the verdict cache."""
        record: dict[str, Any] = {"reply": self.text}
        if self.tokens:
            record["logprobs"] = [[t, lp, [list(a) for a in alts]] for t, lp, alts in self.tokens]
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Reply:
        """Read what :meth:`to_record` wrote (a record without ``logprobs`` has text only)."""
        tokens = tuple(
            (str(t), float(lp), tuple((str(a), float(b)) for a, b in alts))
            for t, lp, alts in record.get("logprobs") or ()
        )
        return cls(str(record["reply"]), tokens)

    @property
    def scored_text(self) -> str:
        """The text the token offsets refer to: the generated tokens joined, else the text."""
        return "".join(t for t, _, _ in self.tokens) if self.tokens else self.text

    def probability(self, offset: int) -> float | None:
        """P(yes) / (P(yes) + P(no)) at the token holding character ``offset`` of
        :attr:`scored_text`; ``None`` without log-probabilities there."""
        position = 0
        for token, logprob, alternatives in self.tokens:
            if position <= offset < position + len(token):
                seen = dict(alternatives)
                seen.setdefault(token, logprob)
                yes = sum(math.exp(lp) for t, lp in seen.items() if t.strip().lower() in YES)
                no = sum(math.exp(lp) for t, lp in seen.items() if t.strip().lower() in NO)
                return yes / (yes + no) if yes + no > 0 else None
            position += len(token)
        return None


def _tokens(content: Any) -> tuple[Token, ...]:
    if not isinstance(content, list):
        return ()
    found: list[Token] = []
    try:
        for item in content:
            alternatives = tuple(
                (str(a["token"]), float(a["logprob"])) for a in item.get("top_logprobs") or ()
            )
            found.append((str(item["token"]), float(item["logprob"]), alternatives))
    except (KeyError, TypeError, ValueError, AttributeError):
        return ()  # a server's odd logprobs: read the text alone
    return tuple(found)


@dataclass(frozen=True)
class Verdict:
    """One fact's verdict: present or not, the sentence the judge named (0-based), and the
    probability of "present" when the reply had log-probabilities."""

    present: bool
    sentence: int | None = None
    probability: float | None = None


def _json_verdicts(reply: str) -> Iterator[tuple[dict[str, Any], int]]:
    """Every JSON object in ``reply`` with a boolean ``present``, with where its value is
    (objects nested in others and prose around them are passed over)."""
    start = reply.find("{")
    while start != -1:
        try:
            data, end = _DECODER.raw_decode(reply, start)
        except json.JSONDecodeError:
            start = reply.find("{", start + 1)
            continue
        if isinstance(data, dict) and isinstance(data.get("present"), bool):
            where = _PRESENT.search(reply, start, end)
            yield data, where.start(1) if where else start
        start = reply.find("{", end)


def _sentence(number: object, sentences: int) -> int | None:
    """A 1-based sentence number (an int or a string of digits) as an index, if in range."""
    if isinstance(number, str) and number.strip().isascii() and number.strip().isdecimal():
        try:
            number = int(number)
        except ValueError:  # past int's digit limit
            return None
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= sentences:
        return number - 1
    return None


def read_verdict(reply: Reply, sentences: int) -> Verdict:
    """The verdict of a reply about one fact; raises :class:`Undecided` when it holds none."""
    text = reply.scored_text
    try:
        found = next(_json_verdicts(text), None)
    except (ValueError, RecursionError):  # a number past int's digit limit, absurd nesting
        found = None
    if found is not None:
        data, offset = found
        sentence = _sentence(data.get("sentence"), sentences)
        return Verdict(data["present"], sentence, reply.probability(offset))
    word = _FIRST_WORD.match(text)
    if word is not None and word.group(1).lower() in YES | NO:
        present = word.group(1).lower() in YES
        return Verdict(present, None, reply.probability(word.start(1)))
    raise Undecided(f"unparsable judge reply: {reply.text[:200]!r}")


def read_verdicts(reply: Reply, facts: int) -> list[Verdict | None]:
    """The verdicts of a reply about ``facts`` numbered facts, one ``N. yes|no`` line each (the
    first line for a number counts); ``None`` for a fact the reply does not answer."""
    text = reply.scored_text
    found: dict[int, Verdict] = {}
    for line in _LINE.finditer(text):
        number = int(line.group(1))
        if 1 <= number <= facts and number not in found:
            present = line.group(2).lower() in YES
            found[number] = Verdict(present, None, reply.probability(line.start(2)))
    return [found.get(n) for n in range(1, facts + 1)]
