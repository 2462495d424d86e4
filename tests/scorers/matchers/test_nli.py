"""The NLI matcher on a stand-in classifier and a tiny random model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.scorers.matchers import Pair, Undecided, match_all, matchers
from bench.scorers.matchers.nli import NLIMatcher
from bench.support.negation import negated

from .pairs import REFUSES, STATES, TROOPS, UNRELATED, decide


class _Flags:
    """A stand-in NLI model: a premise about troops entails the fact, or contradicts it when
    negated; any other premise is neutral."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        self.config = SimpleNamespace(id2label={0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"})

    def eval(self) -> _Flags:
        return self

    def __call__(self, flags: Any) -> Any:
        from types import SimpleNamespace

        import torch

        logits = {2: [5.0, 0.0, 0.0], 1: [0.0, 0.0, 5.0], 0: [0.0, 5.0, 0.0]}
        rows = [logits[f] for f in flags.tolist()]
        return SimpleNamespace(logits=torch.tensor(rows))


def _flag_tokenizer(premises: list[str], hypotheses: list[str], **_: Any) -> dict[str, Any]:
    import torch

    kinds = [("troops" in p) * (1 + negated(p)) for p in premises]
    return {"flags": torch.tensor(kinds)}


def test_nli_contradiction_is_absent() -> None:
    pytest.importorskip("torch")
    matcher = NLIMatcher(_Flags(), _flag_tokenizer, name="nli-test")
    assert not decide(matcher, TROOPS, [UNRELATED, REFUSES]).present
    decision = decide(matcher, TROOPS, [STATES])
    assert (decision.present, decision.evidence) == (True, STATES)


def test_nli_runs_a_tiny_random_classifier(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    words = sorted({w for s in (STATES, REFUSES, TROOPS.text) for w in s.lower().split()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, ".", "'", "s"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        num_labels=3,
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    matcher = matchers.create("nli", model=str(tmp_path))
    [first, second] = match_all(matcher, [Pair(TROOPS, (STATES, REFUSES)), Pair(TROOPS, ())])
    assert not isinstance(first, Undecided) and not isinstance(second, Undecided)
    assert first.score is not None and 0.0 <= first.score <= 1.0
    assert first.matcher == f"nli-v1:{tmp_path}"
    assert (second.present, second.evidence) == (False, "")
