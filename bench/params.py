"""Parameters as they arrive from the command line: text converted by the type annotations of the
factory that takes them, and the one wording for a parameter that is wrong.

A ``key=value`` spec gives strings; a YAML config gives ints, floats and bools already. Both
reach a factory as the types it annotates (``int``, ``float``, ``bool``, or one of these
``| None``). An annotation that admits text (``str``, ``int | str``) or names another type leaves
the value as it came, so a factory written for strings keeps getting them.
"""

from __future__ import annotations

import inspect
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_NONE = frozenset({"", "none"})
"""Text that stands for None where a parameter is optional (``seed=none``, ``k=``)."""

Number = TypeVar("Number", int, float)


def as_bool(value: object) -> bool | None:
    """``value`` as a bool (``true``/``false``, ``1``/``0``, ``yes``/``no``, ``on``/``off``), or
    None when it is none of these (callers word the error for their parameter)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def invalid(component: str, name: str, expected: str, value: object) -> ValueError:
    """The one wording for a bad parameter, e.g. ``adapter 'hf': parameter 'batch_size' expects
    an integer >= 1, got 0``; ``component`` is the kind and name (``adapter 'hf'``)."""
    return ValueError(f"{component}: parameter {name!r} expects {expected}, got {value!r}")


@overload
def at_least(component: str, name: str, value: Number, minimum: Number) -> Number: ...
@overload
def at_least(component: str, name: str, value: None, minimum: Number) -> None: ...
def at_least(component: str, name: str, value: Number | None, minimum: Number) -> Number | None:
    """``value`` when it is finite and at least ``minimum`` (or None: unset), else
    :func:`invalid`."""
    if value is not None and not (math.isfinite(value) and value >= minimum):
        raise invalid(component, name, f"{_kind(value)} >= {minimum:g}", value)
    return value


@overload
def above(component: str, name: str, value: float, bound: float) -> float: ...
@overload
def above(component: str, name: str, value: None, bound: float) -> None: ...
def above(component: str, name: str, value: float | None, bound: float) -> float | None:
    """``value`` when it is finite and greater than ``bound`` (or None: unset), else
    :func:`invalid`."""
    if value is not None and not (math.isfinite(value) and value > bound):
        raise invalid(component, name, f"{_kind(value)} > {bound:g}", value)
    return value


def _kind(value: float) -> str:
    return "an integer" if isinstance(value, int) else "a number"


# ------------------------------------------------------------------------------ conversion


class _NotConverted(Exception):
    """A value that is not of the annotated type (the caller words the error)."""


def _to_int(value: object) -> int:
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _NotConverted from None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():  # YAML ``k: 3.0``
        return int(value)
    raise _NotConverted


def _to_float(value: object) -> float:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise _NotConverted from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise _NotConverted


def _to_bool(value: object) -> bool:
    parsed = as_bool(value) if isinstance(value, bool | int | str) else None
    if parsed is None:
        raise _NotConverted
    return parsed


_CONVERTERS: dict[Any, tuple[Callable[[object], object], str]] = {
    int: (_to_int, "an integer"),
    float: (_to_float, "a number"),
    bool: (_to_bool, "true or false"),
}


def _members(annotation: Any) -> tuple[list[Any], bool]:
    """The types a union annotation admits besides None, and whether it admits None."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = list(typing.get_args(annotation))
    else:
        members = [annotation]
    optional = type(None) in members or None in members
    return [m for m in members if m not in (type(None), None)], optional


def convert(component: str, name: str, value: object, annotation: Any) -> object:
    """``value`` as the type ``annotation`` names (text such as ``"8"``, ``"none"`` or ``"yes"``
    converted); a value of another type raises :func:`invalid`. Annotations that admit text, or
    several types, leave the value as it is."""
    members, optional = _members(annotation)
    if len(members) != 1 or members[0] not in _CONVERTERS:
        return value
    to_type, expected = _CONVERTERS[members[0]]
    if optional:
        if value is None or (isinstance(value, str) and value.strip().lower() in _NONE):
            return None
        expected += " or none"
    try:
        return to_type(value)
    except _NotConverted:
        raise invalid(component, name, expected, value) from None


def parameter_types(factory: Callable[..., Any]) -> dict[str, Any]:
    """The evaluated type annotations of ``factory``'s parameters (of ``__init__`` for a class).

    An annotation that cannot be evaluated (a name imported only for type checking) is left
    out: its parameter is passed as given."""
    target = factory.__init__ if isinstance(factory, type) else factory  # type: ignore[misc]
    try:
        return typing.get_type_hints(target)
    except Exception:  # a plugin's annotation may name anything; evaluate them one by one
        pass
    found: dict[str, Any] = {}
    namespace = getattr(inspect.unwrap(target), "__globals__", {})
    for param in inspect.signature(factory).parameters.values():
        annotation = param.annotation
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, dict(namespace))  # as get_type_hints does
            except Exception:
                continue
        if annotation is not param.empty:
            found[param.name] = annotation
    return found


def convert_all(
    component: str, factory: Callable[..., Any], params: Mapping[str, object]
) -> dict[str, object]:
    """``params`` converted by ``factory``'s annotations; parameters it does not name (those its
    ``**kwargs`` takes) pass as given."""
    hints = parameter_types(factory)
    return {
        name: convert(component, name, value, hints[name]) if name in hints else value
        for name, value in params.items()
    }
