"""The contract every answerer meets, and the events a streamed answer is made of."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from assistant.types import Answer, Citation, Passage

Turn = tuple[str, str]  # (user question, assistant answer text)


@dataclass
class Filters:
    """Metadata filters usable from the API, CLI and UI."""

    sources: list[str] = field(default_factory=list)
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    article_ids: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.sources or self.since or self.until or self.article_ids)


@dataclass
class AnswerEvent:
    """One step of a streamed answer.

    kind="token": ``text`` is the next piece of answer text (markers included as they arrive).
    kind="citation": ``citation`` has just resolved (its marker has arrived and its quote is checked).
    kind="done": ``answer`` is the final, verified Answer (the same object ``ask`` would return).
    kind="status": ``text`` is a human-readable progress or warning line (e.g. "LLM unreachable, falling back").
    """

    kind: Literal["token", "citation", "done", "status"]
    text: str = ""
    citation: Citation | None = None
    answer: Answer | None = None


class Answerer(Protocol):
    """Writes an answer from retrieved passages. Citations it returns are verified afterwards by the chain."""

    name: str
    version: str

    def answer(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer: ...

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[AnswerEvent]: ...
