"""Options that several commands take, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bench.cli.errors import fail

if TYPE_CHECKING:
    from bench.analysis import Resampling

TasksOpt = Annotated[
    Path, typer.Option("--tasks", help="Task file, task folder or folder of tasks.")
]
RefsOpt = Annotated[
    Path | None,
    typer.Option(
        "--references", help="References folder (default: references/ beside the tasks folder)."
    ),
]
ChartsOpt = Annotated[bool, typer.Option(help="Write charts/ PNG files.")]
ViewOpt = Annotated[bool, typer.Option(help="Build the results site view/ (see `sumbench view`).")]
MetricsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--metrics", help="Metric names (columns); repeat. Default: the scorers' main metrics."
    ),
]
ResamplesOpt = Annotated[int, typer.Option(help="Bootstrap resamples for intervals and tests.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the resampling (recorded in the signature).")]
LevelOpt = Annotated[
    float, typer.Option(help="Confidence level of intervals; tests use 1 - level.")
]
TestOpt = Annotated[
    str,
    typer.Option(
        "--test",
        help="Paired test: sign-flip (permutation; exact up to 20 tasks), paired-bootstrap or "
        "approximate-randomization.",
    ),
]
CiOpt = Annotated[str, typer.Option("--ci", help="Intervals in tables: pm (±), brackets, none.")]
BaselineSystemOpt = Annotated[
    str | None,
    typer.Option(
        "--baseline-system", help="Mark systems significantly different from this one with †."
    ),
]

# Task tables: how rows become tasks (run, tasks export).
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
LimitOpt = Annotated[int | None, typer.Option(help="Only the first N tasks.")]
MaxDocumentOpt = Annotated[
    float,
    typer.Option(
        "--max-document-mb",
        help="Size limit of one document (and of each task file), in MB; a larger one is an "
        "error naming it.",
    ),
]


def resampling(resamples: int, level: float, seed: int, test: str) -> Resampling:
    """The resampling of ``--resamples --level --seed --test``; a bad value is a usage error."""
    from bench.analysis import Resampling  # pandas and SciPy: only when a command needs them

    try:
        return Resampling(resamples=resamples, level=level, seed=seed, method=test)
    except ValueError as error:
        raise fail(str(error)) from None
