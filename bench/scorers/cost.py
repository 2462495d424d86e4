"""``cost``: what each summary cost, from the token counts its endpoint reported and a price
table (``sumbench run --prices FILE`` adds it). Tables show the sum over a system's tasks as
``Cost $``; a summary without token counts (a local baseline) has no cost row, shown as –."""

from __future__ import annotations

from pathlib import Path

from bench.prices import PriceError, PriceTable, load_prices
from bench.request import Summary
from bench.scorers.base import CannotScore, ItemScore, Metric, Scorer, register_scorer
from bench.signature import Signature
from bench.task import Task

METRIC = "cost_usd"


@register_scorer("cost")
class CostScorer(Scorer):
    """Dollars per summary: recorded prompt and completion tokens times the model's prices."""

    name = "cost"

    def __init__(self, prices: str) -> None:
        try:
            self.table: PriceTable = load_prices(Path(prices))
        except PriceError as error:
            raise ValueError(f"scorer 'cost': parameter 'prices': {error}") from None

    def signature(self) -> str:
        """``cost:v1|prices:<hash of the prices>``: other prices are another measurement."""
        return Signature("cost", "v1", (("prices", self.table.digest()),)).format()

    def metrics(self) -> list[Metric]:
        """One descriptive column, summed over tasks (a total, not a mean)."""
        return [Metric(METRIC, "Cost $", higher_is_better=None, scale=1.0, digits=4, total=True)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """The summary's cost, or no value when its endpoint reported no token counts."""
        meta = summary.meta
        if meta.get("prompt_tokens") is None and meta.get("completion_tokens") is None:
            return ItemScore({})
        value = self.table.cost(meta)
        if value is None:
            model = meta.get("requested_model") or meta.get("model")
            raise CannotScore(f"{self.table.path} has no price for model {model!r}")
        return ItemScore({METRIC: value})
