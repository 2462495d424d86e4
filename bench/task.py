"""Tasks, documents, references and key facts: the models, loading and validation.

A task lives in ``tasks/<id>/task.yaml`` with raw files under ``tasks/<id>/sources/``; its gold
lives apart in ``references/<id>/references.yaml`` and ``references/<id>/keyfacts.yaml``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bench.ingest import Section, clean_source
from bench.request import RequestDocument, Summary, SummaryRequest
from bench.text import count_words

TASK_FILE = "task.yaml"
REFERENCES_FILE = "references.yaml"
KEYFACTS_FILE = "keyfacts.yaml"
MIN_REFERENCE_WORDS = 4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Document(_Strict):
    """A cleaned source document."""

    id: str = Field(min_length=1, description="Unique within the task, e.g. 'd001'.")
    title: str | None = Field(default=None, description="Headline.")
    outlet: str | None = Field(default=None, description="Publisher.")
    url: str | None = Field(default=None, description="Where it was published.")
    date: str | None = Field(default=None, description="Publication date, ISO.")
    text: str = Field(description="Cleaned text, paragraphs separated by a blank line.")
    sections: list[Section] = Field(default_factory=list, description="Live-blog entries.")
    path: str | None = Field(default=None, description="Raw source file, relative to the task.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Anything else.")

    @property
    def content_hash(self) -> str:
        """SHA-256 of the cleaned text (first 16 hex digits)."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


class Reference(_Strict):
    """A gold summary written by a person."""

    id: str = Field(min_length=1, description="Unique within the task.")
    text: str = Field(description="The reference summary.")
    author: str | None = Field(default=None, description="Who wrote it.")
    kind: str | None = Field(default=None, description="e.g. 'abstractive', 'extractive'.")


class KeyFact(_Strict):
    """One atomic claim a good summary states."""

    id: str = Field(min_length=1, description="Stable id, unique within the task.")
    text: str = Field(min_length=1, description="The claim, one sentence.")
    weight: float = Field(
        default=1.0,
        gt=0,
        allow_inf_nan=False,
        description="Importance: how many references state it.",
    )
    support: list[str] = Field(default_factory=list, description="Ids of documents stating it.")
    patterns: list[list[str]] | None = Field(
        default=None,
        description="Groups of alternatives; the fact is present when every group is matched.",
    )

    @field_validator("patterns")
    @classmethod
    def _groups_not_empty(cls, value: list[list[str]] | None) -> list[list[str]] | None:
        if value is not None:
            if not value:
                raise ValueError("give at least one group, or leave `patterns` out")
            for index, group in enumerate(value):
                if not group or not all(alt.strip() for alt in group):
                    raise ValueError(f"group {index} must hold at least one non-empty alternative")
        return value


class Task(_Strict):
    """A summarization task: documents to summarize, and the gold kept apart from them."""

    id: str = Field(min_length=1, description="Unique task id; also its folder name.")
    title: str = Field(description="Human-readable title.")
    language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="ISO 639-1 code, e.g. 'en' or 'pt-BR'.",
    )
    documents: list[Document] = Field(min_length=1, description="One article or a cluster.")
    instructions: str = Field(description="What to write.")
    budget: int = Field(gt=0, strict=True, description="Length budget in words.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="e.g. disagreements.")
    references: list[Reference] = Field(default_factory=list, description="Gold summaries.")
    keyfacts: list[KeyFact] = Field(default_factory=list, description="Gold key facts.")

    def request(self) -> SummaryRequest:
        """The only view of this task a summarizer gets: no references, no key facts."""
        return SummaryRequest(
            task_id=self.id,
            language=self.language,
            instructions=self.instructions,
            budget=self.budget,
            documents=tuple(
                RequestDocument(id=d.id, title=d.title, outlet=d.outlet, date=d.date, text=d.text)
                for d in self.documents
            ),
        )

    def references_for(self, summary: Summary) -> list[Reference]:
        """References to score ``summary`` against (leaving out the one it is, if any)."""
        return [r for r in self.references if r.id != summary.reference_id]


# ---------------------------------------------------------------------------------- file formats


class _DocumentEntry(_Strict):
    id: str = Field(min_length=1, description="Unique within the task, e.g. 'd001'.")
    path: str | None = Field(default=None, description="Raw source file, relative to task.yaml.")
    text: str | None = Field(default=None, description="Inline text instead of a file.")
    title: str | None = Field(default=None, description="Overrides the title found in the source.")
    outlet: str | None = Field(default=None, description="Publisher.")
    url: str | None = Field(default=None, description="Where it was published.")
    date: str | None = Field(default=None, description="Publication date, ISO.")


class TaskFile(_Strict):
    """The schema of ``tasks/<id>/task.yaml``."""

    id: str = Field(min_length=1, description="Task id; must equal the folder name.")
    title: str = Field(description="Human-readable title.")
    language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="ISO 639-1 code, e.g. 'en' or 'pt-BR'.",
    )
    instructions: str = Field(description="What the summarizer should write.")
    budget: int = Field(gt=0, strict=True, description="Length budget in words.")
    documents: list[_DocumentEntry] = Field(min_length=1, description="Sources, in order.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form metadata.")


