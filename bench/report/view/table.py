"""The results table of the site, read from the run's ``table.md`` so that it is that file's
content exactly (numbers, intervals, bold, daggers, notes), with each cell tied to its system
and metric so the browser can link it to the per-item distribution."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.report.tables import BOUNDS_LABEL
from bench.scorers.base import Metric
from bench.store import StoreError

_ARROWS = (" ↑", " ↓")
_CODE = re.compile(r"``\s(.+?)\s``|`([^`]*)`")
_ESCAPED = re.compile(r"\\(.)")


def note_segments(line: str) -> dict[str, Any]:
    """A note under the table as text and code segments (a ``- `` bullet flagged), with the
    Markdown escapes of the text undone."""
    bullet = line.startswith("- ")
    body = line[2:] if bullet else line
    segments: list[dict[str, Any]] = []
    position = 0
    for match in _CODE.finditer(body):
        if match.start() > position:
            segments.append({"text": _ESCAPED.sub(r"\1", body[position : match.start()])})
        segments.append({"text": match.group(1) or match.group(2) or "", "code": True})
        position = match.end()
    if position < len(body):
        segments.append({"text": _ESCAPED.sub(r"\1", body[position:])})
    return {"bullet": bullet, "segments": segments}


def _cells(line: str) -> list[list[tuple[str, bool]]]:
    """The cells of a Markdown table line as (character, was escaped) pairs: a backslash
    escapes the next character, an unescaped ``|`` ends a cell."""
    cells: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    chars = iter(line.strip())
    for char in chars:
        if char == "\\":
            current.append((next(chars, "\\"), True))
        elif char == "|":
            cells.append(current)
            current = []
        else:
            current.append((char, False))
    cells.append(current)
    return [_strip(c) for c in cells[1:-1]]


def _strip(cell: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    while cell and cell[0] == (" ", False):
        cell = cell[1:]
    while cell and cell[-1] == (" ", False):
        cell = cell[:-1]
    return cell


def _emphasis(cell: list[tuple[str, bool]], marks: int) -> bool:
    star = ("*", False)
    return (
        len(cell) > 2 * marks
        and all(cell[i] == star and cell[-1 - i] == star for i in range(marks))
        and cell[marks] != star
    )


def parse_cell(cell: list[tuple[str, bool]]) -> dict[str, Any]:
    """A table cell as shown: its text (escapes and entities undone) and whether it is bold
    or in italics."""
    bold = _emphasis(cell, 2)
    italic = not bold and _emphasis(cell, 1)
    inner = cell[2:-2] if bold else cell[1:-1] if italic else cell
    return {"text": html.unescape("".join(c for c, _ in inner)), "bold": bold, "italic": italic}


def _match(text: str, names: Sequence[str]) -> str | None:
    for candidate in (text, html.unescape(text)):
        if candidate in names:
            return candidate
    return None


def _column_metric(label: str, metrics: Sequence[Metric]) -> str | None:
    for arrow in _ARROWS:
        label = label.removesuffix(arrow)
    matches = sorted((not m.shown, i) for i, m in enumerate(metrics) if m.label == label)
    return metrics[matches[0][1]].name if matches else None


def read_table(path: Path, systems: Sequence[str], metrics: Sequence[Metric]) -> dict[str, Any]:
    """``table.md`` as header, rows and the notes under it; each row names its system and each
    column its metric (None where the text matches none, e.g. the ``n`` column)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise StoreError(f"{path}: cannot read the results table ({error})") from error
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None or start + 1 >= len(lines):
        raise StoreError(f"{path}: no Markdown table found")
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    header = [parse_cell(c) for c in _cells(lines[start])]
    columns: list[str | None] = [None, *(_column_metric(c["text"], metrics) for c in header[1:])]
    rows = []
    for line in lines[start + 2 : end]:
        cells = [parse_cell(c) for c in _cells(line)]
        if not cells:
            continue
        first = cells[0]
        group = (
            first["italic"]
            and first["text"] == BOUNDS_LABEL
            and not any(c["text"] for c in cells[1:])
        )
        rows.append(
            {
                "group": group,
                "system": None if group else _match(first["text"], systems),
                "cells": cells,
            }
        )
    notes = [note_segments(line) for line in lines[end:] if line.strip()]
    return {"header": header, "columns": columns, "rows": rows, "notes": notes}
