"""Numbers a fact states and a summary must agree with."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.support.numbers import _SCALES, _number, _values, counts, missing_numbers, quantities


def test_numbers_normalised() -> None:
    assert quantities("3,000 troops and 2.9 million views, five dead") == {3000, 2.9e6, 5}
    assert quantities("three thousand") == {3000}
    assert missing_numbers("12 people", "a dozen people") == frozenset()
    assert missing_numbers("12 people", "13 people") == {12}


def test_a_bare_one_is_not_a_number_to_find_when_asked() -> None:
    fact = "The listings include one for a battery engineer."
    assert missing_numbers(fact, "They include a battery engineer.") == {1}
    assert missing_numbers(fact, "They include a battery engineer.", word_one=False) == set()
    assert quantities("one million views", False) == {1e6}
    assert missing_numbers("1 dead", "two dead", word_one=False) == {1}


def test_a_number_counts_the_words_of_its_own_phrase() -> None:
    assert counts("more than 30 nations signed") == {(30.0, "nations", "bound")}
    assert counts("the 23-year-old defender") == {(23.0, "year", "")}
    # Ages after names count nothing: "25, Makrus" is not 25 Makruses.
    assert counts("Samuel Kvarzell, 25, Makrus Asberg, 25, and Eric Jansberger, 28, said") == set()


def every_part_in_turn(parts: list[str], word_one: bool) -> list[tuple[float, int, int]]:
    """The reading by definition: each part tried as a number, left to right."""
    found: list[tuple[float, int, int]] = []
    index = 0
    while index < len(parts):
        value = _number(parts[index])
        if value is None:
            index += 1
            continue
        start = index
        following = parts[index + 1].lower() if index + 1 < len(parts) else ""
        if not word_one and parts[index].lower() == "one" and following not in _SCALES:
            index += 1
            continue
        if following in _SCALES and not (following in {"m", "k"} and not parts[index][0].isdigit()):
            value *= _SCALES[following]
            index += 1
        found.append((value, start, index))
        index += 1
    return found


_PARTS = ["one", "One", "two", "million", "m", "k", "3", "3,000", "1.5", "bn", "the", "ten", "x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PARTS), max_size=8), st.booleans())
def test_numbers_are_read_as_by_trying_every_part(parts: list[str], word_one: bool) -> None:
    assert _values(parts, word_one) == every_part_in_turn(parts, word_one)
