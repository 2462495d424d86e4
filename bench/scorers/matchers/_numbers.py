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


@lru_cache(maxsize=1 << 15)
def quantities(text: str, word_one: bool = True) -> frozenset[float]:
    """Every number ``text`` states, with scale words applied ("2.9 million" -> 2900000.0).

    ``word_one=False`` skips a bare "one", which is more often a pronoun ("the listings include
    one for ...") than a count; "one million" and "1" still count."""
    found: set[float] = set()
    parts = _TOKEN.findall(text)
    index = 0
    while index < len(parts):
        value = _number(parts[index])
        if value is None:
            index += 1
            continue
        following = parts[index + 1].lower() if index + 1 < len(parts) else ""
        if not word_one and parts[index].lower() == "one" and following not in _SCALES:
            index += 1
            continue
        if following in _SCALES and not (following in {"m", "k"} and not parts[index][0].isdigit()):
            value *= _SCALES[following]
            index += 1
        found.add(value)
        index += 1
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


def missing_dates(fact: str, summary: str) -> frozenset[str]:
    """Months and weekdays the fact names that the summary does not."""
    return dates(fact) - dates(summary)
