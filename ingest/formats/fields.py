"""Turning loosely typed input fields into an Article: stable ids, ISO dates, size and body checks."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from typing import Any

from assistant.errors import ArticleError
from assistant.types import Article, content_hash

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
# dateutil fills the parts a string lacks from this default, so "March 2024" becomes 2024-03-01,
# never today's day of the month.
_DEFAULT_DATE = datetime(2000, 1, 1)
_EARLIEST_YEAR, _LATEST_YEAR = 1800, 2200


def too_large(n_chars: int, max_chars: int) -> str:
    """The reason given for an article over the size limit."""
    return f"article too large: {n_chars} chars > limit {max_chars} — raise BYLINE_MAX_ARTICLE_CHARS"


def url_id(url: str) -> str:
    """Stable article id from its URL (fragment and surrounding space ignored)."""
    return "url:" + hashlib.sha256(url.strip().split("#", 1)[0].encode("utf-8")).hexdigest()[:16]


def text_id(title: str, body: str) -> str:
    """Stable article id from its text, after the same normalisation cleaning applies."""
    from ingest.clean import normalize_text

    return "sha:" + content_hash(normalize_text(title) + "\n\n" + normalize_text(body))


def normalize_date(value: Any) -> str | None:
    """An ISO date ``YYYY-MM-DD`` from a date string, datetime or epoch seconds; None if it can't be read.

    >>> normalize_date("Tue, 05 Mar 2024 23:30:00 -0500")
    '2024-03-05'
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return day.isoformat() if _EARLIEST_YEAR <= day.year <= _LATEST_YEAR else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return normalize_date(datetime.fromtimestamp(value, tz=UTC))
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value)
    if match:  # fast path: most inputs are ISO already
        try:
            return normalize_date(date(*(int(g) for g in match.groups())))
        except ValueError:
            return None
    if not re.search(r"\d", value):
        return None  # "yesterday", "n/a": nothing a parser could anchor without guessing
    from dateutil import parser

    try:
        return normalize_date(parser.parse(value.strip(), default=_DEFAULT_DATE))
    except (ValueError, OverflowError, TypeError):
        return None


def text_field(value: Any) -> str | None:
    """A metadata field as stripped text: lists are joined with ", ", blanks and non-text become None."""
    if value is None or isinstance(value, bool | dict):
        return None
    if isinstance(value, list | tuple):
        parts = [p for p in (text_field(v) for v in value) if p]
        return ", ".join(parts) or None
    text = str(value).strip()
    return text or None


def make_article(
    origin: str,
    *,
    body: Any,
    max_chars: int,
    title: Any = None,
    id: Any = None,
    url: Any = None,
    source: Any = None,
    author: Any = None,
    published_at: Any = None,
    category: Any = None,
) -> Article:
    """Validate one article's fields and build it; raises ArticleError when the body is unusable.

    The id is the given one, else derived from the URL, else from the text (never from the file path,
    so moving a file does not duplicate its article).
    """
    if body is None:
        raise ArticleError(origin, "no article body (expected a 'body', 'text' or 'content' field)")
    if not isinstance(body, str):
        raise ArticleError(origin, f"article body is not text (got {type(body).__name__})")
    if not body.strip():
        raise ArticleError(origin, "empty article body")
    if len(body) > max_chars:
        raise ArticleError(origin, too_large(len(body), max_chars))
    title_text = text_field(title) or ""
    url_text = text_field(url)
    article_id = text_field(id)
    if article_id is None:
        article_id = url_id(url_text) if url_text else text_id(title_text, body)
    return Article(
        id=article_id,
        title=title_text,
        body=body,
        source=text_field(source),
        author=text_field(author),
        published_at=normalize_date(published_at),
        url=url_text,
        category=text_field(category),
        origin=origin,
    )
