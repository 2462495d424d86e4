"""``precomputed``: summaries produced elsewhere, read from a JSONL or CSV file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.adapters.base import Summarizer, register_adapter
from bench.request import Summary, SummaryRequest
from bench.text import count_words, truncate_words

FIELDS = ("task_id", "system", "summary")
_FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv"}


@dataclass(frozen=True)
class Outputs:
    """Summaries of one file: system -> task id -> summary."""

    path: str
    summaries: dict[str, dict[str, str]]


def _fail(path: str, where: str, message: str) -> ValueError:
    return ValueError(f"{path}, {where}: {message}")


def _json_records(path: str, text: str) -> Iterator[tuple[str, Any]]:
    if Path(path).suffix.lower() == ".json" and text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise _fail(path, f"line {error.lineno}", f"not valid JSON ({error.msg})") from None
        for number, item in enumerate(items, start=1):
            yield f"item {number}", item
        return
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: U+2028 is text
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as error:
            raise _fail(path, f"line {number}", f"not valid JSON ({error.msg})") from None


def _csv_records(path: str, text: str) -> Iterator[tuple[str, Any]]:
    # The csv module (not pandas) knows the line a row starts on, even when a quoted summary
    # spans several lines, so errors can point at the right line.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [name for name in FIELDS if name not in (reader.fieldnames or [])]
    if missing:
        expected = ", ".join(FIELDS)
        raise _fail(path, "line 1", f"missing column {missing[0]!r} (expected columns {expected})")
    start = reader.line_num + 1
    for row in reader:
        yield f"line {start}", row
        start = reader.line_num + 1


def read_outputs(path: str) -> Outputs:
    """Parse and check a file of precomputed summaries; errors name the file, line and field."""
    file = Path(path)
    kind = _FORMATS.get(file.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: unsupported file type; expected one of {', '.join(_FORMATS)}")
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: file not found") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not valid UTF-8 (at byte {error.start})") from None
    records = _json_records(path, text) if kind == "json" else _csv_records(path, text)
    summaries: dict[str, dict[str, str]] = {}
    seen: dict[tuple[str, str], str] = {}
    for where, record in records:
        if not isinstance(record, dict):
            raise _fail(path, where, f"expected an object with fields {', '.join(FIELDS)}")
        values: list[str] = []
        for name in FIELDS:
            value = record.get(name)
            if value is None:
                raise _fail(path, where, f"missing field {name!r} (expected a string)")
            if not isinstance(value, str):
                found = type(value).__name__
                raise _fail(path, where, f"field {name!r} has type {found} (expected a string)")
            if name != "summary" and not value.strip():
                raise _fail(path, where, f"field {name!r} is empty (expected a string)")
            values.append(value)
        task_id, system, summary = values
        stored = summaries.setdefault(system, {})
        if task_id in stored and stored[task_id] != summary:
            raise _fail(
                path,
                where,
                f"task {task_id!r} of system {system!r} already has a different summary "
                f"({seen[(task_id, system)]})",
            )
        stored[task_id] = summary
        seen.setdefault((task_id, system), where)
    if not summaries:
        raise ValueError(f"{path}: no summaries found (expected fields {', '.join(FIELDS)})")
    return Outputs(path, summaries)


@register_adapter("precomputed")
class Precomputed(Summarizer):
    """Summaries produced elsewhere, read from JSONL or CSV rows {task_id, system, summary}."""

    light = True
    cacheable = False  # reading the file is instant; its content is in cache_identity

    def __init__(self, path: str, system: str | None = None, truncate: bool = False) -> None:
        digest = (
            hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16] if Path(path).is_file() else ""
        )
        self._bind(read_outputs(str(path)), system, truncate, digest)

    def _bind(self, outputs: Outputs, system: str | None, truncate: bool, digest: str) -> None:
        if system is not None and system not in outputs.summaries:
            known = ", ".join(sorted(outputs.summaries))
            raise ValueError(f"{outputs.path}: no system {system!r}; the file has: {known}")
        self.path = outputs.path
        self.system = system
        self.truncate = truncate
        self._outputs = outputs
        self._hash = digest

    @classmethod
    def _for_system(cls, outputs: Outputs, system: str, truncate: bool, digest: str) -> Precomputed:
        adapter = cls.__new__(cls)
        adapter._bind(outputs, system, truncate, digest)
        return adapter

    def cache_identity(self) -> dict[str, str]:
        """The file's content hash: an edited file is never mistaken for the old one."""
        return {"file_sha256": self._hash}

    def task_ids(self) -> set[str]:
        """Task ids the file has summaries for (for this system, or any)."""
        chosen = [self.system] if self.system else self.systems
        return {task for name in chosen for task in self._outputs.summaries[name]}

    @property
    def systems(self) -> list[str]:
        """Names of the systems in the file, sorted."""
        return sorted(self._outputs.summaries)

    def expand(self) -> dict[str, Summarizer] | None:
        """One adapter per system of the file, unless a system was chosen."""
        if self.system is not None:
            return None
        return {
            name: self._for_system(self._outputs, name, self.truncate, self._hash)
            for name in self.systems
        }

    def summarize(self, request: SummaryRequest) -> Summary:
        """The stored summary of ``request.task_id`` for this system (cut to the budget only
        with ``truncate=true``; over-length outputs are marked in the meta either way)."""
        system = self.system
        if system is None:
            if len(self.systems) > 1:
                raise LookupError(
                    f"{self.path}: holds several systems ({', '.join(self.systems)}); "
                    "choose one with system=... or expand()"
                )
            system = self.systems[0]
        try:
            text = self._outputs.summaries[system][request.task_id]
        except KeyError:
            raise LookupError(
                f"{self.path}: no summary for task {request.task_id!r} of system {system!r}"
            ) from None
        meta: dict[str, object] = {"source": self.path, "system": system}
        words = count_words(text)
        if words > request.budget:
            meta |= {"over_budget": True, "words": words}
            if self.truncate:
                # DUC/TAC practice: cut to the budget so every system is compared at one length.
                text = truncate_words(text, request.budget)
                meta["truncated"] = True
        return Summary(text=text, meta=meta)
