"""The bertscore scorer: identical to bert_score.score on a tiny random BERT the test builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("bert_score")
torch = pytest.importorskip("torch")

from bench.request import Summary  # noqa: E402
from bench.scorers import CannotScore, scorers  # noqa: E402
from bench.scorers.bertscore import BertScore  # noqa: E402
from bench.task import Document, Reference, Task  # noqa: E402

WORDS = " ".join(
    [
        "the council approved a new bridge on monday work starts in may and ends next year",
        "minister said budget would grow by five percent storms closed schools roads across",
        "region tuesday city voted to build it was",
    ]
).split()
SOURCE = (
    "The council approved the new bridge on Monday. Work starts in May and ends next year. "
    "The minister said the budget would grow by five percent. Storms closed schools and roads "
    "across the region on Tuesday."
)
SUMMARIES = [
    "The council approved a bridge on Monday.",
    "Storms closed roads. The budget would grow by five percent.",
    "Work on the new bridge starts in May.",
]
REFERENCES = [
    "The council approved a new bridge; work starts in May.",
    "A bridge was approved by the city council on Monday.",
]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 3-layer BERT and a word-level WordPiece vocabulary, saved."""
    from transformers import BertConfig, BertModel, BertTokenizer

    folder = tmp_path_factory.mktemp("tiny-bert")
    vocab = folder / "vocab.txt"
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", ";"]
    vocab.write_text("\n".join([*specials, *sorted(set(WORDS))]) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(vocab), model_max_length=64)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(specials) + len(set(WORDS)),
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=2,
        intermediate_size=48,
        max_position_embeddings=64,
    )
    BertModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _task(references: list[str] = REFERENCES, task_id: str = "t1") -> Task:
    return Task(
        id=task_id,
        title="A bridge",
        instructions="Summarize.",
        budget=20,
        documents=[Document(id="d1", text=SOURCE)],
        references=[Reference(id=f"r{i}", text=t) for i, t in enumerate(references, 1)],
    )


def _direct(cands: list[str], refs: list[list[str]], folder: Path, **kwargs: Any) -> Any:
    import bert_score

    return bert_score.score(
        cands, refs, model_type=str(folder), num_layers=2, batch_size=64, **kwargs
    )


def test_bertscore_equals_bert_score_score_with_the_same_settings(tiny_bert: Path) -> None:
    scorer = scorers.create("bertscore", model=str(tiny_bert), layers="2", device="cpu")
    assert isinstance(scorer, BertScore)
    task = _task()
    for text in SUMMARIES:
        found = scorer.score(task, Summary(text=text)).values
        p, r, f = _direct([text], [REFERENCES], tiny_bert)
        assert found == {
            "bertscore_p": float(p[0]),
            "bertscore_r": float(r[0]),
            "bertscore_f": float(f[0]),
        }
    # Many items in one call, as bert_score.score on the whole list (several references each:
    # the best of each of P, R and F over them, as bert_score does).
    items = [(task, Summary(text=t)) for t in SUMMARIES]
    batch = scorer.score_items(items)
    p, r, f = _direct(SUMMARIES, [REFERENCES] * 3, tiny_bert)
    assert [b.values["bertscore_f"] for b in batch] == [float(x) for x in f]
    assert [b.values["bertscore_p"] for b in batch] == [float(x) for x in p]
    single = _direct([SUMMARIES[0]], [[REFERENCES[0]]], tiny_bert)[2][0]
    best = _direct([SUMMARIES[0]], [REFERENCES], tiny_bert)[2][0]
    assert float(best) >= float(single)


def test_bertscore_idf_weights_come_from_the_items_references(tiny_bert: Path) -> None:
    scorer = scorers.create("bertscore", model=str(tiny_bert), layers="2", idf="true")
    other = _task(["Storms closed schools across the region.", "Roads closed on Tuesday."], "t2")
    items = [(_task(), Summary(text=SUMMARIES[0])), (other, Summary(text=SUMMARIES[1]))]
    found = scorer.score_items(items)
    for (task, summary), item in zip(items, found, strict=True):
        refs = [r.text for r in task.references]
        _, r, f = _direct([summary.text], [refs], tiny_bert, idf=True)
        assert item.values["bertscore_f"] == float(f[0])
        assert item.values["bertscore_r"] == float(r[0])
    plain = scorers.create("bertscore", model=str(tiny_bert), layers="2")
    assert plain.score(*items[0]).values != found[0].values
    assert "idf:task-refs" in scorer.signature() and "idf:false" in plain.signature()


def test_bertscore_rescales_with_the_baseline_bert_score_ships(tiny_bert: Path) -> None:
    """A folder's model is rescaled with the baseline of the hub model named by ``baseline``
    (here bert-base-uncased's table, layer 2), exactly as bert_score does with that file."""
    import bert_score

    scorer = scorers.create(
        "bertscore",
        model=str(tiny_bert),
        layers="2",
        rescale="true",
        baseline="bert-base-uncased",
    )
    path = Path(bert_score.__file__).parent / "rescale_baseline/en/bert-base-uncased.tsv"
    found = scorer.score(_task(), Summary(text=SUMMARIES[0])).values
    p, _, f = _direct(
        [SUMMARIES[0]],
        [REFERENCES],
        tiny_bert,
        lang="en",
        rescale_with_baseline=True,
        baseline_path=str(path),
    )
    assert (found["bertscore_p"], found["bertscore_f"]) == (float(p[0]), float(f[0]))
    assert "rescale:baseline-en" in scorer.signature()


