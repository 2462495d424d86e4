"""What a run is asked to do: every option of ``sumbench run``, as one typed object."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.analysis import Resampling
from bench.inputs import MAX_DOCUMENT_BYTES
from bench.run.config import ScorerEntry, SystemEntry
from bench.run.systems import System

DEFAULT_SCORE_DEADLINE = 300.0
"""Per-item scoring deadline in seconds: generous (a long document scores in milliseconds; a
local LLM judge on many key facts may take minutes)."""


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """The options of a run, defaults as on the command line; a config file fills what is
    not given here (see :func:`bench.run.plan_run`)."""

    tasks: str | None = None
    """Task folder, FILE.jsonl/.parquet/.csv, a save_to_disk folder or hf:NAME[:CONFIG]:SPLIT
    (default: the config file's, else ``tasks``)."""
    references: Path | None = None
    """References folder (default: references/ beside the tasks folder)."""
    preset: str | None = None
    """A standard benchmark's mapping and options (``sumbench tasks presets``)."""
    mapping: str | None = None
    """Table columns to task fields, e.g. ``documents=article,references=highlights``."""
    separator: str | None = None
    """Split a document cell into several documents at this string."""
    budget: int | None = None
    """Word budget of each task of a table without a budget column."""
    instructions: str | None = None
    """Instructions of every task of a table without such a column."""
    clean: bool = False
    """Clean table cells like raw sources (front matter, HTML, repeated paragraphs)."""
    language: str | None = None
    """Language of every task of a table without such a column."""
    limit: int | None = None
    """Only the first N tasks."""
    sample: int | None = None
    """A sample of N tasks, the same on every machine for a ``sample_seed``."""
    sample_seed: int = 0
    """Seed of ``sample`` (the resampling has its own ``seed``)."""
    shard: str | None = None
    """``I/N``: only shard I of N (disjoint, covering)."""
    online: bool = False
    """Allow downloading datasets from the hub."""
    max_document_mb: float = MAX_DOCUMENT_BYTES / 1e6
    """Size limit of one document (and of each task file) in MB; a larger one is an error."""
    systems: Sequence[str | SystemEntry | System] | None = None
    """``NAME[:key=value,...]`` specs, config entries or built systems (default: the config
    file's, else the bundled baselines and bounds)."""
    scorers: Sequence[str | ScorerEntry] | None = None
    """``NAME[:key=value,...]`` specs or config entries (default: the config file's, else
    rouge, keyfacts and stats)."""
    config_file: Path | None = None
    """YAML file with tasks, systems, scorers...; these options override it."""
    out: Path | None = None
    """Results folder (default ``results/<timestamp>``); an existing one is resumed."""
    cache_dir: Path | None = None
    """Generation cache folder (default: ``~/.cache/sumbench/generations``)."""
    no_cache: bool = False
    """Neither read nor write the generation cache."""
    score_workers: str | int = "auto"
    """Processes that score: a number, or ``auto`` (see :func:`bench.run.score_workers`)."""
    score_deadline: float | None = DEFAULT_SCORE_DEADLINE
    """Seconds one scorer may take on one item before the item is recorded as a ``timeout``
    problem and the run goes on (None or 0: no deadline)."""
    metrics: list[str] | None = None
    """Metric names of the table's columns (default: the scorers' main metrics)."""
    ci: str = "pm"
    """Intervals in tables: pm (±), brackets, none."""
    baseline_system: str | None = None
    """Mark systems significantly different from this one with †."""
    resamples: int = 1000
    """Bootstrap resamples for intervals and tests."""
    level: float = 0.95
    """Confidence level of intervals; tests use 1 - level."""
    seed: int = 0
    """Seed of the resampling (recorded in the signature)."""
    test: str = "sign-flip"
    """Paired test: sign-flip (exact up to 20 tasks), paired-bootstrap or
    approximate-randomization."""
    executor: str = "local"
    """Where items are generated and scored: ``local`` (this machine), or ``ray`` /
    ``ray:ADDRESS`` (a Ray cluster; the ``[ray]`` extra)."""
    prices: Path | None = None
    """Price table (YAML, dollars per million tokens per model): adds the ``cost`` scorer
    (a ``Cost $`` column) and run.json's spending."""
    max_cost: float | None = None
    """Dollars: stop sending requests of priced systems once this run has spent this much."""
    argv: list[str] = field(default_factory=list)
    """The command line, recorded in run.json."""

    def __post_init__(self) -> None:
        # A notebook passes folders as text; the plan works on paths.
        for name in ("references", "config_file", "out", "cache_dir", "prices"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))

    def selection(self) -> dict[str, Any]:
        """What selects the tasks of a run, as run.json records it: a resumed run must match."""
        return {
            "preset": self.preset,
            "map": self.mapping,
            "separator": self.separator,
            "budget": self.budget,
            "instructions": self.instructions,
            "clean": self.clean,
            "language": self.language,
            "limit": self.limit,
            "sample": self.sample,
            "sample_seed": self.sample_seed if self.sample is not None else None,
            "shard": self.shard,
        }


@dataclass(frozen=True)
class ReportOptions:
    """How a run's table is built: columns, intervals, significance marks."""

    metrics: list[str] | None = None
    """Metric names of the columns (None: the scorers' main metrics)."""
    ci: str = "pm"
    """Intervals: pm (±), brackets, none."""
    baseline_system: str | None = None
    """Systems significantly different from this one are marked with †."""
    resampling: Resampling = field(default_factory=Resampling)
    """Resamples, level, seed and paired test of intervals and marks."""

    def recorded(self) -> dict[str, Any]:
        """As run.json records them, for ``sumbench report`` to rebuild the same table."""
        return {
            "metrics": self.metrics,
            "ci": self.ci,
            "baseline_system": self.baseline_system,
            "resamples": self.resampling.resamples,
            "level": self.resampling.level,
            "seed": self.resampling.seed,
            "test": self.resampling.method,
        }
