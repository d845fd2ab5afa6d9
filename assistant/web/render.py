"""Everything the web UI shows that comes from articles, turned into safe text or escaped HTML.

Article text is data: it is escaped before it reaches any HTML, and Markdown syntax in it is neutralised
before it reaches the chat (which renders Markdown), so an article containing ``<script>`` or
``![x](http://tracker/)`` shows those characters and does nothing else.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from assistant.types import Answer, Citation, Passage

# Markdown (and the LaTeX delimiters Gradio's chat renders) that could turn text into markup, links or images.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$<>&])")


# gr.HTML fills its value into a JS/Handlebars template; entity-encoding $ { } keeps article text out of it.
_TEMPLATE_CHARS = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})


def esc(text: object) -> str:
    """HTML-escape any value (None -> empty string), quotes and template characters included."""
    return "" if text is None else html.escape(str(text), quote=True).translate(_TEMPLATE_CHARS)


def chat_text(text: str) -> str:
    """Text for the Markdown-rendering chat: every character Markdown or HTML could act on is backslash-escaped.

    Example: ``chat_text("<b>[1]</b>")`` shows exactly ``<b>[1]</b>`` in the chat, as text.
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (no javascript:, data: or relative links from article metadata)."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def highlighted_context(citation: Citation) -> str:
    """The citation's paragraph, escaped, with the quote inside ``<mark>`` (or the quote alone, no context)."""
    context, quote = citation.context, citation.quote
    if (
        context
        and citation.start is not None
        and citation.end is not None
        and citation.context_start is not None
    ):
        a, b = citation.start - citation.context_start, citation.end - citation.context_start
        if 0 <= a <= b <= len(context):
            return f"{esc(context[:a])}<mark>{esc(context[a:b])}</mark>{esc(context[b:])}"
    if context and quote and quote in context:
        a = context.index(quote)
        return f"{esc(context[:a])}<mark>{esc(quote)}</mark>{esc(context[a + len(quote) :])}"
    return f"<mark>{esc(quote)}</mark>"


def citation_meta(title: str, source: str | None, date: str | None, url: str | None) -> str:
    """Title (linked when the article has an http(s) URL), source and date as escaped HTML."""
    link = safe_url(url)
    title_html = (
        f'<a href="{esc(link)}" target="_blank" rel="noopener noreferrer">{esc(title)}</a>'
        if link
        else esc(title)
    )
    extra = " · ".join(esc(x) for x in (source, date) if x)
    return f'<span class="byline-title">{title_html}</span>' + (
        f' <span class="byline-meta">{extra}</span>' if extra else ""
    )


def citation_html(citation: Citation) -> str:
    """One citation card: [n], title/source/date/link, the paragraph with the quote highlighted."""
    badge = (
        '<span class="byline-verified" title="Quote found verbatim in the article">verified</span>'
        if citation.verified
        else '<span class="byline-unverified" title="This quote was not found in the article">unverified quote</span>'
    )
    cls = "byline-cite" if citation.verified else "byline-cite byline-cite-unverified"
    return (
        f'<div class="{cls}" data-n="{citation.n}" data-article="{esc(citation.article_id)}">'
        f'<div class="byline-cite-head"><span class="byline-n">[{citation.n}]</span> '
        f"{citation_meta(citation.title, citation.source, citation.published_at, citation.url)} {badge}</div>"
        f'<blockquote class="byline-context">{highlighted_context(citation)}</blockquote></div>'
    )


def related_html(related: Sequence[Passage]) -> str:
    """Closest passages for a refused question: shown as 'related', never as an answer."""
    if not related:
        return ""
    items = "".join(
        f"<li>{citation_meta(p.title, p.source, p.published_at, p.url)}"
        f'<div class="byline-snippet">{esc(_clip(p.text, 240))}</div></li>'
        for p in related
    )
    return f'<div class="byline-related"><p>Closest articles (they do not answer the question):</p><ul>{items}</ul></div>'


