"""What a summarizer is given (SummaryRequest) and what it returns (Summary).

A SummaryRequest has no field that could carry references or key facts: the gold cannot reach a
summarizer through it, whatever the adapter does.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RequestDocument(BaseModel):
    """One source document as a summarizer sees it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Document id, unique within the task.")
    title: str | None = Field(default=None, description="Headline, if known.")
    outlet: str | None = Field(default=None, description="Publisher, e.g. 'BBC'.")
    date: str | None = Field(default=None, description="Publication date (ISO), if known.")
    text: str = Field(description="Cleaned text; paragraphs separated by a blank line.")


class SummaryRequest(BaseModel):
    """Everything a summarizer may see for one task: documents, instructions and a word budget."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task_id: str = Field(description="Id of the task being summarized.")
    language: str = Field(default="en", description="ISO 639-1 language of the documents.")
    instructions: str = Field(description="What to write, in plain words.")
    budget: int = Field(gt=0, description="Length budget in words.")
    documents: tuple[RequestDocument, ...] = Field(min_length=1, description="Sources, in order.")

    @property
    def is_multi_document(self) -> bool:
        """True for a cluster of more than one document."""
        return len(self.documents) > 1

    def digest(self) -> str:
        """Stable hash of the request, part of the generation cache key."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


class Summary(BaseModel):
    """A summarizer's output for one task."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The summary.")
    meta: dict[str, Any] = Field(default_factory=dict, description="Latency, tokens, cost, ...")
    reference_id: str | None = Field(
        default=None,
        description="Set when the summary is itself a reference (the `human` bound): scorers "
        "then leave that reference out.",
    )
