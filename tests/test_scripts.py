"""What rouge-score's tokenizer keeps of a text (bench.scripts)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.scripts import kept_share

_KEPT = re.compile(r"[a-z0-9]")
_SPACES = re.compile(r"\s+")


def regex_share(text: str) -> float | None:
    """The share by the definition: lowercased, [a-z0-9] over what \\s does not match."""
    lowered = text.lower()
    visible = len(lowered) - sum(map(len, _SPACES.findall(lowered)))
    return len(_KEPT.findall(lowered)) / visible if visible else None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40) | st.text(max_size=20))
def test_ascii_shortcut_equals_the_definition(text: str) -> None:
    assert kept_share.__wrapped__(text) == regex_share(text)


def test_kept_share_of_edge_cases() -> None:
    assert kept_share("") is None
    assert kept_share(" \t\x1c\x1f\n") is None  # \s matches the ASCII separators too
    assert kept_share("Ab 9_") == 3 / 4
    assert kept_share("Шторм ok") == 2 / 7
