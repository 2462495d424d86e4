"""Problems found in input files, and the readers that report them: a bad YAML file, encoding
or schema becomes a :class:`Problem` naming the file, the field and what was expected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from bench.inputs import load_yaml, size_problem


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a task: where, which field, what was expected."""

    file: str
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{self.severity}: {where}: {self.message}"


class TaskError(Exception):
    """Raised when tasks fail validation; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def field_path(loc: Iterable[int | str], prefix: str = "") -> str:
    """A pydantic error location as ``documents[0].path`` (after ``prefix``)."""
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _explain(error: Any, prefix: str) -> tuple[str, str]:
    loc = tuple(error["loc"])
    field = field_path(loc, prefix)
    if error["type"] == "extra_forbidden":
        return field, "unknown field (check the spelling; see `sumbench tasks schema`)"
    if error["type"] == "missing":
        return field, "required field is missing"
    if "patterns" in loc:
        return (
            field_path(loc[: loc.index("patterns") + 1], prefix),
            "expected a list of lists of strings (groups of alternatives), "
            "e.g. [[UK, Britain], [France, French]]",
        )
    shown = repr(error.get("input"))
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return field, f"{error['msg']} (got {shown})"


def read_yaml(path: Path, problems: list[Problem], limit: int) -> Any:
    """The parsed YAML file at ``path``, or ``None`` with the problem appended (unreadable, over
    ``limit`` bytes, not UTF-8, invalid YAML, a duplicate key, an alias bomb)."""
    try:
        too_large = size_problem(path, limit)
        raw = b"" if too_large else path.read_bytes()
    except OSError as error:
        problems.append(Problem(str(path), "", f"cannot read file: {error.strerror}"))
        return None
    if too_large:
        problems.append(Problem(str(path), "", too_large))
        return None
    text = decode(raw, path, "", problems)
    if text is None:
        return None
    try:
        return load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problems.append(Problem(str(path), "", f"invalid YAML at {where}: {error}"))
        return None
    except RecursionError:
        problems.append(Problem(str(path), "", "invalid YAML: nested too deeply"))
        return None


def decode(raw: bytes, path: Path, field: str, problems: list[Problem]) -> str | None:
    """``raw`` as UTF-8 (a byte-order mark dropped), or ``None`` with the problem appended."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(
                str(path),
                field,
                f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); "
                "re-encode the file as UTF-8",
            )
        )
        return None


def parse(
    model: type[BaseModel], data: Any, path: Path, prefix: str, problems: list[Problem]
) -> Any:
    """``data`` validated as ``model``, or ``None`` with one problem per error appended."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            field, message = _explain(item, prefix)
            problem = Problem(str(path), field, message)
            if problem not in problems:
                problems.append(problem)
        return None
    except RecursionError:
        problems.append(Problem(str(path), prefix, "nested too deeply"))
        return None


def duplicates(ids: Iterable[str]) -> list[str]:
    """The ids that occur more than once."""
    return [name for name, n in Counter(ids).items() if n > 1]
