"""The ``llm`` support backend against a judge on a real local HTTP server: FineSurE categories
become verdicts (a sentence one document supports and another contradicts is disputed), replies
are cached and replayed with the server gone, an unparsable reply is a recorded problem, never
faithful, and cut documents are noted."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import bench.scorers  # noqa: F401  (loads the scorers before the support engine)
from bench.clients.judge import GIVE_UP, Reply
from bench.run import Run, build_scorers, build_systems
from bench.scorers.faithfulness import judge_summary
from bench.store import Store
from bench.support import JudgeFailed, Undecided, backends
from bench.support.llm import Labelled, LLMBackend, category_of, read_labels, sides
from bench.support.premise import Premise
from bench.task import Document, Task, load_tasks

PATH = "/v1/chat/completions"
SENTENCE = re.compile(r"^(\d+)\. (.*)$", re.MULTILINE)

BBC = (
    "Leaders met in Paris on Monday. The talks ended with a binding pact on emissions. "
    "Protesters gathered outside the venue."
)
REUTERS = "Leaders met in Paris on Monday. The talks ended with a declaration of intent only."
TWO = Task(
    id="two",
    title="",
    documents=[
        Document(id="bbc", text=BBC, outlet="BBC"),
        Document(id="reuters", text=REUTERS, outlet="Reuters"),
    ],
    instructions="",
    budget=100,
)


def answer(text: str) -> str:
    """A judge that labels each numbered summary sentence by a word in it."""
    summary = text.split("Summary sentences:\n")[1].split("\n\n")[0]
    entries = []
    for number, sentence in SENTENCE.findall(summary):
        entry: dict[str, Any] = {"sentence": int(number), "category": "no error"}
        entry.update(supported_by=[1, 2], contradicted_by=[])
        if "binding" in sentence:
            entry.update(category="predicate error", supported_by=[1], contradicted_by=[2])
        elif "moon" in sentence:
            entry.update(category="out-of-context error", supported_by=[])
        elif "Tuesday" in sentence:
            entry.update(category="Circumstantial_Error", supported_by=[])
        entries.append(entry)
    return "```json\n" + json.dumps(entries) + "\n```"


def chat(reply: Callable[[str], str], asked: list[str]) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        text = json.loads(request.data)["messages"][0]["content"]
        asked.append(text)
        body = {"choices": [{"message": {"role": "assistant", "content": reply(text)}}]}
        return Response(json.dumps(body), content_type="application/json")

    return handle


@pytest.fixture
def judge() -> Iterator[tuple[HTTPServer, list[str]]]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    asked: list[str] = []
    server.expect_request(PATH, method="POST").respond_with_handler(chat(answer, asked))
    server.start()
    yield server, asked
    if server.is_running():
        server.stop()


def make(server: HTTPServer, cache: Path, **params: Any) -> LLMBackend:
    backend = backends.create(
        "llm", model="judge", base_url=server.url_for("/v1"), cache=str(cache), **params
    )
    assert isinstance(backend, LLMBackend)
    return backend


SENTENCES = [
    "Leaders met in Paris on Monday.",
    "The talks ended with a binding pact.",
    "They flew to the moon afterwards.",
    "Leaders met in Paris on Tuesday.",
]


def test_categories_become_verdicts_and_one_document_against_another_is_disputed(
    judge: tuple[HTTPServer, list[str]], tmp_path: Path
) -> None:
    server, asked = judge
    found = judge_summary(make(server, tmp_path / "c.jsonl"), TWO, SENTENCES)
    assert [v.verdict for v in found] == ["supported", "disputed", "not mentioned", "contradicted"]
    assert found[0].supported_by == ("bbc", "reuters")
    assert (found[1].supported_by, found[1].contradicted_by) == (("bbc",), ("reuters",))
    assert found[2].reason == "out-of-context error"
    assert found[3].reason == "circumstantial error"
    assert found[3].contradicted_by == ("bbc", "reuters")
    assert found[0].evidence == "Leaders met in Paris on Monday."  # the aligned source sentence
    assert len(asked) == 1  # one request per summary
    prompt = asked[0]
    # The documents come first (a prefix shared by every summary of the task), then the summary.
    assert prompt.index("Document 1 (BBC):\n" + BBC) < prompt.index("Document 2 (Reuters):")
    assert prompt.index("Document 2 (Reuters):") < prompt.index("1. Leaders met in Paris")


def test_replies_are_cached_and_replayed_with_the_server_gone(
    judge: tuple[HTTPServer, list[str]], tmp_path: Path
) -> None:
    server, asked = judge
    cache = tmp_path / "verdicts.jsonl"
    first = judge_summary(make(server, cache), TWO, SENTENCES)
    again = make(server, cache)
    assert judge_summary(again, TWO, SENTENCES) == first and len(asked) == 1
    assert again.session.cached == 1
    server.stop()
    replay = backends.create("llm", model="judge", cache=str(cache), replay=True)
    assert judge_summary(replay, TWO, SENTENCES) == first
    [missing] = replay.judge([Premise.of_text(BBC, "bbc")], ["Something never asked."])
    assert isinstance(missing, Undecided) and "replay" in str(missing)


def test_an_unparsable_reply_is_a_recorded_problem_never_a_faithful_summary(
    tmp_path: Path,
) -> None:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(PATH, method="POST").respond_with_handler(
        chat(lambda text: "I am not sure about these sentences.", [])
    )
    server.start()
    tasks = load_tasks(REPO / "tasks")[:2]
    spec = f"faithfulness:backend=llm,model=judge,base_url={server.url_for('/v1')}"
    store = Store(tmp_path / "run")
    try:
        Run(
            tasks,
            build_systems(["lead"]),
            build_scorers([f"{spec},cache={tmp_path / 'c.jsonl'}"]),
            store,
            {},
        ).execute()
    finally:
        server.stop()
    problems = [p for p in store.problems() if "unparsable judge reply" in json.dumps(p)]
    assert {p["task_id"] for p in problems} == {t.id for t in tasks}
    scores = store.scores()
    assert scores[scores["scorer"] == "faithfulness"].empty  # nothing scored as faithful or as 0


def test_a_run_records_claims_and_the_signature_names_the_backend_and_model(
    judge: tuple[HTTPServer, list[str]], tmp_path: Path
) -> None:
    server, _ = judge
    tasks = load_tasks(REPO / "tasks")[:2]
    spec = (
        f"faithfulness:backend=llm,model=judge,base_url={server.url_for('/v1')},"
        f"cache={tmp_path / 'c.jsonl'}"
    )
    store = Store(tmp_path / "run")
    [scorer] = build_scorers([spec])
    Run(tasks, build_systems(["lead"]), [scorer], store, {}).execute()
    claims = store.claims()
    assert set(claims["task_id"]) == {t.id for t in tasks}
    assert (claims["backend"] == "llm-v1:judge:finesure-sources-v1").all()
    assert "supported" in set(claims["verdict"])
    assert set(claims["verdict"]) <= {"supported", "contradicted", "not mentioned", "disputed"}
    supported = claims[claims["verdict"] == "supported"]
    assert (supported["evidence"] != "").all()
    signatures = json.loads((tmp_path / "run" / "run.json").read_text())["signatures"]
    [signature] = signatures.values()
    assert "backend:llm-v1:judge:finesure-sources-v1" in signature
    assert "cache" not in signature and "base_url" not in signature


def test_documents_too_long_for_the_context_are_cut_and_the_cut_is_noted(
    judge: tuple[HTTPServer, list[str]], tmp_path: Path
) -> None:
    server, asked = judge
    backend = make(server, tmp_path / "c.jsonl", max_source_chars=200)
    found = judge_summary(backend, TWO, SENTENCES[:1])
    assert "Protesters" not in asked[0]  # BBC's last sentence did not fit
    assert "The talks ended with a declaration of intent only." in asked[0]  # Reuters fits
    assert found[0].verdict == "supported"
    assert "the judge saw document 1 (bbc) to 2 of 3 sentences" in found[0].reason
    assert "max_source_chars=200" in backend.name


def test_a_judge_whose_replies_are_never_verdicts_is_given_up(tmp_path: Path) -> None:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    asked: list[str] = []
    server.expect_request(PATH, method="POST").respond_with_handler(chat(lambda t: "?", asked))
    server.start()
    try:
        backend = make(server, tmp_path / "c.jsonl")
        premises = [Premise.of_text(BBC, "bbc")]
        for n in range(GIVE_UP):
            [result] = backend.judge(premises, [f"Claim {n}."])
            assert isinstance(result, Undecided)
        with pytest.raises(JudgeFailed, match=f"first {GIVE_UP} replies"):
            backend.judge(premises, ["One more."])
    finally:
        server.stop()
    assert len(asked) == GIVE_UP


@pytest.mark.parametrize(
    ("written", "category"),
    [
        ("No Error", "no error"),
        ("out_of_context_error", "out-of-context error"),
        ("Entity", "entity error"),
        ("linking error", "linking error"),
        ("hallucination", None),
        (3, None),
    ],
)
def test_the_judges_categories_are_read_whatever_their_case_and_separators(
    written: object, category: str | None
) -> None:
    assert category_of(written) == category


@pytest.mark.parametrize(
    ("category", "supported_by", "contradicted_by", "expected"),
    [
        ("no error", [], [], ({1, 2}, set())),
        ("no error", [1], [2], ({1}, {2})),
        ("no error", [], [1, 2], ({1, 2}, set())),  # the category wins over the citations
        ("entity error", [], [], (set(), {1, 2})),
        ("entity error", [1], [], ({1}, {2})),  # document 2 is the one in error: disputed
        ("entity error", [1, 2], [], (set(), {1, 2})),
        ("out-of-context error", [1], [2], (set(), set())),
    ],
)
def test_the_category_decides_the_verdict_and_the_citations_which_documents(
    category: str, supported_by: list[int], contradicted_by: list[int], expected: Any
) -> None:
    label = Labelled(category, frozenset(supported_by), frozenset(contradicted_by))
    assert sides(label, 2) == (frozenset(expected[0]), frozenset(expected[1]))


def test_a_reply_cut_by_its_cap_keeps_the_whole_entries_before_the_cut() -> None:
    cut = (
        '[{"sentence": 1, "category": "no error", "supported_by": [1], "contradicted_by": []}, '
        '{"sentence": 2, "category": "entity error", "supported_by": [3], "contra'
    )
    first, second = read_labels(Reply(cut), 2, 1)
    assert first == Labelled("no error", frozenset({1}), frozenset())
    assert second is None  # unanswered: that sentence is undecided
