"""``sumbench tasks``: validate, list, show, schema, export and presets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from bench.cli.errors import err, fail, print_problems
from bench.cli.options import (
    BudgetOpt,
    CleanOpt,
    InstructionsOpt,
    LanguageOpt,
    LimitOpt,
    MapOpt,
    MaxDocumentOpt,
    PresetOpt,
    RefsOpt,
    SeparatorOpt,
)
from bench.inputs import MAX_DOCUMENT_BYTES, limit_from_mb
from bench.presets import list_presets
from bench.sampling import select
from bench.task import KeyFact, Reference, Task, TaskError, TaskFile
from bench.tasksets import check_task_set, open_tasks

EXPORT_FORMATS: tuple[Literal["jsonl", "parquet", "hf"], ...] = ("jsonl", "parquet", "hf")
"""What ``--format`` accepts (:data:`bench.export.FORMATS`, not imported here: pyarrow)."""

out = Console(soft_wrap=True)
"""Standard output, for what the commands show."""


SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--tasks",
        help="Task folder (default: tasks, or the preset's hub copy), FILE.jsonl/.parquet/.csv, "
        "a save_to_disk folder or hf:NAME[:CONFIG]:SPLIT: whatever `run --tasks` reads.",
    ),
]


def _options(
    preset: str | None,
    mapping: str | None,
    separator: str | None,
    budget: int | None,
    instructions: str | None,
    clean: bool,
    language: str | None,
) -> tuple[dict[str, Any], str | None]:
    """``open_tasks`` options of the table options, as ``run`` makes them; without any, none
    (so the run package, with pandas, is imported only when a table needs it). A bad option is
    the command's error."""
    given = (preset, mapping, separator, budget, instructions, language)
    if not clean and all(value is None for value in given):
        return {}, None
    from bench.run.selection import table_options

    try:
        return table_options(preset, mapping, separator, budget, instructions, clean, language)
    except ValueError as error:
        raise fail(str(error)) from None


def _open(
    source: str | None,
    references: Path | None,
    options: dict[str, Any],
    preset_source: str | None,
    online: bool,
    max_document_mb: float,
) -> tuple[str, Iterator[Task]]:
    """The task set ``run --tasks`` would read (its name, its tasks as they are read), opened by
    the same loader; a problem is the command's error, naming file, row or field."""
    name = source or preset_source or "tasks"
    try:
        limit = limit_from_mb(max_document_mb)
        table = open_tasks(
            name, references=references, online=online, max_document_bytes=limit, **options
        )
    except (TaskError, ValueError) as error:
        raise _failure(name, error, bool(options)) from None
    return name, _checked(name, iter(table), bool(options))


def _checked(name: str, tasks: Iterator[Task], table_options: bool) -> Iterator[Task]:
    """``tasks``, with a bad row (read as the tasks are) the command's error."""
    try:
        yield from tasks
    except TaskError as error:
        raise _failure(name, error, table_options) from None


def _failure(name: str, error: TaskError | ValueError, table_options: bool) -> typer.Exit:
    """The exit of a task set that cannot be read, after its problems."""
    if not isinstance(error, TaskError):
        return fail(str(error))
    print_problems(error.problems)
    same = " with the same options" if table_options else ""
    return fail(
        f"{len(error.problems)} problem(s) in {name}; see `sumbench tasks validate {name}`{same}"
    )


def tasks_validate(
    path: Annotated[
        str | None,
        typer.Argument(
            help="Task folder or file, FILE.jsonl/.parquet/.csv, save_to_disk folder or "
            "hf:NAME[:CONFIG]:SPLIT: whatever `run --tasks` reads (default: tasks, or the "
            "preset's hub copy)."
        ),
    ] = None,
    references: RefsOpt = None,
    preset: PresetOpt = None,
    mapping: MapOpt = None,
    separator: SeparatorOpt = None,
    budget: BudgetOpt = None,
    instructions: InstructionsOpt = None,
    clean: CleanOpt = False,
    language: LanguageOpt = None,
    online: Annotated[bool, typer.Option(help="Allow downloads from the hub.")] = False,
    max_document_mb: MaxDocumentOpt = MAX_DOCUMENT_BYTES / 1e6,
) -> None:
    """Report every problem with file (or row), field and what was expected, reading the task set
    as `sumbench run` does; exit 1 on errors."""
    from bench.run.selection import table_options  # the run package: only when it runs

    try:
        limit = limit_from_mb(max_document_mb)
        options, preset_source = table_options(
            preset, mapping, separator, budget, instructions, clean, language
        )
    except ValueError as error:
        raise fail(str(error)) from None
    source = path or preset_source or "tasks"
    count, problems = check_task_set(
        source, references=references, online=online, max_document_bytes=limit, **options
    )
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        err.print(f"[{colour}]{escape(str(problem))}[/]", highlight=False)
    errors = sum(p.severity == "error" for p in problems)
    err.print(
        f"{count} valid task(s), {errors} error(s), {len(problems) - errors} warning(s)",
        highlight=False,
    )
    if errors:
        raise typer.Exit(1)


