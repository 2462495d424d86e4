"""ROUGE-1/2/L/Lsum through Google's ``rouge-score`` package, against one or many references."""

from __future__ import annotations

import importlib.metadata
import re
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

from rouge_score import rouge_scorer, scoring

from bench.request import Summary
from bench.scorers._tokens import kept_share
from bench.scorers.base import CannotScore, ItemScore, Metric, Need, Scorer, register_scorer
from bench.task import Reference, Task
from bench.text import SPLITTER_NAME, split_sentences

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
"""Supported types, in display order."""
_LABELS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L", "rougeLsum": "R-Lsum"}
_REFS = ("max", "mean")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
MIN_KEPT_SHARE = 0.5
"""Below this share of kept characters, :class:`RougeTokenizerWarning` is emitted."""


class RougeTokenizerWarning(UserWarning):
    """rouge-score's default tokenizer dropped most of a text (non-Latin script): ROUGE is void."""


def parse_bool(name: str, value: bool | str) -> bool:
    """A boolean parameter given as a bool or as CLI text (``true``/``false``, ``1``/``0``...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"parameter {name!r} must be true or false, got {value!r}")


def parse_types(value: Sequence[str] | str) -> tuple[str, ...]:
    """ROUGE types from a sequence or a ``,``/``+``-separated string, in display order."""
    names = re.split(r"[,+\s]+", value) if isinstance(value, str) else list(value)
    canonical = {t.lower(): t for t in ROUGE_TYPES}
    chosen: set[str] = set()
    for name in (n.strip() for n in names):
        if not name:
            continue
        if name.lower() not in canonical:
            raise ValueError(
                f"parameter 'types' got unknown ROUGE type {name!r}; "
                f"allowed: {', '.join(ROUGE_TYPES)}"
            )
        chosen.add(canonical[name.lower()])
    if not chosen:
        raise ValueError(f"parameter 'types' is empty; allowed: {', '.join(ROUGE_TYPES)}")
    return tuple(t for t in ROUGE_TYPES if t in chosen)


@register_scorer("rouge")
class Rouge(Scorer):
    """ROUGE F/P/R via rouge-score; rougeLsum on pysbd sentences, best or mean over references."""

    name = "rouge"
    requires: ClassVar[frozenset[Need]] = frozenset({"references"})

    def __init__(
        self,
        stem: bool | str = True,
        refs: str = "max",
        types: Sequence[str] | str = ROUGE_TYPES,
    ) -> None:
        self.stem = parse_bool("stem", stem)
        self.refs = str(refs).strip().lower()
        if self.refs not in _REFS:
            raise ValueError(f"parameter 'refs' must be one of {', '.join(_REFS)}, got {refs!r}")
        self.types = parse_types(types)
        plain = [t for t in self.types if t != "rougeLsum"]
        self._plain = rouge_scorer.RougeScorer(plain, use_stemmer=self.stem) if plain else None
        self._lsum = (
            rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=self.stem)
            if "rougeLsum" in self.types
            else None
        )
        self._lines: dict[tuple[str, str], str] = {}
        self._kept: dict[str, float | None] = {}
        self._warned: set[str] = set()

    def signature(self) -> str:
        """e.g. ``rouge:v0.1.2|tok:default|stem:porter|lsum:pysbd|refs:max``."""
        version = importlib.metadata.version("rouge-score")
        stem = "porter" if self.stem else "none"
        return f"rouge:v{version}|tok:default|stem:{stem}|lsum:{SPLITTER_NAME}|refs:{self.refs}"

    def metrics(self) -> list[Metric]:
        """F for each type, then P, then R (stored but not shown by default)."""
        return [
            Metric(f"{t}_{part}", _LABELS[t] + suffix, True, shown=part == "f")
            for part, suffix in (("f", ""), ("p", " P"), ("r", " R"))
            for t in self.types
        ]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """Score against ``task.references_for(summary)``; raises CannotScore without references."""
        reason = self.cannot_score(task, summary)
        if reason is not None:
            raise CannotScore(reason)
        references = task.references_for(summary)
        self._check_tokenizer(task, summary, references)
        targets = [r.text for r in references]
        scores: dict[str, Any] = {}
        if self._plain is not None:
            scores.update(self._combine(self._plain, targets, summary.text))
        if self._lsum is not None:
            lines = [self._lines_of(t, task.language) for t in targets]
            prediction = self._lines_of(summary.text, task.language, cache=False)
            scores.update(self._combine(self._lsum, lines, prediction))
        values: dict[str, float] = {}
        for t in self.types:
            values[f"{t}_p"] = float(scores[t].precision)
            values[f"{t}_r"] = float(scores[t].recall)
            values[f"{t}_f"] = float(scores[t].fmeasure)
        return ItemScore(values=values)

    def _combine(self, scorer: Any, targets: list[str], prediction: str) -> dict[str, Any]:
        if self.refs == "max":
            best: dict[str, Any] = scorer.score_multi(targets, prediction)
            return best
        each = [scorer.score(t, prediction) for t in targets]
        return {
            k: scoring.Score(
                precision=sum(s[k].precision for s in each) / len(each),
                recall=sum(s[k].recall for s in each) / len(each),
                fmeasure=sum(s[k].fmeasure for s in each) / len(each),
            )
            for k in scorer.rouge_types
        }

    def _lines_of(self, text: str, language: str, cache: bool = True) -> str:
        """Sentences joined by newlines, the input rouge-score's rougeLsum expects."""
        key = (text, language)
        if key in self._lines:
            return self._lines[key]
        lines = "\n".join(split_sentences(text, language))
        if cache:
            self._lines[key] = lines
        return lines

    def _check_tokenizer(self, task: Task, summary: Summary, references: list[Reference]) -> None:
        if task.id in self._warned:
            return
        found = [("the summary", kept_share(summary.text))]
        for ref in references:
            if ref.text not in self._kept:
                self._kept[ref.text] = kept_share(ref.text)
            found.append((f"reference {ref.id!r}", self._kept[ref.text]))
        for what, kept in found:
            if kept is not None and kept < MIN_KEPT_SHARE:
                self._warned.add(task.id)
                warnings.warn(
                    f"rouge: task {task.id!r}: rouge-score's default tokenizer keeps only a-z "
                    f"and 0-9 and dropped {1 - kept:.0%} of the non-space characters of {what}; "
                    "ROUGE scores for non-Latin scripts are meaningless with the default tokenizer",
                    RougeTokenizerWarning,
                    stacklevel=3,
                )
                return
