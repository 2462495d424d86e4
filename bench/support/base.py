"""The support engine's vocabulary: verdicts, one judgment of a claim against one premise, the
backend protocol and the backend registry.

A backend answers "does this premise support this claim?" for several claims at once. Key facts
ask it with the summary as the premise and each fact as a claim; faithfulness asks it with each
source document as a premise and each summary sentence as a claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bench.registry import Registry
from bench.support.premise import Premise

Verdict = Literal["supported", "contradicted", "not mentioned", "disputed"]
SUPPORTED: Verdict = "supported"
CONTRADICTED: Verdict = "contradicted"
NOT_MENTIONED: Verdict = "not mentioned"
DISPUTED: Verdict = "disputed"
"""Supported by one document and contradicted by another, or stating one side of a disagreement
the task declares without saying whose claim it is."""
VERDICTS: tuple[Verdict, ...] = (SUPPORTED, CONTRADICTED, NOT_MENTIONED, DISPUTED)


class Undecided(Exception):
    """A backend reached no verdict (an unparsable or missing judge reply): never read as
    supported, nor as unsupported."""


class JudgeFailed(Exception):
    """A backend that cannot go on (a judge whose replies are never verdicts): it stops the run
    or the meta-evaluation, where :class:`Undecided` only skips one summary."""


@dataclass(frozen=True)
class Support:
    """What one premise says about one claim."""

    verdict: Verdict
    score: float | None
    """The backend's degree of support in [0, 1] (0 for a contradiction); ``None`` without one."""
    evidence: tuple[int, ...] = ()
    """Indexes of the premise sentences that support or contradict the claim."""
    coverage: float = 0.0
    """How much of the claim the evidence sentences hold, even when a veto makes the score 0
    (which document a not-mentioned claim comes closest to)."""
    reason: str = ""
    """Why the verdict is not ``supported`` (e.g. "number 50 not in the source"), or the judge's
    error category."""


@dataclass(frozen=True)
class ClaimSupport:
    """What every premise says about one claim, in the order the premises were given."""

    claim: str
    by_premise: tuple[Support, ...]
    note: str = ""
    """Something the reader of the verdict should know (e.g. the judge saw the documents cut)."""


@runtime_checkable
class SupportBackend(Protocol):
    """Judges claims against premises: (premise, claim) -> verdict, score and evidence."""

    name: str
    """Name and version, e.g. ``lexical-v1``; recorded with every verdict and in signatures."""
    light: bool
    """Holds no model and is cheap to copy into every scoring process."""

    def judge(
        self, premises: Sequence[Premise], claims: Sequence[str], context: Sequence[str] = ()
    ) -> list[ClaimSupport | Undecided]:
        """One :class:`ClaimSupport` per claim (or its :class:`Undecided`), judged against every
        premise. ``context`` holds the claims of the same set (a task's key facts): words shared
        by many of them say less about one claim than the words that set it apart."""
        ...


def decided(results: Sequence[ClaimSupport | Undecided]) -> list[ClaimSupport]:
    """The results when every claim was decided; raises the first :class:`Undecided`."""
    found: list[ClaimSupport] = []
    for result in results:
        if isinstance(result, Undecided):
            raise result
        found.append(result)
    return found


DEFAULT_BACKEND = "lexical"

backends: Registry[SupportBackend] = Registry("support backend", "sumbench.support")
DEFAULT_BACKEND = "lexical"
register_backend = backends.register
