"""Run configuration files: a whole comparison (tasks, systems, scorers) in one reviewable YAML.

Paths are relative to the working directory, as on the command line; command-line options
override the file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bench.task import Problem, TaskError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SystemEntry(_Strict):
    """One system: a registered adapter with parameters, under a display name."""

    adapter: str = Field(description="Registered adapter name (`sumbench systems list`).")
    name: str | None = Field(default=None, description="Display name; default: the adapter.")
    params: dict[str, Any] = Field(default_factory=dict, description="Adapter parameters.")


class ScorerEntry(_Strict):
    """One scorer with parameters."""

    scorer: str = Field(description="Registered scorer name (`sumbench scorers list`).")
    name: str | None = Field(default=None, description="Name in results; default: the scorer.")
    params: dict[str, Any] = Field(default_factory=dict, description="Scorer parameters.")


class RunConfig(_Strict):
    """The schema of a ``sumbench run --config`` file."""

    tasks: str = Field(default="tasks", description="Task folder, table file or hf:NAME:SPLIT.")
    references: str | None = Field(default=None, description="References folder.")
    out: str | None = Field(default=None, description="Results folder.")
    systems: list[str | SystemEntry] = Field(
        default_factory=list, description="`lead:k=3` strings or {adapter, name, params}."
    )
    scorers: list[str | ScorerEntry] = Field(
        default_factory=list, description="`rouge` strings or {scorer, name, params}."
    )
    metrics: list[str] | None = Field(default=None, description="Table columns.")
    cache: str | bool | None = Field(
        default=None, description="Generation cache folder, or false to disable it."
    )
    baseline_system: str | None = Field(default=None, description="System for † marks.")
    prices: str | None = Field(
        default=None, description="Price table (YAML): a Cost $ column and the run's spending."
    )


_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_UNION_TAGS = {"str", "SystemEntry", "ScorerEntry", "bool"}


def load_config(path: Path) -> RunConfig:
    """Parse a run config; every problem is reported with the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TaskError([Problem(str(path), "", f"cannot read file: {error.strerror}")]) from None
    except yaml.YAMLError as error:
        raise TaskError([Problem(str(path), "", f"invalid YAML: {error}")]) from None
    if not isinstance(data, dict):
        raise TaskError([Problem(str(path), "", "expected a mapping with tasks, systems, ...")])
    try:
        config = RunConfig.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(p) for p in item["loc"] if p not in _UNION_TAGS)
            message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
            problems.append(Problem(str(path), field, message))
        raise TaskError(problems) from None
    problems = []
    for kind, entries in (("systems", config.systems), ("scorers", config.scorers)):
        for index, entry in enumerate(entries):
            if isinstance(entry, str):  # "hf:model=${DIR}": the same expansion as params
                expanded, missing = _expand(entry)
                entries[index] = expanded
                problems += [
                    Problem(str(path), f"{kind}.{index}", f"environment variable {name} is not set")
                    for name in missing
                ]
                continue
            for key, value in entry.params.items():
                if isinstance(value, str):
                    entry.params[key], missing = _expand(value)
                    problems += [
                        Problem(
                            str(path),
                            f"{kind}.{index}.params.{key}",
                            f"environment variable {name} is not set",
                        )
                        for name in missing
                    ]
    if problems:
        raise TaskError(problems)
    return config


def _expand(text: str) -> tuple[str, list[str]]:
    """``$NAME`` and ``${NAME}`` replaced from the environment; the names that are unset.

    Meant for paths (``model: ${SMOLLM2_DIR}``); API keys go through ``api_key_env``, never
    into a parameter."""
    missing = [a or b for a, b in _VARIABLE.findall(text) if (a or b) not in os.environ]
    return os.path.expandvars(text), missing
