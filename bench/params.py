"""Parameters as they arrive from the command line: text that stands for other types."""

from __future__ import annotations

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def as_bool(value: bool | str) -> bool | None:
    """``value`` as a bool (``true``/``false``, ``1``/``0``, ``yes``/``no``, ``on``/``off``), or
    None when it is none of these (callers word the error for their parameter)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None
