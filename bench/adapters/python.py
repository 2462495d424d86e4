"""The ``python`` adapter: any Python function as a summarizer.

``python:function=my_pkg.summ:summarize`` imports ``summarize`` and calls it with the
:class:`SummaryRequest` (or, with ``input=text``, with the documents' text joined by blank
lines); it returns a string or a :class:`Summary`.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
from collections.abc import Callable
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

from bench.adapters.base import Summarizer, register_adapter
from bench.request import Summary, SummaryRequest

INPUTS = ("request", "text")


def load_function(spec: str) -> Callable[..., Any]:
    """Import ``module:attribute`` (attribute may be dotted); errors say what was expected.

    The module is looked for on ``sys.path``, then in the current folder, where ``python -m``
    would find it too (a console script such as ``sumbench`` does not put the current folder on
    ``sys.path``)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"function must be 'module:function', got {spec!r}")
    try:
        target: Any = _import(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import module {module_name!r} for {spec!r}: {error}") from error
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ValueError(f"module {module_name!r} has no attribute {attribute!r}")
        target = getattr(target, part)
    if not callable(target):
        raise ValueError(f"{spec!r} is not callable")
    return target  # type: ignore[no-any-return]


def _import(module_name: str) -> Any:
    """Import ``module_name``, adding the current folder to the end of ``sys.path`` when the
    module is found there only (at the end: a file of the current folder never shadows an
    installed module); a module found nowhere is an error saying where it was looked for."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        top = module_name.partition(".")[0]
        if error.name != top:  # the module was found; something it imports was not
            raise
    here = str(Path.cwd())
    if here not in sys.path and PathFinder.find_spec(top, [here]) is not None:
        sys.path.append(here)
        importlib.invalidate_caches()
        return importlib.import_module(module_name)
    looked = [here, *(p for p in sys.path if p and p != here and Path(p).is_dir())]
    raise ModuleNotFoundError(
        f"no module named {top!r} in the current folder or on sys.path "
        f"(looked in: {', '.join(looked)}); put it in the current folder, add its folder to "
        "PYTHONPATH or install it",
        name=top,
    )


@register_adapter("python")
class PythonFunction(Summarizer):
    """Call a Python function ``module:function`` with the request (or its text)."""

    light = True

    def __init__(self, function: str | Callable[..., Any], input: str = "request") -> None:
        if input not in INPUTS:
            raise ValueError(
                f"adapter 'python': input must be one of {', '.join(INPUTS)}, got {input!r}"
            )
        self.function = load_function(function) if isinstance(function, str) else function
        self.input = input
        self._identity: dict[str, str] | None = None

    def cache_identity(self) -> dict[str, str]:
        """A hash of the function's source, so editing it invalidates cached summaries."""
        if self._identity is None:
            try:
                source = inspect.getsource(self.function)
                digest = hashlib.sha256(source.encode()).hexdigest()[:16]
                self._identity = {"function_sha256": digest}
            except (OSError, TypeError):
                name = getattr(self.function, "__qualname__", repr(self.function))
                self._identity = {"function": name}
        return self._identity

    def summarize(self, request: SummaryRequest) -> Summary:
        """Call the function and normalise what it returns."""
        argument: SummaryRequest | str = request
        if self.input == "text":
            argument = "\n\n".join(doc.text for doc in request.documents)
        result = self.function(argument)
        if isinstance(result, Summary):
            return result
        if isinstance(result, str):
            return Summary(text=result)
        name = getattr(self.function, "__qualname__", repr(self.function))
        raise TypeError(f"{name} returned {type(result).__name__}; expected str or Summary")
