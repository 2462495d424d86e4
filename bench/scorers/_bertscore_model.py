"""The encoder behind the ``bertscore`` scorer: located and checked when the scorer is made (a
folder, or a hub id in the local Hugging Face cache), loaded with ``bert_score``'s own loaders on
first use, and scored with ``bert_score``'s own functions."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.params import invalid

INSTALL = "pip install 'sumbench[bertscore]'"
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")


def _bert_score_utils(component: str) -> Any:
    try:
        from bert_score import utils
    except ImportError as error:
        raise ValueError(f"{component} needs the bert-score package: {INSTALL} ({error})") from None
    return utils


class BertModel:
    """An encoder for BERTScore: where it is, which layer is used, and (on first use) the model
    and tokenizer ``bert_score`` loads for it."""

    def __init__(
        self,
        name: str,
        *,
        layers: int | None,
        device: str,
        fast_tokenizer: bool,
        online: bool,
        component: str,
    ) -> None:
        self.name = name
        self.component = component
        self.fast_tokenizer = fast_tokenizer
        self.utils = _bert_score_utils(component)
        if not online:
            # Read by huggingface_hub when it is first imported; local_files_only covers the rest.
            os.environ["HF_HUB_OFFLINE"] = "1"
        self.source, self.hub_id, self.label = self._locate(online)
        self.config = self._config(online)
        self.layers = self._layers(layers)
        self.device = self._device(device)
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any] | None = None

    def _locate(self, online: bool) -> tuple[str, str | None, str]:
        """What to hand ``bert_score`` (a folder, or the hub id), the hub id, and the model's
        name in the signature (with the cached commit or a hash of the folder's files)."""
        from bench.adapters._hf_model import fingerprint

        path = Path(self.name).expanduser()
        if path.is_dir():
            if not (path / "config.json").is_file():
                raise ValueError(
                    f"{self.component}: {str(path)!r} is not a model folder (no config.json)"
                )
            folder = path.resolve()
            return str(folder), None, f"{folder.name}@{fingerprint(folder, None)[:8]}"
        if path.is_absolute() or self.name.startswith((".", "~")) or self.name.count("/") > 1:
            raise ValueError(
                f"{self.component}: model folder {self.name!r} does not exist; give a folder "
                "holding the encoder (config.json and weights) or a Hugging Face model id"
            )
        if not _REPO_ID.fullmatch(self.name):
            raise invalid(self.component, "model", "a folder or a Hugging Face model id", self.name)
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError

        try:
            snapshot = Path(snapshot_download(self.name, local_files_only=True))
        except LocalEntryNotFoundError:
            if not online:
                raise ValueError(
                    f"{self.component}: model {self.name!r} is not in the local Hugging Face "
                    f"cache and sumbench is offline; download it once (hf download {self.name}),"
                    " or put the model in a folder and pass model=/path/to/folder, or pass "
                    "online=true to let the hub be used"
                ) from None
            return self.name, self.name, self.name
        return self.name, self.name, f"{self.name}@{snapshot.name[:8]}"

    def _config(self, online: bool) -> Any:
        from transformers import AutoConfig

        try:
            return AutoConfig.from_pretrained(self.source, local_files_only=not online)
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(
                f"{self.component}: cannot read the config of {self.name!r}: {error}"
            ) from None

    def _layers(self, layers: int | None) -> int:
        """The layer whose embeddings are compared: given, or bert_score's tuned default."""
        most = getattr(self.config, "num_hidden_layers", None)
        if layers is None:
            known = self.utils.model2layers.get(self.hub_id or "")
            if known is None:
                raise ValueError(
                    f"{self.component}: parameter 'layers' is required for {self.name!r}: "
                    "bert_score has a tuned layer only for the hub models it lists (e.g. "
                    f"roberta-large: 17); pass layers=N, 1..{most or 'the model layers'}"
                )
            return int(known)
        if layers < 1 or (most is not None and layers > most):
            raise invalid(self.component, "layers", f"a layer 1..{most}", layers)
        return layers

    def _device(self, device: str) -> str:
        import torch

        if device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"{self.component}: parameter 'device' is {device!r} but torch sees no CUDA "
                "device here; use device=auto or device=cpu"
            )
        return device

    def load(self) -> tuple[Any, Any]:
        """The model (cut to :attr:`layers`) and tokenizer, loaded once with bert_score."""
        with self._lock:
            if self._loaded is None:
                tokenizer = self.utils.get_tokenizer(self.source, self.fast_tokenizer)
                model = self.utils.get_model(self.source, self.layers, False)
                model.to(self.device)
                self._loaded = (model, tokenizer)
            return self._loaded

    @property
    def tokenizer(self) -> Any:
        """The tokenizer bert_score uses for this model."""
        return self.load()[1]

    def score(
        self, cands: Sequence[str], refs: Sequence[Sequence[str]], idf: Any, batch_size: int
    ) -> tuple[Any, Any, Any]:
        """P, R and F1 tensors of each candidate, the best of each over its references: what
        ``bert_score.score`` computes (flattened pairs, ``bert_cos_score_idf``, max per group)."""
        import torch

        model, tokenizer = self.load()
        flat_cands: list[str] = []
        flat_refs: list[str] = []
        bounds: list[tuple[int, int]] = []
        for cand, group in zip(cands, refs, strict=True):
            bounds.append((len(flat_refs), len(flat_refs) + len(group)))
            flat_cands += [cand] * len(group)
            flat_refs += group
        found = self.utils.bert_cos_score_idf(
            model,
            flat_refs,
            flat_cands,
            tokenizer,
            idf,
            batch_size=batch_size,
            device=self.device,
        ).cpu()
        best = torch.stack([found[start:end].max(dim=0)[0] for start, end in bounds], dim=0)
        return best[..., 0], best[..., 1], best[..., 2]

    def limit(self) -> int:
        """Most tokens one input may have (the tokenizer's limit, within the model's)."""
        positions = getattr(self.config, "max_position_embeddings", None) or 512
        return int(min(self.tokenizer.model_max_length, max(positions - 2, 16)))

    def passages(self, sentences: Sequence[str]) -> list[str]:
        """Consecutive sentences packed into passages the model takes whole (a sentence longer
        than that is one passage, cut by the tokenizer)."""
        tokenizer = self.tokenizer
        limit = self.limit()
        found: list[str] = []
        current: list[str] = []
        used = 2  # the passage's own special tokens
        for sentence in (s.strip() for s in sentences):
            if not sentence:
                continue
            size = len(self.utils.sent_encode(tokenizer, sentence)) - 2
            if current and used + size > limit:
                found.append(" ".join(current))
                current, used = [], 2
            current.append(sentence)
            used += size
        if current:
            found.append(" ".join(current))
        return found

    def precision_against(self, text: str, passages: Sequence[str], idf: Any) -> float:
        """BERTScore precision of ``text`` against all ``passages`` together: each token of
        ``text`` matched to its most similar token in any passage (bert_score's embeddings and
        greedy matching, on the passages' tokens joined into one reference)."""
        import torch

        if not passages:
            return 0.0
        model, tokenizer = self.load()
        embed = self.utils.get_bert_embedding
        hyp, hyp_mask, hyp_idf = embed([text], model, tokenizer, idf, device=self.device)
        ref, ref_mask, _ = embed(list(passages), model, tokenizer, idf, device=self.device)
        pieces = [ref[i, : int(ref_mask[i].sum())] for i in range(len(passages))]
        joined = torch.cat(pieces).unsqueeze(0)
        mask = torch.ones(1, joined.size(1), dtype=torch.long, device=joined.device)
        weights = torch.ones(1, joined.size(1), device=joined.device)
        precision, _, _ = self.utils.greedy_cos_idf(joined, mask, weights, hyp, hyp_mask, hyp_idf)
        return float(precision[0])


