"""Paired comparisons of stored runs: per system and metric, the difference, its interval and a
p-value, over the tasks both runs scored. Nothing is re-scored."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.analysis import (
    Resampling,
    coverage,
    metric_catalog,
    paired,
    per_task,
    select_metrics,
)
from bench.report.escape import md_code, md_escape
from bench.report.tables import format_value
from bench.scorers.base import Metric
from bench.signature import measurement
from bench.stats import PairedTest
from bench.store import Store


@dataclass(frozen=True)
class Difference:
    """``new - old`` for one system and metric, paired over common tasks."""

    system: str
    metric: Metric
    old: float
    new: float
    test: PairedTest | None
    note: str = ""
    paired: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    """The per-task values (old, new) over the common tasks the test ran on."""

    @property
    def better(self) -> float:
        """The difference signed so that positive is an improvement (``nan`` if undirected)."""
        if self.test is None or self.metric.higher_is_better is None:
            return math.nan
        return self.test.delta if self.metric.higher_is_better else -self.test.delta

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, in display units (metric scale)."""
        scale = self.metric.scale
        test = self.test
        return {
            "system": self.system,
            "metric": self.metric.name,
            "label": self.metric.label,
            "old": _num(self.old * scale),
            "new": _num(self.new * scale),
            "delta": _num(test.delta * scale) if test else None,
            "low": _num(test.low * scale) if test else None,
            "high": _num(test.high * scale) if test else None,
            "p_value": _num(test.p_value) if test else None,
            "n": test.n if test else 0,
            "method": test.method if test else None,
            "note": self.note,
        }


def _num(value: float) -> float | None:
    """A JSON number, or ``null`` where there is none: no value (NaN), or no bound (the tasks
    are too few to bound the difference: ±infinity, which JSON cannot write)."""
    return round(value, 6) if math.isfinite(value) else None


def changed_metrics(old: Store, new: Store) -> dict[str, tuple[str, str, str]]:
    """Metrics both runs give whose scorers measure differently: metric -> (the new run's scorer
    name, old signature, new signature).

    Scorers are matched through the metrics they give, not by name: ``rouge`` in one run and
    ``rouge:stem=false`` in the other both give ``rouge1_f``, and are the same metric measured
    two ways. Scorers of the same name are compared too (a run.json without metric lists)."""
    a = old.run_info().get("signatures", {})
    b = new.run_info().get("signatures", {})
    old_owner, new_owner = scorer_of(old), scorer_of(new)
    found: dict[str, tuple[str, str, str]] = {}
    for metric, name in new_owner.items():
        before = old_owner.get(metric)
        if before in a and name in b and measurement(a[before]) != measurement(b[name]):
            found[metric] = (name, a[before], b[name])
    return found


def changed_signatures(old: Store, new: Store) -> dict[str, tuple[str, str]]:
    """Scorers whose measurement differs between two runs: the new run's scorer name -> (old,
    new) signature, matched through their metrics (see :func:`changed_metrics`) or by name."""
    a = old.run_info().get("signatures", {})
    b = new.run_info().get("signatures", {})
    found = {
        name: (a[name], b[name])
        for name in a.keys() & b.keys()
        if measurement(a[name]) != measurement(b[name])
    }
    for name, before, after in changed_metrics(old, new).values():
        found.setdefault(name, (before, after))
    return found


def changed_metric_names(old: Store, new: Store) -> set[str]:
    """Metrics whose measurement changed: given by a changed scorer (matched either way)."""
    by_name = changed_signatures(old, new)
    owner = scorer_of(new)
    return set(changed_metrics(old, new)) | {m for m, s in owner.items() if s in by_name}


def run_notices(store: Store, name: str) -> list[str]:
    """Plain-text warnings for above a comparison: ``store`` (called ``name``) did not complete,
    or its systems were scored on different tasks; none when its data is complete."""
    info = store.run_info()
    bounds = {s["name"] for s in info.get("systems", []) if s.get("bound")}
    return coverage(store, store.scores(), bounds).notices(name)


def scorer_of(store: Store) -> dict[str, str]:
    """Metric name -> scorer name, from run.json."""
    return {
        m["name"]: s["name"]
        for s in store.run_info().get("scorers", [])
        for m in s.get("metrics", [])
    }


