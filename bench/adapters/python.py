"""The ``python`` adapter: any Python function as a summarizer.

``python:function=my_pkg.summ:summarize`` imports ``summarize`` and calls it with the
:class:`SummaryRequest` (or, with ``input=text``, with the documents' text joined by blank
lines); it returns a string or a :class:`Summary`.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from collections.abc import Callable
from typing import Any

from bench.adapters.base import Summarizer, register_adapter
from bench.request import Summary, SummaryRequest

INPUTS = ("request", "text")


def load_function(spec: str) -> Callable[..., Any]:
    """Import ``module:attribute`` (attribute may be dotted); errors say what was expected."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"function must be 'module:function', got {spec!r}")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import module {module_name!r} for {spec!r}: {error}") from error
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ValueError(f"module {module_name!r} has no attribute {attribute!r}")
        target = getattr(target, part)
    if not callable(target):
        raise ValueError(f"{spec!r} is not callable")
    return target  # type: ignore[no-any-return]


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
