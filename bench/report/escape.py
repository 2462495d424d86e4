"""Escaping for every output that quotes a name, a task id or a summary: Markdown (tables and
CI job summaries), LaTeX, CSV opened in a spreadsheet, and matplotlib labels.

A name is data, never markup: ``a|b`` must not split a table cell, a newline must not split a
row, ``=HYPERLINK(...)`` must not become a spreadsheet formula, ``$\\frac{1}{$`` must not reach
matplotlib's math parser (charts are drawn with ``text.parse_math`` off and
names on one line), and ``<img src=...>`` must not render in a job summary.
"""

from __future__ import annotations

import re

_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_MD_SPECIAL = re.compile(r"[\\|*_`\[\]~$]|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "|": r"\textbar{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def one_line(text: str) -> str:
    """``text`` on one line: line breaks become spaces, tabs a space, other control characters
    (a terminal's escape sequences among them) the replacement character."""
    return _CONTROLS.sub("\ufffd", _BREAKS.sub(" ", text).replace("\t", " "))


def md_escape(text: str) -> str:
    """``text`` as literal inline Markdown (GitHub flavour, table cells included): on one line,
    with ``\\ | * _ ` [ ] ~ $`` backslash-escaped, and so a ``<`` that would open an HTML tag
    and an ``&`` that would start an entity (``p < 0.05`` stays readable in a terminal)."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), one_line(text))


def md_code(text: str) -> str:
    """``text`` as an inline code span (one line; fenced with enough backticks)."""
    flat = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or longest else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def tex_escape(text: str) -> str:
    """Escape LaTeX special characters so ``text`` typesets literally, on one line."""
    return "".join(_TEX_ESCAPES.get(c, c) for c in one_line(text))


def csv_text(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting with ``= + - @`` (or a tab or
    carriage return) is prefixed with ``'``, as OWASP advises against formula injection."""
    return "'" + text if text.startswith(_FORMULA_START) else text
