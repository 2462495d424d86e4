"""Upper bounds that read the gold: the greedy extractive ``oracle`` and the ``human`` bound."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bench.adapters._select import Selection, Sentence, sentence_pool
from bench.adapters.base import GoldSummarizer, NotApplicable, register_adapter
from bench.request import Summary
from bench.task import Task


def _tokenize(text: str) -> list[str]:
    """rouge-score's stemmed tokens (NLTK is imported on first use, not with the adapters)."""
    from bench.scorers._tokens import tokens

    return tokens(text, stem=True)


_METRIC = re.compile(r"rouge([1-9])")
_IMPROVEMENT = 1e-12


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def parse_metric(metric: str) -> tuple[int, ...]:
    """N-gram orders of a metric like ``rouge1+rouge2``; a clear error for anything else."""
    names = [name.strip() for name in metric.split("+")]
    matches = [_METRIC.fullmatch(name) for name in names]
    orders = tuple(int(m.group(1)) for m in matches if m is not None)
    if not names or len(orders) != len(names) or len(set(orders)) != len(orders):
        raise ValueError(
            f"adapter 'oracle': parameter 'metric' expects ROUGE-N names joined by '+', "
            f"e.g. 'rouge1+rouge2', got {metric!r}"
        )
    return orders


@dataclass
class _Overlap:
    """Running n-gram statistics of the summary against one reference, for one order n."""

    reference: Counter[tuple[str, ...]]
    summary: Counter[tuple[str, ...]] = field(default_factory=Counter)
    matched: int = 0
    total: int = 0

    def __post_init__(self) -> None:
        self.reference_total = sum(self.reference.values())

    def _gain(self, grams: Counter[tuple[str, ...]]) -> int:
        return sum(
            min(self.summary[g] + c, self.reference[g]) - min(self.summary[g], self.reference[g])
            for g, c in grams.items()
            if g in self.reference
        )

    def f1_with(self, grams: Counter[tuple[str, ...]]) -> float:
        """ROUGE-N F1 if ``grams`` were added to the summary (rouge-score's F1 = 2M/(S+R))."""
        matched = self.matched + self._gain(grams)
        total = self.total + sum(grams.values())
        return 2.0 * matched / (total + self.reference_total) if matched else 0.0

    def add(self, grams: Counter[tuple[str, ...]]) -> None:
        """Add ``grams`` to the summary."""
        self.matched += self._gain(grams)
        self.total += sum(grams.values())
        self.summary.update(grams)


class _Objective:
    """Mean over references of the summed ROUGE-N F1, updated one sentence at a time.

    N-grams are counted per sentence, so pairs spanning two sentences are ignored: an
    approximation that keeps each step cheap (the real scorer computes the final numbers).
    """

    def __init__(self, references: list[str], orders: tuple[int, ...]) -> None:
        self.orders = orders
        self.stats = [_Overlap(_ngrams(_tokenize(text), n)) for text in references for n in orders]
        self.references = len(references)
        self.value = 0.0

    def grams(self, text: str) -> list[Counter[tuple[str, ...]]]:
        """The n-grams of ``text`` for each order, aligned with ``self.stats``."""
        tokens = _tokenize(text)
        per_order = [_ngrams(tokens, n) for n in self.orders]
        return per_order * self.references

    def value_with(self, grams: list[Counter[tuple[str, ...]]]) -> float:
        """The objective if a sentence with ``grams`` were added."""
        total = sum(s.f1_with(g) for s, g in zip(self.stats, grams, strict=True))
        return total / self.references

    def add(self, grams: list[Counter[tuple[str, ...]]]) -> None:
        """Add a sentence with ``grams``."""
        for stat, gram in zip(self.stats, grams, strict=True):
            stat.add(gram)
        self.value = sum(s.f1_with(Counter()) for s in self.stats) / self.references


@register_adapter("oracle")
class Oracle(GoldSummarizer):
    """Greedy extractive oracle: adds the sentence that most raises ROUGE against the references."""

    light = True

    def __init__(self, metric: str = "rouge1+rouge2") -> None:
        self.metric = metric
        self.orders = parse_metric(metric)

    def summarize_task(self, task: Task) -> list[Summary]:
        """One summary: sentences chosen greedily until none improves the objective or fits."""
        if not task.references:
            raise NotApplicable(f"oracle needs references; task {task.id} has none")
        pool = sentence_pool(task.request())
        objective = _Objective([r.text for r in task.references], self.orders)
        grams = {s.position: objective.grams(s.text) for s in pool}

        def grams_of(sentence: Sentence, text: str) -> list[Counter[tuple[str, ...]]]:
            return grams[sentence.position] if text == sentence.text else objective.grams(text)

        selection = Selection(task.budget)
        while not selection.full:
            best: tuple[float, Sentence] | None = None
            for sentence in pool:
                text = selection.candidate_text(sentence)
                if text is None:
                    continue
                value = objective.value_with(grams_of(sentence, text))
                if value > objective.value + _IMPROVEMENT and (best is None or value > best[0]):
                    best = (value, sentence)
            if best is None:
                break
            selection.offer(best[1])
            objective.add(grams_of(best[1], selection.texts[-1]))
        summary = selection.summary(
            source_order=True, metric=self.metric, objective=round(objective.value, 6)
        )
        return [summary]


@register_adapter("human")
class Human(GoldSummarizer):
    """Leave-one-out human bound: each reference, scored against the others."""

    light = True

    def summarize_task(self, task: Task) -> list[Summary]:
        """One summary per reference, marked with its id so scorers leave it out."""
        if len(task.references) < 2:
            raise NotApplicable(
                f"human needs at least 2 references; task {task.id} has {len(task.references)}"
            )
        return [
            Summary(text=ref.text, reference_id=ref.id, meta={"reference": ref.id})
            for ref in task.references
        ]
