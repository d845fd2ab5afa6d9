"""A small deterministic stand-in for ``assistant.chain.Assistant``, for fast unit tests of the web layer.

It is passed to ``build_server(settings, assistant=...)`` like any assistant; it never touches library internals.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from assistant.answerer import AnswerEvent, Filters, Turn
from assistant.errors import EmptyIndexError
from assistant.types import NOT_IN_ARTICLES, Answer, Article, Citation


class FakeStore:
    """Articles in a dict; the IndexStore methods the web app reads."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = {a.id: a for a in articles}

    def stats(self) -> dict[str, Any]:
        sources: dict[str, int] = {}
        for a in self.articles.values():
            sources[a.source or "(unknown)"] = sources.get(a.source or "(unknown)", 0) + 1
        dates = [a.published_at for a in self.articles.values() if a.published_at]
        return {
            "articles": len(self.articles),
            "chunks": len(self.articles),
            "sources": sources,
            "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None,
        }

    def list_articles(self) -> list[dict[str, Any]]:
        return [
            {"id": a.id, "title": a.title, "source": a.source, "published_at": a.published_at, "url": a.url}
            for a in self.articles.values()
        ]

    def get_articles(self, ids) -> dict[str, Article]:
        return {i: self.articles[i] for i in ids if i in self.articles}


class FakeAssistant:
    """Answers every question by quoting the first sentence of the first matching article, as [1]."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.store = FakeStore(articles)
        self.calls: list[tuple[str, list[Turn], Filters | None]] = []

    def warm_up(self) -> None:
        """Nothing to load: the fake keeps its articles in memory."""

    def ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer:
        self.calls.append((question, list(history), filters))
        if not self.store.articles:
            raise EmptyIndexError("The index is empty.")
        pool = [
            a
            for a in self.store.articles.values()
            if filters is None or not filters.sources or a.source in filters.sources
        ]
        if not pool or "unanswerable" in question:
            return Answer(question=question, answer=NOT_IN_ARTICLES, refused=True)
        article = pool[0]
        para_end = article.body.find("\n\n")
        context = article.body[: para_end if para_end > 0 else len(article.body)]
        end = context.find(". ") + 1 or len(context)
        quote = context[:end]
        citation = Citation(
            n=1,
            article_id=article.id,
            title=article.title,
            source=article.source,
            published_at=article.published_at,
            url=article.url,
            quote=quote,
            start=0,
            end=end,
            verified=True,
            context=context,
            context_start=0,
        )
        text = f'The article says "{quote}" [1].'
        return Answer(question=question, answer=text, citations=[citation], version={"answerer": "fake"})

    def stream(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Iterator[AnswerEvent]:
        answer = self.ask(question, history, filters)
        for word in answer.answer.split(" "):
            yield AnswerEvent("token", text=word + " ")
        for citation in answer.citations:
            yield AnswerEvent("citation", citation=citation)
        yield AnswerEvent("done", answer=answer)


HOSTILE_BODY = (
    "Officials said <script>window.__pwned = 1</script> the bridge reopened. "
    '<img src=x onerror="window.__pwned = 2"> Traffic resumed on Monday.\n\n'
    "A second paragraph with ${7*7} and {{constructor}} and ![pixel](http://tracker.invalid/p.png)."
)


def hostile_article() -> Article:
    """An article whose text and title try to run script in the page."""
    return Article(
        id="hostile-1",
        title='Bridge <script>window.__pwned=5</script><img src=x onerror="window.__pwned=3"> reopens',
        body=HOSTILE_BODY,
        source="<b>Evil</b> Wire",
        published_at="2024-05-01",
        url="javascript:window.__pwned=4",
    )


def sample_articles() -> list[Article]:
    """Two ordinary articles for UI tests."""
    return [
        Article(
            id="a1",
            title="Council approves new harbour bridge",
            body="The city council approved a new harbour bridge on Tuesday. Work starts in spring.\n\nCritics object.",
            source="Harbour Times",
            published_at="2024-03-02",
            url="https://example.org/bridge",
        ),
        Article(
            id="a2",
            title="Library extends opening hours",
            body="The central library will open until 9 pm from June. Staff were hired for the evenings.",
            source="City Post",
            published_at="2024-04-10",
        ),
    ]