def test_bertscore_without_a_shipped_baseline_is_a_clear_error(tiny_bert: Path) -> None:
    with pytest.raises(
        ValueError, match=r"bert-score ships no baseline for the folder .*baseline="
    ):
        scorers.create("bertscore", model=str(tiny_bert), layers="2", rescale="true")
    with pytest.raises(
        ValueError,
        match=r"no baseline for model 'my-bert' in language 'en'.*"
        r"roberta-large",
    ):
        scorers.create(
            "bertscore", model=str(tiny_bert), layers="2", rescale="true", baseline="my-bert"
        )


def test_bertscore_source_precision_matches_bert_score_against_the_article(
    tiny_bert: Path,
) -> None:
    scorer = scorers.create("bertscore", model=str(tiny_bert), layers="2", sources="true")
    task = _task()
    found = scorer.score(task, Summary(text=SUMMARIES[1])).values
    p, _, _ = _direct([SUMMARIES[1]], [SOURCE], tiny_bert)
    # Embedded apart rather than in one padded batch: equal up to float rounding.
    assert found["bertscore_src_p"] == pytest.approx(float(p[0]), abs=1e-6)
    assert "bertscore_src_p" in [m.name for m in scorer.metrics()]
    assert "src:passages-max" in scorer.signature()


def test_bertscore_source_longer_than_the_model_takes_is_cut_into_passages(
    tiny_bert: Path,
) -> None:
    """The tiny model takes 62 tokens: a long source is split at sentence ends, and every
    summary token is matched against all passages (as good as the best passage, or better)."""
    scorer = scorers.create("bertscore", model=str(tiny_bert), layers="2", sources="true")
    assert isinstance(scorer, BertScore)
    long = " ".join([SOURCE] * 4)
    passages = scorer.model.passages([s + "." for s in long.split(". ") if s])
    assert len(passages) > 1
    assert all(len(scorer.model.tokenizer.encode(p)) <= 62 for p in passages)
    union = scorer.model.precision_against(SUMMARIES[1], passages, scorer._idf_dict([]))
    best = max(float(_direct([SUMMARIES[1]], [p], tiny_bert)[0][0]) for p in passages)
    assert union >= best - 1e-6


def test_bertscore_signature_names_model_layer_idf_rescaling_and_version(tiny_bert: Path) -> None:
    from importlib import metadata

    scorer = scorers.create("bertscore", model=str(tiny_bert), layers="3")
    signature = scorer.signature()
    assert signature.startswith(f"bertscore:v1|model:{tiny_bert.name}@")
    assert "|layer:3|idf:false|rescale:false|refs:max|" in signature
    assert signature.endswith(f"|bert_score:{metadata.version('bert-score')}")
    assert [m.name for m in scorer.metrics() if m.shown] == ["bertscore_f"]


def test_bertscore_missing_model_or_bad_layer_is_a_clear_error(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(
        ValueError,
        match=r"'roberta-large' is not in the local Hugging Face cache.*"
        r"hf download roberta-large.*model=/path/to/folder",
    ):
        scorers.create("bertscore")
    with pytest.raises(ValueError, match=r"model folder '/no/such/model' does not exist"):
        scorers.create("bertscore", model="/no/such/model")
    with pytest.raises(
        ValueError, match=r"parameter 'layers' is required for .*pass layers=N, 1..3"
    ):
        scorers.create("bertscore", model=str(tiny_bert))
    with pytest.raises(ValueError, match=r"'layers' expects a layer 1..3"):
        scorers.create("bertscore", model=str(tiny_bert), layers="4")
    with pytest.raises(ValueError, match=r"no CUDA device"):
        if torch.cuda.is_available():
            pytest.skip("a CUDA device is present")
        scorers.create("bertscore", model=str(tiny_bert), layers="2", device="cuda")


def test_bertscore_task_without_references_cannot_be_scored(tiny_bert: Path) -> None:
    scorer = scorers.create("bertscore", model=str(tiny_bert), layers="2")
    task = _task([])
    assert scorer.cannot_score(task, Summary(text="x")) is not None
    with pytest.raises(CannotScore, match="no references"):
        scorer.score(task, Summary(text="The council approved a bridge."))


def test_bertscore_in_a_run_stores_its_metrics_and_signature(
    tiny_bert: Path, tmp_path: Path
) -> None:
    import json

    from conftest import REPO

    from bench.run import Run, build_scorers, build_systems
    from bench.store import Store
    from bench.task import load_tasks

    tasks = load_tasks(REPO / "tasks")[:2]
    spec = f"bertscore:model={tiny_bert},layers=2"
    Run(tasks, build_systems(["lead"]), build_scorers([spec]), Store(tmp_path / "r")).execute()
    scores = (tmp_path / "r" / "scores.csv").read_text()
    assert scores.count("bertscore_f") == 2
    run = json.loads((tmp_path / "r" / "run.json").read_text())
    assert "bertscore:v1|model:" in json.dumps(run)


def test_bertscore_without_the_package_names_the_extra_to_install(
    tiny_bert: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "bert_score", None)
    with pytest.raises(ValueError, match=r"needs the bert-score package: pip install 'sumbench"):
        scorers.create("bertscore", model=str(tiny_bert), layers="2")
