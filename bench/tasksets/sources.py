"""Table readers, one per format: JSONL and CSV (standard library), Parquet (pyarrow, in
batches), ``save_to_disk`` folders and hub datasets (``datasets``, memory-mapped). Each gives its
columns, its row count when known, and its rows one at a time. Hub access is offline unless the
caller opts in, so a missing dataset fails at once instead of after retries."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path, PurePosixPath
from typing import IO, Any

from bench.task import Problem, TaskError

BATCH_ROWS = 1000
HUB_PREFIX = "hf:"
TABLE_SUFFIXES = (".jsonl", ".parquet", ".csv")


class TaskSetError(TaskError):
    """A task set that cannot be opened: no such file, unknown format, missing column, offline."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__([Problem(source, "", message)])


@dataclass(frozen=True)
class BadRow:
    message: str


Rows = Iterator[tuple[int, "dict[str, Any] | BadRow"]]


Fetch = Callable[[list[str], list[int]], Rows]
"""Given columns and row indices, those rows (as :attr:`Source.rows` numbers them)."""


@dataclass
class Source:
    name: str
    columns: list[str]
    num_rows: int | None
    rows: Callable[[list[str]], Rows]
    fetch: Fetch | None = None
    """Random access to rows (JSONL, CSV, Parquet files), for workers that read a shared table
    themselves; None where a source only streams."""


def _jsonl_lines(path: Location) -> Iterator[tuple[int, str | BadRow]]:
    """Numbered non-blank lines, each decoded on its own: a line that is not UTF-8 is a bad row,
    not the end of the file."""
    for number, _, line in _jsonl_offsets(path):
        yield number, line


def _jsonl_offsets(path: Location) -> Iterator[tuple[int, int, str | BadRow]]:
    """:func:`_jsonl_lines` with each line's byte offset."""
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            start, offset = offset, offset + len(raw)
            line = _jsonl_decode(number, raw)
            if isinstance(line, BadRow) or line.strip():
                yield number, start, line


def _jsonl_decode(number: int, raw: bytes) -> str | BadRow:
    if number == 1:
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return BadRow(_not_utf8(f"line {number}", raw, error))


def _jsonl_record(number: int, line: str | BadRow) -> dict[str, Any] | BadRow:
    """A line as a row: its JSON object, or why it is not one."""
    record: Any = line
    if isinstance(line, str):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            record = BadRow(f"(line {number}) is not valid JSON: {error}")
        except RecursionError:
            record = BadRow(f"(line {number}) is JSON nested too deeply")
    if not isinstance(record, dict | BadRow):
        return BadRow(f"(line {number}) is not a JSON object")
    return record


def _jsonl_fetch(path: Location) -> Fetch:
    """Rows of a JSONL file by index: the offset of each row is found once, on first use."""
    index: list[tuple[int, int]] = []

    def fetch(columns: list[str], indices: list[int]) -> Rows:
        if not index:
            index.extend((number, start) for number, start, _ in _jsonl_offsets(path))
        with path.open("rb") as handle:
            for wanted in indices:
                number, start = index[wanted]
                handle.seek(start)
                yield wanted, _jsonl_record(number, _jsonl_decode(number, handle.readline()))

    return fetch


def _not_utf8(where: str, raw: bytes, error: UnicodeDecodeError) -> str:
    return (
        f"({where}) is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start} "
        "of the line); re-encode the file as UTF-8"
    )


def _jsonl_source(path: Location) -> Source:
    first: dict[str, Any] = {}
    empty = True
    for _, line in _jsonl_lines(path):
        empty = False
        if isinstance(line, str):
            with suppress(json.JSONDecodeError, RecursionError):  # reported with its row later
                first = json.loads(line)
        break
    if empty:
        raise TaskSetError(str(path), "holds no rows: an empty task table")

    def rows(columns: list[str]) -> Rows:
        for index, (number, line) in enumerate(_jsonl_lines(path)):
            yield index, _jsonl_record(number, line)

    columns = list(first) if isinstance(first, dict) else []
    return Source(str(path), columns, None, rows, _jsonl_fetch(path))


