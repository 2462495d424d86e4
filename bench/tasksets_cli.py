"""``sumbench tasks export`` and ``sumbench tasks presets``: register them on a Typer app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bench.export import FORMATS, ExportError, export_tasks
from bench.presets import get_preset, list_presets
from bench.sampling import select
from bench.task import TaskError
from bench.tasksets import open_tasks


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


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
    preset: Annotated[
        str | None, typer.Option(help="Read PATH with this preset's mapping and options.")
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option("--map", help="Columns to task fields, e.g. documents=article,id=id."),
    ] = None,
    separator: Annotated[
        str | None, typer.Option(help="Split a text cell into documents at this string.")
    ] = None,
    references: Annotated[
        Path | None, typer.Option(help="References folder of a task folder.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N tasks.")] = None,
    sample: Annotated[int | None, typer.Option(help="A stable sample of N tasks.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of --sample.")] = 0,
    online: Annotated[bool, typer.Option(help="Allow downloads from the hub.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace existing output.")] = False,
) -> None:
    """Write a task set as rows that `--tasks` reads back identically."""
    if fmt not in FORMATS:
        raise _fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    options: dict[str, Any] = {}
    try:
        if preset:
            chosen = get_preset(preset)
            options = chosen.task_options()
            path = path or chosen.source
        if mapping:
            options["mapping"] = mapping
        if separator:
            options["separator"] = separator
        table = open_tasks(path or "tasks", references=references, online=online, **options)
        tasks = select(table, limit=limit, sample=sample, seed=seed)
        written, count = export_tasks(tasks, to, fmt, overwrite=overwrite)
    except (TaskError, ExportError, ValueError) as error:
        raise _fail(str(error)) from None
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
