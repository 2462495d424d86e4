"""The local transformers model behind the ``hf`` adapter: found in a folder or the Hugging Face
cache (the hub only when ``online``), checked when the adapter is made, identified for the
generation cache, and loaded with its tokenizer once, on first use."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import Any

from bench.params import invalid

NAME = "hf"
COMPONENT = f"adapter {NAME!r}"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth")
FINGERPRINT_SUFFIXES = (*WEIGHT_SUFFIXES, ".json", ".jinja", ".model", ".txt", ".tiktoken")
MISSING_DEPENDENCY = (
    f"{COMPONENT} needs torch and transformers: pip install 'sumbench[hf]' ({{error}})"
)
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
_WHOLE_FILE = 32 * 2**20
_SAMPLE = 2**20
_SAMPLES = 16


def fingerprint(folder: Path, gguf_file: str | None) -> str:
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
        f"{COMPONENT}: model {model!r} is not in the local Hugging Face cache and sumbench "
        f"is offline; download it first (hf download {model}) or pass a local folder "
        "(model=/path/to/folder), or pass online=true to let the hub be used"
    )


class LocalModel:
    """A seq2seq or causal model located and checked at once (folder, config, kind, device);
    its weights load on first use, once per instance."""

    def __init__(
        self, name: str, *, online: bool, device: str, dtype: str, gguf_file: str | None
    ) -> None:
        self.name = name
        self.online = online
        self.device = device
        self.dtype = dtype
        self.gguf_file = gguf_file
        if not online:
            # Read by huggingface_hub when it is first imported; local_files_only covers the rest.
            os.environ["HF_HUB_OFFLINE"] = "1"
        self.source, self.identity = self._locate()
        self.config = self._load_config()
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any] | None = None
        self.loads = 0
        """How many times the weights were read (1 after first use: they stay loaded)."""

    def _locate(self) -> tuple[str, dict[str, str]]:
        """Where to load from (a folder, or a hub id when online) and the model's identity."""
        path = Path(self.name).expanduser()
        if path.is_file() and path.suffix == ".gguf" and self.gguf_file is None:
            path, self.gguf_file = path.parent, path.name
        if path.is_dir():
            return self._check_folder(path.resolve()), {}
        if path.is_absolute() or self.name.startswith((".", "~")) or self.name.count("/") > 1:
            raise ValueError(f"{COMPONENT}: model folder {self.name!r} does not exist")
        if not _REPO_ID.fullmatch(self.name):
            expected = "a local folder or a Hugging Face model id (owner/name)"
            raise invalid(COMPONENT, "model", expected, self.name)
        try:
            from huggingface_hub import snapshot_download
            from huggingface_hub.errors import LocalEntryNotFoundError
        except ImportError as error:
            raise ValueError(MISSING_DEPENDENCY.format(error=error)) from None
        try:
            snapshot = Path(snapshot_download(self.name, local_files_only=True))
        except LocalEntryNotFoundError:
            if not self.online:
                raise _not_cached(self.name) from None
            return self.name, {}
        self._check_folder(snapshot)
        return str(snapshot), {"model_commit": snapshot.name}

    def _check_folder(self, folder: Path) -> str:
        if self.gguf_file is not None:
            if not (folder / self.gguf_file).is_file():
                found = sorted(p.name for p in folder.glob("*.gguf"))
                raise ValueError(
                    f"{COMPONENT}: parameter 'gguf_file': no file {self.gguf_file!r} in "
                    f"{str(folder)!r}; GGUF files there: {', '.join(found) or 'none'}"
                )
            return str(folder)
        if not (folder / "config.json").is_file():
            raise ValueError(
                f"{COMPONENT}: {str(folder)!r} is not a model folder (no config.json); "
                "for a GGUF checkpoint pass gguf_file=<name>.gguf"
            )
        if not any(p.name.endswith(WEIGHT_SUFFIXES) for p in folder.iterdir()):
            raise ValueError(f"{COMPONENT}: {str(folder)!r} holds no weights files")
        return str(folder)

    def _load_config(self) -> Any:
        try:
            from transformers import AutoConfig
        except ImportError as error:
            raise ValueError(MISSING_DEPENDENCY.format(error=error)) from None
        try:
            config = AutoConfig.from_pretrained(self.source, **self.hub_kwargs())
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(
                f"{COMPONENT}: cannot read the config of {self.name!r}: {error}"
            ) from None
        self._check_kind(config)
        self._check_device()
        if not self.identity:
            commit = getattr(config, "_commit_hash", None)
            if commit and not Path(self.source).is_dir():
                self.identity = {"model_commit": str(commit)}
            else:
                self.identity = {"model_files": fingerprint(Path(self.source), self.gguf_file)}
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
                f"{COMPONENT}: {self.name!r} is a {kind!r} model, neither a seq2seq nor a "
                "causal language model that transformers can generate with"
            )

    def _check_device(self) -> None:
        import torch

        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"{COMPONENT}: parameter 'device' is {self.device!r} but torch sees no CUDA "
                "device here; use device=auto or device=cpu"
            )
        if self.device == "mps" and not torch.backends.mps.is_available():
            raise ValueError(
                f"{COMPONENT}: parameter 'device' is 'mps' but torch sees no MPS device here; "
                "use device=auto or device=cpu"
            )

    def hub_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for transformers' ``from_pretrained`` (offline, GGUF file)."""
        kwargs: dict[str, Any] = {"local_files_only": not self.online}
        if self.gguf_file is not None:
            kwargs["gguf_file"] = self.gguf_file
        return kwargs

    @property
    def is_seq2seq(self) -> bool:
        """True for encoder-decoder models (T5, BART, Pegasus)."""
        return bool(getattr(self.config, "is_encoder_decoder", False))

    def load(self) -> tuple[Any, Any]:
        """The model and tokenizer, loaded once per instance on first use."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_now()
                self.loads += 1
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
        kwargs = self.hub_kwargs()
        tokenizer = AutoTokenizer.from_pretrained(self.source, **kwargs)
        loader = AutoModelForSeq2SeqLM if self.is_seq2seq else AutoModelForCausalLM
        dtype: Any = self.dtype if self.dtype == "auto" else getattr(torch, self.dtype)
        model: Any = loader.from_pretrained(self.source, dtype=dtype, **kwargs)
        model.to(device)
        model.eval()
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        return model, tokenizer
