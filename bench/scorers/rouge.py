"""ROUGE-1/2/L/Lsum with rouge-score's exact numbers, against one or many references.

The numbers come from a :mod:`~bench.scorers.rouge_engine` engine (``auto``: rouge-score-rs
when installed and verified identical, else the pure-Python engine); every engine reproduces
Google's ``rouge-score`` bit for bit, and the signature names the engine that ran.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import re
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

from bench.request import Summary
from bench.scorers._tokens import MIN_KEPT_SHARE, TokenizerWarning, kept_share, unicode_tokens
from bench.scorers.base import CannotScore, ItemScore, Metric, Need, Scorer, register_scorer
from bench.scorers.rouge_engine import (
    ENGINE_NAMES,
    ROUGE_TYPES,
    BatchEngine,
    Item,
    Score,
    Scores,
    make_engine,
)
from bench.signature import Signature
from bench.task import Reference, Task
from bench.text import DEFAULT_SPLITTER, parse_splitter, split_sentences

_LABELS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L", "rougeLsum": "R-Lsum"}
_REFS = ("max", "mean")


class RougeTokenizerWarning(TokenizerWarning):
    """rouge-score's default tokenizer dropped most of a text (non-Latin script): ROUGE is void."""


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


TOKENIZERS = ("default", "unicode")
"""``default``: rouge-score's (a-z0-9 only); ``unicode``: letters and digits of every script."""
CACHED_REFERENCES = 4096
"""References whose sentence split and kept share are remembered (a stream scores each task's
references for every system, then never again)."""


