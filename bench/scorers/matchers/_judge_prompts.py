"""Prompts of the ``llm`` key-fact judge: the built-in ones by name, or a template file.

A template is the user message. Its placeholders: ``{sentences}`` (the summary's sentences,
numbered from 1), ``{summary}`` (the summary as one text) and either ``{fact}`` (one request
per key fact) or ``{facts}`` (the summary's key facts numbered from 1: one request per
summary, answered one line per fact, ``N. yes`` or ``N. no``). Any other ``{name}`` is an error
(a typo); ``{{`` and ``}}`` are literal braces, and braces around anything else
(``{"present": true}``) are kept as written. Put the
summary before the fact so a server that caches prompt prefixes (llama.cpp, vLLM) reads the
instructions and the summary once for all its facts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDERS = ("sentences", "summary", "fact", "facts")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

FINESURE = """You will receive a summary, split into numbered sentences, and one key fact.
Decide whether the key fact can be inferred from the summary. A summary that states the
opposite of the fact, or a different number, does not contain it.

Summary:
{sentences}

Key fact: {fact}

Answer with JSON only: {{"present": true or false, "sentence": the number of the sentence
that states the fact, or null}}"""

YESNO = """Read the summary below, then decide whether it states the key fact that follows. \
A summary that states the opposite of the fact, or a different number, does not state it. \
Answer yes or no.

Summary:
{summary}

Key fact: {fact}"""

FACTS = """Read the summary below, then decide for each numbered key fact whether the summary \
states it. A summary that states the opposite of a fact, or a different number, does not state \
it. Answer one line per fact, in order: the fact's number and yes or no (for example "1. yes").

Summary:
{summary}

Key facts:
{facts}"""


@dataclass(frozen=True)
class JudgePrompt:
    """A judge prompt: its template, the name the matcher's signature shows and the reply cap
    that fits its answer."""

    name: str
    template: str
    max_tokens: int
    """Reply cap per request (per fact when :attr:`per_summary`)."""

    @property
    def per_summary(self) -> bool:
        """True when one request lists all facts of a summary (``{facts}``)."""
        return "facts" in _names(self.template)

    def digest(self) -> str:
        """Short hash of the template."""
        return hashlib.sha256(self.template.encode()).hexdigest()[:8]

    def render(self, sentences: Sequence[str], facts: Sequence[str]) -> str:
        """The prompt for a summary and one fact (or all of its facts, :attr:`per_summary`)."""
        values = {
            "sentences": "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1)) or "(empty)",
            "summary": " ".join(sentences) or "(empty)",
            "fact": facts[0] if facts else "",
            "facts": "\n".join(f"{i}. {f}" for i, f in enumerate(facts, 1)),
        }
        # One pass, so a summary that contains "{fact}" is not substituted again; "{{" and "}}"
        # are literal braces, as in str.format.
        filled = _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.template)
        return filled.replace("{{", "{").replace("}}", "}")


BUILTIN = {
    "finesure-v1": JudgePrompt("finesure-v1", FINESURE, 128),
    "yesno-v1": JudgePrompt("yesno-v1", YESNO, 1),
    "facts-v1": JudgePrompt("facts-v1", FACTS, 6),
}
"""Built-in prompts: ``finesure-v1`` (JSON verdict and supporting sentence, one request per
fact), ``yesno-v1`` (one word per fact: the cheapest, and read from its log-probability) and
``facts-v1`` (every fact of a summary in one request, one line each)."""
DEFAULT_PROMPT = "yesno-v1"


def _names(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template.replace("{{", "").replace("}}", "")))


def parse_template(text: str, name: str, where: str) -> JudgePrompt:
    """A template's prompt, checked: known placeholders only, and exactly one of ``{fact}``
    and ``{facts}``, with the summary in it."""
    names = _names(text)
    unknown = sorted(names - set(PLACEHOLDERS))
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    if unknown:
        raise ValueError(f"{where}: unknown placeholder {{{unknown[0]}}}; known: {known}")
    if ("fact" in names) == ("facts" in names):
        raise ValueError(
            f"{where}: the template needs exactly one of {{fact}} (a request per fact) and "
            "{facts} (a request per summary, answered one line per fact)"
        )
    if not names & {"sentences", "summary"}:
        raise ValueError(f"{where}: the template has no {{sentences}} or {{summary}} placeholder")
    return JudgePrompt(name, text.strip(), 6 if "facts" in names else 128)


def load_judge_prompt(value: str | None, where: str) -> JudgePrompt:
    """A built-in prompt by name (the default for None), or a template file (``@path`` or a
    path); the file's prompt is named ``file-<hash>``, so the signature changes with its text."""
    if value is None or not value.strip():
        return BUILTIN[DEFAULT_PROMPT]
    if value in BUILTIN:
        return BUILTIN[value]
    path = Path(value.removeprefix("@")).expanduser()
    if not value.startswith("@") and not path.is_file():
        builtin = ", ".join(BUILTIN)
        raise ValueError(
            f"{where}: {value!r} is neither a built-in prompt ({builtin}) nor a file "
            "(write @path for a template file)"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{where}: cannot read template file {str(path)!r}: {error}") from None
    digest = hashlib.sha256(text.strip().encode()).hexdigest()[:8]
    return parse_template(text, f"file-{digest}", f"{where} file {str(path)!r}")
