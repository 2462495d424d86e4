"""Guards on what task sets may make sumbench read: YAML without duplicate keys or alias bombs,
paths confined to their folder, documents under a size limit and free of NUL bytes.

A task set may come from anyone (a download, a colleague's repository), so nothing in it may
make sumbench read a file outside its folder (and then send it to an endpoint), fill memory or
stall a run. The user's own command-line arguments are not restricted.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DOCUMENT_BYTES = 2_000_000
"""Default size limit (UTF-8 bytes) of one document, and of each task, reference and key-fact
file: 2 MB holds a book chapter; a larger input is more likely a mistake (or an attack) than a
summarization task. ``--max-document-mb`` changes it."""

MAX_BUDGET = 10_000
"""Largest word budget a task may ask for: summaries are shorter than this, and a model told to
write a billion words would be asked for billions of tokens."""

MAX_YAML_NODES = 100_000
"""Largest number of values a YAML file may expand to once its aliases are followed: a few
dozen aliases nesting each other (a "billion laughs" file) would expand to billions."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


def megabytes(limit: int) -> str:
    """``2_000_000`` as ``2 MB``, for messages."""
    return f"{limit / 1e6:g} MB"


def limit_from_mb(value: float) -> int:
    """``--max-document-mb`` as bytes; raises ``ValueError`` unless it is positive."""
    if not value > 0 or value != value or value == float("inf"):
        raise ValueError(f"--max-document-mb must be a positive number of megabytes, got {value}")
    return int(value * 1_000_000)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a key given twice in one mapping (PyYAML silently keeps
    the last, so a typo'd second ``documents:`` would hide the first)."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base class reports it
                    continue
                if first is not None:
                    line = first.start_mark.line + 1
                    raise ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"duplicate key {key!r} (first given on line {line})",
                        key_node.start_mark,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is expanded (memoised by node, so
    the cost is linear in the file however far the aliases would expand)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    sizes[key] = MAX_YAML_NODES + 1  # a cycle counts as too large
    total = 1
    if isinstance(node, SequenceNode):
        children: list[Node] = list(node.value)
    elif isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    else:
        children = []
    for child in children:
        total += _expanded_size(child, sizes)
        if total > MAX_YAML_NODES:
            break
    sizes[key] = total
    return total


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely: no Python objects, no duplicate keys, no alias bombs.

    Raises ``yaml.YAMLError`` (with a mark where one is known) for anything refused.
    """
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if not isinstance(node, ScalarNode) and _expanded_size(node, {}) > MAX_YAML_NODES:
            raise yaml.YAMLError(
                f"refused: the file expands to more than {MAX_YAML_NODES:,} values once its "
                "aliases (*name) are followed; write the values out, or use fewer aliases"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def confined_path(root: Path, relative: str, what: str) -> tuple[Path | None, str]:
    """The file ``relative`` names under ``root``, or ``None`` and why it is refused: an absolute
    path, one that climbs out of ``root`` with ``..``, or one whose symlinks lead outside it."""
    pure = PurePath(relative)
    if pure.is_absolute() or relative.startswith("~") or os.path.isabs(relative):
        return None, f"must be a path relative to the {what}, not an absolute path ({relative!r})"
    path = root / relative
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError) as error:  # a symlink loop
        return None, f"cannot be resolved ({error})"
    if inside:
        return path, ""
    if ".." in pure.parts:
        return None, f"must not climb out of the {what} with '..' ({relative!r})"
    return None, f"is a symlink leading outside the {what} ({relative!r})"


def inside(root: Path, path: Path) -> bool:
    """True when ``path``, symlinks followed, lies within ``root`` (also resolved)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def text_problem(text: str, limit: int) -> str | None:
    """Why a document's text is refused (over ``limit`` bytes, or holding a NUL byte), if it is."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        return (
            f"document is {megabytes(size)}, over the {megabytes(limit)} limit "
            "(raise it with --max-document-mb if it is meant to be this long)"
        )
    if "\0" in text:
        return (
            f"document holds a NUL byte (at character {text.index(chr(0))}); is it a binary file?"
        )
    return None


def size_problem(path: Path, limit: int) -> str | None:
    """Why the file at ``path`` is too large to read, judged from its size alone."""
    size = path.stat().st_size
    if size > limit:
        return (
            f"file is {megabytes(size)}, over the {megabytes(limit)} limit "
            "(raise it with --max-document-mb if it is meant to be this long)"
        )
    return None
