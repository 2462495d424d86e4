"""Task sets from tables: JSONL, Parquet, CSV, ``save_to_disk`` folders and Hugging Face datasets.

Rows become the same :class:`~bench.task.Task` objects the folder loader makes, one at a time, so
a 100,000-row set never sits in memory whole. A :class:`ColumnMapping` says which columns hold
which task fields (CLI form ``documents=article,references=highlights,id=id``).

Text rules: plain-text cells (a string, or a list of strings) get whitespace normalisation only,
because published tables are already clean (``clean=True`` runs the full :func:`clean_source`
cleaning instead); structured cells (documents, references or key facts as mappings, as
:func:`bench.export.export_tasks` writes them) are taken verbatim. A row without an id column
gets ``row-000017`` from its row number; rows count from 0, as ``datasets`` indexes them.

Local files are read with pyarrow (Parquet) or the standard library (JSONL, CSV) in batches;
``save_to_disk`` folders and hub datasets go through ``datasets``, memory-mapped. Hub access is
offline unless the caller opts in, so a missing dataset fails at once instead of after retries.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bench.ingest import clean_source
from bench.task import (
    Document,
    KeyFact,
    Problem,
    Reference,
    Task,
    TaskError,
    load_tasks,
    task_files,
)

DEFAULT_BUDGET = 100
"""Words, when neither a budget column nor a budget option is given."""
DEFAULT_INSTRUCTIONS = "Summarize the document(s). Report only what they state."
BATCH_ROWS = 1000
HUB_PREFIX = "hf:"
TABLE_SUFFIXES = (".jsonl", ".parquet", ".csv")

_MULTI_FIELDS = ("documents", "references", "keyfacts")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029]")
_MISSING = object()


class TaskSetError(TaskError):
    """A task set that cannot be opened: no such file, unknown format, missing column, offline."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__([Problem(source, "", message)])


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column!r} {message}")


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
                values[field.name] = (field.name,) if field.name in _MULTI_FIELDS else field.name
            elif field.name in _MULTI_FIELDS and field.name != "documents":
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
        if len(columns) > 1 and name not in _MULTI_FIELDS:
            raise ValueError(
                f"{name!r} takes one column; only {', '.join(_MULTI_FIELDS)} take several"
            )
        values[name] = columns if name in _MULTI_FIELDS else columns[0]
    if "documents" not in values:
        raise ValueError(f"mapping {text!r} names no documents column; e.g. documents=article")
    return ColumnMapping(**values)


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


# ------------------------------------------------------------------------------ rows <-> tasks


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


