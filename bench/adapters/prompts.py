"""Prompt templates for chat-model adapters: a system message and user messages per input kind.

A template text is either plain (the user message for any input; the default system message
stays) or split into sections by lines ``[system]``, ``[user]`` and ``[user:multi]`` (the user
message for clusters of several documents; ``[user]`` serves both when it is absent). An empty
``[system]`` section sends no system message. Placeholders: ``{documents}`` (required),
``{instructions}`` and ``{budget}``; any other ``{name}`` is an error (a typo), while braces
around anything else (``{"json": true}``) are kept as written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from bench.request import RequestDocument, SummaryRequest
from bench.text import count_words, truncate_words

PLACEHOLDERS = ("documents", "instructions", "budget")
SECTIONS = ("system", "user", "user:multi")

DEFAULT_PROMPT = """\
[system]
You are a careful news editor. You write faithful, concise summaries that use only information \
stated in the documents you are given: no outside facts, opinions or commentary. You reply \
with the summary text only: no title, no preamble, no notes.
[user]
Article:

{documents}

Task: {instructions}
Write at most {budget} words.
[user:multi]
The documents below are articles about the same story.

{documents}

Task: {instructions}
Write one summary for all the documents together: combine what they report, do not repeat a \
fact, and say so where they disagree. Write at most {budget} words.
"""

_SECTION_LINE = re.compile(rf"^\[({'|'.join(SECTIONS)})\][ \t]*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Prompt:
    """A parsed template: the system message (or None) and the user templates."""

    system: str | None
    user: str
    user_multi: str

    def digest(self) -> str:
        """Short hash of the resolved template: outputs change when it does."""
        text = "\0".join((self.system or "", self.user, self.user_multi))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def messages(self, request: SummaryRequest, documents: str) -> list[dict[str, str]]:
        """Chat messages for ``request``, with ``documents`` already rendered."""
        template = self.user_multi if request.is_multi_document else self.user
        values = {
            "documents": documents,
            "instructions": request.instructions.strip(),
            "budget": str(request.budget),
        }
        # One pass, so a document that contains "{budget}" is not substituted again.
        user = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
        messages = [{"role": "system", "content": self.system}] if self.system else []
        return [*messages, {"role": "user", "content": user.strip()}]


def _sections(text: str, where: str) -> dict[str, str]:
    headers = list(_SECTION_LINE.finditer(text))
    if not headers:
        return {"user": text.strip()}
    if text[: headers[0].start()].strip():
        raise ValueError(f"{where}: text before the first section header {headers[0].group(0)}")
    sections: dict[str, str] = {}
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        name = header.group(1)
        if name in sections:
            raise ValueError(f"{where}: section [{name}] appears twice")
        end = following.start() if following is not None else len(text)
        sections[name] = text[header.end() : end].strip()
    if "user" not in sections:
        raise ValueError(f"{where}: a [user] section is required")
    return sections


def _check_placeholders(where: str, template: str) -> None:
    names = set(_PLACEHOLDER.findall(template))
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise ValueError(f"{where}: unknown placeholder {{{unknown[0]}}}; known: {known}")
    if "documents" not in names:
        raise ValueError(f"{where}: the template has no {{documents}} placeholder")


_DEFAULT_SYSTEM = _sections(DEFAULT_PROMPT, "default prompt")["system"]


def parse_prompt(text: str, where: str = "prompt") -> Prompt:
    """Parse a template text (see the module docstring); ``where`` names it in errors."""
    sections = _sections(text, where)
    user = sections["user"]
    user_multi = sections.get("user:multi", user)
    _check_placeholders(where, user)
    _check_placeholders(f"{where} [user:multi]", user_multi)
    return Prompt(sections.get("system", _DEFAULT_SYSTEM) or None, user, user_multi)


def load_prompt(value: str | None, where: str = "prompt") -> Prompt:
    """The default prompt for None, a file's template for ``@path``, else ``value`` itself."""
    if value is None or not value.strip():
        return parse_prompt(DEFAULT_PROMPT, "default prompt")
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(f"{where}: cannot read template file {str(path)!r}: {error}") from None
        return parse_prompt(text, f"{where} file {str(path)!r}")
    return parse_prompt(value, where)


def render_document(document: RequestDocument, number: int | None = None) -> str:
    """One document with its header lines (number and title, outlet and date) above its text."""
    head: list[str] = []
    if number is not None:
        head.append(f"Document {number}" + (f": {document.title}" if document.title else ""))
    elif document.title:
        head.append(f"Title: {document.title}")
    source = ", ".join(part for part in (document.outlet, document.date) if part)
    if source:
        head.append(f"Source: {source}")
    text = document.text.strip()
    return "\n".join(head) + "\n\n" + text if head else text


def render_documents(documents: tuple[RequestDocument, ...] | list[RequestDocument]) -> str:
    """A single document as is (with its title); a cluster numbered from 1."""
    if len(documents) == 1:
        return render_document(documents[0])
    return "\n\n".join(render_document(doc, i) for i, doc in enumerate(documents, start=1))


def fit_documents(
    documents: tuple[RequestDocument, ...], limit: int
) -> tuple[tuple[RequestDocument, ...], list[int]]:
    """Cut documents to ``limit`` words in total, each in proportion to its length.

    Returns the documents (unchanged when they fit) and the words kept of each. Shares are
    rounded by largest remainder, so exactly ``limit`` words are kept when the documents exceed it.
    """
    lengths = [count_words(doc.text) for doc in documents]
    total = sum(lengths)
    if total <= limit:
        return documents, lengths
    shares = [limit * length / total for length in lengths]
    kept = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: kept[i] - shares[i])
    for index in by_remainder[: limit - sum(kept)]:
        kept[index] += 1
    cut = tuple(
        doc.model_copy(update={"text": truncate_words(doc.text, keep)}) if keep < length else doc
        for doc, keep, length in zip(documents, kept, lengths, strict=True)
    )
    return cut, kept