# ------------------------------------------------------------------------------------ problems


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


def _field_path(loc: Iterable[int | str], prefix: str = "") -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _explain(error: Any, prefix: str) -> tuple[str, str]:
    loc = tuple(error["loc"])
    field = _field_path(loc, prefix)
    if error["type"] == "extra_forbidden":
        return field, "unknown field (check the spelling; see `sumbench tasks schema`)"
    if error["type"] == "missing":
        return field, "required field is missing"
    if "patterns" in loc:
        return (
            _field_path(loc[: loc.index("patterns") + 1], prefix),
            "expected a list of lists of strings (groups of alternatives), "
            "e.g. [[UK, Britain], [France, French]]",
        )
    return field, f"{error['msg']} (got {error.get('input')!r})"


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.append(Problem(str(path), "", f"cannot read file: {error.strerror}"))
        return None
    text = _decode(raw, path, "", problems)
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problems.append(Problem(str(path), "", f"invalid YAML at {where}: {error}"))
        return None


def _decode(raw: bytes, path: Path, field: str, problems: list[Problem]) -> str | None:
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


def _parse(
    model: type[BaseModel], data: Any, path: Path, prefix: str, problems: list[Problem]
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            field, message = _explain(item, prefix)
            problem = Problem(str(path), field, message)
            if problem not in problems:
                problems.append(problem)
        return None


def _duplicates(ids: Iterable[str]) -> list[str]:
    return [name for name, n in Counter(ids).items() if n > 1]


# ------------------------------------------------------------------------------------- loading


def _load_document(
    entry: _DocumentEntry, index: int, task_dir: Path, task_file: Path, problems: list[Problem]
) -> Document | None:
    field = f"documents[{index}]"
    if (entry.path is None) == (entry.text is None):
        problems.append(Problem(str(task_file), field, "give exactly one of `path` or `text`"))
        return None
    name = str(task_file)
    if entry.path is not None:
        source = task_dir / entry.path
        name = str(source)
        if not source.is_file():
            problems.append(
                Problem(str(task_file), f"{field}.path", f"source file not found: {source}")
            )
            return None
        raw = _decode(source.read_bytes(), source, f"{field}.path", problems)
        if raw is None:
            return None
    else:
        raw = entry.text or ""
    try:
        clean = clean_source(raw, name=name)
    except ValueError as error:
        problems.append(Problem(name, f"{field}", str(error)))
        return None
    if not clean.text.strip():
        where = f"{field}.path" if entry.path else f"{field}.text"
        problems.append(Problem(name, where, "source is empty (no text left after cleaning)"))
        return None
    meta = dict(clean.metadata)
    return Document(
        id=entry.id,
        title=entry.title or meta.pop("title", None),
        outlet=entry.outlet or meta.pop("outlet", None),
        url=entry.url or meta.pop("link", None),
        date=entry.date or meta.pop("date", None),
        text=clean.text,
        sections=clean.sections,
        path=entry.path,
        metadata={**meta, **({"removed": dict(clean.removed)} if clean.removed else {})},
    )


def _load_gold(
    task: TaskFile, ref_dir: Path, problems: list[Problem]
) -> tuple[list[Reference], list[KeyFact]]:
    references: list[Reference] = []
    keyfacts: list[KeyFact] = []
    ref_file = ref_dir / REFERENCES_FILE
    if ref_file.is_file():
        data = _read_yaml(ref_file, problems)
        if data is not None and not isinstance(data, list):
            problems.append(Problem(str(ref_file), "", "expected a list of references {id, text}"))
        elif data is not None:
            for i, item in enumerate(data):
                ref = _parse(Reference, item, ref_file, f"[{i}]", problems)
                if ref is None:
                    continue
                if count_words(ref.text) < MIN_REFERENCE_WORDS:
                    problems.append(
                        Problem(
                            str(ref_file),
                            f"[{i}].text",
                            f"reference is shorter than one sentence "
                            f"(at least {MIN_REFERENCE_WORDS} words expected)",
                        )
                    )
                    continue
                references.append(ref)
            for dup in _duplicates(r.id for r in references):
                problems.append(Problem(str(ref_file), "id", f"duplicate reference id {dup!r}"))
    else:
        problems.append(
            Problem(
                str(ref_file),
                "",
                "task has no references: reference-based "
                "scorers will report that they cannot score it",
                "warning",
            )
        )
    fact_file = ref_dir / KEYFACTS_FILE
    if fact_file.is_file():
        data = _read_yaml(fact_file, problems)
        if data is not None and not isinstance(data, list):
            problems.append(
                Problem(str(fact_file), "", "expected a list of key facts {id, text, ...}")
            )
        elif data is not None:
            doc_ids = {d.id for d in task.documents}
            for i, item in enumerate(data):
                fact = _parse(KeyFact, item, fact_file, f"[{i}]", problems)
                if fact is None:
                    continue
                unknown = [s for s in fact.support if s not in doc_ids]
                if unknown:
                    problems.append(
                        Problem(
                            str(fact_file),
                            f"[{i}].support",
                            f"unknown document id(s) {unknown}; "
                            f"expected ids from {sorted(doc_ids)}",
                        )
                    )
                keyfacts.append(fact)
            for dup in _duplicates(f.id for f in keyfacts):
                problems.append(Problem(str(fact_file), "id", f"duplicate key fact id {dup!r}"))
    return references, keyfacts


def _check_task(
    task_file: Path, references_root: Path | None, problems: list[Problem]
) -> Task | None:
    data = _read_yaml(task_file, problems)
    if data is None:
        if not problems:
            problems.append(Problem(str(task_file), "", "file is empty; expected a task mapping"))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(str(task_file), "", "expected a mapping with id, title, documents, ...")
        )
        return None
    spec: TaskFile | None = _parse(TaskFile, data, task_file, "", problems)
    if spec is None:
        return None
    task_dir = task_file.parent
    if spec.id != task_dir.name:
        problems.append(
            Problem(
                str(task_file),
                "id",
                f"task id {spec.id!r} must equal its folder name {task_dir.name!r}",
            )
        )
    for dup in _duplicates(d.id for d in spec.documents):
        problems.append(Problem(str(task_file), "documents", f"duplicate document id {dup!r}"))
    documents = [
        doc
        for i, entry in enumerate(spec.documents)
        if (doc := _load_document(entry, i, task_dir, task_file, problems)) is not None
    ]
    root = references_root if references_root is not None else task_dir.parent.parent / "references"
    references, keyfacts = _load_gold(spec, root / spec.id, problems)
    if any(p.severity == "error" for p in problems):
        return None
    return Task(
        id=spec.id,
        title=spec.title,
        language=spec.language,
        documents=documents,
        instructions=spec.instructions,
        budget=spec.budget,
        metadata=spec.metadata,
        references=references,
        keyfacts=keyfacts,
    )


