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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.clients.judge import NO, YES, Reply
from bench.scorers.matchers.base import Undecided

__all__ = ["Reply", "Verdict", "read_verdict", "read_verdicts"]
_DECODER = json.JSONDecoder()
_PRESENT = re.compile(r'"present"\s*:\s*(true|false)')
_FIRST_WORD = re.compile(r"^[\W_]*([A-Za-z]+)\b")
_LINE = re.compile(r"^[\W_]*(\d+)[\s.):\-*]*(yes|no|true|false)\b", re.IGNORECASE | re.MULTILINE)


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
