"""The clean stage: normalise line breaks and entities (text otherwise verbatim), fill a missing title,
and mark photo-caption and credit paragraphs so the story can be told apart from them."""

from __future__ import annotations

import html
import re
from dataclasses import replace

from assistant.errors import ArticleError
from assistant.sentences import paragraph_spans, sentence_spans
from assistant.types import Article, Span
from ingest.formats.fields import normalize_date

# Only complete references ending in ";": html.unescape alone also expands "&not" or "&copy" without one,
# which would turn "R&D&not..." style text into symbols the source never showed.
_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_SPACE_RUN = re.compile(r"\s+")
TITLE_MAX_CHARS = 120
_TITLE_SEARCH_CHARS = 5000
# A caption or credit is a short paragraph; 1,000 chars fits a long wire-photo caption (the seed's is 560).
_CAPTION_MAX_CHARS = 1000

_CREDIT_WORD = r"(?:Photo(?:graph)?s?|Pictures?|Images?|Credit|Illustration)"
_AGENCY = r"(?:AP|AFP|Reuters|EPA|EPA-EFE|PA|UPI|Xinhua|Getty Images|Anadolu|Bloomberg|NYT)"
# Ends with a parenthesised credit: "(AP Photo/Hassan Ammar)", "(Photo: Jane Doe)", "(Getty Images)".
_CREDIT_PARENS = re.compile(
    rf"\((?:[^()]{{0,60}}\b{_CREDIT_WORD}\b[^()]{{0,80}}|{_AGENCY}/[^()]{{1,80}})\)", re.I
)
# Starts with a label: "Photo: ...", "Image: ...", "Caption — ...", "Getty Images ...".
_CREDIT_LABEL = re.compile(rf"(?:(?:{_CREDIT_WORD}|Caption|Pictured)\s*[:|—–-]|Getty Images\b)", re.I)
# Ends with a Guardian-style credit line: "... Photograph: Jane Doe/Reuters".
_CREDIT_LINE = re.compile(rf"\b{_CREDIT_WORD}\s*:\s*[^.:]{{1,80}}$", re.I)


def normalize_text(text: str) -> str:
    """Line breaks to ``\\n``, HTML entities decoded, 3+ newlines to 2, outer white space stripped.

    Everything else stays verbatim (curly quotes, dashes, no-break spaces), so quotes match the source.
    Idempotent: ``normalize_text(normalize_text(x)) == normalize_text(x)``.

    >>> normalize_text("Caf&eacute;\\r\\n\\r\\n\\r\\nNext&#191; ")
    'Café\\n\\nNext¿'
    """
    if "&" in text:
        # Until nothing changes, so "&amp;amp;" ends as "&" and a second call finds nothing left to do.
        while True:
            unescaped = _ENTITY.sub(_unescape_entity, text)
            if unescaped == text:
                break
            text = unescaped
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n\n\n" in text:
        text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def _unescape_entity(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def clean_article(article: Article) -> Article:
    """A cleaned copy of ``article``; raises ArticleError when no body text is left."""
    body = normalize_text(article.body)
    if not body:
        raise ArticleError(article.origin or article.id, "empty article body")
    captions = find_captions(body)
    title = _SPACE_RUN.sub(" ", normalize_text(article.title or "")).strip()
    if not title:
        title = fallback_title(body, captions)
    return replace(
        article,
        title=title,
        body=body,
        source=_field(article.source),
        author=_field(article.author),
        url=_field(article.url),
        category=_field(article.category),
        published_at=normalize_date(article.published_at),
        captions=captions,
    )


def find_captions(body: str) -> list[Span]:
    """Spans of the paragraphs (or single lines inside one) that are photo captions or credit lines.

    A body that is a single paragraph has no captions: that paragraph is the article.
    """
    paragraphs = paragraph_spans(body)
    if len(paragraphs) < 2:
        return []
    spans: list[Span] = []
    for start, end in paragraphs:
        if end - start <= _CAPTION_MAX_CHARS and _is_caption(body[start:end]):
            spans.append(Span(start, end))
            continue
        if "\n" not in body[start:end]:
            continue
        pos = start
        for line in body[start:end].split("\n"):
            stripped = line.strip()
            if stripped and len(stripped) <= _CAPTION_MAX_CHARS and _is_caption(stripped):
                lead = len(line) - len(line.lstrip())
                spans.append(Span(pos + lead, pos + lead + len(stripped)))
            pos += len(line) + 1
    return spans


def _is_caption(text: str) -> bool:
    # Only the first and last few dozen characters are looked at: this runs on every paragraph of every
    # article (~40k paragraphs for the BBC corpus), so no pattern may scan a whole paragraph.
    if _CREDIT_LABEL.match(text[:40]):
        return True
    tail = text[-200:].rstrip()
    if tail.endswith(")"):
        opening = tail.rfind("(")
        if opening >= 0 and _CREDIT_PARENS.fullmatch(tail, opening):
            return True
    tail = tail[-100:]
    return ":" in tail and _CREDIT_LINE.search(tail) is not None


def fallback_title(body: str, captions: list[Span]) -> str:
    """A title for an article without one: its first sentence outside captions, cut at a word (~120 chars)."""
    # The first sentences suffice: no need to split a 2 MB body into sentences for one title.
    for sentence in sentence_spans(body, 0, min(len(body), _TITLE_SEARCH_CHARS)):
        if any(c.start <= sentence.start < c.end for c in captions):
            continue
        return _shorten(_SPACE_RUN.sub(" ", body[sentence.start : sentence.end]))
    return _shorten(_SPACE_RUN.sub(" ", body))


def _shorten(text: str) -> str:
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[: TITLE_MAX_CHARS - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:—– ") + "…"


def _field(value: str | None) -> str | None:
    if value is None:
        return None
    value = _SPACE_RUN.sub(" ", normalize_text(value)).strip()
    return value or None