def compare_runs(
    old: Store, new: Store, metrics: list[str] | None = None, resampling: Resampling | None = None
) -> list[Difference]:
    """Differences for every system present in both runs and every chosen metric."""
    resampling = resampling or Resampling()
    chosen = select_metrics(metric_catalog(new), metrics)
    changed = changed_metric_names(old, new)
    old_scores, new_scores = old.scores(), new.scores()
    found = []
    for metric in chosen:
        a, b = per_task(old_scores, metric.name), per_task(new_scores, metric.name)
        for system in [s for s in b.index if s in a.index]:
            old_mean = float(a.loc[system].mean())
            new_mean = float(b.loc[system].mean())
            if metric.name in changed:
                found.append(
                    Difference(
                        str(system),
                        metric,
                        old_mean,
                        new_mean,
                        None,
                        "scorer signature changed: a different measurement",
                    )
                )
                continue
            joined = _join(a.loc[[system]], b.loc[[system]], str(system))
            if joined[0].size == 0:
                found.append(
                    Difference(str(system), metric, old_mean, new_mean, None, "no task in common")
                )
                continue
            # Old and New over the tasks both runs scored, so that Δ = New - Old.
            total = (int(a.loc[system].notna().sum()), int(b.loc[system].notna().sum()))
            common = joined[0].size
            note = (
                ""
                if total == (common, common)
                else (f"over the {common} common tasks (old run {total[0]}, new run {total[1]})")
            )
            found.append(
                Difference(
                    str(system),
                    metric,
                    float(joined[0].mean()),
                    float(joined[1].mean()),
                    resampling.test(joined[1], joined[0]),
                    note,
                    joined,
                )
            )
    return found


def _join(old_row: Any, new_row: Any, system: str) -> tuple[np.ndarray, np.ndarray]:
    both = old_row.rename(index={system: "old"}).combine_first(
        new_row.rename(index={system: "new"})
    )
    return paired(both, "old", "new")


def to_markdown(
    diffs: list[Difference], resampling: Resampling, notices: list[str] | None = None
) -> str:
    """A Markdown table of differences (new - old) with intervals and p-values, under the
    ``notices`` (incomplete data); names are escaped, values rounded as the tables round them."""
    lines = [f"**{md_escape(notice)}**" for notice in notices or []]
    lines += [""] if lines else []
    lines += [
        f"| System | Metric | Old | New | Δ (new − old) | {resampling.level:.0%} CI | p | n |",
        "| :-- | :-- | --: | --: | --: | :-- | --: | --: |",
    ]
    for d in diffs:
        m = d.metric
        row = d.as_dict()  # JSON values; the bounds stay infinite here: shown as ±∞
        system, label = md_escape(d.system), md_escape(m.label)
        old, new = format_value(d.old, m), format_value(d.new, m)
        if d.test is None:
            lines.append(
                f"| {system} | {label} | {old} | {new} | – | {md_escape(d.note)} | – | – |"
            )
            continue
        interval = (
            ("no interval: " + d.test.reason)
            if d.test.reason
            else f"[{_f(d.test.low * m.scale, m, True)}, {_f(d.test.high * m.scale, m, True)}]"
        )
        note = "; " + md_escape(d.note) if d.note else ""
        p = "–" if row["p_value"] is None else f"{row['p_value']:.3g}"
        lines.append(
            f"| {system} | {label} | {old} | {new} | {_f(row['delta'], m, True)} | "
            f"{interval}{note} | {p} | {row['n']} |"
        )
    lines += ["", f"Paired over common tasks: {md_code(resampling.signature())}"]
    return "\n".join(lines) + "\n"


def _f(value: float | None, metric: Metric, signed: bool = False) -> str:
    if value is None or math.isnan(value):
        return "–"
    if math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    return f"{value:+.{metric.digits + 1}f}" if signed else f"{value:.{metric.digits}f}"


def to_json(
    diffs: list[Difference], resampling: Resampling, notices: list[str] | None = None
) -> str:
    """The differences as JSON, with the resampling signature and the ``notices``."""
    return (
        json.dumps(
            {
                "signature": resampling.signature(),
                "notices": notices or [],
                "differences": [d.as_dict() for d in diffs],
            },
            indent=2,
            allow_nan=False,
        )
        + "\n"
    )
