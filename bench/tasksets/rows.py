"""Rows to tasks: one table row (a mapping of column to value) becomes a :class:`Task`.

Plain-text cells (a string, or a list of strings) get whitespace normalisation only, because
published tables are already clean (``clean=True`` runs the full :func:`clean_source` cleaning
instead); structured cells (documents, references or key facts as mappings, as
:func:`bench.export.export_tasks` writes them) are taken verbatim. A row without an id column
gets ``row-000017`` from its row number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from bench.ingest import clean_source
from bench.inputs import MAX_DOCUMENT_BYTES, text_problem
from bench.task import Document, KeyFact, Reference, Task
from bench.tasksets.columns import MAPPING_FIELDS, ColumnMapping

DEFAULT_BUDGET = 100
"""Words, when neither a budget column nor a budget option is given."""
DEFAULT_INSTRUCTIONS = "Summarize the document(s). Report only what they state."

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029]")
_MISSING = object()


class RowError(Exception):
    """A cell that cannot become part of a task, named by its column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column!r} {message}")


def normalize_whitespace(text: str) -> str:
    """Unify line breaks, collapse runs of spaces, strip lines, keep at most one blank line."""
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        text = _NEWLINES.sub("\n", text)
    lines: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())  # str.split is C-fast; a regex here costs 10x
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def task_to_row(task: Task) -> dict[str, Any]:
    """One table row holding everything in ``task`` (nested values as lists and mappings)."""
    return task.model_dump(mode="json")


@dataclass(frozen=True)
class RowOptions:
    """How rows become tasks, besides the column mapping."""

    separator: str | None = None
    newline_token: str | None = None
    clean: bool = False
    budget: int | None = None
    instructions: str | None = None
    language: str | None = None
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    """Size limit of one document (UTF-8 bytes); a larger cell is an error naming it."""


