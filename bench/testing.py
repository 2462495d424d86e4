"""Evaluate a summarizer from a test suite and assert on its numbers (see the ``sumbench``
pytest fixture)::

    def test_my_summarizer(sumbench):
        result = sumbench.evaluate(my_summarize, tasks="tasks")
        result.assert_min(rouge1_f=30, kf_recall=20)          # display units (x100)
        result.assert_no_regression("results/baseline", margin=1.0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from bench.adapters.python import PythonFunction
from bench.analysis import Resampling, metric_catalog
from bench.check import check
from bench.report.build import build_report
from bench.run import DEFAULT_SCORERS, RunOptions, RunStats, System, plan_run
from bench.store import Store


class Evaluation:
    """A finished evaluation: its store, table and assertion helpers."""

    def __init__(self, store: Store, system: str, stats: RunStats, table: str) -> None:
        self.store, self.system, self.stats, self.table = store, system, stats, table

    def mean(self, metric: str, system: str | None = None) -> float:
        """Mean over tasks of ``metric`` for ``system`` (default: the evaluated one), raw units."""
        scores = self.store.scores()
        rows = scores[(scores["metric"] == metric) & (scores["system"] == (system or self.system))]
        if rows.empty:
            known = ", ".join(sorted(scores["metric"].unique()))
            raise KeyError(f"no {metric!r} scores for {system or self.system!r}; metrics: {known}")
        return float(rows["value"].mean())

    def assert_min(self, **minimums: float) -> None:
        """Fail unless every named metric's mean reaches its minimum (display units, e.g. 30
        for ROUGE-1 F of 0.30); the message shows the whole table."""
        scale = {m.name: m.scale for m in metric_catalog(self.store)}
        failures = []
        for metric, minimum in minimums.items():
            value = self.mean(metric) * scale.get(metric, 1.0)
            if value < minimum:
                failures.append(f"{metric} = {value:.2f} < {minimum:g}")
        if self.stats.errors:
            failures += [f"failed: {e}" for e in self.stats.errors]
        if failures:
            pytest.fail(
                f"{self.system}: " + "; ".join(failures) + "\n\n" + self.table, pytrace=False
            )

    def assert_no_regression(
        self,
        baseline: str | Path,
        margin: float = 0.0,
        margins: dict[str, float] | None = None,
        metrics: list[str] | None = None,
        against: str | None = None,
    ) -> None:
        """Fail when this system got significantly worse than the baseline's ``against`` system
        (default: the system of the same name) beyond ``margin`` (display units); the message
        is the check report with both values and the interval of the difference."""
        base = Store(baseline)
        if against is not None and against != self.system:
            base = _renamed(base, against, self.system, self.store.root / "baseline-view")
        report = check(
            self.store, base, margins, margin, metrics, Resampling(), systems=[self.system]
        )
        if not report.passed:
            pytest.fail(report.to_markdown(), pytrace=False)


def _renamed(store: Store, old: str, new: str, folder: Path) -> Store:
    """A copy of ``store``'s rows and run.json with system ``old`` called ``new``."""
    info = store.run_info()
    scores = store.scores()
    if old not in set(scores["system"]):
        raise KeyError(f"system {old!r} is not in {store.root}")
    view = Store(folder)
    view.open()
    scores = scores[scores["system"] == old]
    view.append_scores(
        (t, new, sc, m, v)
        for t, _, sc, m, v in scores[["task_id", "system", "scorer", "metric", "value"]].itertuples(
            index=False
        )
    )
    view.write_run(
        {
            **info,
            "systems": [
                {**s, "name": new} for s in info.get("systems", []) if s.get("name") == old
            ],
        }
    )
    return view


class Evaluator:
    """The ``sumbench`` fixture: runs sumbench on a task set inside a test."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def evaluate(
        self,
        summarize: Callable[..., Any] | None = None,
        *,
        name: str = "candidate",
        tasks: str | Path = "tasks",
        references: str | Path | None = None,
        systems: Iterable[str] = (),
        scorers: Iterable[str] = DEFAULT_SCORERS,
        input: str = "request",
        out: str | Path | None = None,
    ) -> Evaluation:
        """Run ``summarize`` (a function of a SummaryRequest, or of text with ``input="text"``)
        and the named ``systems`` on ``tasks``; return the evaluation."""
        built: list[str | System] = list(systems)
        if summarize is not None:
            function = PythonFunction(summarize, input=input)
            built.insert(
                0, System(name, "python", {"function": _qualname(summarize)}, function, "pytest")
            )
        options = RunOptions(
            tasks=str(tasks),
            references=Path(references) if references is not None else None,
            systems=built,
            scorers=list(scorers),
            out=Path(out) if out else self.workdir / f"sumbench-{name}",
            no_cache=True,
            score_workers=1,
        )
        run = plan_run(options)
        stats = run.execute()
        table = build_report(run.store, charts=False)
        return Evaluation(run.store, run.systems[0].name if run.systems else name, stats, table)


def _qualname(function: Callable[..., Any]) -> str:
    return f"{getattr(function, '__module__', '?')}:{getattr(function, '__qualname__', '?')}"
