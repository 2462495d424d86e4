"""rouge-score's default tokenizer, made fast: each distinct word is lowercased, split and
stemmed once per process, and tokens are interned as characters.

A tokenized text is a ``str`` whose characters stand for tokens (one character per token), so
counting, slicing and LCS libraries work on it directly and equal tokens compare equal.
:class:`Stems` instead rewrites a text as its stemmed tokens, for a scorer that tokenizes itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import chain
from typing import Any

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_VALID = re.compile(r"^[a-z0-9]+$")
_ASCII_TABLE = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 or c == 10 else 32
    for c in range(256)
)
"""Bytes translation for ASCII text: upper to lower, newline kept, anything else to a space."""
_SURROGATES = range(0xD800, 0xE000)
_CODE_POINTS = 0x110000 - len(_SURROGATES)
"""How many distinct tokens a vocabulary holds before it must start afresh."""


class TokenizedText:
    """One text's tokens: for the whole text, and per non-empty line (rougeLsum's sentences)."""

    __slots__ = ("bigrams", "lines", "sentences", "tokens", "unigrams")

    def __init__(self, tokens: str, lines: tuple[str, ...]) -> None:
        self.tokens = tokens
        """All tokens, one character each (rouge-score's ``tokenize(text)``)."""
        self.lines = lines
        """Tokens of each line that has any; lines without tokens never change a score."""
        self.unigrams: str | None = None
        self.bigrams: Any = None
        self.sentences: Any = None
        """Derived data, filled on first use by the engine (sorted n-grams, LCS bit masks)."""


Stemmer = Callable[[str], str]
"""Stems one lowercase ``[a-z0-9]+`` word longer than 3 characters, as NLTK's Porter stemmer."""


def nltk_stemmer() -> Stemmer:
    """NLTK's Porter stemmer, the one rouge-score uses (NLTK imported here: a command that
    never scores does not pay for it)."""
    from nltk.stem.porter import PorterStemmer

    stem = PorterStemmer().stem
    return lambda word: str(stem(word))


class Vocabulary:
    """Maps words to token characters, applying rouge-score's stemming rule once per word."""

    def __init__(self, stemmer: Stemmer | None) -> None:
        self._stemmer = stemmer
        """``None``: no stemming."""
        self._chars: dict[str, str] = {}
        """Stemmed token -> its character."""
        self._words: dict[str, str] = {}
        """Word as split from the text -> its token character, or ``""`` if it is dropped."""
        self._bytes: dict[bytes, str] = {}
        """The same for ASCII words, as bytes."""

    def __len__(self) -> int:
        return len(self._chars)

    def words(self) -> int:
        """How many distinct words (before stemming) have been seen."""
        return len(self._words) + len(self._bytes)

    def room(self) -> int:
        """How many new tokens can still be added."""
        return _CODE_POINTS - len(self._chars)

    def word(self, word: str) -> str:
        """The character for one lowercase ``[a-z0-9]+`` word: stemmed if longer than 3."""
        found = self._words.get(word)
        if found is None:
            found = self._words[word] = self._char(word)
        return found

    def _char(self, word: str) -> str:
        token = word
        if self._stemmer is not None and len(word) > 3:
            token = self._stemmer(word)
        if _VALID.match(token):
            char = self._chars.get(token)
            if char is None:
                code = len(self._chars)
                if code >= _SURROGATES.start:
                    code += len(_SURROGATES)
                if code > 0x10FFFF:
                    raise ValueError(
                        f"more than {_CODE_POINTS:,} distinct tokens in one batch of texts"
                    )
                char = self._chars[token] = chr(code)
        else:
            char = ""
        return char

    def line_tokens(self, line: str) -> str:
        """Tokens of one line (or any text) as characters."""
        words = _NON_ALNUM.sub(" ", line.lower()).split()
        known = self._words
        try:
            return "".join([known[w] for w in words])
        except KeyError:
            return "".join([self.word(w) for w in words])

    def tokenize(self, text: str) -> TokenizedText:
        """Tokens of ``text`` exactly as rouge-score's tokenizer makes them, and per line."""
        if text.isascii():
            ascii_lines = text.encode().translate(_ASCII_TABLE).split(b"\n")
            lines = [self._ascii_line(line) for line in ascii_lines]
        else:
            lines = [self.line_tokens(line) for line in text.split("\n")]
        kept = tuple(filter(None, lines))
        return TokenizedText("".join(kept), kept)

    def _ascii_line(self, line: bytes) -> str:
        words = line.split()
        known = self._bytes
        try:
            return "".join([known[w] for w in words])
        except KeyError:
            chars = []
            for w in words:
                char = known.get(w)
                if char is None:
                    char = known[w] = self._char(w.decode())
                chars.append(char)
            return "".join(chars)


class Stems:
    """Rewrites texts as their stemmed tokens, space-separated, one line per line: tokenizing the
    result without stemming gives exactly the stemmed tokens of the original."""

    def __init__(self, stemmer: Stemmer) -> None:
        self._stemmer = stemmer
        self._words: dict[str, str] = {}
        """Word -> its token (stemmed if longer than 3 characters; ``""`` if dropped)."""
        self._bytes: dict[bytes, bytes] = {}
        """The same for ASCII words, as bytes."""

    def words(self) -> int:
        """How many distinct words have been seen."""
        return len(self._words) + len(self._bytes)

    def word(self, word: str) -> str:
        """The token of one lowercase ``[a-z0-9]+`` word."""
        found = self._words.get(word)
        if found is None:
            found = self._words[word] = self._token(word)
        return found

    def _token(self, word: str) -> str:
        token = self._stemmer(word) if len(word) > 3 else word
        return token if _VALID.match(token) else ""

    def text(self, text: str) -> str:
        """``text`` as lines of space-separated stemmed tokens."""
        if not text.isascii():
            split = (_NON_ALNUM.sub(" ", line.lower()).split() for line in text.split("\n"))
            return "\n".join(" ".join([self.word(w) for w in words]) for words in split)
        lines = [line.split() for line in text.encode().translate(_ASCII_TABLE).split(b"\n")]
        known = self._bytes
        try:
            return b"\n".join([b" ".join([known[w] for w in words]) for words in lines]).decode()
        except KeyError:
            for word in chain.from_iterable(lines):
                if word not in known:
                    known[word] = self._token(word.decode()).encode()
            return b"\n".join([b" ".join([known[w] for w in words]) for words in lines]).decode()
