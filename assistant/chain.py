"""The read path as a LangChain runnable chain: retrieve -> answer -> verify, callable or streamed.

Each step is a ``RunnableLambda`` over a plain dict (question, history, filters, k, answerer, ...), so a
caller can run ``assistant.chain`` itself, stream ``assistant.stream_chain``, or swap one step out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.runnables import RunnableGenerator, RunnableLambda

from assistant import offline  # noqa: F401
from assistant.answerer import Answerer, AnswerEvent, Filters, Turn
from assistant.answerers import make_answerer
from assistant.conflicts import among_citations, describe, says_disagree
from assistant.embedder import Embedder, get_embedder
from assistant.followup import resolve
from assistant.retrieval import Retriever
from assistant.sentences import paragraph_spans
from assistant.settings import Settings, get_settings
from assistant.types import Answer, Article, Citation
from assistant.verify import verify_answer, verify_citation

State = dict[str, Any]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def with_context(citation: Citation, article: Article | None) -> Citation:
    """``citation`` plus the paragraph around its verified span, for display."""
    if article is None or not citation.verified or citation.start is None:
        return citation
    for a, b in paragraph_spans(article.body):
        if a <= citation.start and citation.end is not None and citation.end <= b:
            return citation.model_copy(update={"context": article.body[a:b], "context_start": a})
    return citation


class Assistant:
    """Questions in, verified answers out. ``ask`` returns an Answer; ``stream`` yields AnswerEvents."""

    def __init__(self, store: Any, embedder: Embedder, settings: Settings, answerer: Answerer | None = None):
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.retriever = Retriever(store, embedder, settings)
        self._answerers: dict[str, Answerer] = {}
        self.default_answerer = answerer or self.answerer(None)
        self.retrieve_step = RunnableLambda(self._retrieve, name="retrieve")
        self.answer_step = RunnableLambda(self._answer, name="answer")
        self.verify_step = RunnableLambda(self._verify, name="verify")
        self.chain = self.retrieve_step | self.answer_step | self.verify_step
        self.stream_chain = self.retrieve_step | RunnableGenerator(self._stream_answer, name="answer+verify")

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        """Open the configured index and embedding model (raises the store's errors with their hints)."""
        from assistant.store import open_store

        settings = settings or get_settings()
        embedder = get_embedder(settings)
        return cls(open_store(settings, embedder), embedder, settings)

    def answerer(self, name: str | Answerer | None) -> Answerer:
        """An answerer by name ("extractive", "llm", "auto"; None = the settings' choice), made once."""
        if name is not None and not isinstance(name, str):
            return name
        key = name or self.settings.answerer
        if key not in self._answerers:
            self._answerers[key] = make_answerer(
                key, self.settings, self.embedder, self.retriever.embed_query, self._idf
            )
        return self._answerers[key]

    def _idf(self, term: str) -> float:
        return self.retriever.idf(term)

    # --- public API ------------------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load now what the first question would otherwise wait for: the BM25 index (cached on disk)."""
        self.retriever.lexical()

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        answerer: str | Answerer | None = None,
        k: int | None = None,
    ) -> Answer:
        """Answer ``question`` (a follow-up is resolved against ``history``) with verified citations."""
        return self.chain.invoke(self._inputs(question, history, filters, answerer, k))

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        answerer: str | Answerer | None = None,
        k: int | None = None,
    ) -> Iterator[AnswerEvent]:
        """Like ``ask``, as events: tokens and checked citations as they come, then "done" with the Answer."""
        yield from self.stream_chain.stream(self._inputs(question, history, filters, answerer, k))

    def _inputs(
        self, question: str, history: Sequence[Turn], filters: Filters | None, answerer: Any, k: Any
    ) -> State:
        question = (question or "").strip()
        if not question:
            from assistant.errors import BylineError

            raise BylineError("The question is empty.", hint="Ask a question about the articles.")
        return {
            "question": question,
            "history": [tuple(t) for t in history],
            "filters": filters,
            "answerer": self.answerer(answerer) if answerer is not None else self.default_answerer,
            "k": k or self.settings.top_k,
            "t0": time.perf_counter(),
            "timings": {},
        }

    # --- steps -----------------------------------------------------------------------------------------
    def _retrieve(self, state: State) -> State:
        """Resolve a follow-up into a standalone question, then retrieve passages for it."""
        t0 = time.perf_counter()
        answerer, history = state["answerer"], state["history"]
        standalone = state["question"]
        if history:
            condense = getattr(answerer, "condense", None)
            standalone = (
                condense(state["question"], history) if condense else resolve(state["question"], history)
            )
        state["timings"]["condense_ms"] = _ms(t0)
        t1 = time.perf_counter()
        passages = self.retriever.retrieve(standalone, state["k"], state["filters"])
        if not passages:
            self.store.require_articles()  # an empty index is an error with a hint, not a refusal
        state["timings"]["retrieve_ms"] = _ms(t1)
        return {**state, "standalone": standalone, "passages": passages}

    def _answer(self, state: State) -> State:
        t0 = time.perf_counter()
        answer = state["answerer"].answer(state["standalone"], state["passages"], state["history"])
        state["timings"]["answer_ms"] = _ms(t0)
        return {**state, "answer": answer}

    def _verify(self, state: State) -> Answer:
        """Check every quote against its article; drop markers pointing at nothing retrieved; add context."""
        t0 = time.perf_counter()
        answer: Answer = state["answer"]
        passages = state["passages"]
        ids = {c.article_id for c in answer.citations} & {p.article_id for p in passages}
        articles = self.store.get_articles(sorted(ids)) if ids else {}
        checked = verify_answer(answer, articles, passages)
        citations = [with_context(c, articles.get(c.article_id)) for c in checked.citations]
        timings = {**state["timings"], "verify_ms": _ms(t0)}
        timings["total_ms"] = _ms(state["t0"])
        answerer = state["answerer"]
        version = {
            "answerer": getattr(answerer, "name", type(answerer).__name__),
            "prompt": getattr(answerer, "version", ""),
            **checked.version,
            "embedding_model": getattr(self.embedder, "model_id", ""),
        }
        warnings = list(checked.warnings)
        # Any answerer: when verified quotes disagree and the answer does not say so itself, a warning does.
        if not says_disagree(checked.answer):
            differences = among_citations([(c.article_id, c.quote) for c in citations if c.verified])
            if differences:
                warnings.append(f"The cited articles disagree: {describe(differences)}.")
        if not passages and state["filters"] is not None and not state["filters"].is_empty():
            warnings.append("No articles match the filters.")
        return checked.model_copy(
            update={
                "question": state["question"],
                "standalone_question": state["standalone"]
                if state["standalone"] != state["question"]
                else None,
                "citations": citations,
                "passages": passages,
                "timings": timings,
                "version": version,
                "warnings": warnings,
            }
        )

    def _stream_answer(self, states: Iterator[State]) -> Iterator[AnswerEvent]:
        """Answer events as the answerer streams them; citations are checked before they are passed on."""
        for state in states:
            t0 = time.perf_counter()
            retrieved = {p.article_id for p in state["passages"]}
            articles: dict[str, Article] = {}
            final: Answer | None = None
            for event in state["answerer"].stream(state["standalone"], state["passages"], state["history"]):
                if event.kind == "done":
                    final = event.answer
                elif event.kind == "citation" and event.citation is not None:
                    cit = event.citation
                    if cit.article_id not in retrieved:
                        continue  # a marker pointing at nothing retrieved is never shown
                    if cit.article_id not in articles:
                        articles.update(self.store.get_articles([cit.article_id]))
                    checked = with_context(
                        verify_citation(cit, articles.get(cit.article_id)), articles.get(cit.article_id)
                    )
                    yield AnswerEvent("citation", citation=checked)
                else:
                    yield event
            state["timings"]["answer_ms"] = _ms(t0)
            if final is None:
                final = Answer(
                    question=state["question"], answer="", warnings=["The answerer produced nothing."]
                )
            yield AnswerEvent("done", answer=self._verify({**state, "answer": final}))
