"""The results directory: append-only rows written as they are computed, so nothing is lost.

``results/<run>/`` holds ``run.json`` (config, versions, signatures, metric catalog),
``outputs.jsonl`` (summaries), ``scores.csv`` (long: task_id, system, scorer, metric, value),
``facts.csv`` (per key-fact decisions), ``claims.csv`` (per summary-sentence faithfulness
verdicts, when the ``faithfulness`` scorer ran), ``problems.jsonl`` (errors, skips, warnings),
then the tables and charts rebuilt from those rows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

if TYPE_CHECKING:  # pandas is imported where frames are read: scoring processes never are
    import pandas as pd

RUN_FILE = "run.json"
OUTPUTS_FILE = "outputs.jsonl"
SCORES_FILE = "scores.csv"
FACTS_FILE = "facts.csv"
CLAIMS_FILE = "claims.csv"
PROBLEMS_FILE = "problems.jsonl"
TASKS_FILE = "tasks.jsonl"

SCORE_COLUMNS = ["task_id", "system", "scorer", "metric", "value"]
FACT_COLUMNS = [
    "task_id",
    "system",
    "sample",
    "fact_id",
    "weight",
    "present",
    "evidence",
    "matcher",
    "score",
]
CLAIM_COLUMNS = [
    "task_id",
    "system",
    "sample",
    "sentence",
    "claim",
    "verdict",
    "score",
    "document",
    "evidence",
    "supported_by",
    "contradicted_by",
    "attributed",
    "reason",
    "backend",
]
"""``claims.csv``: one verdict per summary sentence; ``document`` and ``evidence`` are the
source sentences behind it, ``supported_by`` / ``contradicted_by`` space-separated document ids."""
OPTIONAL_FACT_COLUMNS = ("score",)
"""Columns that ``facts.csv`` files written by earlier versions lack: read as empty, and rows
appended to such a file (a resumed old run) leave them out."""


class StoreError(Exception):
    """A results folder that is missing or malformed."""


def write_atomic(path: Path, data: str | bytes, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (str as UTF-8) in one rename: readers see the old or the
    new file, never half of one."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomic_with(path, lambda handle: handle.write(payload), durable)


def write_atomic_with(
    path: Path, write: Callable[[BinaryIO], object], durable: bool = True
) -> None:
    """:func:`write_atomic` of what ``write`` writes to the binary handle it is given (a large
    file streamed, not held)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            if durable:  # skipped where a lost file only costs a recomputation
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _repair_tail(path: Path) -> None:
    """Drop a last line cut short by a crash, so appends start on a clean line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        handle.seek(0)
        data = handle.read()
        handle.truncate(data.rfind(b"\n") + 1)


class Store:
    """One run's folder; every append is a whole record, flushed to disk before returning."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._synced: dict[Path, float] = {}
        self._dirty: set[Path] = set()
        self._fact_columns: list[str] | None = None
        self._handles: dict[Path, TextIO] = {}
        """Files kept open for appending until :meth:`sync` (opening one per record cost
        ~0.2 ms here, several times per item)."""

    # ------------------------------------------------------------------ writing
    def open(self) -> None:
        """Create the folder (or repair an interrupted one) and the CSV headers."""
        self.root.mkdir(parents=True, exist_ok=True)
        for name, columns in ((SCORES_FILE, SCORE_COLUMNS), (FACTS_FILE, FACT_COLUMNS)):
            path = self.root / name
            _repair_tail(path)
            if not path.exists() or path.stat().st_size == 0:
                self._append(path, _csv_text([columns]))
        _repair_tail(self.root / CLAIMS_FILE)  # written only by runs that check faithfulness
        for name in (OUTPUTS_FILE, PROBLEMS_FILE, TASKS_FILE):
            _repair_tail(self.root / name)
            (self.root / name).touch()

    SYNC_EVERY = 1.0
    """Seconds between fsyncs. Every record is written to the OS at once (it survives Ctrl-C
    and kill -9); fsync, which only guards against power loss, runs at most this often and on
    :meth:`sync`."""

    def _append(self, path: Path, text: str) -> None:
        handle = self._handles.get(path)
        if handle is None or handle.closed:
            handle = self._handles[path] = path.open("a", encoding="utf-8", newline="")
        handle.write(text)
        handle.flush()
        now = time.monotonic()
        if now - self._synced.get(path, 0.0) >= self.SYNC_EVERY:
            os.fsync(handle.fileno())
            self._synced[path] = now
        else:
            self._dirty.add(path)

    def sync(self) -> None:
        """Flush every appended file to disk and close it (the runner calls this when a run
        ends; appending again reopens)."""
        handles, self._handles = self._handles, {}
        for path, handle in handles.items():
            if not handle.closed:
                if path in self._dirty:
                    os.fsync(handle.fileno())
                handle.close()
        for path in self._dirty - set(handles):
            if path.exists():
                with path.open("rb") as raw:
                    os.fsync(raw.fileno())
        self._dirty.clear()

    def __del__(self) -> None:
        # Records were flushed as written; only the handles are left to close.
        for handle in getattr(self, "_handles", {}).values():
            handle.close()

    ROWS_OF_ITEMS = (OUTPUTS_FILE, SCORES_FILE, FACTS_FILE, CLAIMS_FILE, PROBLEMS_FILE)
    """The files whose rows belong to an item (a task and a system)."""

    def sizes(self) -> dict[str, int]:
        """The byte size of each of :data:`ROWS_OF_ITEMS` (0 for a missing file): where the rows
        a run goes on to append start."""
        return {
            name: (path.stat().st_size if (path := self.root / name).is_file() else 0)
            for name in self.ROWS_OF_ITEMS
        }

    def drop_rows(
        self, items: set[tuple[str, str]], tasks: set[str], before: Mapping[str, int]
    ) -> int:
        """Remove the rows of ``items`` ((task id, system) pairs) and of every system of
        ``tasks`` that lie in the first ``before[name]`` bytes of each file: what earlier runs
        wrote for items this run made anew. Every other row is kept byte for byte.

        Each file is streamed into a new one that replaces it in one rename, so an interruption
        leaves it whole, old or new, and no file is held in memory. Returns how many rows (CSV
        records, JSON lines) were removed."""
        self.sync()
        removed = 0
        for name in self.ROWS_OF_ITEMS:
            path = self.root / name
            if before.get(name, 0) and path.is_file():
                removed += _drop_from(path, before[name], items, tasks)
        return removed

    def append_outputs(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Append summary records (one JSON object per line)."""
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        if text:
            self._append(self.root / OUTPUTS_FILE, text)

    def append_scores(self, rows: Iterable[tuple[str, str, str, str, float]]) -> None:
        """Append long-format score rows (task_id, system, scorer, metric, value)."""
        text = _csv_text([[t, s, sc, m, repr(float(v))] for t, s, sc, m, v in rows])
        if text:
            self._append(self.root / SCORES_FILE, text)

    def append_facts(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append per-fact decisions (columns of :data:`FACT_COLUMNS`)."""
        if self._fact_columns is None:
            self._fact_columns = fact_columns(self.root / FACTS_FILE)
        columns = self._fact_columns
        text = _csv_text([[_cell(r.get(c)) for c in columns] for r in rows])
        if text:
            self._append(self.root / FACTS_FILE, text)

    def append_claims(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append per-sentence faithfulness verdicts (columns of :data:`CLAIM_COLUMNS`); the
        file and its header are made with the first rows."""
        path = self.root / CLAIMS_FILE
        text = _csv_text([[_cell(r.get(c)) for c in CLAIM_COLUMNS] for r in rows])
        if not text:
            return
        if not path.exists() or path.stat().st_size == 0:
            text = _csv_text([CLAIM_COLUMNS]) + text
        self._append(path, text)

    def append_problem(self, record: Mapping[str, Any]) -> None:
        """Record an adapter error, a skipped score or a warning."""
        self._append(self.root / PROBLEMS_FILE, json.dumps(record, ensure_ascii=False) + "\n")

    def append_task(self, record: Mapping[str, Any]) -> None:
        """Record a task the run saw: id, document hashes, gold counts."""
        self._append(self.root / TASKS_FILE, json.dumps(record, ensure_ascii=False) + "\n")

    def listed_tasks(self) -> dict[str, str | None]:
        """Ids of the tasks recorded so far, with the hash of their gold."""
        return {r["id"]: r.get("gold") for r in _iter_jsonl(self.root / TASKS_FILE)}

    def tasks(self) -> list[dict[str, Any]]:
        """The task records (id, document hashes, reference and key-fact counts)."""
        return _read_jsonl(self.root / TASKS_FILE)

    def iter_tasks(self) -> Iterator[dict[str, Any]]:
        """:meth:`tasks` a record at a time (a resumed run of 100,000 tasks need not hold them)."""
        return _iter_jsonl(self.root / TASKS_FILE)

    def write_run(self, info: Mapping[str, Any]) -> None:
        """Write ``run.json`` atomically."""
        write_atomic(self.root / RUN_FILE, json.dumps(info, indent=2, ensure_ascii=False) + "\n")

    # ------------------------------------------------------------------ reading
    def exists(self) -> bool:
        """True when the folder holds a run."""
        return (self.root / RUN_FILE).is_file()

    def run_info(self) -> dict[str, Any]:
        """The parsed ``run.json``."""
        path = self.root / RUN_FILE
        if not path.is_file():
            raise StoreError(f"{self.root}: not a results folder (no {RUN_FILE})")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise StoreError(f"{path}: invalid JSON ({error})") from error
        if not isinstance(data, dict):
            raise StoreError(f"{path}: expected a JSON object, got {type(data).__name__}")
        return data

    def outputs(self) -> list[dict[str, Any]]:
        """Every summary record, in the order written (a later record of an item wins)."""
        return _read_jsonl(self.root / OUTPUTS_FILE)

    def output_offsets(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every summary record with the byte offset of its line, read a line at a time (a
        resumed run indexes a large folder without holding its summaries)."""
        path = self.root / OUTPUTS_FILE
        if not path.is_file():
            return
        offset = 0
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield offset, _json_line(path, number, line)
                offset += len(line)

    def outputs_at(self, offsets: Sequence[int]) -> list[dict[str, Any]]:
        """The summary records whose lines start at ``offsets`` (from :meth:`output_offsets`)."""
        path = self.root / OUTPUTS_FILE
        found = []
        with path.open("rb") as handle:
            for offset in offsets:
                handle.seek(offset)
                found.append(_json_line(path, None, handle.readline()))
        return found

    def problems(self) -> list[dict[str, Any]]:
        """Every problem record."""
        return _read_jsonl(self.root / PROBLEMS_FILE)

    def scores(self) -> pd.DataFrame:
        """Score rows, long format; a row written again for the same key (a resumed item)
        replaces the earlier one."""
        frame = self._csv(SCORES_FILE, SCORE_COLUMNS, {"value": "float64"})
        return _last_per_key(frame, ["task_id", "system", "scorer", "metric"])

    def scored_items(self) -> dict[tuple[str, str], set[str]]:
        """The scorers with rows stored for each (task, system): what a resumed run need not
        score again, read without holding the score rows (categorical columns)."""
        path = self.root / SCORES_FILE
        if not path.is_file() or path.stat().st_size == 0:
            return {}
        found: dict[tuple[str, str], set[str]] = {}
        names: dict[str, str] = {}  # one string per scorer name, not one per row
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows, [])
            try:
                at = [header.index(c) for c in ("task_id", "system", "scorer")]
            except ValueError:
                raise StoreError(
                    f"{path}: not a valid {SCORES_FILE}; expected the columns "
                    f"{', '.join(SCORE_COLUMNS)}"
                ) from None
            for row in rows:
                if len(row) != len(header):
                    continue  # a line cut short by a crash (open() drops it)
                scorer = names.setdefault(row[at[2]], row[at[2]])
                found.setdefault((row[at[0]], row[at[1]]), set()).add(scorer)
        return found

    def facts(self) -> pd.DataFrame:
        """Key-fact decision rows (the last row per task, system, sample, fact and matcher)."""
        frame = self._csv(FACTS_FILE, FACT_COLUMNS, {"weight": "float64", "score": "float64"})
        frame["present"] = frame["present"].astype(str).str.lower().isin(["true", "1", "1.0"])
        frame["sample"] = frame["sample"].fillna("").astype(str)
        frame["evidence"] = frame["evidence"].fillna("").astype(str)
        return _last_per_key(frame, ["task_id", "system", "sample", "fact_id", "matcher"])

    def claims(self) -> pd.DataFrame:
        """Faithfulness verdict rows (the last row per task, system, sample, sentence and
        backend); empty when the run did not check faithfulness."""
        frame = self._csv(CLAIMS_FILE, CLAIM_COLUMNS, {"score": "float64", "sentence": "int64"})
        for column in ("sample", "document", "evidence", "supported_by", "contradicted_by"):
            frame[column] = frame[column].fillna("").astype(str)
        frame["attributed"] = frame["attributed"].astype(str).str.lower().isin(["true", "1"])
        return _last_per_key(frame, ["task_id", "system", "sample", "sentence", "backend"])

    def _csv(self, name: str, columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
        import pandas as pd

        path = self.root / name
        if not path.is_file() or path.stat().st_size == 0:
            return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in columns})
        types: dict[str, str] = {c: dtypes.get(c, "str") for c in columns}
        complete = _complete_rows(path)
        try:
            frame = pd.read_csv(
                path,
                dtype=types,
                keep_default_na=False,
                nrows=complete,
                na_values={c: ["nan", "NaN", ""] for c in dtypes},
                on_bad_lines="error",
            )
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
            raise StoreError(
                f"{path}: not a valid {name} ({error}); expected the columns {', '.join(columns)}"
            ) from error
        for column in OPTIONAL_FACT_COLUMNS:
            if name == FACTS_FILE and column not in frame.columns:
                frame[column] = pd.Series(float("nan"), index=frame.index, dtype="float64")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise StoreError(f"{path}: missing column(s) {missing}; expected {columns}")
        return frame


