"""How often the sentence splitters agree on news text, and what that changes in rougeLsum.

    python benchmarks/split_agreement.py

Texts: the bundled tasks' source documents and reference summaries, and the summaries stored in
``results/baseline`` (every bundled system). For each text, Punkt (the default) and pysbd split
it; a text agrees when both give the same sentences. rougeLsum F of every stored summary is
computed with each splitter (``rouge:split=punkt`` against ``rouge:split=pysbd``), and the
differences are summarised in points (x100). Last, each splitter's time per 700 words on the
source documents (each text made new so no cache serves it), and on them repeated 8 times (a
linear splitter takes 8 times as long). Then Punkt as sumbench uses it, remembering each
candidate break's decision, against plain Punkt with the same parameters, in this process: the
10,000 summaries of ``benchmarks/run_speed.py``'s workload split by each (fresh memory), and
again (warm memory, as when the results viewer splits what the scorers split); the sentences
must be the same.

Where ``../shared/data/faithfulness-dev`` is beside the checkout (FRANK's validation split: real
CNN/DailyMail and BBC/XSum articles, their reference highlights and 671 system summaries; not
part of the repository), the same agreement table for its text, and rougeLsum F of each system
summary against its reference with either splitter.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.request import Summary  # noqa: E402
from bench.scorers.rouge import Rouge  # noqa: E402
from bench.task import Document, Reference, Task  # noqa: E402
from bench.tasksets import iter_tasks  # noqa: E402

NEWS = ROOT.parent / "shared" / "data" / "faithfulness-dev" / "judgments.jsonl"
from bench.text import split_sentences  # noqa: E402


def agreement(texts: list[str]) -> tuple[int, int, int, int]:
    """(texts, texts split identically, Punkt sentences, pysbd sentences)."""
    same = punkt_total = pysbd_total = 0
    for text in texts:
        punkt, pysbd = split_sentences(text, "en", "punkt"), split_sentences(text, "en", "pysbd")
        same += [s.strip() for s in punkt] == [s.strip() for s in pysbd]
        punkt_total += len(punkt)
        pysbd_total += len(pysbd)
    return len(texts), same, punkt_total, pysbd_total


def per_700_words(texts: list[str], splitter: str, rounds: int = 5) -> float:
    """Milliseconds ``splitter`` takes per 700 words of ``texts`` (best of ``rounds``)."""
    words = sum(len(t.split()) for t in texts)
    best = float("inf")
    for round_ in range(rounds):
        fresh = [f"{t} {round_}{splitter}" for t in texts]  # new texts: no cache serves them
        start = time.perf_counter()
        for text in fresh:
            split_sentences(text, "en", splitter)
        best = min(best, time.perf_counter() - start)
    return 1000 * best * 700 / words


def table(groups: dict[str, list[str]]) -> None:
    """The agreement table, a row per group of texts."""
    print("| Texts | n | split identically | Punkt sentences | pysbd sentences |")
    print("| :-- | --: | --: | --: | --: |")
    for name, texts in groups.items():
        n, same, a, b = agreement(texts)
        print(f"| {name} | {n} | {same} ({same / n:.0%}) | {a} | {b} |")


def lsum_differences(name: str, pairs: list[tuple[Task, str]]) -> None:
    """rougeLsum F of each (task, summary) with Punkt minus with pysbd, summarised in points."""
    scorers = {s: Rouge(types=["rougeLsum"], split=s) for s in ("punkt", "pysbd")}
    diffs = []
    for task, text in pairs:
        summary = Summary(text=text)
        f = {s: sc.score(task, summary).values["rougeLsum_f"] for s, sc in scorers.items()}
        diffs.append(100 * (f["punkt"] - f["pysbd"]))
    changed = sum(1 for d in diffs if d != 0)
    print(
        f"\nrougeLsum F of {len(diffs)} {name}, Punkt minus pysbd (points): "
        f"{changed} changed, mean {sum(diffs) / len(diffs):+.3f}, "
        f"mean |diff| {sum(abs(d) for d in diffs) / len(diffs):.3f}, "
        f"largest |diff| {max(abs(d) for d in diffs):.3f}"
    )


def main() -> int:
    tasks = {t.id: t for t in iter_tasks(str(ROOT / "tasks"), references=ROOT / "references")}
    rows = [
        json.loads(line)
        for line in (ROOT / "results/baseline/outputs.jsonl").read_text().splitlines()
        if line.strip()
    ]
    rows = [r for r in rows if r.get("summary")]
    groups = {
        "source documents": [d.text for t in tasks.values() for d in t.documents],
        "reference summaries": [r.text for t in tasks.values() for r in t.references],
        "system summaries": [r["summary"] for r in rows],
    }
    table(groups)
    lsum_differences("stored summaries", [(tasks[r["task_id"]], r["summary"]) for r in rows])
    if NEWS.is_file():
        news = [json.loads(line) for line in NEWS.read_text().splitlines() if line.strip()]
        articles = {r["article_id"]: r for r in news}
        print(f"\nFRANK validation split ({len(articles)} CNN/DailyMail and XSum articles):\n")
        table(
            {
                "articles": [r["article"] for r in articles.values()],
                "reference summaries": [r["reference"] for r in articles.values()],
                "system summaries": [r["summary"] for r in news],
            }
        )
        pairs = [
            (
                Task(
                    id="news",
                    title="",
                    documents=[Document(id="article", text=r["article"])],
                    references=[Reference(id="ref", text=r["reference"])],
                    instructions="",
                    budget=100,
                ),
                r["summary"],
            )
            for r in news
        ]
        lsum_differences("FRANK system summaries (against the reference)", pairs)
    sources = groups["source documents"]
    print("\nms per 700 words of the source documents (x1, and each repeated 8 times):")
    for splitter in ("punkt", "pysbd"):
        once = per_700_words(sources, splitter)
        eight = per_700_words([" ".join([t] * 8) for t in sources], splitter, rounds=2)
        print(f"  {splitter}: {once:.2f} ms, x8: {eight:.2f} ms per 700 words")
    remembered_against_plain()
    return 0


def remembered_against_plain(summaries: int = 10_000) -> None:
    """Punkt remembering its decisions against plain Punkt, on generated news summaries."""
    import random
    import tempfile

    from nltk.tokenize.punkt import PunktSentenceTokenizer

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run_speed import generate

    from bench.text import _punkt

    with tempfile.TemporaryDirectory() as folder:
        _, outputs = generate(Path(folder), -(-summaries // 10), 0)
        texts = [json.loads(line)["summary"] for line in outputs.read_text().splitlines()]
    texts = texts[:summaries]
    remembering = _punkt("english").__self__
    plain = PunktSentenceTokenizer(remembering._params)
    random.Random(0).shuffle(texts)
    timings: dict[str, float] = {}
    results = {}
    for name, tokenizer in (("plain", plain), ("remembering", remembering), ("again", None)):
        if name == "remembering":
            remembering.decided.clear()
        split = (tokenizer or remembering).tokenize
        start = time.perf_counter()
        results[name] = [split(t) for t in texts]
        timings[name] = time.perf_counter() - start
    same = results["plain"] == results["remembering"] == results["again"]
    print(
        f"\nPunkt on {len(texts):,} generated summaries (run_speed's workload), one process: "
        f"plain {timings['plain']:.2f} s, remembering decisions {timings['remembering']:.2f} s "
        f"({timings['plain'] / timings['remembering']:.2f}x), again {timings['again']:.2f} s "
        f"({timings['plain'] / timings['again']:.2f}x); same sentences: {same}"
    )


if __name__ == "__main__":
    sys.exit(main())
