"""The support engine: does a premise support a claim? One judge with pluggable backends
(``lexical``, ``nli``, ``llm``; entry point group ``sumbench.support``) for two directions: key
facts against a summary, and summary sentences against their sources (faithfulness). Importing
this package registers the built-in backends."""

# The engine tokenizes with bench.scorers._tokens; loading the scorers package first keeps the
# import order the same whichever package a caller imports first (scorers use this engine).
import bench.scorers._tokens  # noqa: F401
from bench.support import lexical, llm, nli
from bench.support.base import (
    CONTRADICTED,
    DEFAULT_BACKEND,
    DISPUTED,
    NOT_MENTIONED,
    SUPPORTED,
    VERDICTS,
    ClaimSupport,
    JudgeFailed,
    Support,
    SupportBackend,
    Undecided,
    Verdict,
    backends,
    register_backend,
)
from bench.support.premise import Premise

__all__ = [
    "CONTRADICTED",
    "DEFAULT_BACKEND",
    "DISPUTED",
    "NOT_MENTIONED",
    "SUPPORTED",
    "VERDICTS",
    "ClaimSupport",
    "JudgeFailed",
    "Premise",
    "Support",
    "SupportBackend",
    "Undecided",
    "Verdict",
    "backends",
    "lexical",
    "llm",
    "nli",
    "register_backend",
]