def fact_columns(path: Path) -> list[str]:
    """The columns of an existing ``facts.csv``: :data:`FACT_COLUMNS`, or those of an earlier
    version without the optional ones."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), None)
    except FileNotFoundError:
        return FACT_COLUMNS
    legacy = [c for c in FACT_COLUMNS if c not in OPTIONAL_FACT_COLUMNS]
    return legacy if header == legacy else FACT_COLUMNS


def _complete_rows(path: Path) -> int | None:
    """Rows before a last line cut short by a crash (None when the file ends cleanly)."""
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return None
        handle.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


def _last_per_key(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.drop_duplicates(subset=key, keep="last").reset_index(drop=True)


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _drop_from(path: Path, end: int, items: set[Item], tasks: set[str]) -> int:
    """:meth:`Store.drop_rows` for one file: count the rows to drop before byte ``end``, then
    (if any) stream the others and everything after ``end`` into the file's replacement."""
    read = _csv_records if path.suffix == ".csv" else _lines
    with path.open("rb") as source:
        dropped = sum(1 for _, item in read(source, end) if _drops(item, items, tasks))
        if dropped:
            source.seek(0)

            def write(out: BinaryIO) -> None:
                for raw, item in read(source, end):
                    if not _drops(item, items, tasks):
                        out.write(raw)
                shutil.copyfileobj(source, out)  # this run's rows, after ``end``

            write_atomic_with(path, write)
    return dropped


