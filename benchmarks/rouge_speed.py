"""ROUGE speed: sumbench's engines against rouge-score (and rouge-score-rs), same pairs, same run.

    python benchmarks/rouge_speed.py           # full size (about 10 minutes on 2 cores)
    python benchmarks/rouge_speed.py --quick   # reduced sizes, a smoke test

Workloads are generated offline from a seed: news-like sentences whose words follow a Zipf law
over about 40,000 word types (common English words first, then generated words with English
suffixes, so the Porter stemmer and its cache see a realistic stream of new words). A reference
paraphrases sentences of a source article; a candidate copies other, overlapping sentences.
Sentences are separated by newlines (rougeLsum's input format). Every engine computes all four
types in one call, and every number is compared with rouge-score's (maximum difference: must be 0).

Contenders run interleaved: the pairs are cut into chunks and each chunk is scored by every
contender in turn (rotating the order), so machine noise hits all of them alike.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import itertools
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rouge_score import rouge_scorer

from bench.scorers.rouge_engine import ROUGE_TYPES, available_engines, clear_caches, make_engine
from bench.scorers.rouge_engine.parallel import cpu_count
from bench.text import DEFAULT_SPLITTER, split_sentences

# ---------------------------------------------------------------- workload

_COMMON = """
the of to and a in that is for on it with as was said he at by from his be have has an are but
not they this who were had been will their its after more one would which also we about there or
year new than up when two people out her she all first last over into can government i some so
could them other no time what him police years if told only just world before three most made
against being state while now our like percent million week since during may us where under
between say back country because officials still then do you many even president city minister
company day home market public former found including four months national group family members
later part health work high second around another children next well security own called end
early make both report number show several take left women man five court election party law
support plans money local power military team water war news council foreign south north united
days says school least life used recent prime economy already across political financial major
head director chief statement likely help six states according global china killed death attack
"""
_ONSETS = "b bl br c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr qu r s sc sh sl sp st str"
_ONSETS += " t th tr v w"
_VOWELS = "a e i o u ai ea ee ie oa ou"
_CODAS = "b ck d ft g l ld lt m mp n nd nt p r rd rk rm rn rt s sk ss st t x"
COMMON, ONSETS, VOWELS, CODAS = (s.split() for s in (_COMMON, _ONSETS, _VOWELS, _CODAS))
SUFFIXES = {
    "": 30,
    "s": 14,
    "ed": 8,
    "ing": 8,
    "er": 4,
    "ers": 3,
    "ly": 3,
    "ation": 3,
    "ations": 2,
    "ment": 2,
    "ments": 1,
    "ness": 1,
    "ity": 1,
    "al": 2,
    "ally": 1,
    "ize": 1,
    "ized": 1,
    "izing": 1,
    "ful": 1,
    "able": 1,
    "ive": 1,
    "ies": 1,
}
NUMBERS = ["4,000", "2019", "2023", "3.5", "12%", "$1.2", "10", "200", "1,500", "30", "7", "2.4"]
REFERENCE_DROP = 0.25
CANDIDATE_DROP = 0.05


def make_vocabulary(seed: int = 7, size: int = 40_000) -> list[str]:
    """Common words first, then generated inflected words: the rank order of the Zipf law."""
    rng = random.Random(seed)
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        syllables = rng.choice((1, 1, 2, 2, 3))
        stem = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
        stem += rng.choice(CODAS)
        chosen = rng.choices(list(SUFFIXES), list(SUFFIXES.values()), k=rng.randint(1, 4))
        for suffix in dict.fromkeys(chosen):
            if stem + suffix not in seen:
                seen.add(stem + suffix)
                words.append(stem + suffix)
    return words[:size]


@dataclass
class Writer:
    """Samples Zipfian words and assembles them into sentences and summaries."""

    rng: random.Random
    vocabulary: Sequence[str] = field(default_factory=make_vocabulary)
    exponent: float = 1.05

    def __post_init__(self) -> None:
        ranks = range(1, len(self.vocabulary) + 1)
        self._cumulative = list(itertools.accumulate(1 / r**self.exponent for r in ranks))

    def words(self, count: int) -> list[str]:
        """``count`` words, Zipf-distributed, with some numbers, names, hyphens, possessives."""
        found = self.rng.choices(self.vocabulary, cum_weights=self._cumulative, k=count)
        for i in range(count):
            roll = self.rng.random()
            if roll < 0.03:
                found[i] = self.rng.choice(NUMBERS)
            elif roll < 0.08:
                found[i] = found[i].capitalize()
            elif roll < 0.09:
                found[i] += "-" + self.rng.choice(self.vocabulary[:2000])
            elif roll < 0.10:
                found[i] += "'s"
        return found

    def source(self, sentences: int, mean: int) -> list[list[str]]:
        """A source article: ``sentences`` sentences of about ``mean`` words."""
        return [self.words(max(4, round(self.rng.gauss(mean, mean / 4)))) for _ in range(sentences)]

    def summary(self, source: list[list[str]], sentences: int, words: int, drop: float) -> str:
        """Sentences picked from the source, words dropped or replaced, about ``words`` long."""
        picked = sorted(self.rng.sample(range(len(source)), sentences))
        edited = []
        for index in picked:
            kept = []
            for w in source[index]:
                roll = self.rng.random()
                if roll >= drop:
                    kept.append(self.words(1)[0] if roll < drop + drop * 0.6 else w)
            edited.append(kept or source[index][:1])
        scale = min(1.0, words / max(1, sum(map(len, edited))))
        return "\n".join(self.render(s[: max(3, round(len(s) * scale))]) for s in edited)

    def render(self, words: list[str]) -> str:
        """Commas now and then, a capital and a full stop."""
        text = " ".join(w + "," if self.rng.random() < 0.07 else w for w in words[:-1])
        text = (text + " " + words[-1]).strip()
        return text[:1].upper() + text[1:] + "."


@dataclass(frozen=True)
class Shape:
    """Sentences and words of a reference and of a candidate."""

    name: str
    reference_sentences: int
    reference_words: int
    candidate_sentences: int
    candidate_words: int

    def source_mean(self) -> int:
        """Words per source sentence so that both summaries reach their length."""
        per = max(
            self.reference_words / self.reference_sentences / (1 - REFERENCE_DROP),
            self.candidate_words / self.candidate_sentences / (1 - CANDIDATE_DROP),
        )
        return round(1.1 * per)


SHORT = Shape("short", 3, 55, 3, 60)
LONG = Shape("long", 18, 300, 24, 400)


def make_runs(shape: Shape, tasks: int, systems: int, seed: int) -> list[list[tuple[str, str]]]:
    """Per system, a (reference, candidate) pair for every task; systems share references."""
    writer = Writer(random.Random(seed))
    runs: list[list[tuple[str, str]]] = [[] for _ in range(systems)]
    count = 2 * max(shape.reference_sentences, shape.candidate_sentences)
    for _ in range(tasks):
        source = writer.source(count, shape.source_mean())
        reference = writer.summary(
            source, shape.reference_sentences, shape.reference_words, REFERENCE_DROP
        )
        for run in runs:
            candidate = writer.summary(
                source, shape.candidate_sentences, shape.candidate_words, CANDIDATE_DROP
            )
            run.append((reference, candidate))
    return runs


# ---------------------------------------------------------------- timing

Result = list[tuple[float, ...]]
"""Per pair: precision, recall, F of each type in ROUGE_TYPES order."""


def flatten(scores: Any) -> tuple[float, ...]:
    """A result dict (any engine, rouge-score, rouge-score-rs) as 12 floats."""
    return tuple(float(x) for t in ROUGE_TYPES for x in scores[t])


@dataclass
class Contender:
    """Something that scores a list of (reference, candidate) pairs."""

    name: str
    run: Callable[[list[tuple[str, str]]], Result]
    seconds: float = 0.0
    pairs: int = 0
    results: Result = field(default_factory=list)


def rouge_score_loop(stem: bool) -> Callable[[list[tuple[str, str]]], Result]:
    """rouge-score, one pair after the other (what everybody runs)."""
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=stem)
    return lambda pairs: [flatten(scorer.score(t, p)) for t, p in pairs]


def rs_loop(stem: bool) -> Callable[[list[tuple[str, str]]], Result]:
    """rouge-score-rs, one pair after the other."""
    rs_scorer: Any = importlib.import_module("rouge_score_rs.rouge_scorer")
    scorer = rs_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=stem)
    return lambda pairs: [flatten(scorer.score(t, p)) for t, p in pairs]


def engine_batch(name: str, stem: bool, processes: int | None) -> Callable[..., Result]:
    """A sumbench engine's batch call (``processes=1``: this process only), cold caches."""
    clear_caches()
    engine = make_engine(name, use_stemmer=stem)
    return lambda pairs: [flatten(s) for s in engine.score_batch(pairs, processes=processes)]


