"""Input formats: which parser reads a file (by extension, content type or sniffing), and parsing bytes with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from assistant.errors import ArticleError
from assistant.types import Article
from ingest.formats.encoding import decode_text, looks_binary

# Format names, and how file names map to them.
FORMAT_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
SUPPORTED_SUFFIXES = ", ".join(sorted(FORMAT_BY_SUFFIX))
# Formats holding one article per file (size-limited as a whole) vs. many (limited per article).
SINGLE_ARTICLE_FORMATS = frozenset({"text", "markdown", "html"})

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body|article)[\s>]", re.IGNORECASE)
_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/markdown": "markdown",
    "text/plain": "text",
}


def sniff_format(data: bytes) -> str | None:
    """Guess a format from the first bytes: RSS/Atom feed or HTML page; None if neither."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _FEED_ROOT.search(head):
        return "feed"
    if _HTML_ROOT.search(head):
        return "html"
    return None


def format_for_content_type(content_type: str | None, data: bytes, url: str | None = None) -> str | None:
    """The format of a fetched document: feeds and pages are sniffed first, since servers mislabel them;
    a vague type (text/plain, application/octet-stream) defers to the URL's file extension."""
    sniffed = sniff_format(data)
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    declared = _CONTENT_TYPES.get(mime)
    if sniffed and declared in (None, "text", "feed", "html"):
        return sniffed
    if declared in (None, "text") and url:
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        declared = FORMAT_BY_SUFFIX.get(suffix, declared)
    if declared == "feed":
        return None  # XML that is neither a feed nor a page
    return declared


def parse_bytes(
    data: bytes, fmt: str, *, origin: str, max_chars: int, url: str | None = None, charset: str | None = None
) -> Iterator[Article | ArticleError]:
    """Parse a whole document of format ``fmt``; yields its articles and one error per unusable part."""
    if not data or data.isspace():  # isspace stops at the first non-space byte; strip copies it all
        yield ArticleError(origin, "empty file")
        return
    if looks_binary(data):
        yield ArticleError(origin, "binary file, not text — convert it to .txt, .html or .jsonl first")
        return
    if fmt == "html":
        from ingest.formats.html import parse_html

        # trafilatura reads the charset from the page's <meta> itself; give it text only when declared.
        yield from parse_html(
            decode_text(data, charset) if charset else data, origin=origin, max_chars=max_chars, url=url
        )
        return
    if fmt == "feed":
        from ingest.formats.feed import parse_feed

        yield from parse_feed(data, origin=origin, max_chars=max_chars, url=url)
        return
    text = decode_text(data, charset)
    if not text or text.isspace():  # e.g. nothing but a byte-order mark
        yield ArticleError(origin, "empty file")
        return
    if fmt in ("text", "markdown"):
        from ingest.formats.text import parse_text

        yield from parse_text(text, origin=origin, max_chars=max_chars, url=url, markdown=fmt == "markdown")
        return
    from ingest.formats import records

    if fmt == "jsonl":
        yield from records.parse_jsonl(text, origin=origin, max_chars=max_chars)
    elif fmt == "json":
        yield from records.parse_json(text, origin=origin, max_chars=max_chars)
    elif fmt in ("csv", "tsv"):
        yield from records.parse_csv(
            text, origin=origin, max_chars=max_chars, delimiter="\t" if fmt == "tsv" else ","
        )
    else:
        raise ValueError(f"unknown format {fmt!r}")
