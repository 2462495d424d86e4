"""Limit, stable sample and shards over task ids or tasks."""

from __future__ import annotations

import random

import pytest
from conftest import REPO

from bench.sampling import Shard, parse_shard, sample_key, select, shard_of, take_sample
from bench.task import load_tasks

IDS = [f"task-{i:05d}" for i in range(2000)]


def test_parse_shard_reads_i_of_n_and_explains_mistakes() -> None:
    assert parse_shard("2/4") == Shard(2, 4)
    assert parse_shard(" 1 / 1 ") == Shard(1, 1)
    assert str(Shard(3, 8)) == "3/8"
    for bad in ["0/4", "5/4", "1/0"]:
        with pytest.raises(ValueError, match="expected I/N with 1 <= I <= N"):
            parse_shard(bad)
    with pytest.raises(ValueError, match="bad shard 'two'"):
        parse_shard("two")


def test_shards_are_disjoint_covering_and_balanced() -> None:
    parts = [list(select(IDS, shard=f"{i}/4")) for i in range(1, 5)]
    assert sorted(x for part in parts for x in part) == IDS
    assert sum(len(p) for p in parts) == len(set().union(*map(set, parts))) == len(IDS)
    assert all(400 < len(p) < 600 for p in parts)


def test_shard_membership_depends_only_on_the_id() -> None:
    shuffled = IDS[:]
    random.Random(1).shuffle(shuffled)
    assert set(select(shuffled, shard="3/5")) == set(select(IDS, shard="3/5"))
    assert shard_of("task-00042", 5) == shard_of("task-00042", 5)


def test_known_values_pin_the_hash_across_machines_and_versions() -> None:
    # SHA-256 based: Python's salted hash() would change these on every interpreter start
    assert sample_key("a", 0) == 0x9DF3C5FAB8EF8FE7
    assert shard_of("paris-summit", 4) == 3


def test_a_sample_is_stable_across_input_orders_and_keeps_input_order() -> None:
    shuffled = IDS[:]
    random.Random(2).shuffle(shuffled)
    first = list(select(IDS, sample=50, seed=7))
    second = list(select(shuffled, sample=50, seed=7))
    assert len(first) == 50 and set(first) == set(second)
    assert first == sorted(first)  # input order kept
    assert set(select(IDS, sample=50, seed=8)) != set(first)


def test_a_sample_of_a_sample_is_the_smaller_sample() -> None:
    big = take_sample(IDS, 300, seed=3)
    assert take_sample(big, 40, seed=3) == take_sample(IDS, 40, seed=3)


def test_sample_larger_than_the_input_or_zero() -> None:
    assert take_sample(IDS[:5], 10) == IDS[:5]
    assert take_sample(IDS, 0) == []


def test_limit_takes_the_first_n_lazily() -> None:
    def endless():  # type: ignore[no-untyped-def]
        i = 0
        while True:
            yield f"id-{i}"
            i += 1

    assert list(select(endless(), limit=3)) == ["id-0", "id-1", "id-2"]
    with pytest.raises(ValueError, match="limit must be >= 0"):
        select(IDS, limit=-1)


def test_shards_of_a_sample_partition_the_sample() -> None:
    chosen = set(select(IDS, sample=100, seed=1))
    parts = [set(select(IDS, sample=100, seed=1, shard=Shard(i, 3))) for i in (1, 2, 3)]
    assert set().union(*parts) == chosen
    assert sum(len(p) for p in parts) == 100


def test_select_works_on_tasks_by_their_id() -> None:
    tasks = load_tasks(REPO / "tasks")
    picked = list(select(tasks, sample=2, seed=0))
    assert [t.id for t in picked] == list(select([t.id for t in tasks], sample=2, seed=0))
    parts = [list(select(tasks, shard=Shard(i, 2))) for i in (1, 2)]
    assert sorted(t.id for p in parts for t in p) == sorted(t.id for t in tasks)