def interleave(contenders: list[Contender], chunks: list[list[tuple[str, str]]]) -> None:
    """Each chunk through every contender, rotating who goes first."""
    for index, chunk in enumerate(chunks):
        for k in range(len(contenders)):
            contender = contenders[(index + k) % len(contenders)]
            start = time.perf_counter()
            contender.results.extend(contender.run(chunk))
            contender.seconds += time.perf_counter() - start
            contender.pairs += len(chunk)


def max_difference(a: Result, b: Result) -> float:
    """Largest absolute difference between two result lists of equal length."""
    return max(abs(x - y) for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True))


def report(
    title: str, contenders: list[Contender], reference: Contender, estimated: bool = False
) -> None:
    """pairs/s, ratio to the reference, maximum absolute difference to its numbers."""
    print(f"\n{title}")
    print(f"  {'engine':<34} {'pairs/s':>10} {'x rouge-score':>14} {'max |diff|':>11}")
    base = reference.pairs / reference.seconds
    for c in contenders:
        rate = c.pairs / c.seconds
        if c is reference:
            note = " (sample)" if estimated else ""
            diff = f"{'-':>11}"
        else:
            note = ""
            n = min(len(c.results), len(reference.results))
            diff = f"{max_difference(c.results[:n], reference.results[:n]):>11.3g}"
        print(f"  {c.name + note:<34} {rate:>10,.1f} {rate / base:>13.1f}x {diff}")