_SURROGATE = re.compile("[\udc80-\udcff]")


def _csv_source(path: Location) -> Source:
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # long articles, e.g. arXiv
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if next(reader, None) is None:
            raise TaskSetError(str(path), "holds no rows: an empty task table")
    if any(_SURROGATE.search(name) for name in header):
        raise TaskSetError(str(path), "header is not valid UTF-8; re-encode the file as UTF-8")

    def rows(columns: list[str]) -> Rows:
        # Bytes that are not UTF-8 become lone surrogates, found per row, so one bad row is
        # reported with its number instead of ending the file.
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            for index, record in enumerate(csv.DictReader(handle)):
                yield index, _csv_record(record, columns)

    return Source(str(path), header, None, rows, _csv_fetch(path, header))


def _csv_record(record: dict[str, Any], columns: list[str]) -> dict[str, Any] | BadRow:
    kept = {k: v for k, v in record.items() if k in columns}
    bad = [k for k, v in kept.items() if isinstance(v, str) and _SURROGATE.search(v)]
    if bad:
        return BadRow(f"column {bad[0]!r} is not valid UTF-8; re-encode the file as UTF-8")
    return kept


def _csv_fetch(path: Location, header: list[str]) -> Fetch:
    """Rows of a CSV file by index: where each record starts is found once, on first use
    (records may span lines, so this parses the file as :func:`csv.DictReader` does)."""
    starts: list[int] = []

    def find() -> None:
        with path.open("rb") as handle:
            consumed = [0]
            raw_bom = handle.read(3) == b"\xef\xbb\xbf"
            handle.seek(3 if raw_bom else 0)
            consumed[0] = 3 if raw_bom else 0
            reader = csv.reader(_plain_lines(handle, consumed))
            next(reader, None)  # the header
            while True:
                start = consumed[0]
                record = next(reader, None)
                if record is None:
                    return
                if record:  # DictReader skips blank records
                    starts.append(start)

    def fetch(columns: list[str], indices: list[int]) -> Rows:
        if not starts:
            find()
        with path.open("rb") as handle:
            for wanted in indices:
                handle.seek(starts[wanted])
                reader = csv.DictReader(_plain_lines(handle, [0]), fieldnames=header)
                yield wanted, _csv_record(next(reader), columns)

    return fetch


def _plain_lines(handle: Any, consumed: list[int]) -> Iterator[str]:
    """A binary file's lines from where it stands, decoded as the text reader decodes them,
    counting the bytes read in ``consumed[0]``."""
    for raw in handle:
        consumed[0] += len(raw)
        yield raw.decode("utf-8", "surrogateescape")


def _arrow_rows(batches: Iterable[Any]) -> Rows:
    index = 0
    for batch in batches:
        names = batch.schema.names
        values = [batch.column(i).to_pylist() for i in range(len(names))]
        for row in zip(*values, strict=True):
            yield index, dict(zip(names, row, strict=True))
            index += 1


def _parquet_source(path: Location) -> Source:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        where = path if isinstance(path, Path) else path.open("rb")
        file = pq.ParquetFile(where, pre_buffer=False, buffer_size=1 << 20)  # bounded reads
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise TaskSetError(str(path), f"cannot read Parquet file: {error}") from None

    def rows(columns: list[str]) -> Rows:
        return _arrow_rows(file.iter_batches(batch_size=BATCH_ROWS, columns=columns))

    if file.metadata.num_rows == 0:
        raise TaskSetError(str(path), "holds no rows: an empty task table")
    columns = list(file.schema_arrow.names)
    return Source(str(path), columns, file.metadata.num_rows, rows, _parquet_fetch(file))


def _parquet_fetch(file: Any) -> Fetch:
    """Rows of a Parquet file by index, reading only the row groups that hold them (the last
    one read is kept: a unit's rows are usually neighbours)."""
    ends = list(accumulate(file.metadata.row_group(g).num_rows for g in range(file.num_row_groups)))
    kept: dict[tuple[int, tuple[str, ...]], list[dict[str, Any]]] = {}

    def fetch(columns: list[str], indices: list[int]) -> Rows:
        for wanted in indices:
            group = bisect_right(ends, wanted)
            key = (group, tuple(columns))
            if key not in kept:
                kept.clear()
                kept[key] = file.read_row_group(group, columns=columns).to_pylist()
            first = ends[group - 1] if group else 0
            yield wanted, kept[key][wanted - first]

    return fetch


