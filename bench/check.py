"""The regression gate: compare a run with a baseline run and fail only on what matters.

For every system and directed metric of the baseline: a one-sided test on the paired difference
over the baseline's tasks. A metric regresses when the one-sided upper confidence bound (at the
resampling's level, 95% by default) of (new - baseline), signed so that positive is better, lies
below ``-margin``: equivalently, the paired test rejects "no worse than ``-margin``" at
``alpha = 1 - level`` in favour of "worse". With the default sign-flip test the bound inverts the
exact test (Hartigan 1969), so it exists from 5 tasks (smallest one-sided p-value 1/32 < 0.05):
then a regression needs every task worse by more than the margin, which is what 5 tasks can
show. (A two-sided 95% interval would need 7 tasks and never fail the bundled 5-task gate.)
Disappeared systems, tasks and metrics fail too; a changed scorer signature fails as a *changed
measurement*, which is not a regression.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from bench.analysis import Resampling, metric_catalog, select_metrics
from bench.compare import (
    Difference,
    changed_metric_names,
    changed_signatures,
    compare_runs,
    run_notices,
)
from bench.report.escape import md_code, md_escape
from bench.report.tables import format_value
from bench.scorers.base import Metric
from bench.store import Store, StoreError

Verdict = Literal["pass", "regression", "improved", "missing", "changed-measurement", "untested"]
FAILING: frozenset[str] = frozenset({"regression", "missing", "changed-measurement"})


@dataclass(frozen=True)
class Finding:
    """One line of the check report."""

    verdict: Verdict
    system: str
    metric: str
    message: str
    difference: Difference | None = None
    upper: float = math.nan
    """One-sided upper bound of the difference (positive = better), display units."""
    p_value: float = math.nan
    """One-sided p-value of "the difference is -margin" against "it is below -margin"."""


@dataclass
class CheckReport:
    """Everything the gate found; ``passed`` is False when any finding fails."""

    findings: list[Finding] = field(default_factory=list)
    resampling: Resampling = field(default_factory=Resampling)
    margins: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    """Incomplete data in either run (not complete, systems on different tasks)."""

    @property
    def passed(self) -> bool:
        """True when nothing regressed, disappeared or changed meaning."""
        return not any(f.verdict in FAILING for f in self.findings)

    def exit_code(self) -> int:
        """0 pass, 1 regression (or missing / changed measurement)."""
        return 0 if self.passed else 1

    def to_markdown(self) -> str:
        """A short report for a CI job summary: problems first, every comparison folded."""
        failing = [f for f in self.findings if f.verdict in FAILING]
        counts = {
            v: sum(f.verdict == v for f in self.findings)
            for v in (
                "regression",
                "missing",
                "changed-measurement",
                "improved",
                "pass",
                "untested",
            )
        }
        tally = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        head = (
            "✅ **sumbench check passed**"
            if self.passed
            else f"❌ **sumbench check failed**: {len(failing)} problem(s)"
        )
        lines = [f"{head} ({tally})", ""]
        lines += [f"> **{md_escape(notice)}**" for notice in self.notices]
        lines += [""] if self.notices else []
        lines += [f"- **{f.verdict}**: {md_escape(f.message)}" for f in failing]
        improved = [f for f in self.findings if f.verdict == "improved"]
        if failing or improved:
            lines += [
                "",
                *self._table(
                    [
                        f
                        for f in self.findings
                        if f.difference is not None and f.verdict in ("regression", "improved")
                    ]
                ),
            ]
        lines += [
            "",
            "<details><summary>All comparisons</summary>",
            "",
            *self._table([f for f in self.findings if f.difference is not None]),
            "",
            "</details>",
            "",
            "One-sided test of the paired difference (now − baseline, positive = better): "
            f"a regression is a one-sided upper {self.resampling.level:.0%} bound below −margin "
            f"(p < {self.resampling.alpha:.2g}; margins in display units). "
            f"{md_code(self.resampling.signature())}",
        ]
        return "\n".join(line for line in lines).rstrip() + "\n"

    def _table(self, findings: list[Finding]) -> list[str]:
        if not findings:
            return []
        return [
            "| Verdict | System | Metric | Baseline | Now | Δ | Upper bound | p | Margin |",
            "| :-- | :-- | :-- | --: | --: | --: | --: | --: | --: |",
            *(self._row(f) for f in findings),
        ]

    def _row(self, f: Finding) -> str:
        d = f.difference
        system, message = md_escape(f.system), md_escape(f.message)
        if d is None or d.test is None:
            return f"| {f.verdict} | {system} | {md_escape(f.metric)} | | | {message} | | | |"
        m, t = d.metric, d.test
        digits = m.digits + 1
        sign = 1 if m.higher_is_better is not False else -1
        delta = f"{sign * t.delta * m.scale:+.{digits}f}"
        upper = "–" if math.isnan(f.upper) else f"{f.upper:+.{digits}f}"
        p = "–" if math.isnan(f.p_value) else f"{f.p_value:.3g}"
        margin = self.margins.get(m.name, 0.0)
        return (
            f"| {f.verdict} | {system} | {md_escape(m.label)} | {format_value(d.old, m)} | "
            f"{format_value(d.new, m)} | {delta} | {upper} | {p} | {margin:g} |"
        )


def check(
    run: Store,
    baseline: Store,
    margins: Mapping[str, float] | None = None,
    default_margin: float = 0.0,
    metrics: list[str] | None = None,
    resampling: Resampling | None = None,
    systems: list[str] | None = None,
) -> CheckReport:
    """Gate ``run`` against ``baseline``; margins are in display units (e.g. ROUGE points).

    ``systems`` restricts the gate to those systems (default: every system of the baseline).
    """
    resampling = resampling or Resampling()
    catalog = [
        m
        for m in select_metrics(metric_catalog(baseline), metrics)
        if m.higher_is_better is not None
    ]
    _check_margins(margins or {}, default_margin, metric_catalog(baseline), baseline)
    report = CheckReport(
        resampling=resampling,
        margins={m.name: (margins or {}).get(m.name, default_margin) for m in catalog},
    )
    report.notices = run_notices(run, f"the run ({run.root})") + run_notices(
        baseline, f"the baseline ({baseline.root})"
    )
    base_scores, run_scores = baseline.scores(), run.scores()
    base_systems = list(dict.fromkeys(base_scores["system"]))
    if systems:
        base_systems = _chosen_systems(base_systems, systems, baseline)
        base_scores = base_scores[base_scores["system"].isin(systems)]
        run_scores = run_scores[run_scores["system"].isin(systems)]
    run_systems = set(run_scores["system"])
    run_metrics = set(run_scores["metric"])
    changed = changed_signatures(baseline, run)
    report.findings += _missing_systems(base_systems, run_systems)
    report.findings += _missing_metrics(catalog, run_metrics)
    report.findings += _changed_measurements(changed)
    present = [s for s in base_systems if s in run_systems]
    report.findings += _missing_tasks(present, base_scores, run_scores)
    changed_names = changed_metric_names(baseline, run)
    names = [m.name for m in catalog if m.name in run_metrics and m.name not in changed_names]
    if names:
        for diff in compare_runs(baseline, run, names, resampling):
            if diff.system in base_systems:
                margin = report.margins.get(diff.metric.name, 0.0)
                report.findings.append(_judge(diff, margin, resampling))
    return report


class CheckError(ValueError):
    """A check asked for something that cannot be (a margin for no gated metric, a negative
    margin)."""


def _check_margins(
    margins: Mapping[str, float], default: float, catalog: list[Metric], baseline: Store
) -> None:
    """Margins are 0 or more, and each names a metric the check gates: a misspelt name would
    otherwise leave that metric's margin at the default without a word."""
    gated = [m.name for m in catalog if m.higher_is_better is not None]
    unknown = [name for name in margins if name not in gated]
    if unknown:
        raise CheckError(
            f"margin(s) for {', '.join(map(repr, unknown))}: no such gated metric in the "
            f"baseline {baseline.root}; its metrics with a direction: {', '.join(gated)}"
        )
    for name, value in [("--margin", default), *margins.items()]:
        if not math.isfinite(value) or value < 0:
            raise CheckError(
                f"margin for {name}: {value:g}; a margin is the loss allowed, 0 or more"
            )


