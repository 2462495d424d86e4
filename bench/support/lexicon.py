"""Words as the lexical backend compares them: rouge-score tokens, Porter stems mapped to a
canonical form (irregular verbs, a few near-synonyms), stopwords, names, and the greedy choice of
the fewest sentences that hold a claim's words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bench.scorers._tokens import stem, tokens
from bench.support.negation import is_negation
from bench.support.synonyms import canonical, canonical_map

_STOPWORD_TEXT = """
a about also am an and any are as at be because been being both but by can could did do does
doing during each either for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just let me my myself of on once or ought our ours
ourselves per she should so some such than that the their theirs them themselves then there these
they this those through to until upon us very via was we were what when where which while who
whom whose why will with within would yet you your yours yourself yourselves
s t d ll m re ve
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""English function words left out of a claim's content words (lowercase, unstemmed).

The last line holds contraction pieces (it's -> it s). Negations, numbers and words of
direction or degree (not, no, more, after, up) stay content words."""


_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def split_digits(text: str) -> str:
    """A space where digits meet letters, so that "9pm" and "9 pm", "100miles" and "100 miles"
    are the same words (the lexical support backend compares words after it)."""
    return _DIGIT_LETTER.sub(" ", text)


@lru_cache(maxsize=1 << 16)
def stems(text: str) -> tuple[str, ...]:
    """rouge-score tokens of ``text``, Porter-stemmed."""
    return tuple(tokens(text, stem=True))


def content_words(text: str) -> list[str]:
    """Distinct stemmed tokens of ``text`` that are not stopwords, in order of appearance."""
    found = [stem(t) for t in tokens(text) if t not in STOPWORDS]
    return list(dict.fromkeys(found))


@lru_cache(maxsize=1 << 16)
def canonical_words(text: str) -> tuple[str, ...]:
    """Distinct canonical stems of the content words of ``text``, in order."""
    return tuple(dict.fromkeys(canonical(w) for w in content_words(text)))


@lru_cache(maxsize=1 << 16)
def canonical_set(text: str) -> frozenset[str]:
    """Canonical stems of every token of ``text`` (stopwords too)."""
    get = canonical_map().get  # canonical(), inlined: this runs for every sentence of every summary
    return frozenset([get(w, w) for w in stems(text)])


@lru_cache(maxsize=1 << 16)
def canonical_sequence(text: str) -> tuple[str, ...]:
    """Canonical stems of every token of ``text``, in order (for word pairs)."""
    get = canonical_map().get
    return tuple([get(w, w) for w in stems(text)])


def names(text: str) -> list[str]:
    """Canonical stems of capitalised words after the first (people, places, organisations)."""
    found = re.findall(r"\b[A-Z][a-zA-Z]+", text)[1:]
    kept = (canonical(stem(w.lower())) for w in found if w.lower() not in STOPWORDS)
    return list(dict.fromkeys(kept))


def cover(weighted: Sequence[tuple[str, float]], bags: Sequence[frozenset[str]]) -> list[int]:
    """The fewest sentences (greedy, heaviest first) holding every one of the ``weighted`` words,
    in order. Gains are summed in the order given (not set order), so ties break the same way
    in every process."""
    left = list(weighted)
    chosen: list[int] = []
    while left:
        gains = [sum(v for w, v in left if w in bag) for bag in bags]
        best = max(range(len(bags)), key=gains.__getitem__)
        if gains[best] <= 0:
            break
        chosen.append(best)
        left = [(w, v) for w, v in left if w not in bags[best]]
    return sorted(chosen)


def polarity_clash(claim: str, sentences: Sequence[str]) -> bool:
    """Whether the premise states the claim with the opposite polarity: a word the claim denies
    ("did not tip") that the aligned sentences state only plainly ("tipped"), or one the claim
    states plainly that they only deny ("refused to send troops" against "sent troops").

    A negation denies the first content word after it; the next words up to three after it may
    be in its scope ("not formally charged"), so they clash with neither reading, and neither
    does a word stated both ways ("if they win ... fail to win")."""
    said = denials(claim)
    shown: dict[str, set[str]] = {}
    for sentence in sentences:
        for word, ways in denials(sentence).items():
            shown.setdefault(word, set()).update(ways)
    return any(
        {ways, frozenset(shown[word])} == {_ONLY_DENIED, _ONLY_PLAIN}
        for word, ways in said.items()
        if word in shown
    )


_ONLY_DENIED = frozenset({"denied"})
_ONLY_PLAIN = frozenset({"plain"})


_WORD_OR_NUMBER = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")


@lru_cache(maxsize=1 << 15)
def denials(text: str, scope: int = 3) -> dict[str, frozenset[str]]:
    """Each content word of ``text`` (canonical stem) with how it is stated: ``denied`` (the
    first content word after a negation), ``near`` (within ``scope`` words after one) or
    ``plain``, once per way. "No" before a number is a rank ("No 2"), not a negation."""
    words = _WORD_OR_NUMBER.findall(text.lower().replace("’", "'"))
    found: dict[str, set[str]] = {}
    last = -scope - 1  # index of the latest negation
    pending = False  # a negation still waiting for the word it denies
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if is_negation(word) and not (word == "no" and following[:1].isdigit()):
            last, pending = index, True
            continue
        if word in STOPWORDS or word[0].isdigit():
            continue
        way = "denied" if pending else "near" if index - last <= scope else "plain"
        pending = False
        found.setdefault(canonical(stem(word)), set()).add(way)
    return {w: frozenset(ways) for w, ways in found.items()}


_PTB = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}"}
_BRACKET = re.compile(r"-[lr][rsc]b-", re.IGNORECASE)
_SPLIT_CLITIC = re.compile(r"(?<=\w) (n't|'s|'re|'ve|'ll|'d|'m)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[UNK\]|<unk>|\bUNK\b", re.IGNORECASE)
_GLUED = re.compile(r"(?<=[a-z0-9][.!?])([\"”’]?)(?=[A-Z])")


def detokenize(text: str) -> str:
    """Undo the tokenization marks news corpora carry ("does n't", "-LRB-", "UNK"), so they are
    not read as words, and put a space where a sentence end is glued to the next ("died.He")."""
    text = _BRACKET.sub(lambda m: _PTB[m.group(0).lower()], text)
    text = _SPLIT_CLITIC.sub(r"\1", text)
    text = _PLACEHOLDER.sub(" ", text)
    return _GLUED.sub(r"\1 ", text)