def task_files(path: Path) -> list[Path]:
    """The task.yaml files under ``path`` (a task file, a task folder or a folder of tasks)."""
    if path.is_file():
        return [path]
    if (path / TASK_FILE).is_file():
        return [path / TASK_FILE]
    return sorted(path.glob(f"*/{TASK_FILE}"))


def check_tasks(path: Path, references: Path | None = None) -> tuple[list[Task], list[Problem]]:
    """Load every task under ``path``; return the good ones and every problem found."""
    path = Path(path)
    if not path.exists():
        return [], [Problem(str(path), "", "no such file or folder")]
    files = task_files(path)
    if not files:
        return [], [
            Problem(str(path), "", f"no {TASK_FILE} found (expected {path}/<task-id>/{TASK_FILE})")
        ]
    tasks: list[Task] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for file in files:
        found: list[Problem] = []
        task = _check_task(file, references, found)
        problems.extend(found)
        if task is None:
            continue
        if task.id in seen:
            problems.append(
                Problem(str(file), "id", f"duplicate task id {task.id!r} (also in {seen[task.id]})")
            )
            continue
        seen[task.id] = file
        tasks.append(task)
    return tasks, problems


def load_tasks(path: Path | str, references: Path | str | None = None) -> list[Task]:
    """Load tasks, raising :class:`TaskError` with every problem if any task is invalid."""
    tasks, problems = check_tasks(Path(path), Path(references) if references else None)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise TaskError(errors)
    return tasks