def _dataset_source(name: str, dataset: Any) -> Source:
    if len(dataset) == 0:
        raise TaskSetError(name, "holds no rows: an empty task table")

    def rows(columns: list[str]) -> Rows:
        projected = dataset.select_columns(columns).with_format("arrow")
        return _arrow_rows(projected.iter(batch_size=BATCH_ROWS))

    return Source(name, list(dataset.column_names), len(dataset), rows)


def _disk_source(path: Path) -> Source:
    if not any((path / name).is_file() for name in ("state.json", "dataset_dict.json")):
        raise TaskSetError(
            str(path),
            f"neither a task folder (no {path / '<task-id>' / 'task.yaml'}) nor a save_to_disk "
            "folder (no state.json)",
        )
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


def _hub_source(source: str, online: bool) -> Source:
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


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(source: str) -> bool:
    """True for ``PROTOCOL://...`` (``file://``, ``https://``, ``s3://``): a file fsspec reads."""
    return bool(_URL.match(source))


class RemoteFile:
    """A table file at a URL, opened through fsspec (the protocol's own package, e.g. aiohttp
    for http(s), s3fs for s3, must be installed): what the readers open like a local path."""

    def __init__(self, url: str) -> None:
        import fsspec  # type: ignore[import-untyped]

        self.url = url
        try:
            self.fs, self.path = fsspec.core.url_to_fs(url)
            found = self.fs.exists(self.path)
        except ImportError as error:  # fsspec names the package the protocol needs
            raise TaskSetError(url, f"cannot read this URL: {error}") from None
        except Exception as error:  # network and permission errors of every protocol
            message = f"cannot read this URL: {type(error).__name__}: {error}"
            raise TaskSetError(url, message) from None
        if not found:
            raise TaskSetError(url, "no such file at this URL")
        self.suffix = PurePosixPath(self.path).suffix

    def __str__(self) -> str:
        return self.url

    def open(
        self,
        mode: str = "rb",
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> IO[Any]:
        """The file in binary mode, or as text when an encoding is given."""
        handle = self.fs.open(self.path, "rb")
        if encoding is None:
            return handle  # type: ignore[no-any-return]
        return io.TextIOWrapper(handle, encoding=encoding, errors=errors, newline=newline)

    def size(self) -> int:
        """Bytes of the file."""
        return int(self.fs.size(self.path))


Location = Path | RemoteFile
"""Where a table file is: a local path or a URL."""


def source_size(source: str) -> int:
    """Bytes of a table file (a local path or a URL); raises OSError or TaskSetError."""
    return RemoteFile(source).size() if is_url(source) else os.path.getsize(source)


def rows_up_to(source: str, limit: int) -> int | None:
    """Rows of a local JSON Lines or CSV table, counted up to ``limit`` (non-blank lines of
    JSON Lines; CSV records after the header, quoted line breaks inside them): what a decision
    that only needs to know whether a table has ``limit`` rows reads, at most ``limit`` rows.
    None for other sources (their size is known from their metadata, or streaming them costs
    too much)."""
    path = Path(source)
    suffix = path.suffix.lower()
    if is_url(source) or suffix not in (".jsonl", ".csv") or not path.is_file():
        return None
    found = 0
    if suffix == ".csv":
        with path.open(encoding="utf-8", errors="replace", newline="") as text:
            records = csv.reader(text)
            next(records, None)  # the header
            for record in records:
                if any(cell.strip() for cell in record):
                    found += 1
                    if found >= limit:
                        break
        return found
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                found += 1
                if found >= limit:
                    break
    return found


def open_source(source: str, online: bool) -> Source:
    if source.startswith(HUB_PREFIX):
        return _hub_source(source, online)
    path: Location
    if is_url(source):
        path = RemoteFile(source)
    else:
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
