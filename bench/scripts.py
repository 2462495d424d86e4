"""What the tokenizers keep of each script: the share of a text rouge-score's tokenizer keeps
(it keeps only a-z and 0-9), and the unicode tokenizer's words of every script.

Kept apart from the scorers (and free of their imports) so that task validation can warn about
texts ROUGE would void, and count the words of a Chinese reference, as the scorers do.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Chinese and Japanese characters: one token each (those scripts do not separate words)."""
MIN_KEPT_SHARE = 0.5
"""Below this share of kept characters, ROUGE with rouge-score's tokenizer is void for a text."""

_KEPT = re.compile(r"[a-z0-9]")
_SPACES = re.compile(r"\s+")
_HAS_CJK = re.compile(f"[{CJK}]")
_ASCII_SPACES = bytes(c for c in range(128) if chr(c).isspace())
"""What ``\\s`` matches in ASCII (``str.isspace``: the separators 0x1c-0x1f too)."""
_ASCII_NOT_KEPT = bytes(c for c in range(128) if not chr(c).isalnum())
"""ASCII bytes that are no letter or digit: lowercased, every other one is ``[a-z0-9]``."""


@functools.cache
def unicode_token_pattern() -> re.Pattern[str]:
    """A CJK character, or a run of letters, digits and combining marks (Devanagari vowel
    signs and viramas are marks: without them Hindi words would break apart)."""
    marks = [
        chr(c)
        for c in range(0x300, sys.maxunicode + 1)
        if unicodedata.category(chr(c)).startswith("M")
    ]
    ranges: list[str] = []
    for char in marks:
        if ranges and ord(char) == ord(ranges[-1][-1]) + 1:
            ranges[-1] = ranges[-1][0] + char
        else:
            ranges.append(char)
    marks_class = "".join(
        re.escape(r[0]) + ("-" + re.escape(r[-1]) if len(r) > 1 else "") for r in ranges
    )
    return re.compile(rf"[{CJK}]|(?:[^\W_{CJK}]|[{marks_class}])+")


def unicode_words(text: str) -> list[str]:
    """Unstemmed tokens of every script: NFKC-normalised, case-folded runs of letters and
    digits, each Chinese or Japanese character on its own."""
    found: list[str] = unicode_token_pattern().findall(
        unicodedata.normalize("NFKC", text).casefold()
    )
    return found


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a Chinese or Japanese character."""
    return _HAS_CJK.search(text) is not None


@functools.lru_cache(maxsize=4096)  # every scorer checks each summary; key facts recur
def kept_share(text: str) -> float | None:
    """Share of the non-space characters rouge-score's tokenizer keeps; ``None`` for blank text."""
    if text.isascii():  # the same counts, by byte deletion
        data = text.encode()
        visible = len(data.translate(None, _ASCII_SPACES))
        return len(data.translate(None, _ASCII_NOT_KEPT)) / visible if visible else None
    lowered = text.lower()
    visible = len(lowered) - sum(map(len, _SPACES.findall(lowered)))
    if not visible:
        return None
    return len(_KEPT.findall(lowered)) / visible
