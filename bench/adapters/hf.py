"""The ``hf`` adapter: a local Hugging Face transformers model, seq2seq or chat/causal.

``hf:model=google/flan-t5-small`` or ``hf:model=./my-model,batch_size=8`` or, for a GGUF
checkpoint, ``hf:model=/models/smol,gguf_file=smol.gguf`` (or ``model=/models/smol/smol.gguf``).
Offline by default: the model must be a local folder or already in the Hugging Face cache; the
adapter sets ``HF_HUB_OFFLINE=1`` and loads with ``local_files_only``. ``online=true`` lets the
hub be used.

Encoder-decoder models read the prompt's user message (instructions and documents); causal
models get the chat template when the tokenizer has one, else a plain prompt, and only the new
tokens are decoded. Inputs longer than ``max_input_tokens`` (default: the model's context minus
the generation length) are cut, each document in proportion to its length; instructions stay.

``version`` is bumped when the same parameters, model and request can give different text:
prompt building, truncation, decoding, or a default generation setting changes.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.adapters._select import int_param, optional_int_param
from bench.adapters.base import AdapterError, Summarizer, register_adapter
from bench.adapters.prompts import Prompt, fit_documents, load_prompt, render_documents
from bench.params import as_bool
from bench.request import RequestDocument, Summary, SummaryRequest
from bench.text import count_words

NAME = "hf"
DEVICES = re.compile(r"auto|cpu|mps|cuda(:\d+)?")
DTYPES = ("auto", "float32", "float16", "bfloat16")
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth")
FINGERPRINT_SUFFIXES = (*WEIGHT_SUFFIXES, ".json", ".jinja", ".model", ".txt", ".tiktoken")
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
_WHOLE_FILE = 32 * 2**20
_SAMPLE = 2**20
_SAMPLES = 16
_MISSING_DEPENDENCY = (
    f"adapter {NAME!r} needs torch and transformers: pip install 'sumbench[hf]' ({{error}})"
)


def _invalid(name: str, expected: str, value: object) -> ValueError:
    return ValueError(f"adapter {NAME!r}: parameter {name!r} expects {expected}, got {value!r}")


def _bool_param(name: str, value: bool | str) -> bool:
    parsed = as_bool(value)
    if parsed is None:
        raise _invalid(name, "true or false", value)
    return parsed


def _choice_param(name: str, value: str, pattern: re.Pattern[str], expected: str) -> str:
    text = str(value).strip().lower()
    if not pattern.fullmatch(text):
        raise _invalid(name, expected, value)
    return text


def _temperature_param(value: float | str | None) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _invalid("temperature", "a number > 0", value) from None
    if isinstance(value, bool) or not number > 0 or number == float("inf"):
        raise _invalid("temperature", "a number > 0", value)
    return number


def _fingerprint(folder: Path, gguf_file: str | None) -> str:
    """Hash of the model folder's files: whole small files, sampled blocks of large weights."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not path.name.endswith(FINGERPRINT_SUFFIXES):
            continue
        if path.suffix == ".gguf" and gguf_file is not None and path.name != gguf_file:
            continue
        size = path.stat().st_size
        digest.update(f"{path.name}\0{size}\0".encode())
        with path.open("rb") as handle:
            if size <= _WHOLE_FILE:
                digest.update(handle.read())
                continue
            for index in range(_SAMPLES):
                handle.seek((size - _SAMPLE) * index // (_SAMPLES - 1))
                digest.update(handle.read(_SAMPLE))
    return digest.hexdigest()[:16]


def _not_cached(model: str) -> ValueError:
    return ValueError(
        f"adapter {NAME!r}: model {model!r} is not in the local Hugging Face cache and sumbench "
        f"is offline; download it first (hf download {model}) or pass a local folder "
        "(model=/path/to/folder), or pass online=true to let the hub be used"
    )


@dataclass(frozen=True)
class _Encoded:
    """One request's token ids and what to record about its input."""

    ids: list[int]
    facts: dict[str, Any]


@register_adapter(NAME)
class HuggingFace(Summarizer):
    """A local Hugging Face transformers model (seq2seq or chat/causal), batched on one device."""

    light = False
    version = "1"

    def __init__(
        self,
        model: str,
        online: bool | str = False,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int | str = 4,
        max_new_tokens: int | str | None = None,
        num_beams: int | str = 1,
        do_sample: bool | str = False,
        temperature: float | str | None = None,
        seed: int | str = 0,
        max_input_tokens: int | str | None = None,
        gguf_file: str | None = None,
        prompt: str | None = None,
    ) -> None:
        self.online = _bool_param("online", online)
        self.device = _choice_param("device", device, DEVICES, "auto, cpu, mps, cuda or cuda:N")
        self.dtype = _choice_param(
            "dtype", dtype, re.compile("|".join(DTYPES)), f"one of {', '.join(DTYPES)}"
        )
        self.batch_size = int_param(NAME, "batch_size", batch_size, minimum=1)
        self.max_new_tokens = optional_int_param(NAME, "max_new_tokens", max_new_tokens, 1)
        self.num_beams = int_param(NAME, "num_beams", num_beams, minimum=1)
        self.do_sample = _bool_param("do_sample", do_sample)
        self.temperature = _temperature_param(temperature)
        if self.temperature is not None and not self.do_sample:
            raise ValueError(
                f"adapter {NAME!r}: parameter 'temperature' only applies with do_sample=true "
                "(greedy and beam search ignore it)"
            )
        self.seed = int_param(NAME, "seed", seed)
        self.max_input_tokens = optional_int_param(NAME, "max_input_tokens", max_input_tokens, 1)
        self.prompt: Prompt = load_prompt(prompt, f"adapter {NAME!r}: parameter 'prompt'")
        if not isinstance(model, str) or not model.strip():
            raise _invalid("model", "a local folder or a Hugging Face model id", model)
        self.model = model.strip()
        self.gguf_file = gguf_file.strip() if gguf_file and gguf_file.strip() else None
        if not self.online:
            # Read by huggingface_hub when it is first imported; local_files_only covers the rest.
            os.environ["HF_HUB_OFFLINE"] = "1"
        self._source, self._identity = self._locate()
        self._config = self._load_config()
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any] | None = None

    # ------------------------------------------------------------------------- locating
    def _locate(self) -> tuple[str, dict[str, str]]:
        """Where to load from (a folder, or a hub id when online) and the model's identity."""
        path = Path(self.model).expanduser()
        if path.is_file() and path.suffix == ".gguf" and self.gguf_file is None:
            path, self.gguf_file = path.parent, path.name
        if path.is_dir():
            return self._check_folder(path.resolve()), {}
        if path.is_absolute() or self.model.startswith((".", "~")) or self.model.count("/") > 1:
            raise ValueError(f"adapter {NAME!r}: model folder {self.model!r} does not exist")
        if not _REPO_ID.fullmatch(self.model):
            raise _invalid(
                "model", "a local folder or a Hugging Face model id (owner/name)", self.model
            )
        try:
            from huggingface_hub import snapshot_download
            from huggingface_hub.errors import LocalEntryNotFoundError
        except ImportError as error:
            raise ValueError(_MISSING_DEPENDENCY.format(error=error)) from None
        try:
            snapshot = Path(snapshot_download(self.model, local_files_only=True))
        except LocalEntryNotFoundError:
            if not self.online:
                raise _not_cached(self.model) from None
            return self.model, {}
        self._check_folder(snapshot)
        return str(snapshot), {"model_commit": snapshot.name}

    def _check_folder(self, folder: Path) -> str:
        if self.gguf_file is not None:
            if not (folder / self.gguf_file).is_file():
                found = sorted(p.name for p in folder.glob("*.gguf"))
                raise ValueError(
                    f"adapter {NAME!r}: parameter 'gguf_file': no file {self.gguf_file!r} in "
                    f"{str(folder)!r}; GGUF files there: {', '.join(found) or 'none'}"
                )
            return str(folder)
        if not (folder / "config.json").is_file():
            raise ValueError(
                f"adapter {NAME!r}: {str(folder)!r} is not a model folder (no config.json); "
                "for a GGUF checkpoint pass gguf_file=<name>.gguf"
            )
        if not any(p.name.endswith(WEIGHT_SUFFIXES) for p in folder.iterdir()):
            raise ValueError(f"adapter {NAME!r}: {str(folder)!r} holds no weights files")
        return str(folder)

    def _load_config(self) -> Any:
        try:
            from transformers import AutoConfig
        except ImportError as error:
            raise ValueError(_MISSING_DEPENDENCY.format(error=error)) from None
        try:
            config = AutoConfig.from_pretrained(self._source, **self._hub_kwargs())
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(
                f"adapter {NAME!r}: cannot read the config of {self.model!r}: {error}"
            ) from None
        self._check_kind(config)
        self._check_device()
        if not self._identity:
            commit = getattr(config, "_commit_hash", None)
            if commit and not Path(self._source).is_dir():
                self._identity = {"model_commit": str(commit)}
            else:
                self._identity = {"model_files": _fingerprint(Path(self._source), self.gguf_file)}
        return config

    def _check_kind(self, config: Any) -> None:
        from transformers.models.auto.modeling_auto import (
            MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
            MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES,
        )

        kind = getattr(config, "model_type", None)
        if kind not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES and (
            kind not in MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES
        ):
            raise ValueError(
                f"adapter {NAME!r}: {self.model!r} is a {kind!r} model, neither a seq2seq nor a "
                "causal language model that transformers can generate with"
            )

    def _check_device(self) -> None:
        import torch

        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"adapter {NAME!r}: parameter 'device' is {self.device!r} but torch sees no CUDA "
                "device here; use device=auto or device=cpu"
            )
        if self.device == "mps" and not torch.backends.mps.is_available():
            raise ValueError(
                f"adapter {NAME!r}: parameter 'device' is 'mps' but torch sees no MPS device here; "
                "use device=auto or device=cpu"
            )

    def _hub_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"local_files_only": not self.online}
        if self.gguf_file is not None:
            kwargs["gguf_file"] = self.gguf_file
        return kwargs

    @property
    def is_seq2seq(self) -> bool:
        """True for encoder-decoder models (T5, BART, Pegasus)."""
        return bool(getattr(self._config, "is_encoder_decoder", False))

    def cache_identity(self) -> dict[str, str]:
        """The model's commit (hub cache) or a hash of its files (folder), and the prompt's hash."""
        return {**self._identity, "prompt": self.prompt.digest()}

    # -------------------------------------------------------------------------- loading
    def _load(self) -> tuple[Any, Any]:
        """The model and tokenizer, loaded once per instance on first use."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_now()
            return self._loaded

    def _load_now(self) -> tuple[Any, Any]:
        import torch
        from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

        device = self.device
        if device == "auto":
            if torch.cuda.is_available():
                device = "cuda"
            elif torch.backends.mps.is_available():
                device = "mps"
            else:
                device = "cpu"
        kwargs = self._hub_kwargs()
        tokenizer = AutoTokenizer.from_pretrained(self._source, **kwargs)
        loader = AutoModelForSeq2SeqLM if self.is_seq2seq else AutoModelForCausalLM
        dtype: Any = self.dtype if self.dtype == "auto" else getattr(torch, self.dtype)
        model: Any = loader.from_pretrained(self._source, dtype=dtype, **kwargs)
        model.to(device)
        model.eval()
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        return model, tokenizer

    # -------------------------------------------------------------------------- prompts
    def _render(
        self, tokenizer: Any, request: SummaryRequest, docs: tuple[RequestDocument, ...]
    ) -> str:
        messages = self.prompt.messages(request, render_documents(docs))
        if self.is_seq2seq:
            return messages[-1]["content"]
        if getattr(tokenizer, "chat_template", None):
            try:
                text = tokenizer.apply_chat_template(
                    messages, tokenize=False, add_generation_prompt=True
                )
            except Exception:  # some templates refuse a system role: fold it into the user turn
                merged = "\n\n".join(m["content"] for m in messages)
                text = tokenizer.apply_chat_template(
                    [{"role": "user", "content": merged}],
                    tokenize=False,
                    add_generation_prompt=True,
                )
            return str(text)
        return "\n\n".join(m["content"] for m in messages) + "\n\nSummary:"

    def _tokens(self, tokenizer: Any, text: str) -> list[int]:
        # A rendered chat template already holds its special tokens (BOS and the like).
        chat = not self.is_seq2seq and bool(getattr(tokenizer, "chat_template", None))
        return list(tokenizer(text, add_special_tokens=not chat)["input_ids"])

    def _input_limit(self, max_new_tokens: int) -> int | None:
        if self.max_input_tokens is not None:
            return self.max_input_tokens
        if self.is_seq2seq:
            return None
        context = getattr(self._config, "max_position_embeddings", None)
        if not isinstance(context, int):
            return None
        return max(1, context - max_new_tokens)

    def _encode(self, tokenizer: Any, request: SummaryRequest, max_new_tokens: int) -> _Encoded:
        """Token ids for ``request``, documents cut in proportion when over the input limit."""
        docs = request.documents
        words = sum(count_words(doc.text) for doc in docs)
        ids = self._tokens(tokenizer, self._render(tokenizer, request, docs))
        limit = self._input_limit(max_new_tokens)
        kept = words
        if limit is not None and len(ids) > limit:
            empty = tuple(doc.model_copy(update={"text": ""}) for doc in docs)
            overhead = len(self._tokens(tokenizer, self._render(tokenizer, request, empty)))
            if overhead >= limit:
                raise AdapterError(
                    f"max_input_tokens={limit} leaves no room for the documents: the prompt "
                    f"alone takes {overhead} tokens"
                )
            kept = words * (limit - overhead) // max(1, len(ids) - overhead)
            while True:
                cut, per_doc = fit_documents(docs, kept)
                ids = self._tokens(tokenizer, self._render(tokenizer, request, cut))
                if len(ids) <= limit or kept == 0:
                    break
                kept = min(kept - 1, kept * 9 // 10)
            kept = sum(per_doc)
            ids = ids[:limit]
        facts = {"truncated_documents": kept < words, "input_words": words, "kept_words": kept}
        return _Encoded(ids, facts)

    # ------------------------------------------------------------------------ generation
    def _max_new_tokens(self, request: SummaryRequest) -> int:
        return self.max_new_tokens or 2 * request.budget + 64

    def summarize(self, request: SummaryRequest) -> Summary:
        """Summarize one request (a batch of one)."""
        result = self.summarize_batch([request])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def summarize_batch(self, requests: list[SummaryRequest]) -> list[Summary | Exception]:
        """Generate for all requests, one padded batch per generation length."""
        try:
            model, tokenizer = self._load()
        except Exception as error:  # every item fails with the reason the model did not load
            failure = AdapterError(f"cannot load model {self.model!r}: {error}")
            return [failure] * len(requests)
        results: list[Summary | Exception | None] = [None] * len(requests)
        groups: dict[int, list[int]] = {}
        for index, request in enumerate(requests):
            groups.setdefault(self._max_new_tokens(request), []).append(index)
        for max_new_tokens, indices in groups.items():
            encoded: dict[int, _Encoded] = {}
            for index in indices:
                try:
                    encoded[index] = self._encode(tokenizer, requests[index], max_new_tokens)
                except Exception as error:  # returned in its slot
                    results[index] = error
            if not encoded:
                continue
            try:
                done = self._generate(model, tokenizer, encoded, max_new_tokens)
            except Exception as error:  # the whole batch failed (e.g. out of memory)
                failure = AdapterError(f"generation failed: {type(error).__name__}: {error}")
                done = dict.fromkeys(encoded, failure)
            for index, result in done.items():
                results[index] = result
        return [r if r is not None else AdapterError("no result") for r in results]

    def generation_settings(self, max_new_tokens: int) -> dict[str, Any]:
        """The settings passed to ``generate`` (recorded in meta)."""
        settings: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "num_beams": self.num_beams,
            "do_sample": self.do_sample,
            "seed": self.seed,
        }
        if self.temperature is not None:
            settings["temperature"] = self.temperature
        return settings

    def _generate(
        self, model: Any, tokenizer: Any, encoded: dict[int, _Encoded], max_new_tokens: int
    ) -> dict[int, Summary | Exception]:
        import torch

        started = time.perf_counter()
        order = list(encoded)
        width = max(len(encoded[i].ids) for i in order)
        pad = int(tokenizer.pad_token_id)
        rows, masks = [], []
        for index in order:
            ids = encoded[index].ids
            padding = [pad] * (width - len(ids))
            # Causal models continue from the last position, so they are padded on the left.
            if self.is_seq2seq:
                rows.append(ids + padding)
                masks.append([1] * len(ids) + [0] * len(padding))
            else:
                rows.append(padding + ids)
                masks.append([0] * len(padding) + [1] * len(ids))
        device = model.device
        input_ids = torch.tensor(rows, dtype=torch.long, device=device)
        attention_mask = torch.tensor(masks, dtype=torch.long, device=device)
        settings = self.generation_settings(max_new_tokens)
        config = copy.deepcopy(model.generation_config)
        config.update(**{k: v for k, v in settings.items() if k != "seed"}, pad_token_id=pad)
        if not self.do_sample:
            config.temperature = config.top_p = config.top_k = None
        torch.manual_seed(self.seed)
        with torch.inference_mode():
            output = model.generate(
                input_ids=input_ids, attention_mask=attention_mask, generation_config=config
            )
        latency = (time.perf_counter() - started) / len(order)
        eos = config.eos_token_id
        stops = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        start = 1 if self.is_seq2seq else width  # seq2seq outputs begin with the start token
        results: dict[int, Summary | Exception] = {}
        for row, index in enumerate(order):
            new = output[row, start:].tolist()
            length = next((i for i, token in enumerate(new) if token in stops), None)
            finish = "stop" if length is not None else "length"
            new = new[:length]
            text = tokenizer.decode(new, skip_special_tokens=True).strip()
            if not text:
                results[index] = AdapterError(
                    f"model produced an empty summary after {len(new)} tokens "
                    f"(finish_reason={finish!r})"
                )
                continue
            results[index] = Summary(
                text=text,
                meta={
                    "model": self.model,
                    "model_class": type(model).__name__,
                    "device": str(device),
                    "dtype": str(model.dtype).removeprefix("torch."),
                    "generation": settings,
                    "chat_template": not self.is_seq2seq
                    and bool(getattr(tokenizer, "chat_template", None)),
                    "prompt_tokens": len(encoded[index].ids),
                    "completion_tokens": len(new),
                    "finish_reason": finish,
                    "batch": len(order),
                    "latency_s": round(latency, 6),
                    "words": count_words(text),
                    **encoded[index].facts,
                },
            )
        return results
