"""One task's items for the site: per system its summaries (each sample, split into
sentences), generation meta, scores and evidence of every kind, or the error that stopped it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.report.view.evidence import EvidenceKind, latest
from bench.text import split_sentences


def final_attempt(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of an item's last attempt, as a resumed run reads them
    (:func:`bench.run.record.index_outputs`): an error or a new cache key starts a new one."""
    group: list[dict[str, Any]] = []
    for record in records:
        if record.get("error") or (
            group and (group[-1].get("error") or group[-1].get("key") != record.get("key"))
        ):
            group = []
        group.append(record)
    return group


def _sample(record: dict[str, Any], language: str) -> dict[str, Any]:
    summary = record.get("summary")
    text = summary if isinstance(summary, str) else ""
    return {
        "sample": str(record.get("sample") or ""),
        "summary": text,
        "sentences": split_sentences(text, language) if text.strip() else [],
        "reference_id": record.get("reference_id"),
        "cached": bool(record.get("cached")),
        "meta": record.get("meta") if isinstance(record.get("meta"), dict) else {},
    }


def _item(system: str, records: list[dict[str, Any]], language: str) -> dict[str, Any]:
    attempt = final_attempt(records)
    last = attempt[-1] if attempt else {}
    item: dict[str, Any] = {"system": system, "scores": {}, "evidence": {}, "samples": []}
    if last.get("error") is not None or (attempt and last.get("summary") is None):
        item.update(status="failed", error=str(last.get("error") or "no summary"))
        item["attempts"] = last.get("attempts")
    elif attempt:
        item["status"] = "ok"
        item["samples"] = [_sample(r, language) for r in attempt]
    else:
        item["status"] = "absent"
    return item


def task_items(
    systems: Sequence[str],
    outputs: list[dict[str, Any]],
    scores: list[tuple[str, str, float | None]],
    evidence: list[tuple[str, str, dict[str, Any]]],
    kinds: Sequence[EvidenceKind],
    language: str = "en",
) -> list[dict[str, Any]]:
    """The items of one task, in ``systems`` order (systems with no row for it left out)."""
    by_system: dict[str, list[dict[str, Any]]] = {}
    for record in outputs:
        by_system.setdefault(str(record.get("system")), []).append(record)
    present = set(by_system) | {s for s, _, _ in scores} | {s for _, s, _ in evidence}
    order = [s for s in systems if s in present] + sorted(present - set(systems))
    items = {s: _item(s, by_system.get(s, []), language) for s in order}
    for system, metric, value in scores:
        items[system]["scores"][metric] = value
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for name, system, record in evidence:
        found.setdefault((system, name), []).append(record)
    for kind in kinds:
        for system in order:
            records = found.get((system, kind.name))
            if records:
                items[system]["evidence"][kind.name] = latest(records, kind.key)
    return list(items.values())
