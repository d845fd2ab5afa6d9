"""Plain-text and Markdown articles: the first non-blank line is the title, the rest is the body."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.errors import ArticleError
from assistant.types import Article
from ingest.formats.fields import make_article

# A first line longer than this is a paragraph, not a headline (the longest BBC title is under 100 chars).
_MAX_TITLE_LINE = 300
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
# Front-matter keys we understand, mapped to Article fields.
_FRONT_MATTER_KEYS = {
    "title": "title",
    "author": "author",
    "by": "author",
    "date": "published_at",
    "published": "published_at",
    "published_at": "published_at",
    "source": "source",
    "url": "url",
    "link": "url",
    "category": "category",
    "id": "id",
}


def parse_text(
    text: str, *, origin: str, max_chars: int, url: str | None = None, markdown: bool = False
) -> Iterator[Article | ArticleError]:
    """One article from a text file; Markdown drops the heading marks and reads simple front matter."""
    fields: dict[str, str] = {}
    if markdown:
        fields, text = _split_front_matter(text)
    lines = text.splitlines(keepends=True)
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        yield ArticleError(origin, "empty file")
        return
    title = lines[index].strip()
    rest = lines[index + 1 :]
    if len(title) > _MAX_TITLE_LINE:  # one long line: a body without a title (cleaning will make one)
        title, rest = "", lines[index:]
    if markdown:
        heading = _ATX_HEADING.match(title)
        if heading:
            title = heading.group(1)
        elif rest and _SETEXT_UNDERLINE.match(rest[0]):
            rest = rest[1:]
    body = "".join(rest).strip()
    fields.setdefault("title", title)
    if url:
        fields.setdefault("url", url)
    try:
        yield make_article(origin, body=body, max_chars=max_chars, **fields)
    except ArticleError as err:
        yield err


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``---`` delimited ``key: value`` lines at the top of a Markdown file, and the text after them."""
    stripped = text.lstrip("\ufeff")
    if not stripped.startswith("---"):
        return {}, text
    lines = stripped.splitlines(keepends=True)
    if lines[0].strip() != "---":
        return {}, text
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        match = _FRONT_MATTER_LINE.match(line)
        if match and match.group(1).lower() in _FRONT_MATTER_KEYS and match.group(2):
            fields[_FRONT_MATTER_KEYS[match.group(1).lower()]] = match.group(2).strip("\"'")
    return fields, "".join(lines[end + 1 :])
