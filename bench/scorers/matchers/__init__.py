"""Key-fact matchers; importing this package registers the built-in ones.

``lexical``, ``calibrated`` and ``calibrated-v2`` need nothing beyond sumbench; ``embedding``,
``calibrated-embed`` and ``calibrated-embed-v2`` need ``pip install 'sumbench[embed]'``; ``nli``
needs transformers and a local entailment model; ``llm`` needs an OpenAI-compatible endpoint.
"""

from bench.scorers.matchers import calibrated, embedding, lexical, llm, nli
from bench.scorers.matchers.base import (
    Matcher,
    MatcherFailed,
    Pair,
    Undecided,
    match_all,
    matchers,
    register_matcher,
)

DEFAULT_MATCHER = "lexical"
"""The best matcher that needs no extras (measured with ``benchmarks/keyfacts_meta.py``)."""

__all__ = [
    "DEFAULT_MATCHER",
    "Matcher",
    "MatcherFailed",
    "Pair",
    "Undecided",
    "calibrated",
    "embedding",
    "lexical",
    "llm",
    "match_all",
    "matchers",
    "nli",
    "register_matcher",
]
