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
import re
import time
from dataclasses import dataclass
from typing import Any

from bench.adapters._hf_model import COMPONENT, NAME, LocalModel
from bench.adapters.base import AdapterError, Summarizer, register_adapter
from bench.adapters.prompts import Prompt, fit_documents, load_prompt, render_documents
from bench.params import above, at_least, invalid
from bench.request import RequestDocument, Summary, SummaryRequest
from bench.text import count_words

DEVICES = re.compile(r"auto|cpu|mps|cuda(:\d+)?")
DTYPES = ("auto", "float32", "float16", "bfloat16")


def _choice(name: str, value: str, pattern: re.Pattern[str], expected: str) -> str:
    text = str(value).strip().lower()
    if not pattern.fullmatch(text):
        raise invalid(COMPONENT, name, expected, value)
    return text


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
        online: bool = False,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 4,
        max_new_tokens: int | None = None,
        num_beams: int = 1,
        do_sample: bool = False,
        temperature: float | None = None,
        seed: int = 0,
        max_input_tokens: int | None = None,
        gguf_file: str | None = None,
        prompt: str | None = None,
    ) -> None:
        self.online = online
        self.device = _choice("device", device, DEVICES, "auto, cpu, mps, cuda or cuda:N")
        self.dtype = _choice(
            "dtype", dtype, re.compile("|".join(DTYPES)), f"one of {', '.join(DTYPES)}"
        )
        self.batch_size = at_least(COMPONENT, "batch_size", batch_size, 1)
        self.max_new_tokens = at_least(COMPONENT, "max_new_tokens", max_new_tokens, 1)
        self.num_beams = at_least(COMPONENT, "num_beams", num_beams, 1)
        self.do_sample = do_sample
        self.temperature = above(COMPONENT, "temperature", temperature, 0.0)
        if self.temperature is not None and not self.do_sample:
            raise ValueError(
                f"{COMPONENT}: parameter 'temperature' only applies with do_sample=true "
                "(greedy and beam search ignore it)"
            )
        self.seed = seed
        self.max_input_tokens = at_least(COMPONENT, "max_input_tokens", max_input_tokens, 1)
        self.prompt: Prompt = load_prompt(prompt, f"{COMPONENT}: parameter 'prompt'")
        if not isinstance(model, str) or not model.strip():
            raise invalid(COMPONENT, "model", "a local folder or a Hugging Face model id", model)
        self.model = model.strip()
        self._local = LocalModel(
            self.model,
            online=self.online,
            device=self.device,
            dtype=self.dtype,
            gguf_file=gguf_file.strip() if gguf_file and gguf_file.strip() else None,
        )

    @property
    def loads(self) -> int:
        """How many times this adapter read its model's weights (a Ray actor reports it)."""
        return self._local.loads

    @property
    def is_seq2seq(self) -> bool:
        """True for encoder-decoder models (T5, BART, Pegasus)."""
        return self._local.is_seq2seq

    def cache_identity(self) -> dict[str, str]:
        """The model's commit (hub cache) or a hash of its files (folder), and the prompt's hash."""
        return {**self._local.identity, "prompt": self.prompt.digest()}

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
        context = getattr(self._local.config, "max_position_embeddings", None)
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
            model, tokenizer = self._local.load()
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