class _RowReader:
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
            raise _RowError(where, f"gives a bad {field}: {first['msg']}") from None

    def _value(self, row: dict[str, Any], column: str) -> Any:
        value = row.get(column, _MISSING)
        if value is _MISSING or value is None:
            raise _RowError(column, "is missing")
        return value

    def _string(self, row: dict[str, Any], column: str) -> str:
        value = self._value(row, column)
        if not isinstance(value, str):
            raise _RowError(column, f"is not a string (got {type(value).__name__})")
        if not value.strip():
            raise _RowError(column, "is empty")
        return value.strip()

    def _id(self, index: int, row: dict[str, Any]) -> str:
        column = self.mapping.id
        if column is None:
            return f"row-{index:06d}"
        value = self._value(row, column)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _RowError(column, f"is not a string or an integer (got {type(value).__name__})")
        text = str(value).strip()
        if not text:
            raise _RowError(column, "is empty")
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
            raise _RowError(column, f"is not a positive whole number of words (got {value!r})")
        return value

    def _metadata(self, row: dict[str, Any]) -> dict[str, Any]:
        column = self.mapping.metadata
        value = row.get(column) if column else None
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            value = _json_value(value, column or "metadata")
        if not isinstance(value, dict):
            raise _RowError(column or "metadata", "is not a mapping (or a JSON object)")
        return value

    def _plain_text(self, text: str, column: str) -> str:
        if self.options.newline_token:
            text = text.replace(self.options.newline_token, "\n")
        text = normalize_whitespace(text)
        if not text:
            raise _RowError(column, "is empty")
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
                    raise _RowError(column, "is empty")
            elif isinstance(value, list | tuple):
                items = list(value)
                if not items:
                    raise _RowError(column, "is an empty list")
            elif isinstance(value, dict):
                items = [value]
            else:
                raise _RowError(column, f"is not text or a list (got {type(value).__name__})")
            for position, item in enumerate(items):
                number = len(documents) + 1
                where = column if len(items) == 1 else f"{column}[{position}]"
                if isinstance(item, str):
                    documents.append(self._plain_document(f"d{number}", item, where, index))
                elif isinstance(item, dict):
                    documents.append(_structured(Document, item, f"d{number}", where))
                else:
                    raise _RowError(where, f"is not text or a document (got {type(item).__name__})")
        _no_duplicates([d.id for d in documents], self.mapping.documents[0], "document")
        return documents

    def _plain_document(self, doc_id: str, text: str, column: str, index: int) -> Document:
        if not self.options.clean:
            return Document(id=doc_id, text=self._plain_text(text, column))
        if self.options.newline_token:
            text = text.replace(self.options.newline_token, "\n")
        try:
            clean = clean_source(text, name=f"{self.name}, row {index}")
        except ValueError as error:
            raise _RowError(column, f"cannot be cleaned: {error}") from None
        if not clean.text.strip():
            raise _RowError(column, "is empty after cleaning")
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
                    raise _RowError(where, f"is not text or a {what} (got {type(item).__name__})")
        if columns:
            _no_duplicates([g.id for g in found], columns[0], what)
        return found


def _json_value(text: str, column: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _RowError(column, f"is not valid JSON ({error})") from None


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
        raise _RowError(where, f"has a bad field {loc!r}: {first['msg']}") from None


def _no_duplicates(ids: list[str], column: str, what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise _RowError(column, f"holds {what} id {item!r} twice")
        seen.add(item)


# --------------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class _BadRow:
    message: str


Rows = Iterator[tuple[int, "dict[str, Any] | _BadRow"]]


@dataclass
class _Source:
    name: str
    columns: list[str]
    num_rows: int | None
    rows: Callable[[list[str]], Rows]


def _jsonl_source(path: Path) -> _Source:
    first: dict[str, Any] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line.strip():
                with suppress(json.JSONDecodeError):  # reported with its row number later
                    first = json.loads(line)
                break

    def rows(columns: list[str]) -> Rows:
        index = 0
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    record = _BadRow(f"(line {number}) is not valid JSON: {error}")
                if not isinstance(record, dict | _BadRow):
                    record = _BadRow(f"(line {number}) is not a JSON object")
                yield index, record
                index += 1

    return _Source(str(path), list(first) if isinstance(first, dict) else [], None, rows)


def _csv_source(path: Path) -> _Source:
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # long articles, e.g. arXiv
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])

    def rows(columns: list[str]) -> Rows:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for index, record in enumerate(csv.DictReader(handle)):
                yield index, {k: v for k, v in record.items() if k in columns}

    return _Source(str(path), header, None, rows)


def _arrow_rows(batches: Iterable[Any]) -> Rows:
    index = 0
    for batch in batches:
        names = batch.schema.names
        values = [batch.column(i).to_pylist() for i in range(len(names))]
        for row in zip(*values, strict=True):
            yield index, dict(zip(names, row, strict=True))
            index += 1


def _parquet_source(path: Path) -> _Source:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        file = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)  # bounded reads
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise TaskSetError(str(path), f"cannot read Parquet file: {error}") from None

    def rows(columns: list[str]) -> Rows:
        return _arrow_rows(file.iter_batches(batch_size=BATCH_ROWS, columns=columns))

    return _Source(str(path), list(file.schema_arrow.names), file.metadata.num_rows, rows)


def _dataset_source(name: str, dataset: Any) -> _Source:
    def rows(columns: list[str]) -> Rows:
        projected = dataset.select_columns(columns).with_format("arrow")
        return _arrow_rows(projected.iter(batch_size=BATCH_ROWS))

    return _Source(name, list(dataset.column_names), len(dataset), rows)


