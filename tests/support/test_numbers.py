"""Numbers a fact states and a summary must agree with."""

from __future__ import annotations

from bench.support.numbers import counts, missing_numbers, quantities


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
