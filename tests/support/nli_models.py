"""Stand-in entailment models for the NLI tests: a flag model whose verdicts are predictable,
and a tiny randomly initialised BERT classifier saved to a folder (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import REPO

from bench.support.negation import negated


class Flags:
    """A stand-in NLI model: a premise about troops entails the claim, or contradicts it when
    negated; any other premise is neutral."""

    def __init__(self) -> None:
        labels = {0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}
        self.config = SimpleNamespace(id2label=labels, max_position_embeddings=512)
        self.seen: list[int] = []

    def eval(self) -> Flags:
        return self

    def __call__(self, flags: Any) -> Any:
        import torch

        logits = {2: [5.0, 0.0, 0.0], 1: [0.0, 0.0, 5.0], 0: [0.0, 5.0, 0.0]}
        self.seen.append(len(flags))
        return SimpleNamespace(logits=torch.tensor([logits[f] for f in flags.tolist()]))


class WordTokenizer:
    """Counts words for lengths; flags each premise for :class:`Flags`."""

    model_max_length = 30

    def __call__(self, premise: Any, hypothesis: Any, **_: Any) -> dict[str, Any]:
        if isinstance(premise, str):
            return {"input_ids": f"{premise} {hypothesis}".split()}
        import torch

        kinds = [("troops" in p) * (1 + negated(p)) for p in premise]
        return {"flags": torch.tensor(kinds)}


def tiny_classifier(folder: Path) -> Path:
    """A randomly initialised 2-layer BERT entailment classifier with a tiny WordPiece vocab."""
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    folder.mkdir(parents=True, exist_ok=True)
    text = (REPO / "tasks" / "paris-summit" / "task.yaml").read_text(encoding="utf-8").lower()
    words = sorted({w.strip(".,:;\"'()") for w in text.split()} - {""})[:400]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, ".", ","]
    (folder / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(dict.fromkeys(vocab)),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=3,
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    transformers.BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
