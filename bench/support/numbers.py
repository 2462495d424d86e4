"""Numbers and dates in text, normalised so that "3,000", "3000" and "three thousand" agree."""

from __future__ import annotations

import re
from functools import lru_cache

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
}
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "m": 1_000_000,
    "bn": 1_000_000_000,
    "k": 1_000,
}
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+")


def _number(token: str) -> float | None:
    if token[0].isdigit():
        # A comma followed by three digits groups thousands ("3,000"); a dot is a decimal point.
        plain = re.sub(r",(?=\d{3}\b)", "", token).replace(",", ".")
        try:
            return float(plain)
        except ValueError:
            return None
    word = token.lower()
    value = _UNITS.get(word)
    return float(value) if value is not None else None


def _values(parts: list[str], word_one: bool) -> list[tuple[float, int, int]]:
    """(value, index of its first part, index of its last part) of every number in ``parts``."""
    found: list[tuple[float, int, int]] = []
    # Only a digit run or a number word can start a number: the other parts are skipped at once.
    candidates = [i for i, part in enumerate(parts) if part[0].isdigit() or part.lower() in _UNITS]
    after = 0  # the first part not yet taken by a number
    for index in candidates:
        if index < after:
            continue
        value = _number(parts[index])
        if value is None:
            continue
        start = index
        following = parts[index + 1].lower() if index + 1 < len(parts) else ""
        if not word_one and parts[index].lower() == "one" and following not in _SCALES:
            after = index + 1
            continue
        if following in _SCALES and not (following in {"m", "k"} and not parts[index][0].isdigit()):
            value *= _SCALES[following]
            index += 1
        found.append((value, start, index))
        after = index + 1
    return found


@lru_cache(maxsize=1 << 15)
def quantities(text: str, word_one: bool = True) -> frozenset[float]:
    """Every number ``text`` states, with scale words applied ("2.9 million" -> 2900000.0).

    ``word_one=False`` skips a bare "one", which is more often a pronoun ("the listings include
    one for ...") than a count; "one million" and "1" still count."""
    return frozenset(value for value, _, _ in _values(_TOKEN.findall(text), word_one))


BOUNDS = frozenset(["over", "under", "than", "least", "to", "up", "below", "above"])
"""Words before a number that make it a bound ("more than 30", "up to 20", "at least 5")."""
ESTIMATES = frozenset(
    ["about", "around", "nearly", "almost", "some", "roughly", "approximately", "estimated"]
)
"""Words before a number that make it an estimate ("about 20%", "some 99%")."""
_BREAK = re.compile(r"[,;:.!?()\[\]\"“”]")
"""Punctuation that ends the phrase a number counts."""
_COUNTED_STOPWORDS = frozenset(["of", "the", "a", "an", "and", "or", "to", "in", "on", "at", "per"])


@lru_cache(maxsize=1 << 15)
def counts(text: str) -> frozenset[tuple[float, str, str]]:
    """(number, the word it counts, "bound" / "estimate" / "") for each number followed by a
    word: "more than 30 nations" -> (30.0, "nations", "bound"). The counted word is the first word
    after the number that is not "of", "the", ..., lowercased."""
    spans = list(_TOKEN.finditer(text))
    parts = [m.group(0) for m in spans]
    found = set()
    for value, start, end in _values(parts, False):
        # A number counts only the words of its own phrase: "Kvarzell, 25, Makrus" counts nothing.
        following = []
        for k in range(end + 1, min(end + 3, len(parts))):
            if _BREAK.search(text[spans[k - 1].end() : spans[k].start()]):
                break
            following.append(parts[k])
        after = [p.lower() for p in following if p.isalpha()]
        after = [w for w in after if w not in _COUNTED_STOPWORDS]
        if not after:
            continue
        before = parts[start - 1].lower() if start else ""
        kind = "bound" if before in BOUNDS else "estimate" if before in ESTIMATES else ""
        found.add((value, after[0], kind))
    return frozenset(found)


@lru_cache(maxsize=1 << 15)
def dates(text: str) -> frozenset[str]:
    """Month and weekday names in ``text`` (lowercase); "May" as a month only when capitalised."""
    found = set()
    for word in re.findall(r"[A-Za-z]+", text):
        lower = word.lower()
        if lower in WEEKDAYS or (lower in MONTHS and (lower != "may" or word[0].isupper())):
            found.add(lower[:3])
    return frozenset(found)


def missing_numbers(fact: str, summary: str, word_one: bool = True) -> frozenset[float]:
    """Numbers the fact states that the summary does not (an empty set when all agree);
    ``word_one=False`` does not require a bare "one" of the fact (see :func:`quantities`)."""
    return quantities(fact, word_one) - quantities(summary)
