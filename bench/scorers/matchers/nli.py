"""The NLI matcher: a local entailment model (any transformers sequence classifier with
entailment/contradiction labels) reads each summary sentence, or pair of neighbouring sentences,
as the premise and the fact as the hypothesis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Pair, Undecided, decision, register_matcher
from bench.task import KeyFact


def _label_index(config: Any, word: str) -> int | None:
    for index, label in config.id2label.items():
        if word in str(label).lower():
            return int(index)
    return None


class NLIMatcher:
    """Present when some premise entails the fact with probability >= ``threshold`` and no
    premise contradicts it more strongly than the best one entails it."""

    light = False

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        threshold: float = 0.5,
        name: str = "nli-v1",
        batch: int = 16,
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.threshold = threshold
        self.batch = batch
        self.name = name
        entail = _label_index(model.config, "entail")
        if entail is None:
            raise ValueError(
                f"the model's labels {model.config.id2label} have no 'entailment' label"
            )
        self.entail = entail
        self.contradict = _label_index(model.config, "contradict")

    def probabilities(self, premises: Sequence[str], hypothesis: str) -> list[list[float]]:
        """Label probabilities of each (premise, hypothesis) pair, ``batch`` pairs at a time."""
        import torch

        found: list[list[float]] = []
        for start in range(0, len(premises), self.batch):
            chunk = list(premises[start : start + self.batch])
            inputs = self.tokenizer(
                chunk, [hypothesis] * len(chunk), return_tensors="pt", padding=True, truncation=True
            )
            with torch.no_grad():
                logits = self.model(**inputs).logits
            found.extend(torch.softmax(logits, dim=-1).tolist())
        return found

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The entailment decision for one pair; evidence is the entailing premise."""
        if not sentences:
            return decision(fact, sentences, [], False, 0.0, self.name)
        spans = [[i] for i in range(len(sentences))]
        spans += [[i, i + 1] for i in range(len(sentences) - 1)]
        premises = [" ".join(sentences[i] for i in span) for span in spans]
        probabilities = self.probabilities(premises, fact.text)
        entail = [p[self.entail] for p in probabilities]
        best = max(range(len(spans)), key=entail.__getitem__)
        contradiction = (
            max(p[self.contradict] for p in probabilities) if self.contradict is not None else 0.0
        )
        present = entail[best] >= self.threshold and contradiction <= entail[best]
        return decision(fact, sentences, spans[best], present, entail[best], self.name)

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Decisions for many pairs, one after another."""
        return [self.match(p.fact, p.sentences, p.siblings) for p in pairs]


@register_matcher("nli")
def nli(model: str, threshold: float = 0.5) -> NLIMatcher:
    """A local entailment model (a folder or a cached model name; never downloaded)."""
    try:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
    except ImportError:
        raise ImportError(
            "the nli matcher needs transformers and torch: pip install transformers torch"
        ) from None
    loaded = AutoModelForSequenceClassification.from_pretrained(model, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=True)
    return NLIMatcher(loaded, tokenizer, threshold, name=f"nli-v1:{model}")