def _chosen_systems(base_systems: list[str], systems: list[str], baseline: Store) -> list[str]:
    """The baseline's systems among ``systems``; a name the baseline lacks is an error."""
    unknown = [s for s in systems if s not in base_systems]
    if unknown:
        raise StoreError(
            f"system(s) {unknown} not in the baseline {baseline.root}; "
            f"it has: {', '.join(base_systems)}"
        )
    return [s for s in base_systems if s in systems]


def _missing_systems(base_systems: list[str], run_systems: set[str]) -> list[Finding]:
    """A finding per baseline system the run lacks."""
    return [
        Finding("missing", system, "*", f"system {system!r} is in the baseline but not in this run")
        for system in base_systems
        if system not in run_systems
    ]


def _missing_metrics(catalog: list[Metric], run_metrics: set[str]) -> list[Finding]:
    """A finding per gated metric the run has no rows of."""
    return [
        Finding(
            "missing",
            "*",
            metric.label,
            f"metric {metric.name!r} is in the baseline but not in this run",
        )
        for metric in catalog
        if metric.name not in run_metrics
    ]


def _changed_measurements(changed: Mapping[str, tuple[str, str]]) -> list[Finding]:
    """A finding per scorer whose signature changed: a different measurement."""
    return [
        Finding(
            "changed-measurement",
            "*",
            scorer,
            f"scorer {scorer!r} changed its signature: baseline {old!r}, now {new!r}. "
            "This is a different measurement, not a regression: re-create the baseline "
            "if the change is intended.",
        )
        for scorer, (old, new) in changed.items()
    ]


