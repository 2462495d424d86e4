"""The ``nli`` support backend: a local entailment model (any transformers sequence classifier
with entailment/contradiction labels) reads source chunks as premises and each summary sentence
as the hypothesis, SummaC-ZS style (Laban et al., 2022).

Each document is cut into chunks: every sentence, and windows of 2 and 3 neighbouring sentences
that fit the model's maximum length. Per document, a sentence is supported when its highest
entailment probability over the chunks reaches ``threshold`` and beats the highest contradiction,
contradicted when the highest contradiction reaches ``threshold`` and beats the entailment, and
not mentioned otherwise; its score is the entailment probability and its evidence the best
chunk's sentences. A single sentence longer than the model's limit is truncated, and the note of
every claim judged against it says so. The model is loaded from a folder or the local cache only,
never downloaded.

The key-fact ``nli`` matcher asks the same backend with the summary as the premise and each
fact as the claim; a truncation note is then not shown (a key-fact decision has no note).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.params import at_least
from bench.support.base import (
    CONTRADICTED,
    NOT_MENTIONED,
    SUPPORTED,
    ClaimSupport,
    Support,
    Undecided,
    register_backend,
)
from bench.support.premise import Premise

VERSION = "v1"
WINDOWS = (1, 2, 3)
"""Sentences per chunk."""


def _label_index(config: Any, word: str) -> int | None:
    for index, label in config.id2label.items():
        if word in str(label).lower():
            return int(index)
    return None


class EntailmentModel:
    """A sequence classifier with an entailment label (and ideally a contradiction label), and
    its tokenizer: label probabilities of (premise, hypothesis) pairs, ``batch`` at a time."""

    def __init__(self, model: Any, tokenizer: Any, batch: int = 16) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batch = batch
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


def load_entailment_model(model: str, batch: int = 16) -> EntailmentModel:
    """A local entailment model (a folder or a cached model name), never downloaded."""
    try:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
    except ImportError:
        raise ImportError(
            "the nli backend needs transformers and torch: pip install 'sumbench[nli]'"
        ) from None
    loaded = AutoModelForSequenceClassification.from_pretrained(model, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=True)
    return EntailmentModel(loaded, tokenizer, batch)


@dataclass(frozen=True)
class Chunk:
    """Neighbouring sentences of one document, read as one premise."""

    sentences: tuple[int, ...]
    text: str


def max_length(model: Any, tokenizer: Any) -> int:
    """The longest input the model takes: the tokenizer's limit, capped by the positions the
    model has (a tokenizer without a limit reports a huge number)."""
    limits = [int(tokenizer.model_max_length)]
    positions = getattr(model.config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        limits.append(positions)
    return min(limits)


class NLIBackend:
    """Entailment and contradiction of each claim over every chunk of every document."""

    light = False

    def __init__(self, model: EntailmentModel, threshold: float = 0.5, name: str = "") -> None:
        self.model = model
        self.threshold = threshold
        self.name = name or f"nli-{VERSION}"
        self.limit = max_length(model.model, model.tokenizer)

    def _length(self, premise: str, claim: str) -> int:
        return len(self.model.tokenizer(premise, claim)["input_ids"])

    def chunks(self, premise: Premise, claim: str) -> tuple[list[Chunk], list[int]]:
        """The chunks of ``premise`` for ``claim``, and the sentences that exceed the model's
        limit on their own (they are kept, truncated)."""
        found: list[Chunk] = []
        too_long: list[int] = []
        sentences = premise.sentences
        for size in WINDOWS:
            for start in range(len(sentences) - size + 1):
                text = " ".join(sentences[start : start + size])
                fits = self._length(text, claim) <= self.limit
                if size == 1 and not fits:
                    too_long.append(start)
                if size == 1 or fits:
                    found.append(Chunk(tuple(range(start, start + size)), text))
        return found, too_long

    def _support(self, premise: Premise, claim: str) -> tuple[Support, list[int]]:
        """What one document says about one claim, and its truncated sentences."""
        chunks, too_long = self.chunks(premise, claim)
        if not chunks:
            return Support(NOT_MENTIONED, 0.0, reason="the source is empty"), too_long
        found = self.model.probabilities([c.text for c in chunks], claim)
        entail = [p[self.model.entail] for p in found]
        against = self.model.contradict
        contra = [p[against] for p in found] if against is not None else [0.0] * len(found)
        best = max(range(len(chunks)), key=entail.__getitem__)
        worst = max(range(len(chunks)), key=contra.__getitem__)
        e, c = entail[best], contra[worst]
        if e >= self.threshold and e > c:
            return Support(SUPPORTED, e, chunks[best].sentences, e), too_long
        if c >= self.threshold and c > e:
            why = f"contradiction probability {c:.2f} (entailment {e:.2f})"
            return Support(CONTRADICTED, e, chunks[worst].sentences, e, why), too_long
        why = (
            f"entailment probability {e:.2f} below {self.threshold:g}" if e < self.threshold else ""
        )
        return Support(NOT_MENTIONED, e, chunks[best].sentences, e, why), too_long

    def judge(
        self, premises: Sequence[Premise], claims: Sequence[str], context: Sequence[str] = ()
    ) -> list[ClaimSupport | Undecided]:
        """Every claim against every premise (``context`` is not used)."""
        results: list[ClaimSupport | Undecided] = []
        for claim in claims:
            found = [self._support(p, claim) for p in premises]
            cut = [
                f"{p.name or 'document'} sentence {i + 1}"
                for p, (_, long) in zip(premises, found, strict=True)
                for i in long
            ]
            note = ""
            if cut:
                note = f"truncated to the model's {self.limit} tokens: {', '.join(cut[:5])}"
                note += f" and {len(cut) - 5} more" if len(cut) > 5 else ""
            results.append(ClaimSupport(claim, tuple(s for s, _ in found), note))
        return results


@register_backend("nli")
def nli_backend(model: str, threshold: float = 0.5, batch: int = 16) -> NLIBackend:
    """A local entailment model (a folder or a cached model name; never downloaded), read
    over single sentences and windows of 2-3 sentences of each document."""
    loaded = load_entailment_model(model, at_least("support backend 'nli'", "batch", batch, 1))
    name = f"nli-{VERSION}:{model}" + (f":threshold={threshold:g}" if threshold != 0.5 else "")
    return NLIBackend(loaded, threshold, name)
