"""The diff page of a two-run site: per system and metric the paired difference of
``sumbench compare`` (second run minus first), and the items whose values changed most with
both runs' summaries side by side."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bench.analysis import Resampling, per_task
from bench.compare import Difference, compare_runs
from bench.report.tables import MISSING, format_value
from bench.report.view.items import final_attempt
from bench.report.view.rows import jsonl_records
from bench.report.view.site import rounded, write_data
from bench.store import OUTPUTS_FILE, Store

CHANGED_SHOWN = 10
"""Items listed per system and metric, largest change first."""


def _changed(
    old: Store, new: Store, metrics: list[str]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per system and metric, the tasks whose value changed most (both runs have a value)."""
    old_scores, new_scores = old.scores(), new.scores()
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for metric in metrics:
        a, b = per_task(old_scores, metric), per_task(new_scores, metric)
        for system in [s for s in b.index if s in a.index]:
            both = (
                a.loc[system]
                .to_frame("old")
                .join(b.loc[system].to_frame("new"), how="inner")
                .dropna()
            )
            both["delta"] = both["new"] - both["old"]
            both = both[both["delta"] != 0]
            top = both.reindex(both["delta"].abs().sort_values(ascending=False).index)[
                :CHANGED_SHOWN
            ]
            found.setdefault(str(system), {})[metric] = [
                {
                    "task": str(task),
                    "old": rounded(row.old),
                    "new": rounded(row.new),
                    "delta": rounded(row.delta),
                }
                for task, row in top.iterrows()
            ]
    return found


def _summaries(store: Store, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The summary text of each wanted (task, system): its samples' texts one after another."""
    records: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in jsonl_records(Path(store.root) / OUTPUTS_FILE):
        item = (str(record.get("task_id")), str(record.get("system")))
        if item in wanted:
            records.setdefault(item, []).append(record)
    texts = {}
    for item, group in records.items():
        attempt = final_attempt(group)
        parts = [
            (f"[{r.get('sample')}] " if len(attempt) > 1 else "") + str(r.get("summary"))
            for r in attempt
            if isinstance(r.get("summary"), str)
        ]
        texts[item] = "\n\n".join(parts) if parts else f"(failed: {attempt[-1].get('error')})"
    return texts


def write_diff(
    old: Store, new: Store, out: Path, resampling: Resampling | None = None
) -> dict[str, Any]:
    """Write ``data/diff.js`` (``new - old``); returns what the manifest says of it."""
    resampling = resampling or Resampling()
    differences = compare_runs(old, new, None, resampling)
    metrics = list(
        dict.fromkeys(d.metric.name for d in differences if d.metric.higher_is_better is not None)
    )
    changed = _changed(old, new, metrics)
    wanted = {
        (c["task"], system) for system, by in changed.items() for rows in by.values() for c in rows
    }
    before, after = _summaries(old, wanted), _summaries(new, wanted)
    old_name, new_name = Path(old.root).resolve().name, Path(new.root).resolve().name
    if old_name == new_name:
        old_name, new_name = str(old.root), str(new.root)
    payload = {
        "old": old_name,
        "new": new_name,
        "signature": resampling.signature(),
        "differences": [{**_clean(d.as_dict()), "shown": shown_row(d)} for d in differences],
        "changed": changed,
        "summaries": {
            f"{task}\u0000{system}": {
                k: v
                for k, v in (
                    ("old", before.get((task, system))),
                    ("new", after.get((task, system))),
                )
                if v is not None
            }
            for task, system in sorted(wanted)
        },
    }
    write_data(out, "diff", payload)
    return {"other": new_name, "old": old_name, "new": new_name}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()
    }


def shown_row(difference: Difference) -> dict[str, str]:
    """The row's cells as ``sumbench compare`` prints them, written for the page to show as they
    are: Python's rounding (the page's own rounds a tie up, not to even), ``−∞``/``+∞`` for a
    side the tasks are too few to bound, and the p-value to 3 significant digits."""
    metric, test = difference.metric, difference.test
    row = difference.as_dict()
    shown = {
        "old": format_value(difference.old, metric),
        "new": format_value(difference.new, metric),
        "delta": MISSING,
        "interval": MISSING,
        "p": MISSING,
    }
    if test is None:
        return shown
    shown["delta"] = _signed(row["delta"], metric.digits)
    low, high = test.low * metric.scale, test.high * metric.scale  # unrounded, as compare
    shown["interval"] = (
        f"no interval: {test.reason}"
        if test.reason
        else f"[{_signed(low, metric.digits)}, {_signed(high, metric.digits)}]"
    )
    if row["p_value"] is not None:
        shown["p"] = f"{row['p_value']:.3g}"
    return shown


def _signed(value: float | None, digits: int) -> str:
    """A difference as ``sumbench compare`` prints it: signed, one digit more than the metric."""
    if value is None or math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    return f"{value:+.{digits + 1}f}"