def _missing_tasks(
    systems: list[str], base_scores: pd.DataFrame, run_scores: pd.DataFrame
) -> list[Finding]:
    """A finding per task a system has in the baseline but not in the run."""
    found = []
    for system in systems:
        base_tasks = set(base_scores.loc[base_scores["system"] == system, "task_id"])
        run_tasks = set(run_scores.loc[run_scores["system"] == system, "task_id"])
        found += [
            Finding(
                "missing",
                system,
                "*",
                f"task {task!r} of {system!r} is in the baseline but not in this run",
            )
            for task in sorted(base_tasks - run_tasks)
        ]
    return found


def _one_sided(
    diff: Difference, margin: float, resampling: Resampling
) -> tuple[float, float, float]:
    """Lower and upper one-sided bounds (each at the resampling's level) of the difference,
    signed so that positive is better, in display units; and the one-sided p-value of "it is
    ``-margin``" against "it is below ``-margin``". Bounds are infinite when too few tasks."""
    assert diff.paired is not None
    old, new = diff.paired
    draws = resampling.null_draws(new, old)
    low, high = draws.bounds(resampling.alpha)
    scale = diff.metric.scale
    if diff.metric.higher_is_better:
        return low * scale, high * scale, draws.p_less(-margin / scale)
    return -high * scale, -low * scale, draws.p_greater(margin / scale)


def _judge(diff: Difference, margin: float, resampling: Resampling) -> Finding:
    metric, test = diff.metric, diff.test
    if test is None:
        return Finding("untested", diff.system, metric.label, diff.note, diff)
    if test.reason is not None or diff.paired is None:
        return Finding(
            "untested",
            diff.system,
            metric.label,
            f"{diff.system} {metric.label}: {test.reason}",
            diff,
        )
    lower, upper, p_value = _one_sided(diff, margin, resampling)
    sign = 1.0 if metric.higher_is_better else -1.0
    if upper < -margin:
        change = sign * test.delta * metric.scale
        limit = f"{-margin:+g}" if margin else "0"
        return Finding(
            "regression",
            diff.system,
            metric.label,
            f"{diff.system} {metric.label} got worse: {change:+.2f} "
            f"(one-sided upper bound {upper:+.2f} < {limit}, p = {p_value:.3g})",
            diff,
            upper,
            p_value,
        )
    verdict: Verdict = "improved" if lower > 0 else "pass"
    return Finding(verdict, diff.system, metric.label, "", diff, upper, p_value)
