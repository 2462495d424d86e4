"""The ``nli`` support backend: SummaC-ZS verdicts over sentence and window chunks (a stand-in
classifier makes them predictable), truncation noted, and a tiny random BERT classifier the test
builds run end to end through ``sumbench run``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

import bench.scorers  # noqa: F401  (loads the scorers before the support engine)
from bench.support import Premise
from bench.support.base import ClaimSupport
from bench.support.nli import EntailmentModel, NLIBackend

from .nli_models import Flags, WordTokenizer, tiny_classifier

CLAIM = "The UK agreed to send troops to Ukraine."
STATES = "Britain's prime minister said the UK agreed to send troops to Ukraine."
REFUSES = "The UK refused to send troops to Ukraine."
UNRELATED = "France hosted the summit in Paris."
LONG = "Delegates talked " + "at great length " * 20 + "about money."


def backend(batch: int = 16) -> tuple[NLIBackend, Flags]:
    pytest.importorskip("torch")
    model = Flags()
    return NLIBackend(EntailmentModel(model, WordTokenizer(), batch=batch), 0.5, "nli-test"), model


def judged(premises: list[Premise], claim: str = CLAIM, batch: int = 16) -> ClaimSupport:
    [result] = backend(batch)[0].judge(premises, [claim])
    assert isinstance(result, ClaimSupport)
    return result


def test_an_entailing_chunk_supports_the_claim_and_is_the_evidence() -> None:
    [support] = judged([Premise.of_sentences([UNRELATED, STATES], "bbc")]).by_premise
    assert support.verdict == "supported"
    assert support.evidence == (1,)  # the single sentence, the first chunk that entails
    assert support.score is not None and support.score > 0.9


def test_a_contradicting_chunk_contradicts_and_a_neutral_document_does_not_mention() -> None:
    result = judged(
        [Premise.of_sentences([UNRELATED, REFUSES], "bbc"), Premise.of_sentences([UNRELATED])]
    )
    against, silent = result.by_premise
    assert (against.verdict, against.evidence) == ("contradicted", (1,))
    assert "contradiction probability" in against.reason
    assert silent.verdict == "not mentioned" and "below 0.5" in silent.reason
    assert result.note == ""


def test_windows_that_exceed_the_models_length_are_left_out_and_long_sentences_noted() -> None:
    nli, _ = backend()
    premise = Premise.of_sentences([UNRELATED, STATES, UNRELATED], "bbc")
    chunks, too_long = nli.chunks(premise, CLAIM)
    # 3 singles, 2 pairs (each under 30 words with the claim); the triple is 31 words: left out.
    assert [c.sentences for c in chunks] == [(0,), (1,), (2,), (0, 1), (1, 2)]
    assert too_long == []
    result = judged([Premise.of_sentences([LONG, STATES], "bbc")])
    assert result.by_premise[0].verdict == "supported"
    assert result.note == "truncated to the model's 30 tokens: bbc sentence 1"


def test_inference_is_batched() -> None:
    nli, model = backend(batch=2)
    nli.judge([Premise.of_sentences([UNRELATED, STATES, UNRELATED], "bbc")], [CLAIM])
    assert model.seen == [2, 2, 1]  # 5 chunks, 2 at a time


def test_labels_without_entailment_are_a_clear_error() -> None:
    pytest.importorskip("torch")
    model = Flags()
    model.config.id2label = {0: "POSITIVE", 1: "NEGATIVE"}
    with pytest.raises(ValueError, match="no 'entailment' label"):
        EntailmentModel(model, WordTokenizer())


@pytest.mark.slow  # loads transformers and runs a model over every chunk
def test_sumbench_run_scores_faithfulness_with_a_tiny_local_classifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bench.cli import app

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = tiny_classifier(tmp_path / "model")
    out = tmp_path / "run"
    spec = f"faithfulness:backend=nli,model={model},threshold=0.34,batch=64"
    args = ["run", "--tasks", str(REPO / "tasks"), "--limit", "1", "--systems", "lead:k=2"]
    result = CliRunner().invoke(app, [*args, "--scorers", spec, "--out", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output + str(result.exception)
    claims = pd.read_csv(out / "claims.csv", keep_default_na=False)
    assert len(claims) == 2 and set(claims["task_id"]) == {"paris-summit"}
    assert set(claims["backend"]) == {f"nli-v1:{model}:threshold=0.34"}
    assert set(claims["verdict"]) <= {"supported", "contradicted", "not mentioned", "disputed"}
    scores = claims["score"].astype(float)
    assert ((scores >= 0) & (scores <= 1)).all()

    [signature] = json.loads((out / "run.json").read_text())["signatures"].values()
    assert f"backend:nli-v1:{model}:threshold=0.34" in signature
    assert "model=" not in signature  # the backend's name shows it once
