"""The Ray executor on a real two-node Ray cluster on 127.0.0.1 (``ray.cluster_utils``): the
table equals a local run's byte for byte, a node killed mid-run loses and duplicates nothing,
a worker that keeps dying fails only its items, with the attempts recorded."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from adapters.tiny_models import build_tiny_t5
from clients.chat_server import Script, completion, ok
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.run import RunOptions, plan_run
from bench.store import Store
from run.ray_cluster import NODE, local_cluster
from run.ray_functions import MARKS, SLOW_TASK

ray = pytest.importorskip("ray", reason="the Ray executor needs the [ray] extra")

pytestmark = pytest.mark.slow  # a cluster started and nodes killed: over a minute

REPO = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]
WORDS = [
    "council",
    "bridge",
    "river",
    "mayor",
    "budget",
    "vote",
    "city",
    "plan",
    "road",
    "school",
    "water",
    "park",
    "station",
    "tram",
    "money",
    "year",
    "week",
    "report",
    "people",
    "street",
    "north",
    "south",
    "market",
    "health",
    "court",
    "law",
]


@pytest.fixture(scope="module")
def marks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder where the workers' calls in flight leave a file named after their node."""
    return tmp_path_factory.mktemp("marks")


@pytest.fixture(scope="module")
def cluster(marks: Path) -> Iterator[Any]:
    """A head and a second node on this machine (one CPU each), the test process connected."""
    env = {"PYTHONPATH": str(TESTS), MARKS: str(marks), "HF_HUB_OFFLINE": "1"}
    with local_cluster(2, env) as made:
        yield made


def generated_tasks(path: Path, count: int, seed: int = 7, sentences: int = 8) -> Path:
    """A JSONL table of ``count`` tasks with made-up news text (``sentences`` long) and one
    reference each."""
    chance = random.Random(seed)

    def sentence() -> str:
        return " ".join(chance.choice(WORDS) for _ in range(chance.randint(6, 14))).capitalize()

    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            document = ". ".join(sentence() for _ in range(sentences)) + "."
            reference = ". ".join(sentence() for _ in range(2)) + "."
            row = {"id": f"task-{index:04d}", "documents": [document], "references": [reference]}
            handle.write(json.dumps(row) + "\n")
    return path


def run(out: Path, executor: str, **options: Any) -> Any:
    """Plan and execute a run with no generation cache (so both runs really generate)."""
    job = plan_run(RunOptions(out=out, no_cache=True, executor=executor, **options))
    return job, job.execute()


def score_rows(folder: Path) -> list[tuple[str, ...]]:
    """Every raw row of scores.csv, sorted (a duplicate would show twice)."""
    lines = (folder / "scores.csv").read_text(encoding="utf-8").splitlines()[1:]
    return sorted(tuple(line.split(",")) for line in lines)


def test_the_bundled_benchmark_on_ray_gives_the_local_table_byte_for_byte(
    cluster: Any, tmp_path: Path
) -> None:
    local, _ = run(tmp_path / "local", "local", tasks=str(REPO / "tasks"))
    remote, stats = run(tmp_path / "ray", "ray", tasks=str(REPO / "tasks"))
    for folder in (local.store, remote.store):
        from bench.report.build import build_report

        build_report(folder, charts=False)
    assert (tmp_path / "ray" / "table.md").read_bytes() == (
        tmp_path / "local" / "table.md"
    ).read_bytes()
    assert score_rows(tmp_path / "ray") == score_rows(tmp_path / "local")
    assert stats.errors.total == 0 and stats.generated == 30 and stats.scored == 90
    info = Store(tmp_path / "ray").run_info()
    assert info["executor"]["name"] == "ray"
    assert info["executor"]["units"]["units"] >= 20 + 30  # 20 batches, 30 items scored


