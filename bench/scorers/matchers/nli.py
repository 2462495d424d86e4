"""The NLI matcher: the support engine's ``nli`` backend with the summary as the premise and the
fact as the hypothesis (single summary sentences and windows of 2-3 neighbouring ones, SummaC-ZS
style): present when some chunk entails the fact with probability >= ``threshold`` and more
strongly than any chunk contradicts it."""

from __future__ import annotations

from bench.params import at_least
from bench.scorers.matchers.base import register_matcher
from bench.scorers.matchers.support import SupportMatcher
from bench.support.nli import NLIBackend, load_entailment_model

VERSION = "v2"
"""v2: decided by the engine's nli backend (windows of up to 3 sentences; a tie between
entailment and contradiction is no longer present). v1 read single sentences and pairs."""


class NLIMatcher(SupportMatcher):
    """A key-fact matcher over the engine's :class:`NLIBackend`."""

    light = False

    def __init__(self, backend: NLIBackend, name: str = f"nli-{VERSION}") -> None:
        super().__init__(backend, name)


@register_matcher("nli")
def nli(model: str, threshold: float = 0.5, batch: int = 16) -> NLIMatcher:
    """A local entailment model (a folder or a cached model name; never downloaded)."""
    loaded = load_entailment_model(model, at_least("matcher 'nli'", "batch", batch, 1))
    return NLIMatcher(NLIBackend(loaded, threshold), name=f"nli-{VERSION}:{model}")
