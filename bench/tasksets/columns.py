"""Which table columns hold which task fields: :class:`ColumnMapping` and its CLI form
``documents=article,references=highlights,id=id``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

MULTI_FIELDS = ("documents", "references", "keyfacts")
"""Fields that may come from several columns (joined with ``+`` in the CLI form)."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns hold which task fields; documents, references and key facts may each come
    from several columns (joined with ``+`` in the CLI form)."""

    documents: tuple[str, ...] = ("documents",)
    references: tuple[str, ...] = ()
    keyfacts: tuple[str, ...] = ()
    id: str | None = None
    title: str | None = None
    language: str | None = None
    instructions: str | None = None
    budget: str | None = None
    metadata: str | None = None

    def columns(self) -> list[str]:
        """Every column this mapping reads, in field order."""
        named: list[str] = []
        for field in fields(self):
            value = getattr(self, field.name)
            for column in value if isinstance(value, tuple) else [value]:
                if column is not None and column not in named:
                    named.append(column)
        return named

    def __str__(self) -> str:
        parts = []
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, tuple) and value:
                parts.append(f"{field.name}={'+'.join(value)}")
            elif isinstance(value, str):
                parts.append(f"{field.name}={value}")
        return ",".join(parts)

    @classmethod
    def identity(cls, columns: Iterable[str]) -> ColumnMapping:
        """Each task field read from the column of the same name, where the table has one."""
        present = set(columns)
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name in present:
                values[field.name] = (field.name,) if field.name in MULTI_FIELDS else field.name
            elif field.name in MULTI_FIELDS and field.name != "documents":
                values[field.name] = ()
        return cls(**values)


MAPPING_FIELDS = tuple(f.name for f in fields(ColumnMapping))


def parse_mapping(text: str) -> ColumnMapping:
    """Parse ``documents=article,references=ref1+ref2,id=id`` into a :class:`ColumnMapping`."""
    values: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, eq, value = (s.strip() for s in part.partition("="))
        if not eq or not name or not value:
            raise ValueError(f"bad mapping entry {part!r}; expected FIELD=COLUMN, e.g. id=id")
        if name not in MAPPING_FIELDS:
            raise ValueError(
                f"unknown field {name!r} in {text!r}; fields: {', '.join(MAPPING_FIELDS)}"
            )
        if name in values:
            raise ValueError(f"field {name!r} is mapped twice in {text!r}")
        columns = tuple(c.strip() for c in value.split("+"))
        if not all(columns):
            raise ValueError(f"empty column name in {part!r}")
        if len(columns) > 1 and name not in MULTI_FIELDS:
            raise ValueError(
                f"{name!r} takes one column; only {', '.join(MULTI_FIELDS)} take several"
            )
        values[name] = columns if name in MULTI_FIELDS else columns[0]
    if "documents" not in values:
        raise ValueError(f"mapping {text!r} names no documents column; e.g. documents=article")
    return ColumnMapping(**values)
