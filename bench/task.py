"""Tasks, documents, references and key facts: the models, loading and validation.

A task lives in ``tasks/<id>/task.yaml`` with raw files under ``tasks/<id>/sources/``; its gold
lives apart in ``references/<id>/references.yaml`` and ``references/<id>/keyfacts.yaml``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from bench.ingest import Section, clean_source
from bench.inputs import (
    MAX_BUDGET,
    MAX_DOCUMENT_BYTES,
    confined_path,
    inside,
    size_problem,
    text_problem,
)
from bench.problems import Problem as Problem  # re-exported: tasks and problems go together
from bench.problems import TaskError as TaskError
from bench.problems import decode, duplicates, parse, read_yaml
from bench.request import RequestDocument, Summary, SummaryRequest
from bench.scripts import MIN_KEPT_SHARE, has_cjk, kept_share, unicode_words
from bench.text import count_words

TASK_FILE = "task.yaml"
REFERENCES_FILE = "references.yaml"
KEYFACTS_FILE = "keyfacts.yaml"
MIN_REFERENCE_WORDS = 4


def _whole_number_as_text(value: Any) -> Any:
    """An id written as a number (``id: 2024`` in YAML, an integer column) is its digits."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_whole_number_as_text)]
"""An id: text, or a whole number taken as its digits (as table rows take them)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Document(_Strict):
    """A cleaned source document."""

    id: Id = Field(min_length=1, description="Unique within the task, e.g. 'd001'.")
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

    id: Id = Field(min_length=1, description="Unique within the task.")
    text: str = Field(description="The reference summary.")
    author: str | None = Field(default=None, description="Who wrote it.")
    kind: str | None = Field(default=None, description="e.g. 'abstractive', 'extractive'.")


class KeyFact(_Strict):
    """One atomic claim a good summary states."""

    id: Id = Field(min_length=1, description="Stable id, unique within the task.")
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

    id: Id = Field(min_length=1, description="Unique task id; also its folder name.")
    title: str = Field(description="Human-readable title.")
    language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="ISO 639-1 code, e.g. 'en' or 'pt-BR'.",
    )
    documents: list[Document] = Field(min_length=1, description="One article or a cluster.")
    instructions: str = Field(description="What to write.")
    budget: int = Field(gt=0, le=MAX_BUDGET, strict=True, description="Length budget in words.")
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
    id: Id = Field(min_length=1, description="Unique within the task, e.g. 'd001'.")
    path: str | None = Field(default=None, description="Raw source file, relative to task.yaml.")
    text: str | None = Field(default=None, description="Inline text instead of a file.")
    title: str | None = Field(default=None, description="Overrides the title found in the source.")
    outlet: str | None = Field(default=None, description="Publisher.")
    url: str | None = Field(default=None, description="Where it was published.")
    date: str | None = Field(default=None, description="Publication date, ISO.")


class TaskFile(_Strict):
    """The schema of ``tasks/<id>/task.yaml``."""

    id: Id = Field(min_length=1, description="Task id; must equal the folder name.")
    title: str = Field(description="Human-readable title.")
    language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="ISO 639-1 code, e.g. 'en' or 'pt-BR'.",
    )
    instructions: str = Field(description="What the summarizer should write.")
    budget: int = Field(gt=0, le=MAX_BUDGET, strict=True, description="Length budget in words.")
    documents: list[_DocumentEntry] = Field(min_length=1, description="Sources, in order.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form metadata.")


# ------------------------------------------------------------------------------------- loading


def reference_words(text: str, language: str = "en") -> int:
    """Words of a reference: whitespace-separated, but each Chinese or Japanese character counts
    as one (as the unicode tokenizer splits them), so a Chinese sentence is not one 'word'."""
    if language.split("-")[0] in ("zh", "ja") or has_cjk(text):
        return len(unicode_words(text))
    return count_words(text)


def task_warnings(task: Task, where: str, references_file: str | None = None) -> list[Problem]:
    """What is worth a warning in a valid task: a reference (or, without references, a document)
    that rouge-score's tokenizer would mostly drop, which voids ROUGE with the default tokenizer
    (``run`` warns about it while scoring)."""
    texts = [
        (references_file or where, f"[{i}].text", r.text) for i, r in enumerate(task.references)
    ]
    if not texts and task.documents:
        texts = [(where, "documents[0]", task.documents[0].text)]
    for file, field, text in texts:
        kept = kept_share(text)
        if kept is not None and kept < MIN_KEPT_SHARE:
            return [
                Problem(
                    file,
                    field,
                    f"rouge-score's default tokenizer keeps only a-z and 0-9 and would drop "
                    f"{1 - kept:.0%} of its non-space characters, so ROUGE with the default "
                    "tokenizer is void for this task; score it with rouge:tokenizer=unicode "
                    "(and stats:tokenizer=unicode)",
                    "warning",
                )
            ]
    return []


def _read_source(
    entry_path: str,
    field: str,
    task_dir: Path,
    task_file: Path,
    problems: list[Problem],
    limit: int,
) -> tuple[str | None, str]:
    """The raw text of a document's source file, confined to the task folder and under the size
    limit; ``None`` (with the problem appended) otherwise. Also the name to report it under."""
    source, refused = confined_path(task_dir, entry_path, "task folder")
    if source is None:
        problems.append(Problem(str(task_file), f"{field}.path", refused))
        return None, str(task_file)
    if not source.is_file():
        problems.append(
            Problem(str(task_file), f"{field}.path", f"source file not found: {source}")
        )
        return None, str(source)
    try:
        too_large = size_problem(source, limit)
        raw = b"" if too_large else source.read_bytes()
    except OSError as error:
        problems.append(Problem(str(source), f"{field}.path", f"cannot read: {error.strerror}"))
        return None, str(source)
    if too_large:
        problems.append(Problem(str(source), f"{field}.path", too_large))
        return None, str(source)
    return decode(raw, source, f"{field}.path", problems), str(source)


def _load_document(
    entry: _DocumentEntry,
    index: int,
    task_file: Path,
    problems: list[Problem],
    limit: int,
) -> Document | None:
    field = f"documents[{index}]"
    if (entry.path is None) == (entry.text is None):
        problems.append(Problem(str(task_file), field, "give exactly one of `path` or `text`"))
        return None
    name = str(task_file)
    where = f"{field}.path" if entry.path is not None else f"{field}.text"
    if entry.path is not None:
        raw, name = _read_source(entry.path, field, task_file.parent, task_file, problems, limit)
        if raw is None:
            return None
    else:
        raw = entry.text or ""
    refused = text_problem(raw, limit)
    if refused:
        problems.append(Problem(name, where, f"document {refused}"))
        return None
    try:
        clean = clean_source(raw, name=name)
    except ValueError as error:
        problems.append(Problem(name, f"{field}", str(error)))
        return None
    if not clean.text.strip():
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


def _gold_file(root: Path, task_id: str, name: str, problems: list[Problem]) -> Path | None:
    """``root/<task_id>/name`` when it exists and lies within ``root``; a symlink leading out of
    the references folder is a problem, not a file to read."""
    path = root / task_id / name
    if not path.is_file():
        return None
    if not inside(root, path):
        problems.append(
            Problem(str(path), "", "is a symlink leading outside the references folder; refused")
        )
        return None
    return path


def _load_references(
    spec: TaskFile, ref_file: Path, problems: list[Problem], limit: int
) -> list[Reference]:
    references: list[Reference] = []
    data = read_yaml(ref_file, problems, limit)
    if data is not None and not isinstance(data, list):
        problems.append(Problem(str(ref_file), "", "expected a list of references {id, text}"))
        return references
    for i, item in enumerate(data or []):
        ref = parse(Reference, item, ref_file, f"[{i}]", problems)
        if ref is None:
            continue
        if reference_words(ref.text, spec.language) < MIN_REFERENCE_WORDS:
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
    for dup in duplicates(r.id for r in references):
        problems.append(Problem(str(ref_file), "id", f"duplicate reference id {dup!r}"))
    return references


def _load_keyfacts(
    spec: TaskFile, fact_file: Path, problems: list[Problem], limit: int
) -> list[KeyFact]:
    keyfacts: list[KeyFact] = []
    data = read_yaml(fact_file, problems, limit)
    if data is not None and not isinstance(data, list):
        problems.append(Problem(str(fact_file), "", "expected a list of key facts {id, text, ...}"))
        return keyfacts
    doc_ids = {d.id for d in spec.documents}
    for i, item in enumerate(data or []):
        fact = parse(KeyFact, item, fact_file, f"[{i}]", problems)
        if fact is None:
            continue
        unknown = [s for s in fact.support if s not in doc_ids]
        if unknown:
            problems.append(
                Problem(
                    str(fact_file),
                    f"[{i}].support",
                    f"unknown document id(s) {unknown}; expected ids from {sorted(doc_ids)}",
                )
            )
        keyfacts.append(fact)
    for dup in duplicates(f.id for f in keyfacts):
        problems.append(Problem(str(fact_file), "id", f"duplicate key fact id {dup!r}"))
    return keyfacts


def _load_gold(
    spec: TaskFile, root: Path, problems: list[Problem], limit: int
) -> tuple[list[Reference], list[KeyFact]]:
    ref_file = _gold_file(root, spec.id, REFERENCES_FILE, problems)
    if ref_file is None and not (root / spec.id / REFERENCES_FILE).is_file():
        problems.append(
            Problem(
                str(root / spec.id / REFERENCES_FILE),
                "",
                "task has no references: reference-based "
                "scorers will report that they cannot score it",
                "warning",
            )
        )
    references = _load_references(spec, ref_file, problems, limit) if ref_file else []
    fact_file = _gold_file(root, spec.id, KEYFACTS_FILE, problems)
    keyfacts = _load_keyfacts(spec, fact_file, problems, limit) if fact_file else []
    return references, keyfacts


def _check_task(
    task_file: Path, references_root: Path | None, problems: list[Problem], limit: int
) -> Task | None:
    data = read_yaml(task_file, problems, limit)
    if data is None:
        if not problems:
            problems.append(Problem(str(task_file), "", "file is empty; expected a task mapping"))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(str(task_file), "", "expected a mapping with id, title, documents, ...")
        )
        return None
    spec: TaskFile | None = parse(TaskFile, data, task_file, "", problems)
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
    for dup in duplicates(d.id for d in spec.documents):
        problems.append(Problem(str(task_file), "documents", f"duplicate document id {dup!r}"))
    documents = [
        doc
        for i, entry in enumerate(spec.documents)
        if (doc := _load_document(entry, i, task_file, problems, limit)) is not None
    ]
    root = references_root if references_root is not None else task_dir.parent.parent / "references"
    # The id names the references folder: only one that matches its own folder may.
    matches = spec.id == task_dir.name
    references, keyfacts = _load_gold(spec, root, problems, limit) if matches else ([], [])
    if any(p.severity == "error" for p in problems):
        return None
    task = Task(
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
    problems += task_warnings(task, str(task_file), str(root / spec.id / REFERENCES_FILE))
    return task


def task_files(path: Path) -> list[Path]:
    """The task.yaml files under ``path`` (a task file, a task folder or a folder of tasks)."""
    if path.is_file():
        return [path]
    if (path / TASK_FILE).is_file():
        return [path / TASK_FILE]
    return sorted(path.glob(f"*/{TASK_FILE}"))


def check_tasks(
    path: Path, references: Path | None = None, max_document_bytes: int = MAX_DOCUMENT_BYTES
) -> tuple[list[Task], list[Problem]]:
    """Load every task under ``path``; return the good ones and every problem found (errors,
    and warnings such as a script ROUGE's default tokenizer drops)."""
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
        if not inside(file.parent, file):  # a linked task folder is fine, a linked file not
            problems.append(
                Problem(str(file), "", "is a symlink leading outside its task folder; refused")
            )
            continue
        task = _check_task(file, references, found, max_document_bytes)
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


def load_tasks(
    path: Path | str,
    references: Path | str | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
) -> list[Task]:
    """Load tasks, raising :class:`TaskError` with every problem if any task is invalid."""
    tasks, problems = check_tasks(
        Path(path), Path(references) if references else None, max_document_bytes
    )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise TaskError(errors)
    return tasks
