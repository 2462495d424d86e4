"""Signatures: the string that travels with every number and says how it was computed.

A signature reads ``name:version|key:value|...``, e.g.
``rouge:v0.1.2|engine:rs|tok:default|stem:porter|lsum:punkt|refs:max``. Stores keep the string
(``run.json``); :class:`Signature` builds it, reads it back and says what it measures. This
module imports nothing of sumbench, so the store, merge, compare and check read signatures
without loading any scorer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

Field = tuple[str, str | None]
"""``(key, value)``; the value is ``None`` for a part written without ``:``."""

IMPLEMENTATION_FIELDS = frozenset({"engine"})
"""Fields that name how a number was computed fast, not what was computed: engines are verified
identical, so results from different engines compare as the same measurement."""


@dataclass(frozen=True)
class Signature:
    """A signature's head (``name:version``) and its ``key:value`` fields, in order.

    Every string reads back to itself: a part without ``:`` (possible in a plugin's signature)
    has the value ``None``. A value holding ``|`` is written as is and reads back as two parts,
    as stored signatures always have.
    """

    name: str
    version: str | None
    fields: tuple[Field, ...] = ()

    def format(self) -> str:
        """The signature string, e.g. ``stats:v1|tok:default|split:punkt``."""
        parts = ((self.name, self.version), *self.fields)
        return "|".join(key if value is None else f"{key}:{value}" for key, value in parts)

    def __str__(self) -> str:
        return self.format()

    @classmethod
    def parse(cls, text: str) -> Signature:
        """The signature a string such as ``run.json`` holds; the inverse of :meth:`format`."""
        (name, version), *fields = (_field(part) for part in text.split("|"))
        return cls(name, version, tuple(fields))

    def measurement(self) -> Signature:
        """What the numbers measure: the signature without implementation fields (``engine``),
        so runs computed by different verified engines compare, resume and merge as one."""
        kept = tuple(f for f in self.fields if f[0] not in IMPLEMENTATION_FIELDS)
        return replace(self, fields=kept)


def measurement(signature: str) -> Signature:
    """What a stored signature string measures: two runs whose measurements are equal hold
    comparable numbers (``Signature.parse(signature).measurement()``)."""
    return Signature.parse(signature).measurement()


def _field(part: str) -> Field:
    key, colon, value = part.partition(":")
    return key, value if colon else None