def _bounded(cache: dict[Any, Any]) -> None:
    """Make room in ``cache``: when full, drop its older half (insertion order)."""
    if len(cache) >= CACHED_REFERENCES:
        for key in list(itertools.islice(cache, CACHED_REFERENCES // 2)):
            del cache[key]


def _same(text: str) -> str:
    return text


class UnicodeTokens:
    """Texts as ASCII stand-ins of their unicode tokens (one per distinct token, kept per line
    for rougeLsum): every engine then computes rouge-score's arithmetic on those tokens."""

    def __init__(self, stem: bool) -> None:
        self.stem = stem
        self._ids: dict[str, str] = {}
        self._texts: dict[str, str] = {}

    MAX_TOKENS = 1 << 20

    def new_item(self) -> None:
        """Called before an item's texts: start afresh when a million distinct tokens are
        held (an item's texts only meet each other, so their stand-ins stay consistent)."""
        if len(self._ids) >= self.MAX_TOKENS:
            self._ids.clear()
            self._texts.clear()

    def text(self, text: str) -> str:
        """``text`` with each token replaced by its stand-in, lines kept."""
        found = self._texts.get(text)
        if found is None:
            found = "\n".join(self._line(line) for line in text.split("\n"))
            if len(self._texts) >= 4096:
                self._texts.clear()
            self._texts[text] = found
        return found

    def _line(self, line: str) -> str:
        ids = self._ids
        return " ".join(
            ids.get(t) or ids.setdefault(t, f"t{len(ids):x}")
            for t in unicode_tokens(line, self.stem)
        )


def parse_engine(value: str) -> str:
    """An engine name (``auto``, ``python``, ``rs``, ``rouge-score``), lowercased."""
    name = str(value).strip().lower()
    if name not in ENGINE_NAMES:
        raise ValueError(
            f"parameter 'engine' must be one of {', '.join(ENGINE_NAMES)}, got {value!r}"
        )
    return name


@register_scorer("rouge")
class Rouge(Scorer):
    """ROUGE F/P/R equal to rouge-score's; rougeLsum on sentences split by ``split`` (Punkt by
    default, as rouge-score's ``split_summaries``; or ``pysbd``), best or mean over refs.

    ``engine`` picks how the numbers are computed (``auto``, ``python``, ``rs``,
    ``rouge-score``); all give identical results, ``auto`` the fastest available.
    """

    name = "rouge"
    requires: ClassVar[frozenset[Need]] = frozenset({"references"})

    def __init__(
        self,
        stem: bool = True,
        refs: str = "max",
        types: Sequence[str] | str = ROUGE_TYPES,
        engine: str = "auto",
        tokenizer: str = "default",
        split: str = DEFAULT_SPLITTER,
    ) -> None:
        self.stem = stem
        self.split = parse_splitter(split)
        self.tokenizer = str(tokenizer).strip().lower()
        if self.tokenizer not in TOKENIZERS:
            raise ValueError(
                f"parameter 'tokenizer' must be one of {', '.join(TOKENIZERS)}, got {tokenizer!r}"
            )
        self._unicode = UnicodeTokens(self.stem) if self.tokenizer == "unicode" else None
        # Unicode tokens reach the engine as ASCII stand-ins, already stemmed.
        engine_stems = self.stem and self._unicode is None
        self.refs = str(refs).strip().lower()
        if self.refs not in _REFS:
            raise ValueError(f"parameter 'refs' must be one of {', '.join(_REFS)}, got {refs!r}")
        self.types = parse_types(types)
        self.engine = parse_engine(engine)
        plain = tuple(t for t in self.types if t != "rougeLsum")
        self._plain = (
            make_engine(self.engine, types=plain, use_stemmer=engine_stems) if plain else None
        )
        self._lsum = (
            make_engine(self.engine, types=("rougeLsum",), use_stemmer=engine_stems)
            if "rougeLsum" in self.types
            else None
        )
        self.engine_name = (self._plain or self._lsum or make_engine(self.engine)).name
        """The engine that computes the numbers (``auto`` resolved), as in the signature."""
        self._lines: dict[tuple[str, str], str] = {}
        self._kept: dict[str, float | None] = {}
        self._warned: set[str] = set()

    def signature(self) -> str:
        """e.g. ``rouge:v0.1.2|engine:python|tok:default|stem:porter|lsum:punkt|refs:max``.

        ``engine`` names how the numbers were computed, not what: all engines equal rouge-score.
        """
        fields = (
            ("engine", self.engine_name),
            ("tok", self.tokenizer),
            ("stem", "porter" if self.stem else "none"),
            ("lsum", self.split),
            ("refs", self.refs),
        )
        version = importlib.metadata.version("rouge-score")
        return Signature("rouge", f"v{version}", fields).format()

    def metrics(self) -> list[Metric]:
        """F for each type, then P, then R (stored but not shown by default)."""
        return [
            Metric(f"{t}_{part}", _LABELS[t] + suffix, True, shown=part == "f")
            for part, suffix in (("f", ""), ("p", " P"), ("r", " R"))
            for t in self.types
        ]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """Score against ``task.references_for(summary)``; raises CannotScore without references."""
        found = self.score_pairs([(task, summary)], processes=1)[0]
        if isinstance(found, CannotScore):
            raise found
        return found

    def score_pairs(
        self, pairs: Sequence[tuple[Task, Summary]], processes: int | None = None
    ) -> list[ItemScore | CannotScore]:
        """Score many (task, summary) pairs at once, in order: what :meth:`score` returns, or the
        :class:`CannotScore` it would raise. Each reference is tokenized once for all summaries
        scored against it, and a large batch is spread over ``processes`` (default: all cores)."""
        results: list[ItemScore | CannotScore] = []
        plain: list[Item] = []
        lsum: list[Item] = []
        for task, summary in pairs:
            reason = self.cannot_score(task, summary)
            if reason is not None:
                results.append(CannotScore(reason))
                continue
            references = task.references_for(summary)
            if self._unicode is None:
                self._check_tokenizer(task, summary, references)
            else:
                self._unicode.new_item()
            texts = self._unicode.text if self._unicode is not None else _same
            targets = tuple(r.text for r in references)
            plain.append((tuple(map(texts, targets)), texts(summary.text)))
            if self._lsum is not None:
                lines = tuple(texts(self._lines_of(t, task.language)) for t in targets)
                own = texts(self._lines_of(summary.text, task.language, cache=False))
                lsum.append((lines, own))
            results.append(ItemScore(values={}))
        found: list[Scores] = [{} for _ in plain]
        for engine, items in ((self._plain, plain), (self._lsum, lsum)):
            if engine is not None:
                combined = self._combine(engine, items, processes)
                for scores, extra in zip(found, combined, strict=True):
                    scores.update(extra)
        scored = iter(found)
        for item in results:
            if isinstance(item, ItemScore):
                scores = next(scored)
                for t in self.types:
                    item.values[f"{t}_p"] = scores[t].precision
                    item.values[f"{t}_r"] = scores[t].recall
                    item.values[f"{t}_f"] = scores[t].fmeasure
        return results

    def _combine(
        self, engine: BatchEngine, items: list[Item], processes: int | None
    ) -> list[Scores]:
        if self.refs == "max":
            return engine.score_multi_batch(items, processes)
        pairs = [(t, prediction) for targets, prediction in items for t in targets]
        each = iter(engine.score_batch(pairs, processes))
        means: list[Scores] = []
        for targets, _ in items:
            scores = [next(each) for _ in targets]
            means.append(
                {
                    k: Score(
                        precision=sum(s[k].precision for s in scores) / len(scores),
                        recall=sum(s[k].recall for s in scores) / len(scores),
                        fmeasure=sum(s[k].fmeasure for s in scores) / len(scores),
                    )
                    for k in engine.types
                }
            )
        return means

    def _lines_of(self, text: str, language: str, cache: bool = True) -> str:
        """Sentences joined by newlines, the input rouge-score's rougeLsum expects."""
        key = (text, language)
        if key in self._lines:
            return self._lines[key]
        lines = "\n".join(split_sentences(text, language, self.split))
        if cache:
            _bounded(self._lines)
            self._lines[key] = lines
        return lines

    def _check_tokenizer(self, task: Task, summary: Summary, references: list[Reference]) -> None:
        if task.id in self._warned:
            return
        # The task's own texts first: then every system's item gives the same warning.
        found = []
        for ref in references:
            if ref.text not in self._kept:
                _bounded(self._kept)
                self._kept[ref.text] = kept_share(ref.text)
            found.append((f"reference {ref.id!r}", self._kept[ref.text]))
        found.append(("the summary", kept_share(summary.text)))
        for what, kept in found:
            if kept is not None and kept < MIN_KEPT_SHARE:
                self._warned.add(task.id)
                warnings.warn(
                    f"rouge: task {task.id!r}: rouge-score's default tokenizer keeps only a-z "
                    f"and 0-9 and dropped {1 - kept:.0%} of the non-space characters of {what}; "
                    "ROUGE scores for non-Latin scripts are meaningless with the default "
                    "tokenizer; rouge:tokenizer=unicode keeps every script's letters",
                    RougeTokenizerWarning,
                    stacklevel=4,
                )
                return
