"""Article records in JSONL, JSON and CSV/TSV: one article per line, element or row; bad ones reported by line."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from assistant.errors import ArticleError
from assistant.types import Article
from ingest.formats.fields import make_article
from ingest.formats.html import html_to_text

# Accepted spellings of each field, first match wins (the project's own corpora use the first one).
_ALIASES = {
    "id": ("id", "article_id", "guid"),
    "title": ("title", "headline"),
    "body": ("body", "text", "content", "article"),
    "url": ("url", "link"),
    "source": ("source", "publisher", "site"),
    "author": ("author", "authors", "byline"),
    "published_at": ("published_at", "date", "published", "pubdate", "datetime"),
    "category": ("category", "section", "topic"),
}
_BODY_NAMES = _ALIASES["body"]
# Markup that only HTML has ("<10%" or "a<b" in plain text must not trigger it).
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|a|em|strong|b|i|li|ul|ol|h[1-6]|img|figure|table|blockquote)\b[^<>]*>", re.I
)
# csv refuses fields over 128 KiB by default; articles may be longer (the size limit is checked per article).
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def record_to_article(record: Any, *, origin: str, max_chars: int) -> Article:
    """Build an Article from one JSON object or CSV row (field names matched case-insensitively)."""
    if not isinstance(record, dict):
        raise ArticleError(origin, f"expected a JSON object with a 'body' field, got {type(record).__name__}")
    lowered = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    fields: dict[str, Any] = {}
    for name, aliases in _ALIASES.items():
        fields[name] = next((lowered[a] for a in aliases if lowered.get(a) not in (None, "")), None)
    if fields["body"] is None and any(a in lowered for a in _BODY_NAMES):
        fields["body"] = ""  # present but blank: report it as empty, not as missing
    if isinstance(fields["id"], int | float) and not isinstance(fields["id"], bool):
        fields["id"] = str(fields["id"])
    if isinstance(fields["body"], str) and _HTML_TAG.search(fields["body"]):
        # Scraped records often keep the page's markup; article text is stored as text, never as HTML.
        fields["body"] = html_to_text(fields["body"])
    return make_article(origin, max_chars=max_chars, **fields)


def parse_jsonl(text: str, *, origin: str, max_chars: int) -> Iterator[Article | ArticleError]:
    """One article per non-blank line; a line that is not valid JSON is reported with its line number."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            hint = "" if line.rstrip().endswith(("}", "]")) else " — the line looks truncated"
            yield ArticleError(where, f"invalid JSON at column {err.colno} ({_json_problem(err)}){hint}")
            continue
        try:
            yield record_to_article(record, origin=where, max_chars=max_chars)
        except ArticleError as err:
            yield err


def parse_json(text: str, *, origin: str, max_chars: int) -> Iterator[Article | ArticleError]:
    """A JSON array of records, an object holding one (``{"articles": [...]}``), or one record; else JSONL."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        if text.strip().count("\n") > 0 and text.lstrip().startswith("{"):
            yield from parse_jsonl(text, origin=origin, max_chars=max_chars)  # JSONL saved as .json
        else:
            yield ArticleError(
                origin, f"invalid JSON at line {err.lineno} column {err.colno} ({_json_problem(err)})"
            )
        return
    if isinstance(data, dict):
        nested = next((data[k] for k in ("articles", "items", "data") if isinstance(data.get(k), list)), None)
        if nested is None:
            try:
                yield record_to_article(data, origin=origin, max_chars=max_chars)
            except ArticleError as err:
                yield err
            return
        data = nested
    if not isinstance(data, list):
        yield ArticleError(origin, f"expected a JSON array of articles, got {type(data).__name__}")
        return
    if not data:
        yield ArticleError(origin, "the JSON array is empty")
    for index, record in enumerate(data):
        try:
            yield record_to_article(record, origin=f"{origin}[{index}]", max_chars=max_chars)
        except ArticleError as err:
            yield err


def parse_csv(
    text: str, *, origin: str, max_chars: int, delimiter: str = ","
) -> Iterator[Article | ArticleError]:
    """One article per row under a header row naming the columns; bad rows reported by line number."""
    first_line = text.split("\n", 1)[0]
    if delimiter == "," and "," not in first_line and ";" in first_line:
        delimiter = ";"  # spreadsheets in many European locales save "CSV" with semicolons
    reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as err:
        yield ArticleError(f"{origin}:1", f"invalid CSV header: {err}")
        return
    if not any(name in header for name in _BODY_NAMES):
        yield ArticleError(f"{origin}:1", "no 'body' (or 'text'/'content') column in the CSV header")
        return
    line = reader.line_num
    rows = 0
    while True:
        start = line + 1
        try:
            row = next(reader)
            rows += 1
        except StopIteration:
            if not rows:
                yield ArticleError(origin, "the CSV file has a header row but no articles under it")
            return
        except csv.Error as err:
            rows += 1
            line = reader.line_num
            yield ArticleError(f"{origin}:{start}", f"invalid CSV row: {err}")
            continue
        line = reader.line_num
        where = f"{origin}:{start}"
        if None in row:
            yield ArticleError(
                where,
                f"row has more fields than the header ({len(header)}) — quote fields "
                "that contain the delimiter",
            )
            continue
        try:
            yield record_to_article(row, origin=where, max_chars=max_chars)
        except ArticleError as err:
            yield err


def _json_problem(err: json.JSONDecodeError) -> str:
    """The decoder's complaint, readable on its own ("Unterminated string starting at" -> "unterminated string")."""
    msg = err.msg.removesuffix(" starting at")
    return msg[:1].lower() + msg[1:]
