"""The one error a run raises for a problem it can name (the command line prints it)."""

from __future__ import annotations

from collections.abc import Sequence

from bench.task import Problem


class RunError(Exception):
    """A run that cannot start or go on: bad options, system or scorer spec, task files, or an
    incompatible results folder. ``problems`` holds every bad file and field when there are
    several (a task set or a config file), each to be shown before the message."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)
