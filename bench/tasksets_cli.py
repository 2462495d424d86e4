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

PresetOpt = Annotated[
    str | None,
    typer.Option(help="A standard benchmark's mapping and options (`sumbench tasks presets`)."),
]
MapOpt = Annotated[
    str | None,
    typer.Option(
        "--map", help="Table columns to task fields, e.g. documents=article,references=highlights."
    ),
]
SeparatorOpt = Annotated[
    str | None, typer.Option(help="Split a document cell into several documents at this string.")
]
BudgetOpt = Annotated[
    int | None,
    typer.Option(
        help="Word budget of each task of a table without a budget column "
        "(default: the preset's, else 100)."
    ),
]
InstructionsOpt = Annotated[
    str | None, typer.Option(help="Instructions of every task of a table without such a column.")
]
CleanOpt = Annotated[
    bool,
    typer.Option(
        help="Clean table cells like raw sources (front matter, HTML, repeated paragraphs)."
    ),
]
LanguageOpt = Annotated[
    str | None,
    typer.Option(help="Language of every task of a table without such a column (default en)."),
]


def table_options(
    preset: str | None,
    mapping: str | None = None,
    separator: str | None = None,
    budget: int | None = None,
    instructions: str | None = None,
    clean: bool = False,
    language: str | None = None,
) -> tuple[dict[str, Any], str | None]:
    """``open_tasks`` keyword arguments from the command-line options (a preset's, then the
    options given), and the preset's hub source; raises ``ValueError`` for an unknown preset."""
    options: dict[str, Any] = {}
    source = None
    if preset:
        chosen = get_preset(preset)
        options = chosen.task_options()
        source = chosen.source
    given = {
        "mapping": mapping,
        "separator": separator,
        "budget": budget,
        "instructions": instructions,
        "clean": clean,
        "language": language,
    }
    options.update({k: v for k, v in given.items() if v is not None and v is not False})
    return options, source


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
    limit: Annotated[int | None, typer.Option(help="Only the first N tasks.")] = None,
    sample: Annotated[int | None, typer.Option(help="A stable sample of N tasks.")] = None,
    seed: Annotated[int, typer.Option("--sample-seed", help="Seed of --sample.")] = 0,
    online: Annotated[bool, typer.Option(help="Allow downloads from the hub.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace existing output.")] = False,
) -> None:
    """Write a task set as rows that `--tasks` reads back identically."""
    if fmt not in FORMATS:
        raise _fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        options, preset_source = table_options(
            preset, mapping, separator, budget, instructions, clean, language
        )
        path = path or preset_source
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