def sources_html(answer: Answer | None, pending: Iterable[Citation] = (), turn: int | None = None) -> str:
    """The sources panel for one answer (or the citations resolved so far while it streams).

    ``turn`` (the question's number in the conversation) marks a finished answer, for pages and tests to wait on.
    """
    if answer is None:
        cites = list(pending)
        if not cites:
            return '<div class="byline-sources byline-empty">Sources of the answer appear here; click an earlier answer to see its sources again.</div>'
        return '<div class="byline-sources">' + "".join(citation_html(c) for c in cites) + "</div>"
    parts = [citation_html(c) for c in answer.citations]
    if answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        parts.insert(0, f'<p class="byline-understood">Understood as: {esc(answer.standalone_question)}</p>')
    if answer.refused:
        parts.append(related_html(answer.related))
    if answer.warnings:
        parts.append("".join(f'<p class="byline-warning">{esc(w)}</p>' for w in answer.warnings))
    if not parts or not any(parts):
        parts = ['<p class="byline-empty">This answer cites no articles.</p>']
    mark = f' data-turn="{int(turn)}"' if turn is not None else ""
    return f'<div class="byline-sources"{mark}>' + "".join(parts) + "</div>"


def message_html(text: str, kind: str = "error", turn: int | None = None) -> str:
    """A one-line notice (error, info) as escaped HTML (``turn`` as in :func:`sources_html`)."""
    mark = f' data-turn="{int(turn)}"' if turn is not None else ""
    return f'<div class="byline-notice byline-{esc(kind)}"{mark}>{esc(text)}</div>'


def library_html(stats: Mapping[str, Any], articles: Sequence[Mapping[str, Any]], limit: int = 300) -> str:
    """What is indexed: counts, sources, date span, and a table of articles (newest first, at most ``limit``)."""
    if not stats.get("articles"):
        return message_html(
            "No articles indexed yet — upload article files below, or run `byline ingest PATH`.", "info"
        )
    sources = ", ".join(f"{esc(s)} ({n})" for s, n in stats.get("sources", {}).items())
    span = f"{esc(stats.get('first_date') or '?')} – {esc(stats.get('last_date') or '?')}"
    head = (
        f'<p class="byline-stats"><b>{int(stats["articles"])}</b> articles, {int(stats.get("chunks", 0))} passages'
        f" · dates {span}<br>Sources: {sources}</p>"
    )
    newest = sorted(articles, key=lambda r: (r.get("published_at") or "", r.get("title") or ""), reverse=True)
    rows = "".join(
        f"<tr><td>{citation_meta(r.get('title') or r.get('id', ''), None, None, r.get('url'))}</td>"
        f"<td>{esc(r.get('source'))}</td><td>{esc(r.get('published_at'))}</td><td><code>{esc(r.get('id'))}</code></td></tr>"
        for r in newest[:limit]
    )
    more = f"<p>Showing the newest {limit} of {len(newest)}.</p>" if len(newest) > limit else ""
    return (
        head
        + '<table class="byline-articles"><thead><tr><th>Title</th><th>Source</th><th>Date</th><th>Id</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>{more}"
    )


def upload_results_html(rows: Sequence[tuple[str, str, str]]) -> str:
    """Per-file upload results: (file name, status, detail)."""
    if not rows:
        return ""
    body = "".join(
        f'<tr class="byline-upload-{esc(status)}"><td>{esc(name)}</td><td>{esc(status)}</td><td>{esc(detail)}</td></tr>'
        for name, status, detail in rows
    )
    return f'<table class="byline-uploads"><thead><tr><th>File</th><th>Result</th><th>Details</th></tr></thead><tbody>{body}</tbody></table>'


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


CSS = """
.byline-cite { border-left: 3px solid #2f7d32; padding: 4px 8px; margin: 6px 0; }
.byline-cite-unverified { border-left-color: #c62828; background: #fff4f4; }
.byline-n { font-weight: 600; }
.byline-meta { color: #666; font-size: 0.9em; }
.byline-verified { color: #2f7d32; font-size: 0.8em; margin-left: 4px; }
.byline-unverified { color: #fff; background: #c62828; border-radius: 3px; padding: 0 4px; font-size: 0.8em; margin-left: 4px; }
.byline-context { margin: 4px 0 0 0; font-size: 0.92em; white-space: pre-wrap; }
.byline-context mark { background: #fff59d; }
.byline-notice { padding: 6px 10px; border-radius: 4px; margin: 4px 0; }
.byline-error { background: #fdecea; color: #8a1c1c; }
.byline-info { background: #e8f1fb; color: #173f6b; }
.byline-warning { color: #8a5a00; }
.byline-articles, .byline-uploads { width: 100%; font-size: 0.9em; }
.byline-empty { color: #777; }
"""