def test_a_node_killed_mid_run_loses_and_duplicates_nothing(
    cluster: Any, marks: Path, tmp_path: Path
) -> None:
    tasks = generated_tasks(tmp_path / "tasks.jsonl", 2000)
    options: dict[str, Any] = {
        "tasks": str(tasks),
        "systems": ["python:function=run.ray_functions:first_words,name=first"],
        "scorers": ["rouge"],
    }
    _, local_stats = run(tmp_path / "local", "local", **options)
    doomed = cluster.add_node(**NODE)
    cluster.wait_for_nodes()
    done = Counter[str]()

    killed: list[int] = []

    def progress(system: str, status: str) -> None:
        done[status] += 1
        count = sum(done.values())
        if killed or count < 400:
            return
        # past a fifth of the way, once a call is in flight on the node, the node goes and
        # so do the worker processes in the middle of a call there (a worker can otherwise
        # finish its call after its node's raylet died: nothing would be lost to retry)
        in_flight = list(marks.glob(f"{doomed.node_id}.*"))
        if in_flight or count >= 1800:
            cluster.remove_node(doomed, allow_graceful=False)
            for mark in in_flight:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(mark.name.split(".")[1]), signal.SIGKILL)
            killed.append(count)

    job = plan_run(RunOptions(out=tmp_path / "ray", no_cache=True, executor="ray", **options))
    stats = job.execute(progress)
    # the node went mid-run (by 1,800 items at the latest, with 200 or more still to do)
    assert done == {"done": 2000} and killed and killed[0] <= 1800, killed
    assert stats.errors.total == 0 and stats.generated == 2000 and stats.scored == 2000
    from bench.report.build import build_report

    tables = [build_report(Store(tmp_path / name), charts=False) for name in ("local", "ray")]
    assert tables[0] == tables[1]
    assert score_rows(tmp_path / "ray") == score_rows(tmp_path / "local")
    outputs = Store(tmp_path / "ray").outputs()
    assert sorted(r["task_id"] for r in outputs) == [f"task-{i:04d}" for i in range(2000)]
    assert local_stats.generated == 2000
    info = Store(tmp_path / "ray").run_info()
    assert info["status"] == "complete"
    # Whether a unit was caught mid-call on the node (and so retried) depends on timing under
    # load; retries themselves are checked deterministically by the always-dying worker test.


def test_a_worker_that_dies_every_time_fails_only_its_items_after_bounded_retries(
    cluster: Any, tmp_path: Path
) -> None:
    tasks = generated_tasks(tmp_path / "tasks.jsonl", 8)
    options: dict[str, Any] = {
        "tasks": str(tasks),
        "systems": ["python:function=run.ray_functions:crash_on_one,name=fragile"],
        "scorers": ["rouge"],
    }
    _, stats = run(tmp_path / "ray", "ray", **options)
    assert stats.generated == 7 and stats.errors.total == 1
    failed = [r for r in Store(tmp_path / "ray").outputs() if r.get("error")]
    assert [r["task_id"] for r in failed] == ["task-0003"]
    assert failed[0]["attempts"] == 4  # the first try and RETRIES more
    assert "Ray worker died on each of 4 attempts" in failed[0]["error"]
    info = Store(tmp_path / "ray").run_info()
    assert info["executor"]["units"]["retried"] == 3
    assert info["executor"]["units"]["lost"] == 1


def test_adapter_errors_cross_from_the_workers_as_a_local_run_records_them(
    cluster: Any, tmp_path: Path
) -> None:
    from clients.chat_server import closed_port

    tasks = generated_tasks(tmp_path / "tasks.jsonl", 3)
    spec = (
        f"openai:base_url=http://127.0.0.1:{closed_port()}/v1,model=m,api_key_env=none,"
        "retries=0,name=down"
    )
    options: dict[str, Any] = {"tasks": str(tasks), "systems": [spec], "scorers": ["rouge"]}
    _, local_stats = run(tmp_path / "local", "local", **options)
    _, ray_stats = run(tmp_path / "ray", "ray", **options)
    assert ray_stats.errors.total == local_stats.errors.total == 3

    def errors(name: str) -> list[tuple[str, str, int]]:
        rows = Store(tmp_path / name).outputs()
        return sorted((r["task_id"], r["error"], r["attempts"]) for r in rows)

    assert errors("ray") == errors("local")
    assert errors("ray")[0][1].startswith("AdapterError: ")
    info = Store(tmp_path / "ray").run_info()
    placed = info["executor"]["systems"]["down"]  # an API system: one actor, no CPU held
    assert placed["actors"] == 1 and placed["num_cpus"] == 0 and placed["num_gpus"] == 0


