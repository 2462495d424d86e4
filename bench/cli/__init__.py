"""The ``sumbench`` command line: a thin layer over the library, one module per command group.

Each command maps its options to one library call and prints the result; the order in which
commands are added is the order ``sumbench --help`` lists them.
"""

from __future__ import annotations

import typer

from bench.cli.listing import scorers_list, systems_list
from bench.cli.meta import calibrate_command, meta_command
from bench.cli.results import check, compare, merge, report
from bench.cli.run import run
from bench.cli.tasks import (
    export_command,
    presets_command,
    tasks_list,
    tasks_schema,
    tasks_show,
    tasks_validate,
)
from bench.cli.view import view

__all__ = ["app"]

app = typer.Typer(
    help="Evaluate summarizers: run benchmarks, score outputs, build reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
tasks_app = typer.Typer(help="Inspect and validate tasks.", no_args_is_help=True)
systems_app = typer.Typer(help="Summarizer adapters.", no_args_is_help=True)
scorers_app = typer.Typer(help="Scorers.", no_args_is_help=True)

app.command("meta")(meta_command)
app.command("calibrate")(calibrate_command)
app.command("run")(run)
app.command("report")(report)
app.command("compare")(compare)
app.command("check")(check)
app.command("merge")(merge)
app.command("view")(view)
app.add_typer(tasks_app, name="tasks")
app.add_typer(systems_app, name="systems")
app.add_typer(scorers_app, name="scorers")

tasks_app.command("export")(export_command)
tasks_app.command("presets")(presets_command)
tasks_app.command("validate")(tasks_validate)
tasks_app.command("list")(tasks_list)
tasks_app.command("show")(tasks_show)
tasks_app.command("schema")(tasks_schema)
systems_app.command("list")(systems_list)
scorers_app.command("list")(scorers_list)