def baseline_values(model: BertModel, lang: str, baseline: str | None, component: str) -> Any:
    """The P/R/F baseline of ``model``'s layer that ``bert_score`` ships for ``lang`` (of the hub
    model ``baseline`` names, for a folder), as bert_score reads it; a clear error otherwise."""
    import pandas as pd
    import torch

    name = baseline or model.hub_id
    root = Path(model.utils.__file__).parent / "rescale_baseline"
    path = root / lang / f"{name}.tsv"
    if name is None or not path.is_file():
        shipped = (
            sorted(
                str(p.relative_to(root / lang).with_suffix(""))
                for p in (root / lang).rglob("*.tsv")
            )
            if (root / lang).is_dir()
            else []
        )
        languages = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        what = f"model {name!r}" if name else f"the folder {model.name!r} (pass baseline=<hub id>)"
        raise ValueError(
            f"{component}: parameter 'rescale': bert-score ships no baseline for {what} in "
            f"language {lang!r}; baselines for {lang!r}: {', '.join(shipped) or 'none'} "
            f"(languages: {', '.join(languages)})"
        )
    table = pd.read_csv(path)
    if model.layers >= len(table):
        raise ValueError(
            f"{component}: the baseline {str(path)!r} has no row for layer {model.layers}"
        )
    return torch.from_numpy(table.iloc[model.layers].to_numpy().copy())[1:].float()