def _disk_source(path: Path) -> _Source:
    import datasets

    if (path / "dataset_dict.json").is_file():
        splits = sorted(p.name for p in path.iterdir() if p.is_dir())
        raise TaskSetError(
            str(path),
            f"holds several splits ({', '.join(splits)}); point at one, e.g. {path / splits[0]}"
            if splits
            else "holds a DatasetDict without splits",
        )
    try:
        dataset = datasets.load_from_disk(str(path))
    except (FileNotFoundError, ValueError) as error:
        raise TaskSetError(str(path), f"not a save_to_disk folder: {error}") from None
    return _dataset_source(str(path), dataset)


def parse_hub_source(source: str) -> tuple[str, str | None, str]:
    """Split ``hf:NAME[:CONFIG]:SPLIT`` into (name, config, split)."""
    parts = source.removeprefix(HUB_PREFIX).split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise TaskSetError(
            source, "expected hf:NAME[:CONFIG]:SPLIT, e.g. hf:abisee/cnn_dailymail:3.0.0:test"
        )
    return parts[0], parts[1] if len(parts) == 3 else None, parts[-1]


@contextmanager
def hub_offline(offline: bool = True) -> Iterator[None]:
    """Make ``datasets`` and ``huggingface_hub`` offline (read at import, so set them directly)."""
    import datasets.config as ds_config
    from huggingface_hub import constants as hub_constants

    saved = (ds_config.HF_HUB_OFFLINE, ds_config.HF_DATASETS_OFFLINE, hub_constants.HF_HUB_OFFLINE)
    if offline:
        ds_config.HF_HUB_OFFLINE = ds_config.HF_DATASETS_OFFLINE = True
        hub_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        ds_config.HF_HUB_OFFLINE, ds_config.HF_DATASETS_OFFLINE = saved[:2]
        hub_constants.HF_HUB_OFFLINE = saved[2]


def _hub_source(source: str, online: bool) -> _Source:
    import datasets

    name, config, split = parse_hub_source(source)
    with hub_offline(not online):
        offline = bool(datasets.config.HF_HUB_OFFLINE)
        try:
            dataset = datasets.load_dataset(name, config, split=split)
        except Exception as error:  # datasets raises many types; all end the same way
            if offline and isinstance(error, OSError):
                args = f"{name!r}" + (f", {config!r}" if config else "") + f", split={split!r}"
                raise TaskSetError(
                    source,
                    f"dataset {name} is not in the local cache and sumbench is offline; "
                    f'download it once with --online (or with `python -c "import datasets; '
                    f'datasets.load_dataset({args})"`), or point --tasks at a local copy '
                    "(jsonl/parquet/csv/save_to_disk folder)",
                ) from None
            raise TaskSetError(source, f"cannot load from the hub: {error}") from None
    return _dataset_source(source, dataset)