Item = tuple[str, str]
"""(task id, system) of a row; ``None`` for a header or a row that cannot be read."""


def _drops(item: Item | None, items: set[Item], tasks: set[str]) -> bool:
    return item is not None and (item in items or item[0] in tasks)


def _lines(source: BinaryIO, end: int) -> Iterator[tuple[bytes, Item | None]]:
    """The JSON lines of ``source`` before byte ``end``, each with its item. Lines are split at
    ``\n`` only (a summary may hold U+2028, which ``str.splitlines`` would split at)."""
    while source.tell() < end:
        raw = source.readline()
        if not raw:
            return
        yield raw, _item_of_line(raw)


def _item_of_line(raw: bytes) -> Item | None:
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict):
        return None
    return (record.get("task_id"), record.get("system"))  # type: ignore[return-value]


def _csv_records(source: BinaryIO, end: int) -> Iterator[tuple[bytes, Item | None]]:
    """The CSV records of ``source`` before byte ``end`` as their raw bytes (a quoted field may
    span lines), each with its item; from a record the csv module cannot read on, the rest is
    passed on whole, unread (kept)."""
    consumed: list[bytes] = []

    def lines() -> Iterator[str]:
        while source.tell() < end:
            raw = source.readline()
            if not raw:
                return
            consumed.append(raw)
            yield raw.decode("utf-8")

    reader = csv.reader(lines())
    header: list[str] | None = None
    at: tuple[int, int] | None = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            rest = b"".join(consumed) + source.read(max(end - source.tell(), 0))
            consumed.clear()
            yield rest, None
            return
        raw = b"".join(consumed)
        consumed.clear()
        if header is None:
            header = row
            if "task_id" in row and "system" in row:
                at = (row.index("task_id"), row.index("system"))
            yield raw, None
        elif at is None or len(row) != len(header):
            yield raw, None
        else:
            yield raw, (row[at[0]], row[at[1]])
    if consumed:
        yield b"".join(consumed), None


def _csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """CSV records ending in ``\n``. A cell holding a carriage return (text from CRLF sources)
    puts its record in quotes: the csv module leaves such a cell bare with ``\n`` line endings,
    and every reader would then end the record there."""
    rows = [list(row) for row in rows]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\r" not in text:
        return text
    buffer = io.StringIO()
    plain = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        (quoted if any(isinstance(c, str) and "\r" in c for c in row) else plain).writerow(row)
    return buffer.getvalue()


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return list(_iter_jsonl(path))


def _iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines file, read a line at a time."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield _json_line(path, number, line)


def _json_line(path: Path, number: int | None, line: str | bytes) -> dict[str, Any]:
    try:
        record: dict[str, Any] = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where = f", line {number}" if number is not None else ""
        raise StoreError(f"{path}{where}: invalid JSON ({error})") from error
    return record
