"""HTML pages (main text and metadata via trafilatura, offline) and HTML fragments to plain paragraphs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from assistant.errors import ArticleError
from assistant.types import Article
from ingest.formats.fields import make_article

# trafilatura logs every page it cannot extract at WARNING/ERROR; we report those as ArticleErrors instead.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_BLOCK_TAGS = (
    "p", "div", "section", "article", "blockquote", "li", "ul", "ol", "dd", "dt", "tr", "table",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figure", "figcaption", "header", "footer", "aside",
)  # fmt: skip
# A private-use character stands for <br> while HTML white space is collapsed (lxml refuses NUL).
_LINE_BREAK = "\ue000"
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object")
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*\n\s*")
# With nothing worth extracting, trafilatura falls back to whatever text is left (menus, footers); an
# article has at least one sentence of a few words.
_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_PROSE_WORDS = 5
_SENTENCE_ENDS = (".", "!", "?", '"', "”", "’", "'", ")", ":", "…")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # HTML white space only: no-break spaces are text and stay


def parse_html(
    data: bytes | str, *, origin: str, max_chars: int, url: str | None = None
) -> Iterator[Article | ArticleError]:
    """One article from an HTML page: title, author, date, site name, canonical URL and the main text."""
    from trafilatura import bare_extraction
    from trafilatura.settings import Document

    try:
        doc = bare_extraction(data, url=url, with_metadata=True, include_comments=False, include_tables=True)
    except Exception as err:  # trafilatura raises assorted lxml errors on broken markup
        yield ArticleError(origin, f"could not parse the HTML ({type(err).__name__}: {err})")
        return
    text = (doc.text or "").strip() if isinstance(doc, Document) else ""
    if not isinstance(doc, Document) or not text:
        yield ArticleError(origin, "no article text found in the HTML")
        return
    title = (doc.title or "").strip()
    lines = [line.strip() for line in text.split("\n")]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the page's <h1> repeats the title
    body = "\n\n".join(line for line in lines if line)
    if not any(_is_prose(line) for line in lines):
        yield ArticleError(origin, "no article text found in the HTML")
        return
    try:
        yield make_article(
            origin,
            body=body,
            max_chars=max_chars,
            title=title,
            url=doc.url or url,
            source=doc.sitename,
            author=doc.author,
            published_at=doc.date,
        )
    except ArticleError as err:
        yield err


def _is_prose(line: str) -> bool:
    """A sentence-like line: several words, ending like a sentence (a menu's "Home | About" is not)."""
    return len(_WORD.findall(line)) >= _MIN_PROSE_WORDS and line.rstrip().endswith(_SENTENCE_ENDS)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content): block elements become blank-line paragraphs.

    >>> html_to_text("<p>One &amp; two.</p><p>Three<br>four.</p>")
    'One & two.\\n\\nThree\\nfour.'
    """
    if "<" not in fragment:
        import html

        return _paragraphs(html.unescape(fragment))
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in list(root.iter(*_DROP_TAGS)):
        element.drop_tree()
    for br in root.iter("br"):
        br.tail = _LINE_BREAK + (br.tail or "")  # kept through the white-space collapse below
    for element in root.iter(*_BLOCK_TAGS):
        element.text = "\n\n" + (element.text or "")
        element.tail = "\n\n" + (element.tail or "")
    return _paragraphs(root.text_content())


def _paragraphs(text: str) -> str:
    """Collapse HTML white space inside paragraphs; keep blank lines between them."""
    paragraphs = (_SPACES.sub(" ", p).strip() for p in _PARAGRAPH_BREAK.split(text))
    lines = ("\n".join(part.strip() for part in p.split(_LINE_BREAK) if part.strip()) for p in paragraphs)
    return "\n\n".join(line for line in lines if line)