def tasks_list(
    tasks: SourceOpt = None,
    references: RefsOpt = None,
    preset: PresetOpt = None,
    mapping: MapOpt = None,
    separator: SeparatorOpt = None,
    budget: BudgetOpt = None,
    instructions: InstructionsOpt = None,
    clean: CleanOpt = False,
    language: LanguageOpt = None,
    online: Annotated[bool, typer.Option(help="Allow downloads from the hub.")] = False,
    max_document_mb: MaxDocumentOpt = MAX_DOCUMENT_BYTES / 1e6,
) -> None:
    """One line per task: id, documents, references, key facts, budget, title."""
    options, preset_source = _options(
        preset, mapping, separator, budget, instructions, clean, language
    )
    _, found = _open(tasks, references, options, preset_source, online, max_document_mb)
    for task in found:
        typer.echo(
            f"{task.id}\t{len(task.documents)} doc(s)\t{len(task.references)} ref(s)\t"
            f"{len(task.keyfacts)} fact(s)\t{task.budget} words\t{task.title}"
        )


def tasks_show(
    task_id: Annotated[str, typer.Argument(help="Task id.")],
    tasks: SourceOpt = None,
    references: RefsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the task as JSON.")] = False,
    preset: PresetOpt = None,
    mapping: MapOpt = None,
    separator: SeparatorOpt = None,
    budget: BudgetOpt = None,
    instructions: InstructionsOpt = None,
    clean: CleanOpt = False,
    language: LanguageOpt = None,
    online: Annotated[bool, typer.Option(help="Allow downloads from the hub.")] = False,
    max_document_mb: MaxDocumentOpt = MAX_DOCUMENT_BYTES / 1e6,
) -> None:
    """Show a task's cleaned documents with content hashes (references are not shown)."""
    options, preset_source = _options(
        preset, mapping, separator, budget, instructions, clean, language
    )
    name, found = _open(tasks, references, options, preset_source, online, max_document_mb)
    task = next((t for t in found if t.id == task_id), None)
    if task is None:
        raise fail(f"no task {task_id!r} in {name}")
    if as_json:
        data = task.model_dump(exclude={"references", "keyfacts"})
        for doc, dumped in zip(task.documents, data["documents"], strict=True):
            dumped["hash"] = doc.content_hash
        out.print_json(json.dumps(data))
        return
    out.print(
        f"# {task.id}: {task.title}\nlanguage {task.language}, budget {task.budget} words, "
        f"{len(task.references)} reference(s), {len(task.keyfacts)} key fact(s)\n"
        f"instructions: {task.instructions}",
        markup=False,
        highlight=False,
    )
    for doc in task.documents:
        head = " | ".join(x for x in (doc.title, doc.outlet, doc.date, doc.url) if x)
        out.print(
            f"\n## {doc.id}  sha256:{doc.content_hash}  {head}", markup=False, highlight=False
        )
        if doc.metadata.get("removed"):
            out.print(f"cleaning removed: {doc.metadata['removed']}", markup=False, highlight=False)
        if doc.sections:
            out.print(f"{len(doc.sections)} timestamped entries", markup=False, highlight=False)
        out.print(doc.text, markup=False, highlight=False)


def tasks_schema(
    which: Annotated[str, typer.Argument(help="task | reference | keyfact")] = "task",
) -> None:
    """Print the JSON Schema of task.yaml (or of a reference / key fact entry)."""
    models: dict[str, type[BaseModel]] = {
        "task": TaskFile,
        "reference": Reference,
        "keyfact": KeyFact,
    }
    if which not in models:
        raise fail(f"unknown schema {which!r}; choose one of {', '.join(models)}")
    out.print_json(json.dumps(models[which].model_json_schema()))


def export_command(
    path: Annotated[
        str | None,
        typer.Argument(
            help="Task folder, FILE.jsonl/.parquet/.csv, save_to_disk folder or "
            "hf:NAME[:CONFIG]:SPLIT (default: tasks, or the preset's hub copy)."
        ),
    ] = None,
    to: Annotated[Path, typer.Option("--to", help="Output folder.")] = Path("export"),
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl, parquet or hf (a save_to_disk folder).")
    ] = "jsonl",
    preset: PresetOpt = None,
    mapping: MapOpt = None,
    separator: SeparatorOpt = None,
    budget: BudgetOpt = None,
    instructions: InstructionsOpt = None,
    clean: CleanOpt = False,
    language: LanguageOpt = None,
    references: Annotated[
        Path | None, typer.Option(help="References folder of a task folder.")
    ] = None,
    limit: LimitOpt = None,
    sample: Annotated[int | None, typer.Option(help="A stable sample of N tasks.")] = None,
    seed: Annotated[int, typer.Option("--sample-seed", help="Seed of --sample.")] = 0,
    online: Annotated[bool, typer.Option(help="Allow downloads from the hub.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace existing output.")] = False,
) -> None:
    """Write a task set as rows that `--tasks` reads back identically."""
    from bench.export import ExportError, export_tasks
    from bench.run.selection import table_options

    if fmt not in EXPORT_FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    try:
        options, preset_source = table_options(
            preset, mapping, separator, budget, instructions, clean, language
        )
        path = path or preset_source
        table = open_tasks(path or "tasks", references=references, online=online, **options)
        tasks = select(table, limit=limit, sample=sample, seed=seed)
        written, count = export_tasks(tasks, to, fmt, overwrite=overwrite)
    except (TaskError, ExportError, ValueError) as error:
        raise fail(str(error)) from None
    typer.echo(f"wrote {count} task(s) to {written}", err=True)


def presets_command(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print notes.")] = False,
) -> None:
    """One line per preset: name, hub source, column mapping, separator, budget."""

    for preset in list_presets():
        separator = repr(preset.separator) if preset.separator else "-"
        typer.echo(
            f"{preset.name}\t{preset.source}\t{preset.mapping}\t{separator}\t"
            f"{preset.budget} words\t{preset.title}"
        )
        if verbose:
            typer.echo(f"    {preset.notes}\n    schema: {preset.confidence}")