def _open_source(source: str, online: bool) -> _Source:
    if source.startswith(HUB_PREFIX):
        return _hub_source(source, online)
    path = Path(source)
    if not path.exists():
        raise TaskSetError(source, "no such file or folder")
    if path.is_dir():
        return _disk_source(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _jsonl_source(path)
    if suffix == ".csv":
        return _csv_source(path)
    if suffix == ".parquet":
        return _parquet_source(path)
    raise TaskSetError(
        source,
        f"unknown task set format {suffix or '(no suffix)'!r}; expected a task folder, "
        f"{', '.join(TABLE_SUFFIXES)}, a save_to_disk folder or hf:NAME[:CONFIG]:SPLIT",
    )


# ----------------------------------------------------------------------------------- task sets


def is_task_folder(source: str | Path) -> bool:
    """True for a task.yaml file or a folder of task folders (the bundled format)."""
    path = Path(source)
    if str(source).startswith(HUB_PREFIX) or not path.exists():
        return False
    if path.is_file():
        return path.suffix.lower() in (".yaml", ".yml")
    return bool(task_files(path))


class TaskTable:
    """An opened task set: its columns, row count if known, and tasks made as it is iterated."""

    def __init__(
        self,
        name: str,
        columns: list[str],
        num_rows: int | None,
        mapping: ColumnMapping,
        tasks: Callable[[], Iterator[Task]],
    ) -> None:
        self.name = name
        self.columns = columns
        self.num_rows = num_rows
        self.mapping = mapping
        self._tasks = tasks

    def __iter__(self) -> Iterator[Task]:
        return self._tasks()


def _row_tasks(
    source: _Source, reader: _RowReader, problems: list[Problem] | None
) -> Iterator[Task]:
    seen: set[str] = set()
    for index, row in source.rows(reader.mapping.columns()):
        where = f"{source.name}, row {index}"
        try:
            if isinstance(row, _BadRow):
                raise _RowFailure(row.message)
            task = reader.task(index, row)
            if task.id in seen:
                raise _RowFailure(f"duplicate task id {task.id!r}")
        except (_RowError, _RowFailure) as error:
            if problems is None:
                raise TaskError([Problem(where, "", str(error))]) from None
            problems.append(Problem(where, "", str(error)))
            continue
        seen.add(task.id)
        yield task


class _RowFailure(Exception):
    """A row that is not a record at all, or repeats a task id."""


def open_tasks(
    source: str | Path,
    mapping: ColumnMapping | str | None = None,
    *,
    separator: str | None = None,
    newline_token: str | None = None,
    clean: bool = False,
    budget: int | None = None,
    instructions: str | None = None,
    language: str | None = None,
    references: str | Path | None = None,
    online: bool = False,
    problems: list[Problem] | None = None,
) -> TaskTable:
    """Open a task set and check its columns now; tasks are made as the result is iterated.

    ``source``: a task folder, FILE.jsonl/.parquet/.csv, a ``save_to_disk`` folder, or
    ``hf:NAME[:CONFIG]:SPLIT`` (offline unless ``online``). ``mapping`` defaults to the columns
    named like task fields. ``separator`` splits a text cell into several documents. Bad rows
    raise :class:`TaskError` naming file, row and column, or are skipped and appended to
    ``problems`` when a list is given.
    """
    text = str(source)
    if is_task_folder(text):
        given = {
            "a column mapping": mapping, "separator": separator, "newline_token": newline_token,
            "clean": clean, "budget": budget, "instructions": instructions, "language": language,
        }
        table_only = [n for n, value in given.items() if value is not None and value is not False]
        if table_only:
            raise TaskSetError(
                text,
                f"{', '.join(table_only)} apply to table sources (JSONL, Parquet, CSV, hub); "
                "a task folder sets budget, instructions and language in each task.yaml",
            )
        tasks = load_tasks(text, references)
        return TaskTable(text, [], len(tasks), ColumnMapping(), lambda: iter(tasks))
    opened = _open_source(text, online)
    if isinstance(mapping, str):
        try:
            mapping = parse_mapping(mapping)
        except ValueError as error:
            raise TaskSetError(text, str(error)) from None
    mapping = mapping or ColumnMapping.identity(opened.columns)
    if opened.columns:
        missing = [c for c in mapping.columns() if c not in opened.columns]
        if missing:
            hint = "; map columns, e.g. --map documents=article" if "documents" in missing else ""
            raise TaskSetError(
                text,
                f"no column(s) {', '.join(map(repr, missing))}; the table has "
                f"{', '.join(opened.columns)}{hint}",
            )
    options = RowOptions(separator, newline_token, clean, budget, instructions, language)
    if budget is not None and budget <= 0:
        raise TaskSetError(text, f"budget must be a positive number of words (got {budget})")
    reader = _RowReader(mapping, options, opened.name)
    return TaskTable(
        opened.name,
        opened.columns,
        opened.num_rows,
        mapping,
        lambda: _row_tasks(opened, reader, problems),
    )


def iter_tasks(
    source: str | Path, mapping: ColumnMapping | str | None = None, **options: Any
) -> Iterator[Task]:
    """Tasks of a task set, one row at a time (see :func:`open_tasks` for the options)."""
    return iter(open_tasks(source, mapping, **options))
