"""BERTScore (Zhang et al., ICLR 2020) through the ``bert-score`` package, the implementation
papers and HF ``evaluate`` use: precision, recall and F1 of the summary against its references
(with several, the best of each over the references, as ``bert_score`` does), and optionally
the precision of the summary against its sources (FRANK's "BERTScore P Art", a faithfulness
signal). Numbers equal ``bert_score.score`` called with the same settings on the same item.

The model is a local folder or a Hugging Face id already in the local cache: sumbench is
offline unless ``online=true``. ``pip install 'sumbench[bertscore]'``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any, ClassVar

from bench.params import at_least
from bench.request import Summary
from bench.scorers._bertscore_model import BertModel, baseline_values
from bench.scorers.base import CannotScore, ItemScore, Metric, Need, Scorer, register_scorer
from bench.signature import Signature
from bench.task import Task
from bench.text import split_sentences

NAME = "bertscore"
COMPONENT = f"scorer {NAME!r}"
Item = tuple[Task, Summary]


def package_version() -> str:
    """The installed ``bert-score`` version (it goes into the signature)."""
    try:
        return metadata.version("bert-score")
    except metadata.PackageNotFoundError:
        return "missing"


@register_scorer(NAME)
class BertScore(Scorer):
    """BERTScore P/R/F1 against the references (best over several); source precision optional.

    ``model`` is a folder or a hub id in the local cache, ``layers`` the layer compared."""

    name = NAME
    requires: ClassVar[frozenset[Need]] = frozenset({"references"})
    light = False

    def __init__(
        self,
        model: str = "roberta-large",
        layers: int | None = None,
        idf: bool = False,
        rescale: bool = False,
        baseline: str | None = None,
        lang: str = "en",
        sources: bool = False,
        batch_size: int = 64,
        device: str = "auto",
        fast_tokenizer: bool = False,
        online: bool = False,
    ) -> None:
        self.model = BertModel(
            model,
            layers=layers,
            device=device,
            fast_tokenizer=fast_tokenizer,
            online=online,
            component=COMPONENT,
        )
        self.idf = idf
        self.rescale = rescale
        self.lang = lang
        self.sources = sources
        self.batch_size = at_least(COMPONENT, "batch_size", batch_size, 1)
        self.baseline = baseline_values(self.model, lang, baseline, COMPONENT) if rescale else None
        self.version = package_version()
        self._lock = threading.Lock()

    def signature(self) -> str:
        """e.g. ``bertscore:v1|model:roberta-large|layer:17|idf:false|rescale:false|...``."""
        fields: list[tuple[str, str | None]] = [
            ("model", self.model.label),
            ("layer", str(self.model.layers)),
            ("idf", "task-refs" if self.idf else "false"),
            ("rescale", f"baseline-{self.lang}" if self.rescale else "false"),
            ("refs", "max"),
        ]
        if self.model.fast_tokenizer:
            fields.append(("tok", "fast"))
        if self.sources:
            fields.append(("src", "passages-max"))
        fields.append(("bert_score", self.version))
        return Signature(NAME, "v1", tuple(fields)).format()

    def metrics(self) -> list[Metric]:
        """F1 shown by default; precision and recall stored; source precision when asked."""
        found = [
            Metric("bertscore_f", "BS-F", True),
            Metric("bertscore_p", "BS-P", True, shown=False),
            Metric("bertscore_r", "BS-R", True, shown=False),
        ]
        if self.sources:
            found.append(Metric("bertscore_src_p", "BS-P src", True))
        return found

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """One item: its references in one batch (and its sources when asked)."""
        return self.score_items([(task, summary)])[0]

    def score_items(self, items: Sequence[Item]) -> list[ItemScore]:
        """Many items at once, ``batch_size`` sentences per forward pass: one ``bert_score``
        call for all (with ``idf``, one per set of references, which the weights come from)."""
        for task, summary in items:
            if not task.references_for(summary):
                raise CannotScore(f"task {task.id!r} has no references to score against")
        # With idf the weights come from the item's references (as bert_score.score computes
        # them from the references it is given): one call per set of references.
        by_refs: dict[tuple[str, ...], list[int]] = {}
        for index, (task, summary) in enumerate(items):
            key = (task.id, *(r.id for r in task.references_for(summary))) if self.idf else ()
            by_refs.setdefault(key, []).append(index)
        found: list[ItemScore | None] = [None] * len(items)
        with self._lock:  # one model, one forward pass at a time
            for group in by_refs.values():
                chosen = [items[i] for i in group]
                for index, values in zip(group, self._score_group(chosen), strict=True):
                    found[index] = ItemScore(values)
        return [f for f in found if f is not None]

    def _score_group(self, items: Sequence[Item]) -> list[dict[str, float]]:
        cands = [summary.text for _, summary in items]
        refs = [[r.text for r in task.references_for(summary)] for task, summary in items]
        idf = self._idf_dict(refs[0])  # the same references for all items when idf is on
        precision, recall, f1 = self.model.score(cands, refs, idf, self.batch_size)
        if self.baseline is not None:
            precision, recall, f1 = (
                (value - base) / (1 - base)
                for value, base in zip((precision, recall, f1), self.baseline, strict=True)
            )
        values = [
            {"bertscore_p": float(p), "bertscore_r": float(r), "bertscore_f": float(f)}
            for p, r, f in zip(precision.tolist(), recall.tolist(), f1.tolist(), strict=True)
        ]
        if self.sources:
            for value, (task, summary) in zip(values, items, strict=True):
                value["bertscore_src_p"] = self._source_precision(task, summary, idf)
        return values

    def _idf_dict(self, references: list[str]) -> Any:
        """Word-piece weights: bert_score's idf over ``references`` with ``idf``, else 1 (0 for
        the [CLS] and [SEP] tokens), as ``bert_score.score`` builds them."""
        from collections import defaultdict

        from bert_score.utils import get_idf_dict

        tokenizer = self.model.tokenizer
        if self.idf:
            return get_idf_dict(references, tokenizer, nthreads=min(4, os.cpu_count() or 1))
        weights: defaultdict[int, float] = defaultdict(lambda: 1.0)
        weights[tokenizer.sep_token_id] = 0
        weights[tokenizer.cls_token_id] = 0
        return weights

    def _source_precision(self, task: Task, summary: Summary, idf: Any) -> float:
        """Precision of the summary against all its sources: each summary token's best match
        among the tokens of every source passage (sources are cut into passages the model
        takes whole, at sentence ends)."""
        passages = [
            p
            for document in task.documents
            for p in self.model.passages(split_sentences(document.text, task.language))
        ]
        precision = self.model.precision_against(summary.text, passages, idf)
        if self.baseline is not None:
            precision = (precision - float(self.baseline[0])) / (1 - float(self.baseline[0]))
        return precision
