"""RSS and Atom feeds (feedparser, from bytes only: it never fetches): one article per entry."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from assistant.errors import ArticleError
from assistant.types import Article, content_hash
from ingest.formats.fields import make_article, normalize_date
from ingest.formats.html import html_to_text


def parse_feed(
    data: bytes, *, origin: str, max_chars: int, url: str | None = None
) -> Iterator[Article | ArticleError]:
    """Each entry's content (or summary) as plain paragraphs; feed title as source, link as URL."""
    import feedparser

    # A BytesIO, never a str: feedparser treats a string as a URL or file name and would open it.
    headers = {"content-location": url} if url else None
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            reason = parsed.get("bozo_exception") or "unrecognised XML"
            yield ArticleError(origin, f"not a valid RSS or Atom feed ({reason})")
        else:
            yield ArticleError(origin, "the feed has no entries")
        return
    feed_title = _plain(parsed.feed.get("title_detail")) or parsed.feed.get("title")
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#entry{number}"
        body = _entry_text(entry)
        if not body:
            yield ArticleError(where, "feed entry has no text (no content or summary)")
            continue
        link = entry.get("link")
        if not (isinstance(link, str) and link.lower().startswith(("http://", "https://"))):
            link = None  # feedparser falls back to the entry's id, which may be a "urn:uuid:..."
        guid = entry.get("id")
        try:
            yield make_article(
                where,
                body=body,
                max_chars=max_chars,
                title=_plain(entry.get("title_detail")) or entry.get("title"),
                # The link makes the id (as for the same page fetched as HTML); a link-less entry uses its guid.
                id=None if link or not guid else "guid:" + content_hash(guid),
                url=link,
                source=feed_title,
                author=entry.get("author"),
                published_at=_entry_date(entry),
            )
        except ArticleError as err:
            yield err


def _entry_text(entry: Any) -> str:
    """The longest of the entry's content blocks and summary, as plain text."""
    candidates = list(entry.get("content") or [])
    if entry.get("summary_detail"):
        candidates.append(entry["summary_detail"])
    texts = [_plain(c) for c in candidates]
    return max(texts, key=len, default="")


def _plain(detail: Any) -> str:
    """Text of a feedparser text construct (``{"type": ..., "value": ...}``), HTML reduced to paragraphs."""
    if not detail or not detail.get("value"):
        return ""
    value = detail["value"]
    if "html" in (detail.get("type") or ""):
        return html_to_text(value)
    return value.strip()


def _entry_date(entry: Any) -> str | None:
    """The date as written (keeps the publisher's local day), else feedparser's parsed UTC time."""
    for raw, parsed in (("published", "published_parsed"), ("updated", "updated_parsed")):
        iso = normalize_date(entry.get(raw))
        if iso:
            return iso
        if entry.get(parsed):
            return date(*entry[parsed][:3]).isoformat()
    return None
