"""Price tables: what a model's tokens cost, so recorded token counts become dollars.

A price table is a YAML file the user writes (``examples/prices.yaml``)::

    models:
      gpt-4o-mini: {input: 0.15, output: 0.60}   # dollars per million tokens
      my-local-model: {input: 0, output: 0}

An item's cost is ``(prompt_tokens * input + completion_tokens * output) / 1,000,000`` with
the token counts the endpoint reported (the ``openai`` adapter records them in each summary's
meta). The model is the one the system asked for (``requested_model``), else the one the
endpoint named in its reply.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import yaml

PER = 1_000_000
"""Prices are per this many tokens."""


class PriceError(ValueError):
    """A price table that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Price:
    """Dollars per million input (prompt) and output (completion) tokens."""

    input: float
    output: float

    def cost(self, prompt_tokens: float, completion_tokens: float) -> float:
        """Dollars for these token counts."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / PER


@dataclass(frozen=True)
class PriceTable:
    """Prices by model name, from one file."""

    path: str
    models: Mapping[str, Price]

    def digest(self) -> str:
        """Short hash of the prices (not of the file's layout): part of the cost signature."""
        canonical = {name: [p.input, p.output] for name, p in sorted(self.models.items())}
        return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()[:12]

    def model_of(self, meta: Mapping[str, Any], asked: str | None = None) -> str | None:
        """The priced model of a summary: ``asked`` (the system's model parameter), else the
        one the summary's meta records; None when the table has none of them."""
        for name in (asked, meta.get("requested_model"), meta.get("model")):
            if isinstance(name, str) and name in self.models:
                return name
        return None

    def cost(self, meta: Mapping[str, Any], asked: str | None = None) -> float | None:
        """Dollars of one summary from its recorded token counts; None when they are missing
        or its model has no price."""
        model = self.model_of(meta, asked)
        prompt, completion = meta.get("prompt_tokens"), meta.get("completion_tokens")
        if model is None or not _count(prompt) or not _count(completion):
            return None
        return self.models[model].cost(float(prompt), float(completion))


def _count(value: Any) -> TypeGuard[float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _number(path: Path, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise PriceError(
            f"{path}, {field}: expected dollars per million tokens (a number >= 0), got {value!r}"
        )
    if not math.isfinite(value):
        raise PriceError(f"{path}, {field}: expected a finite number, got {value!r}")
    return float(value)


def load_prices(path: Path | str) -> PriceTable:
    """Read and check a price table; every error names the file and the field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PriceError(f"{path}: cannot read the price table: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise PriceError(f"{path}: invalid YAML: {error}") from None
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(data, dict) or set(data) - {"models"} or not isinstance(models, dict):
        raise PriceError(
            f"{path}: expected a mapping 'models' of model name to "
            "{input: DOLLARS, output: DOLLARS} (per million tokens), and nothing else"
        )
    prices: dict[str, Price] = {}
    for name, entry in models.items():
        where = f"models.{name}"
        if not isinstance(entry, dict) or set(entry) != {"input", "output"}:
            raise PriceError(
                f"{path}, {where}: expected {{input: DOLLARS, output: DOLLARS}} per million "
                f"tokens, got {entry!r}"
            )
        prices[str(name)] = Price(
            _number(path, f"{where}.input", entry["input"]),
            _number(path, f"{where}.output", entry["output"]),
        )
    if not prices:
        raise PriceError(f"{path}, models: the table names no model")
    return PriceTable(str(path), prices)
