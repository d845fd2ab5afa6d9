"""The values that flow through Byline: Article and Chunk on the write path; Passage, Citation, Answer on the read path."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

# Shared by prompts, code and tests: the marker format and the phrase for "the articles don't say".
CITATION_MARKER = "[{n}]"
CITATION_PATTERN = r"\[(\d{1,3})\]"
NOT_IN_ARTICLES = "The articles do not contain the answer to this question."


def content_hash(text: str) -> str:
    """A short stable hash of some text (sha256, 16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` in an article body."""

    start: int
    end: int


@dataclass
class Article:
    """One news article as loaded and cleaned. ``body`` is the quotable text; offsets point into it."""

    id: str
    title: str
    body: str
    source: str | None = None
    author: str | None = None
    published_at: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None
    category: str | None = None
    # Paragraph spans in ``body`` that are photo captions or credit lines, kept apart from the story.
    captions: list[Span] = field(default_factory=list)
    origin: str = ""  # file (and line) it came from, for error reports

    @property
    def content_hash(self) -> str:
        """Hash of everything that, when changed, requires re-indexing the article."""
        meta = "\x1f".join(
            str(x) for x in (self.title, self.source, self.author, self.published_at, self.url, self.category)
        )
        return content_hash(meta + "\x1e" + self.body)

    def caption_texts(self) -> list[str]:
        return [self.body[s.start : s.end] for s in self.captions]


@dataclass
class Chunk:
    """A piece of an article body: ``article.body[start:end] == text``."""

    article_id: str
    index: int
    start: int
    end: int
    text: str
    section: str = "body"  # "body" or "caption"
    n_tokens: int = 0

    def chunk_id(self, article_version: str) -> str:
        """Stable id: the same article version and span always give the same id."""
        return f"{self.article_id}::{article_version}::{self.start}-{self.end}"


class Passage(BaseModel):
    """A retrieved chunk with its article's metadata and the score that ranked it."""

    chunk_id: str
    article_id: str
    title: str
    source: str | None = None
    published_at: str | None = None
    url: str | None = None
    section: str = "body"
    start: int
    end: int
    text: str
    score: float = 0.0
    scores: dict[str, float] = Field(default_factory=dict)  # per retriever: dense, bm25, rrf


class Citation(BaseModel):
    """A numbered quote. When ``verified``, ``article.body[start:end] == quote`` was checked."""

    n: int
    article_id: str
    title: str
    source: str | None = None
    published_at: str | None = None
    url: str | None = None
    quote: str
    start: int | None = None
    end: int | None = None
    verified: bool = False
    context: str | None = None  # the surrounding paragraph, for display
    context_start: int | None = None  # offset of ``context`` in the article body

    @classmethod
    def from_passage(
        cls,
        n: int,
        passage: Passage,
        quote: str,
        start: int | None = None,
        end: int | None = None,
        **more: Any,
    ) -> Citation:
        """Citation ``[n]`` of ``quote`` from the article ``passage`` belongs to (its title, source, date, link)."""
        return cls(
            n=n, article_id=passage.article_id, title=passage.title, source=passage.source,
            published_at=passage.published_at, url=passage.url, quote=quote, start=start, end=end, **more,
        )  # fmt: skip


class Answer(BaseModel):
    """What ``Assistant.ask`` returns; ``to_json()`` is the shape of ``byline ask --json`` and the HTTP API."""

    question: str
    answer: str
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    related: list[Passage] = Field(default_factory=list)  # shown when refused: closest, not an answer
    standalone_question: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)  # milliseconds
    version: dict[str, str] = Field(default_factory=dict)  # answerer, prompt + version, embedding model
    warnings: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump()
        return {
            "answer": data["answer"],
            "refused": data["refused"],
            "citations": data["citations"],
            "passages": data["passages"],
            "related": data["related"],
            "question": data["question"],
            "standalone_question": data["standalone_question"],
            "timings": data["timings"],
            "version": data["version"],
            "warnings": data["warnings"],
        }