SLOW_SCRIPT = """
import json, sys, time
request = json.load(sys.stdin)
time.sleep(0.3)
print(" ".join(request["documents"][0]["text"].split()[: request["budget"]]))
"""


def test_a_killed_driver_resumes_on_the_cluster_with_every_item_once(
    cluster: Any, tmp_path: Path
) -> None:
    script = tmp_path / "slow.py"
    script.write_text(SLOW_SCRIPT, encoding="utf-8")
    tasks = generated_tasks(tmp_path / "tasks.jsonl", 40)
    system = f"command:argv={sys.executable} {script},name=slow"
    args = ["run", "--tasks", str(tasks), "--systems", system, "--scorers", "rouge"]
    args += ["--no-charts", "--no-cache"]
    ray_args = [*args, "--executor", f"ray:{cluster.address}", "--out", str(tmp_path / "ray")]
    first = subprocess.Popen(
        [sys.executable, "-m", "bench", *ray_args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    outputs = tmp_path / "ray" / "outputs.jsonl"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and first.poll() is None:
        if outputs.exists() and len(outputs.read_text().splitlines()) >= 5:
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    before = len(outputs.read_text().splitlines())
    assert 5 <= before < 40, f"the kill landed at {before} items: too late to test"
    second = subprocess.run(
        [sys.executable, "-m", "bench", *ray_args], capture_output=True, text=True, timeout=180
    )
    assert second.returncode == 0, second.stderr[-2000:]
    local = subprocess.run(
        [sys.executable, "-m", "bench", *args, "--out", str(tmp_path / "local")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert local.returncode == 0, local.stderr[-2000:]
    assert second.stdout == local.stdout.replace(str(tmp_path / "local"), str(tmp_path / "ray"))
    ids = sorted(r["task_id"] for r in Store(tmp_path / "ray").outputs())
    assert ids == [f"task-{i:04d}" for i in range(40)]
    assert score_rows(tmp_path / "ray") == score_rows(tmp_path / "local")


def test_a_scorer_past_the_item_deadline_on_a_worker_is_recorded_as_a_local_run_records_it(
    cluster: Any, tmp_path: Path
) -> None:
    tasks = generated_tasks(tmp_path / "tasks.jsonl", 4)
    options: dict[str, Any] = {
        "tasks": str(tasks),
        "systems": ["python:function=run.ray_functions:first_words,name=first"],
        "scorers": ["test-ray-spin", "rouge"],
        "score_deadline": 0.5,
    }
    started = time.monotonic()
    _, stats = run(tmp_path / "ray", "ray", **options)
    assert time.monotonic() - started < 25  # the 30 s spin was cut short on the worker
    _, local_stats = run(tmp_path / "local", "local", **options)

    def timeouts(name: str) -> list[tuple[str, str, str, str]]:
        found = [p for p in Store(tmp_path / name).problems() if p["kind"] == "timeout"]
        assert all(0.5 <= p["seconds"] < 10 for p in found)
        return [(p["task_id"], p["system"], p["scorer"], p["message"][:10]) for p in found]

    assert (
        timeouts("ray")
        == timeouts("local")
        == [(SLOW_TASK, "first", "test-ray-spin", "stopped af")]
    )
    assert stats.skipped.total == local_stats.skipped.total == 1
    assert score_rows(tmp_path / "ray") == score_rows(tmp_path / "local")
    assert Store(tmp_path / "ray").run_info()["status"] == "complete"


def test_an_hf_system_keeps_its_model_loaded_in_one_actor_per_gpu_across_many_units(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = build_tiny_t5(tmp_path / "tiny-t5")
    tasks = generated_tasks(tmp_path / "tasks.jsonl", 12)
    system = f"hf:model={model},batch_size=2,max_new_tokens=6,name=tiny"
    options: dict[str, Any] = {"tasks": str(tasks), "systems": [system], "scorers": ["rouge"]}
    # Ray takes a declared GPU at its word: this node "has" one, so the actor must ask for it
    gpu_node = cluster.add_node(
        num_cpus=1, num_gpus=1, object_store_memory=NODE["object_store_memory"]
    )
    cluster.wait_for_nodes()
    try:
        _, stats = run(tmp_path / "ray", "ray", **options)
    finally:
        cluster.remove_node(gpu_node)
    _, local_stats = run(tmp_path / "local", "local", **options)
    assert stats.errors.total == local_stats.errors.total == 0 and stats.generated == 12
    placed = Store(tmp_path / "ray").run_info()["executor"]["systems"]["tiny"]
    assert placed["actors"] == 1 and placed["num_gpus"] == 1
    (worker,) = placed["workers"]
    assert worker["node"] == gpu_node.node_id and len(worker["gpu_ids"]) == 1
    assert worker["batches"] == 6 and worker["model_loads"] == 1  # six units, one load

    def summaries(name: str) -> list[tuple[str, str]]:
        return sorted((r["task_id"], r["summary"]) for r in Store(tmp_path / name).outputs())

    assert summaries("ray") == summaries("local")
    assert score_rows(tmp_path / "ray") == score_rows(tmp_path / "local")


class SentBytes:
    """Counts the pickled bytes of every argument the driver hands Ray (task and actor calls,
    objects put in the object store): what travels from the driver to the workers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import pickle

        from ray import actor, remote_function

        self.total = 0

        def size(values: Any) -> int:
            kept = [v for v in values if not isinstance(v, ray.ObjectRef)]
            return len(pickle.dumps(kept))

        def counting(original: Any) -> Any:
            def call(self_: Any, args: Any = None, kwargs: Any = None, **rest: Any) -> Any:
                self.total += size(list(args or ()) + list((kwargs or {}).values()))
                return original(self_, args, kwargs, **rest)

            return call

        put = ray.put

        def counted_put(value: Any, **rest: Any) -> Any:
            self.total += size([value])
            return put(value, **rest)

        monkeypatch.setattr(ray, "put", counted_put)
        for owner in (remote_function.RemoteFunction, actor.ActorMethod):
            monkeypatch.setattr(owner, "_remote", counting(owner._remote))


def test_workers_read_a_shared_table_themselves_and_the_driver_sends_no_task_contents(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    from bench.report.build import build_report

    jsonl = generated_tasks(tmp_path / "tasks.jsonl", 150, sentences=100)
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    text = sum(len(json.dumps(row)) for row in rows)  # the contents of the tasks, in bytes
    parquet = tmp_path / "tasks.parquet"  # other column names, read through --map
    renamed = [
        {"key": r["id"], "article": r["documents"][0], "highlights": r["references"][0]}
        for r in rows
    ]
    pq.write_table(pa.Table.from_pylist(renamed), parquet, row_group_size=40)
    common: dict[str, Any] = {
        "systems": ["python:function=run.ray_functions:first_words,name=first"],
        "scorers": ["rouge"],
        "budget": 15,
    }
    spreadsheet = tmp_path / "tasks.csv"  # read at a URL, through fsspec
    with spreadsheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "documents", "references"])
        writer.writeheader()
        writer.writerows(
            {"id": r["id"], "documents": r["documents"][0], "references": r["references"][0]}
            for r in rows
        )
    sources = [
        {"tasks": str(jsonl)},
        {"tasks": str(parquet), "mapping": "documents=article,references=highlights,id=key"},
        {"tasks": spreadsheet.as_uri()},
    ]
    for number, source in enumerate(sources):
        options = {**common, **source}
        local, _ = run(tmp_path / f"local{number}", "local", **options)
        with monkeypatch.context() as patch:
            sent = SentBytes(patch)
            remote, stats = run(tmp_path / f"ray{number}", "ray", **options)
        assert stats.generated == 150 and stats.errors.total == 0
        # rows, ids, summaries and recipes (some 400 bytes a unit), no articles (7 kB a task)
        assert sent.total < text / 5, (sent.total, text)
        tables = [build_report(job.store, charts=False) for job in (local, remote)]
        assert tables[0] == tables[1]
        assert score_rows(tmp_path / f"ray{number}") == score_rows(tmp_path / f"local{number}")
        info = Store(tmp_path / f"ray{number}").run_info()["executor"]
        assert info["tasks"] == {"read_by_workers": source["tasks"], "fell_back": None}
        assert info["units"]["by_rows"] == info["units"]["units"] == 300  # 150 batches, 150 scored
    # the same run with the tasks streamed from the driver sends them all, and more
    job = plan_run(
        RunOptions(out=tmp_path / "streamed", no_cache=True, executor="ray", **common, **sources[0])
    )
    job.shared_table = None
    with monkeypatch.context() as patch:
        sent = SentBytes(patch)
        job.execute()
    assert sent.total > text


def test_a_table_workers_cannot_read_falls_back_to_sending_the_tasks(
    cluster: Any, tmp_path: Path
) -> None:
    tasks = generated_tasks(tmp_path / "tasks.jsonl", 20)
    options: dict[str, Any] = {
        "tasks": str(tasks),
        "systems": ["python:function=run.ray_functions:first_words,name=first"],
        "scorers": ["rouge"],
    }
    run(tmp_path / "local", "local", **options)
    job = plan_run(RunOptions(out=tmp_path / "ray", no_cache=True, executor="ray", **options))
    assert job.shared_table is not None
    job.shared_table.size += 1  # as if the workers saw another copy of the file
    stats = job.execute()
    assert stats.generated == 20 and stats.errors.total == 0
    assert score_rows(tmp_path / "ray") == score_rows(tmp_path / "local")
    info = Store(tmp_path / "ray").run_info()["executor"]
    assert "bytes here" in info["tasks"]["fell_back"]


def test_max_cost_on_ray_reserves_each_estimate_before_a_unit_is_sent(
    cluster: Any, serve: Callable[..., Script], server: HTTPServer, tmp_path: Path
) -> None:
    from bench.prices import load_prices
    from bench.run import build_systems
    from bench.run.cost import Spending
    from bench.tasksets import iter_tasks

    prices = tmp_path / "prices.yaml"
    prices.write_text("models:\n  m: {input: 1000, output: 2000}\n", encoding="utf-8")
    tasks = generated_tasks(tmp_path / "tasks.jsonl", 12)
    used = {"prompt_tokens": 300, "completion_tokens": 140}  # a little over the estimate
    actual = (300 * 1000 + 140 * 2000) / 1_000_000

    def slow(request: Request) -> Response:
        time.sleep(0.3)  # four requests in flight at once overlap
        return ok(completion(usage=used))

    script = serve(slow)
    spec = (
        f"openai:base_url={server.url_for('/v1')},model=m,api_key_env=none,retries=0,"
        "concurrency=4,name=api"
    )
    (system,) = build_systems([spec])
    first = next(iter_tasks(tasks))
    guess = Spending(load_prices(prices)).estimate(system, [first.request()])
    assert 0 < actual - guess < guess / 4
    limit = 2.5 * guess
    options: dict[str, Any] = {
        "tasks": str(tasks),
        "systems": [spec],
        "scorers": ["rouge"],
        "prices": prices,
        "max_cost": limit,
    }
    _, stats = run(tmp_path / "ray", "ray", **options)
    spent = Store(tmp_path / "ray").run_info()["cost"]["this_run_usd"]
    # as in a local run: two requests reserved, no third while they are out, none after
    assert len(script.requests) == 2 and spent == pytest.approx(2 * actual)
    assert spent <= limit + 4 * (actual - guess) and spent + guess > limit
    assert stats.not_run.total == 10
