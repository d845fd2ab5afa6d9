"""What the chat window, the widget and the HTTP API share: one assistant, the rate limit, uploads, feedback.

The assistant is passed in (tests give a small fake) or built from settings on first use, so the app starts
and shows a clear message even when the index cannot be opened yet.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from assistant.answerer import AnswerEvent, Filters, Turn
from assistant.errors import BylineError, EmptyIndexError
from assistant.feedback import FeedbackRecord, record_feedback
from assistant.settings import Settings
from assistant.types import Answer
from assistant.web.security import RateLimiter

log = logging.getLogger("byline.web")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_QUESTION_CHARS = 2000


class Backend(Protocol):
    """The part of ``assistant.chain.Assistant`` the web app uses."""

    store: Any

    def warm_up(self) -> None: ...

    def ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer: ...

    def stream(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Iterator[AnswerEvent]: ...


class InputError(BylineError):
    hint = "Fix the highlighted input and ask again."


def parse_filters(sources: Sequence[str] | None, since: str | None, until: str | None) -> Filters:
    """Filters from UI/API values; dates must be YYYY-MM-DD (empty = open-ended)."""
    dates = []
    for label, value in (("From", since), ("To", until)):
        value = (value or "").strip()
        if value:
            try:
                if not _DATE.match(value):
                    raise ValueError
                date.fromisoformat(value)
            except ValueError:
                raise InputError(
                    f"{label} date {value!r} is not a date.", hint="Write dates as YYYY-MM-DD."
                ) from None
        dates.append(value or None)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise InputError(
            f"The date range {dates[0]} – {dates[1]} is empty.", hint="Put the earlier date in From."
        )
    return Filters(sources=[s for s in (sources or []) if s], since=dates[0], until=dates[1])


def check_question(question: str) -> str:
    """The question stripped; raises InputError when empty or too long."""
    question = (question or "").strip()
    if not question:
        raise InputError("The question is empty.", hint="Type a question about the articles.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"The question is {len(question)} characters long.",
            hint=f"Ask in at most {MAX_QUESTION_CHARS} characters.",
        )
    return question


class WebService:
    """Shared state of one running app."""

    def __init__(
        self,
        settings: Settings,
        assistant: Backend | None = None,
        factory: Callable[[Settings], Backend] | None = None,
    ) -> None:
        self.settings = settings
        self._assistant = assistant
        self._factory = factory or _default_factory
        self._lock = threading.Lock()
        self.limiter = RateLimiter(settings.rate_limit_per_minute)

    @property
    def assistant(self) -> Backend:
        """The assistant, built on first use; a BylineError (e.g. store unavailable) propagates with its hint."""
        if self._assistant is None:
            with self._lock:
                if self._assistant is None:
                    self._assistant = self._factory(self.settings)
        return self._assistant

    # --- asking ------------------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn], filters: Filters, session: str) -> Answer:
        """One complete answer (API use); rate-limited per session."""
        question = check_question(question)
        self.limiter.check(session)
        return self.assistant.ask(question, history=list(history), filters=filters)

    def stream(
        self, question: str, history: Sequence[Turn], filters: Filters, session: str
    ) -> Iterator[AnswerEvent]:
        """A streamed answer (chat use); rate-limited per session."""
        question = check_question(question)
        self.limiter.check(session)
        return self.assistant.stream(question, history=list(history), filters=filters)

    # --- library -----------------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Index counts: articles, chunks, sources, first/last date."""
        return dict(self.assistant.store.stats())

    def articles(self) -> list[dict[str, Any]]:
        """Metadata of every indexed article."""
        return list(self.assistant.store.list_articles())

    def examples(self, n: int = 4, articles: list[dict[str, Any]] | None = None) -> list[str]:
        """Example questions drawn from the newest indexed articles' titles ([] when the index is empty)."""
        rows = sorted(
            self.articles() if articles is None else articles,
            key=lambda r: r.get("published_at") or "",
            reverse=True,
        )
        out: list[str] = []
        for row in rows:
            title = " ".join(str(row.get("title") or "").split()).rstrip(".?!")
            if 8 <= len(title) <= 120 and title not in out:
                out.append(title)
            if len(out) == n:
                break
        return [f"What do the articles say about: {t}?" for t in out]

    def ingest_file(self, path: str, progress: Callable[[int, int], None] | None = None) -> tuple[str, str]:
        """Index one uploaded file into the running store: (status, detail)."""
        from ingest.pipeline import ingest

        report = ingest(
            [path],
            self.settings,
            store=self.assistant.store,
            embedder=getattr(self.assistant, "embedder", None),
            progress=progress,
        )
        counts = (
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}"
        )
        if report.skipped:
            reasons = "; ".join(reason for _, reason in report.skipped[:3])
            more = f" (+{len(report.skipped) - 3} more)" if len(report.skipped) > 3 else ""
            status = "partial" if (report.added or report.updated or report.unchanged) else "failed"
            return status, f"{counts}, skipped {len(report.skipped)}: {reasons}{more}"
        return "ok", counts

    def require_articles(self) -> None:
        """Raise EmptyIndexError when nothing is indexed."""
        if not self.stats().get("articles"):
            raise EmptyIndexError("No articles are indexed.")

    # --- feedback ----------------------------------------------------------------------------------------
    def feedback(
        self, answer_json: dict[str, Any], rating: int, filters: Filters, session: str | None
    ) -> int:
        """Store a thumbs up (+1) or down (-1) for an answer; returns the row id."""
        record = FeedbackRecord.from_answer(
            answer_json,
            rating,
            filters={"sources": filters.sources, "since": filters.since, "until": filters.until},
            session=session,
        )
        return record_feedback(self.settings.feedback_path, record)


def _default_factory(settings: Settings) -> Backend:
    from assistant.chain import Assistant  # imported late: it loads the embedding model

    return Assistant.from_settings(settings)


def display_name(path: str) -> str:
    """The file name a user uploaded (Gradio keeps it as the last path part)."""
    return Path(path).name


def friendly(err: BaseException) -> str:
    """A one-line message for any error; unexpected ones are logged with their traceback, never shown."""
    if isinstance(err, BylineError):
        return err.user_message()
    log.exception("unexpected error in the web app", exc_info=err)
    return f"Something went wrong ({type(err).__name__}). The details are in the server log."
