"""The LLM answerer: the model writes the prose and names sentence ids; Byline inserts the quotes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answerer import Answerer, AnswerEvent, Turn
from assistant.budget import DEFAULT_ENCODING, Block, Budget, TokenCounter, fit_blocks
from assistant.chat_model import build_chat_model, complete_text, stream_text
from assistant.prompts import Prompt, load_prompt
from assistant.quoting import (
    MarkerParser,
    Piece,
    SourceSentence,
    article_header,
    as_data,
    number_sentences,
    realign,
    render_articles,
    sentence_citation,
    sentence_line,
    written_quotes,
)
from assistant.settings import Settings
from assistant.types import CITATION_PATTERN, NOT_IN_ARTICLES, Answer, Citation, Passage

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

# The model's way of saying NOT_IN_ARTICLES, loosely: small models write "The article does not contain...".
_REFUSAL = re.compile(r"\b(articles?|sentences?|text)\s+(do|does)\s+not\s+(contain|say|mention)", re.I)
_CONDENSE_MAX_TOKENS = 64
# Small models sometimes carry on past their answer by writing the next article block or question; an
# answer never contains these, so generation stops there (OpenAI allows up to four stop sequences).
STOP = ("<article", "</article", "\nQuestion:")
# A claim starts after the previous citation marker or sentence end.
_LAST_BREAK = re.compile(r"\[\d+\]|[.!?](?:\s|$)")


class LLMUnusable(Exception):
    """The LLM answered, but with nothing usable (empty or non-text output)."""


class LLMAnswerer:
    """Answerer backed by an OpenAI-compatible chat model, with deterministic quoting and a fallback."""

    name = "llm"

    def __init__(
        self,
        settings: Settings,
        fallback: Answerer,
        chat_model: BaseChatModel | None = None,
        counter: TokenCounter | None = None,
        encoding: str = DEFAULT_ENCODING,
        realign_citations: bool = True,
    ) -> None:
        self.settings = settings
        self.realign_citations = realign_citations
        self.fallback = fallback
        self._chat_model = chat_model  # built at first use, so the API key is read only then
        self._condense_model: BaseChatModel | None = None
        self.counter = counter or TokenCounter(encoding, settings.cache_dir / "tiktoken")
        self.prompt: Prompt = load_prompt("answer", settings.prompts_dir)
        self.condense_prompt: Prompt = load_prompt("condense", settings.prompts_dir)
        self.version = self.prompt.id

    @property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is None:
            self._chat_model = build_chat_model(self.settings, streaming=True)
        return self._chat_model

    # --- prompt ----------------------------------------------------------------------------------------
    def prompt_messages(
        self, question: str, passages: Sequence[Passage]
    ) -> tuple[list[tuple[str, str]], list[list[SourceSentence]]]:
        """The chat messages for ``question`` and the numbered sentences that fit the context budget."""
        groups = number_sentences(passages)
        empty = self.prompt.messages(articles="", question=question, not_in_articles=NOT_IN_ARTICLES)
        budget = Budget(
            self.settings.llm_context_tokens, self.settings.llm_max_tokens, self.counter.count_messages(empty)
        )
        blocks = [
            Block(article_header(g[0].passage) if g else "", [sentence_line(s) for s in g]) for g in groups
        ]
        kept = fit_blocks(blocks, budget.for_passages, self.counter, footer="</article>")
        trimmed = [g[:k] for g, k in zip(groups, kept, strict=True)]
        articles = render_articles(trimmed)
        return self.prompt.messages(
            articles=articles, question=question, not_in_articles=NOT_IN_ARTICLES
        ), trimmed

    # --- answering -------------------------------------------------------------------------------------
    def answer(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer:
        """The final answer (the ``done`` event of ``stream``)."""
        final = None
        for event in self.stream(question, passages, history):
            if event.kind == "done":
                final = event.answer
        assert final is not None, "stream() always ends with a done event"
        return final

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[AnswerEvent]:
        """Token events as the model writes, a citation event as each marker completes, then done."""
        started = time.perf_counter()
        messages, groups = self.prompt_messages(question, passages)
        run = _Run({s.sid: s for g in groups for s in g}, realign=self.realign_citations)
        shown = sum(1 for g in groups if g)
        if shown < sum(1 for p in passages if p.text.strip()) or any(
            len(g) < len(full) for g, full in zip(groups, number_sentences(passages), strict=True)
        ):
            run.warnings.append(
                f"Context budget: the LLM saw {shown} of {len(passages)} passages (trimmed to fit)."
            )
        if not run.by_id:
            yield AnswerEvent("done", answer=self._refusal(question, passages, run))
            return
        parser = MarkerParser()
        try:
            for piece_text in stream_text(self.chat_model, messages, stop=STOP):
                run.timings.setdefault("llm_first_token_ms", _ms(started))
                run.raw.append(piece_text)
                for piece in parser.feed(piece_text):
                    yield from run.emit(piece)
            for piece in parser.flush():
                yield from run.emit(piece)
            if not "".join(run.raw).strip():
                raise LLMUnusable("the model returned no text")
        except Exception as err:  # noqa: BLE001 - any failure of the service means: fall back, never crash
            yield from self._fall_back(question, passages, history, err)
            return
        run.timings["llm_total_ms"] = _ms(started)
        if run.realigned:
            run.warnings.append(
                f"{run.realigned} citation(s) moved to the sentence that shares the claim's words."
            )
        if run.invalid:
            run.warnings.append(
                f"Dropped citation ids not among the passages: {', '.join(sorted(run.invalid))}."
            )
        text = "".join(run.text).strip()
        if not run.citations or _REFUSAL.search(text) or NOT_IN_ARTICLES.lower() in text.lower():
            yield AnswerEvent("done", answer=self._refusal(question, passages, run))
            return
        first = run.by_id[next(iter(run.numbers))].passage
        text, typed = written_quotes(text, passages, len(run.citations) + 1, first)
        answer = Answer(
            question=question,
            answer=text,
            citations=run.citations + typed,
            passages=list(passages),
            timings=run.timings,
            version=self._version(),
            warnings=run.warnings,
        )
        yield AnswerEvent("done", answer=answer)

    def _version(self) -> dict[str, str]:
        return {"answerer": self.name, "prompt": self.prompt.id, "llm_model": self.settings.llm_model}

    def _refusal(self, question: str, passages: Sequence[Passage], run: _Run) -> Answer:
        return Answer(
            question=question,
            answer=NOT_IN_ARTICLES,
            refused=True,
            passages=list(passages),
            related=list(passages),
            timings=run.timings,
            version=self._version(),
            warnings=run.warnings,
        )

    def _fall_back(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn], err: Exception
    ) -> Iterator[AnswerEvent]:
        """A status line naming the problem, then the fallback answerer's own stream."""
        message = f"The LLM could not answer ({describe_error(err)}); showing the {self.fallback.name} answer instead."
        yield AnswerEvent("status", text=message)
        for event in self.fallback.stream(question, passages, history):
            if event.kind == "done" and event.answer is not None:
                event.answer.warnings.append(message)
                event.answer.version.setdefault("fallback_from", self.prompt.id)
            yield event

    # --- follow-ups ------------------------------------------------------------------------------------
    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up rewritten to stand alone (``question`` itself when there is no history or no LLM)."""
        if not history:
            return question
        lines = []
        for asked, answered in history[-3:]:
            answered = " ".join(re.sub(CITATION_PATTERN, "", answered).split())[:400]
            lines.append(f"User: {as_data(asked)}\nAssistant: {as_data(answered)}")
        messages = self.condense_prompt.messages(history="\n".join(lines), question=as_data(question))
        try:
            if self._condense_model is None:
                self._condense_model = build_chat_model(
                    self.settings, streaming=False, max_tokens=_CONDENSE_MAX_TOKENS
                )
            raw = complete_text(self._condense_model, messages)
        except Exception:  # noqa: BLE001 - condensing is an optimisation; the raw question still works
            return question
        return clean_standalone(raw, question)


@dataclass
class _Run:
    """State of one streamed answer: sentence ids seen, citations made, text so far."""

    by_id: dict[int, SourceSentence]
    numbers: dict[int, int] = field(default_factory=dict)  # sentence id -> [n], in order of first appearance
    citations: list[Citation] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    realign: bool = True
    realigned: int = 0

    def emit(self, piece: Piece) -> Iterator[AnswerEvent]:
        """Text passes through; a sentence id becomes ``[n]`` plus, the first time, its citation."""
        if piece.sid is None:
            self.text.append(piece.text)
            yield AnswerEvent("token", text=piece.text)
            return
        sentence = self.by_id.get(piece.sid)
        if sentence is None:
            self.invalid.add(f"S{piece.sid}")
            return
        if self.realign:
            claim = _LAST_BREAK.split("".join(self.text))[-1]
            better = realign(claim, sentence, list(self.by_id.values()))
            self.realigned += better is not sentence
            sentence = better
        new = sentence.sid not in self.numbers
        n = self.numbers.setdefault(sentence.sid, len(self.numbers) + 1)
        self.text.append(f"[{n}]")
        yield AnswerEvent("token", text=f"[{n}]")
        if new:
            self.citations.append(sentence_citation(n, sentence))
            yield AnswerEvent("citation", citation=self.citations[-1])


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def describe_error(err: Exception) -> str:
    """A one-line, key-free description of an LLM failure for the user."""
    name = type(err).__name__
    if "Timeout" in name:
        return "the LLM server did not answer in time"
    if "Connection" in name:
        return "the LLM server is unreachable"
    detail = " ".join(str(err).split())[:160]
    return f"{name}: {detail}" if detail else name


def clean_standalone(raw: str, question: str) -> str:
    """The model's rewritten question, or the original when the rewrite is empty, an answer or rambling."""
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    if not lines:
        return question
    text = re.sub(r"^(follow-up |standalone |rewritten )?question:\s*", "", lines[0], flags=re.I).strip(
        " \"'"
    )
    if (
        not text
        or len(text) > max(300, 3 * len(question))
        or _REFUSAL.search(text)
        or re.search(CITATION_PATTERN, text)
    ):
        return question
    return text
