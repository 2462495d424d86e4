"""The ``sumbench`` command line: a thin layer over the library, one module per command group.

Each command maps its options to one library call and prints the result; the order of
:data:`COMMANDS` is the order ``sumbench --help`` lists them. A command's module is imported
only when that command runs or shows its own help (see :class:`LazyGroup`), so the command
line answers at once.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from functools import cache
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["COMMANDS", "GROUPS", "LazyGroup", "app"]

COMMANDS: dict[str, tuple[str, str]] = {
    "meta": ("bench.cli.meta", "meta_command"),
    "calibrate": ("bench.cli.meta", "calibrate_command"),
    "run": ("bench.cli.run", "run"),
    "report": ("bench.cli.results", "report"),
    "compare": ("bench.cli.results", "compare"),
    "check": ("bench.cli.results", "check"),
    "merge": ("bench.cli.results", "merge"),
    "view": ("bench.cli.view", "view"),
}
"""Top-level commands: name -> (module, function)."""

GROUPS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "tasks": (
        "Inspect and validate tasks.",
        {
            "export": ("bench.cli.tasks", "export_command"),
            "presets": ("bench.cli.tasks", "presets_command"),
            "validate": ("bench.cli.tasks", "tasks_validate"),
            "list": ("bench.cli.tasks", "tasks_list"),
            "show": ("bench.cli.tasks", "tasks_show"),
            "schema": ("bench.cli.tasks", "tasks_schema"),
        },
    ),
    "systems": ("Summarizer adapters.", {"list": ("bench.cli.listing", "systems_list")}),
    "scorers": ("Scorers.", {"list": ("bench.cli.listing", "scorers_list")}),
}
"""Command groups: name -> (help, {command: (module, function)})."""


@cache
def _docstrings(module: str) -> dict[str, str]:
    """The docstrings of a module's functions, read from its source without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return {}
    with open(spec.origin, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    return {
        node.name: ast.get_docstring(node) or ""
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


def _load(name: str, commands: dict[str, tuple[str, str]], help: str | None) -> Any:
    """The click command (or group) of ``commands``, built by Typer from the real functions."""
    sub = typer.Typer(help=help, no_args_is_help=help is not None, add_completion=False)
    if help is not None:  # a group, even of one command
        sub.callback()(_no_options)
    for command, (module, function) in commands.items():
        sub.command(command)(getattr(importlib.import_module(module), function))
    built = typer.main.get_command(sub)  # a single command's Typer gives the command
    built.name = name
    return built


def _no_options() -> None:
    """A group's callback: the group takes no options of its own."""


class LazyGroup(TyperGroup):
    """The top-level group: lists every command from :data:`COMMANDS` and :data:`GROUPS` with
    the help read from their source, and imports a command's module only to run it or show its
    own help. Commands added to ``app`` the usual way are listed first, as Typer does."""

    _resolving = False

    def list_commands(self, ctx: Any) -> list[str]:
        """Eagerly added commands, then the lazy ones in table order."""
        eager = [n for n in super().list_commands(ctx) if n not in COMMANDS and n not in GROUPS]
        return [*eager, *COMMANDS, *GROUPS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The real command when it is about to run; a stub with its help otherwise."""
        if cmd_name in self.commands or not (cmd_name in COMMANDS or cmd_name in GROUPS):
            return super().get_command(ctx, cmd_name)
        if self._resolving:
            if cmd_name in COMMANDS:
                command = _load(cmd_name, {cmd_name: COMMANDS[cmd_name]}, None)
            else:
                help, members = GROUPS[cmd_name]
                command = _load(cmd_name, members, help)
            self.commands[cmd_name] = command
            return command
        if cmd_name in GROUPS:
            return TyperCommand(name=cmd_name, help=GROUPS[cmd_name][0])
        module, function = COMMANDS[cmd_name]
        return TyperCommand(name=cmd_name, help=_docstrings(module).get(function, ""))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Load the command that runs."""
        self._resolving = True
        try:
            return super().resolve_command(ctx, args)
        finally:
            self._resolving = False


app = typer.Typer(
    cls=LazyGroup,
    help="Evaluate summarizers: run benchmarks, score outputs, build reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main() -> None:
    """Evaluate summarizers: run benchmarks, score outputs, build reports."""
