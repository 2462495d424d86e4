"""How the command line reports an error: the problems one by one, then ``error: message``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from bench.run.errors import RunError
    from bench.task import Problem

err = Console(stderr=True, soft_wrap=True)
"""Standard error: messages, warnings and progress (standard output holds the results)."""


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` and return the exit (code 2: usage or data error) to raise."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
    return typer.Exit(code)


def print_problems(problems: Iterable[Problem]) -> None:
    """Each problem of a task set or config file on its own line."""
    for problem in problems:
        err.print(f"[red]{escape(str(problem))}[/]", highlight=False)


def fail_run(error: RunError) -> typer.Exit:
    """:func:`fail` for a run that cannot start or go on, after its problems."""
    print_problems(error.problems)
    return fail(str(error))