# ---------------------------------------------------------------- cases


def per_pair_case(shape: Shape, count: int, stem: bool, chunks: int, seed: int) -> None:
    """One workload, one stemming setting: every contender on the same pairs, interleaved."""
    pairs = make_runs(shape, count, 1, seed)[0]
    reference = Contender("rouge-score 0.1.2 (per-pair loop)", rouge_score_loop(stem))
    contenders = [reference, Contender("sumbench python engine", engine_batch("python", stem, 1))]
    if "rs" in available_engines():
        contenders.append(Contender("rouge-score-rs (per-pair loop)", rs_loop(stem)))
    size = -(-len(pairs) // chunks)
    interleave(contenders, [pairs[i : i + size] for i in range(0, len(pairs), size)])
    words = sum(len(t.split()) + len(p.split()) for t, p in pairs) / len(pairs)
    title = (
        f"{shape.name}: {len(pairs):,} pairs, ~{words:.0f} words per pair, "
        f"all four types, {'stemmed' if stem else 'unstemmed'}"
    )
    report(title, contenders, reference)


def whole_case(tasks: int, systems: int, sample: int, blocks: int, seed: int) -> None:
    """``systems`` x ``tasks`` long pairs: sumbench's batch path against per-pair loops.

    Tasks are cut into ``blocks``; every contender scores each block in turn, then rouge-score
    scores a random sample of the block's pairs (its rate is estimated from the samples).
    """
    runs = make_runs(LONG, tasks, systems, seed)
    by_task = [[run[i] for run in runs] for i in range(tasks)]
    contenders: list[Contender] = []
    for name in ("auto", "python") if "rs" in available_engines() else ("python",):
        label = f"sumbench engine:{make_engine(name).name} (batch, all {cpu_count()} cores)"
        contenders.append(Contender(label, engine_batch(name, True, None)))
    loop = None
    if "rs" in available_engines():
        loop = Contender("rouge-score-rs (per-pair loop)", rs_loop(True))
        contenders.append(loop)
    reference = Contender("rouge-score 0.1.2 (per-pair loop, sample)", rouge_score_loop(True))
    rng = random.Random(seed)
    size = -(-tasks // blocks)
    sampled: list[int] = []
    done = 0
    for start in range(0, tasks, size):
        block = [pair for group in by_task[start : start + size] for pair in group]
        interleave(contenders, [block])
        picked = sorted(rng.sample(range(len(block)), sample * len(block) // (tasks * systems)))
        interleave([reference], [[block[i] for i in picked]])
        sampled.extend(done + i for i in picked)
        done += len(block)
    print(
        f"\nwhole benchmark: {systems} systems x {tasks:,} long tasks = {done:,} pairs, all four "
        f"types, stemmed\n  rouge-score timed on a random sample of {len(sampled)} pairs (rate "
        "estimated from it; differences to it on that sample, to rouge-score-rs on all pairs)"
    )
    header = f"{'pairs/s':>9} {'x rouge-score':>14} {'x rs loop':>10} {'max |diff|':>11}"
    print(f"  {'engine':<50} {header}  (max |diff|: to rouge-score / to rouge-score-rs)")
    base = reference.pairs / reference.seconds
    for c in [reference, *contenders]:
        rate = c.pairs / c.seconds
        versus_loop = f"{rate / (loop.pairs / loop.seconds):>9.2f}x" if loop else f"{'-':>10}"
        if c is reference:
            diff = "-"
        else:
            diff = f"{max_difference([c.results[i] for i in sampled], reference.results):.3g}"
            if loop is not None and c is not loop:
                diff += f" / {max_difference(c.results, loop.results):.3g}"
        print(f"  {c.name:<50} {rate:>9,.1f} {rate / base:>13.1f}x {versus_loop} {diff:>11}")
    summaries = [candidate for group in by_task[:100] for _, candidate in group]
    split_sentences("The splitter loads its model. Not timed.")
    start_time = time.perf_counter()
    for text in summaries:
        split_sentences(text.replace("\n", " "))
    per = (time.perf_counter() - start_time) / len(summaries)
    print(
        f"  not included: sentence splitting for rougeLsum (bench.text, {DEFAULT_SPLITTER}), "
        f"{per * 1e3:.2f} ms per candidate here, once per summary in Rouge.score_pairs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes (smoke test)")
    parser.add_argument(
        "--case",
        choices=("all", "pairs", "whole"),
        default="all",
        help="only the per-pair cases, or only the whole-benchmark case",
    )
    args = parser.parse_args()
    short, long, tasks, sample = (500, 40, 60, 20) if args.quick else (10_000, 1_000, 1_000, 200)
    chunks = 5 if args.quick else 20
    versions = {
        name: importlib.metadata.version(name)
        for name in ("rouge-score", "rouge-score-rs", "rapidfuzz", "nltk")
        if name in _installed()
    }
    print(
        f"Python {platform.python_version()}, {cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; " + ", ".join(f"{k} {v}" for k, v in versions.items())
    )
    if args.case in ("all", "pairs"):
        for shape, count in ((SHORT, short), (LONG, long)):
            for stem in (True, False):
                per_pair_case(shape, count, stem, chunks, seed=1 if shape is SHORT else 2)
    if args.case in ("all", "whole"):
        whole_case(tasks, 10, sample, blocks=4, seed=3)


def _installed() -> set[str]:
    return {d.metadata["Name"].lower() for d in importlib.metadata.distributions()}


if __name__ == "__main__":
    main()
