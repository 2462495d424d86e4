"""What the chart modules share: saving a figure reproducibly, tick label rotation, the caption
line under the axes and file-name-safe names."""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import matplotlib

from bench.store import write_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

matplotlib.use("Agg")

import matplotlib.pyplot as plt

P = ParamSpec("P")
R = TypeVar("R")

DPI = 150
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def literal_text(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw with matplotlib's math parser off: names are data, and a ``$`` in one would be
    parsed as mathtext (an unbalanced one crashes the chart)."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return drawn


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG atomically and close it; identical figures give identical bytes."""
    buffer = io.BytesIO()
    try:
        # No "Software" entry (the matplotlib version): identical images give identical bytes.
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    finally:
        plt.close(fig)
    write_atomic(path, buffer.getvalue())
    return path


def rotate_labels(names: Sequence[str]) -> bool:
    """Whether tick labels are long enough to need slanting."""
    return sum(len(n) for n in names) > 50 or max((len(n) for n in names), default=0) > 12


def caption(fig: Figure, text: str) -> None:
    """A small grey line under the axes, left-aligned; the layout keeps room for it."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=7, color="dimgrey")


def safe_name(task_id: str) -> str:
    """A file-name-safe form of ``task_id``; a short hash keeps altered ids distinct."""
    safe = _UNSAFE.sub("_", task_id).strip("._")[:80] or "task"
    if safe != task_id:
        safe += "-" + hashlib.sha1(task_id.encode("utf-8")).hexdigest()[:8]
    return safe