class RowReader:
    """Turns one row (a mapping of column to value) into a Task."""

    def __init__(self, mapping: ColumnMapping, options: RowOptions, name: str) -> None:
        self.mapping = mapping
        self.options = options
        self.name = name

    def task(self, index: int, row: dict[str, Any]) -> Task:
        m, o = self.mapping, self.options
        task_id = self._id(index, row)
        documents = self._documents(row, index)
        references = self._gold(row, m.references, Reference, "r", "reference")
        keyfacts = self._gold(row, m.keyfacts, KeyFact, "k", "key fact")
        title = (
            self._string(row, m.title) if m.title and row.get(m.title) not in (None, "") else None
        )
        try:
            return Task(
                id=task_id,
                title=title if title is not None else task_id,
                language=self._string(row, m.language) if m.language else o.language or "en",
                documents=documents,
                instructions=(
                    self._string(row, m.instructions)
                    if m.instructions
                    else o.instructions or DEFAULT_INSTRUCTIONS
                ),
                budget=self._budget(row),
                metadata=self._metadata(row),
                references=references,
                keyfacts=keyfacts,
            )
        except ValidationError as error:
            first = error.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "task"
            column = getattr(m, field, None) if field in MAPPING_FIELDS else None
            where = "+".join(column) if isinstance(column, tuple) else column or f"({field})"
            raise RowError(where, f"gives a bad {field}: {first['msg']}") from None

    def _value(self, row: dict[str, Any], column: str) -> Any:
        value = row.get(column, _MISSING)
        if value is _MISSING or value is None:
            raise RowError(column, "is missing")
        return value

    def _string(self, row: dict[str, Any], column: str) -> str:
        value = self._value(row, column)
        if not isinstance(value, str):
            raise RowError(column, f"is not a string (got {type(value).__name__})")
        if not value.strip():
            raise RowError(column, "is empty")
        return value.strip()

    def _id(self, index: int, row: dict[str, Any]) -> str:
        column = self.mapping.id
        if column is None:
            return f"row-{index:06d}"
        value = self._value(row, column)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise RowError(column, f"is not a string or an integer (got {type(value).__name__})")
        text = str(value).strip()
        if not text:
            raise RowError(column, "is empty")
        return text

    def _budget(self, row: dict[str, Any]) -> int:
        column = self.mapping.budget
        if column is None:
            return self.options.budget or DEFAULT_BUDGET
        value = self._value(row, column)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise RowError(column, f"is not a positive whole number of words (got {value!r})")
        return value

    def _metadata(self, row: dict[str, Any]) -> dict[str, Any]:
        column = self.mapping.metadata
        value = row.get(column) if column else None
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            value = _json_value(value, column or "metadata")
        if not isinstance(value, dict):
            raise RowError(column or "metadata", "is not a mapping (or a JSON object)")
        return value

    def _plain_text(self, text: str, column: str) -> str:
        if self.options.newline_token:
            text = text.replace(self.options.newline_token, "\n")
        text = normalize_whitespace(text)
        if not text:
            raise RowError(column, "is empty")
        return text

    def _documents(self, row: dict[str, Any], index: int) -> list[Document]:
        documents: list[Document] = []
        for column in self.mapping.documents:
            value = self._value(row, column)
            items: list[Any]
            if isinstance(value, str):
                pieces = value.split(self.options.separator) if self.options.separator else [value]
                items = [p for p in pieces if p.strip()]
                if not items:
                    raise RowError(column, "is empty")
            elif isinstance(value, list | tuple):
                items = list(value)
                if not items:
                    raise RowError(column, "is an empty list")
            elif isinstance(value, dict):
                items = [value]
            else:
                raise RowError(column, f"is not text or a list (got {type(value).__name__})")
            for position, item in enumerate(items):
                number = len(documents) + 1
                where = column if len(items) == 1 else f"{column}[{position}]"
                self._check_size(item, where)
                if isinstance(item, str):
                    documents.append(self._plain_document(f"d{number}", item, where, index))
                elif isinstance(item, dict):
                    documents.append(_structured(Document, item, f"d{number}", where))
                else:
                    raise RowError(where, f"is not text or a document (got {type(item).__name__})")
        _no_duplicates([d.id for d in documents], self.mapping.documents[0], "document")
        return documents

    def _check_size(self, item: Any, where: str) -> None:
        """Refuse a document over the size limit or holding a NUL byte, before any work on it."""
        text = item.get("text") if isinstance(item, dict) else item
        if isinstance(text, str):
            refused = text_problem(text, self.options.max_document_bytes)
            if refused:
                raise RowError(where, refused)

    def _plain_document(self, doc_id: str, text: str, column: str, index: int) -> Document:
        if not self.options.clean:
            return Document(id=doc_id, text=self._plain_text(text, column))
        if self.options.newline_token:
            text = text.replace(self.options.newline_token, "\n")
        try:
            clean = clean_source(text, name=f"{self.name}, row {index}")
        except ValueError as error:
            raise RowError(column, f"cannot be cleaned: {error}") from None
        if not clean.text.strip():
            raise RowError(column, "is empty after cleaning")
        meta: dict[str, Any] = dict(clean.metadata)
        return Document(
            id=doc_id,
            title=meta.pop("title", None),
            outlet=meta.pop("outlet", None),
            url=meta.pop("link", None),
            date=meta.pop("date", None),
            text=clean.text,
            sections=clean.sections,
            metadata={**meta, **({"removed": dict(clean.removed)} if clean.removed else {})},
        )

    def _gold(
        self,
        row: dict[str, Any],
        columns: tuple[str, ...],
        model: type[Reference] | type[KeyFact],
        prefix: str,
        what: str,
    ) -> list[Any]:
        found: list[Any] = []
        for column in columns:
            value = self._value(row, column)
            items = list(value) if isinstance(value, list | tuple) else [value]
            for position, item in enumerate(items):
                where = column if not isinstance(value, list | tuple) else f"{column}[{position}]"
                default_id = f"{prefix}{len(found) + 1}"
                if isinstance(item, str):
                    found.append(model(id=default_id, text=self._plain_text(item, where)))
                elif isinstance(item, dict):
                    found.append(_structured(model, item, default_id, where))
                else:
                    raise RowError(where, f"is not text or a {what} (got {type(item).__name__})")
        if columns:
            _no_duplicates([g.id for g in found], columns[0], what)
        return found


def _json_value(text: str, column: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RowError(column, f"is not valid JSON ({error})") from None


def _structured(model: type[BaseModel], item: dict[str, Any], default_id: str, where: str) -> Any:
    data = {k: v for k, v in item.items() if v is not None}
    data.setdefault("id", default_id)
    if isinstance(data.get("metadata"), str):
        data["metadata"] = _json_value(data["metadata"], f"{where}.metadata")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        raise RowError(where, f"has a bad field {loc!r}: {first['msg']}") from None


def _no_duplicates(ids: list[str], column: str, what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise RowError(column, f"holds {what} id {item!r} twice")
        seen.add(item)
