"""Summarizer adapters; importing this package registers the built-in ones."""

from bench.adapters import baselines, bounds, command, graph, hf, openai, precomputed, python
from bench.adapters.base import (
    Adapter,
    AdapterError,
    GoldSummarizer,
    NotApplicable,
    Summarizer,
    adapters,
    is_bound,
    register_adapter,
)

__all__ = [
    "Adapter",
    "AdapterError",
    "GoldSummarizer",
    "NotApplicable",
    "Summarizer",
    "adapters",
    "baselines",
    "bounds",
    "command",
    "graph",
    "hf",
    "is_bound",
    "openai",
    "precomputed",
    "python",
    "register_adapter",
]
