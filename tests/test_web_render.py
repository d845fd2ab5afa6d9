"""Rendering: article text reaches the page only as escaped text; quotes are highlighted in their paragraph."""

from __future__ import annotations

import re

from assistant.types import Answer, Citation, Passage
from assistant.web import render
from tests.web_fakes import HOSTILE_BODY, hostile_article

BODY = "First paragraph.\n\nOfficials said the bridge reopened on Monday. Traffic resumed."
CTX_START = BODY.index("Officials")
CONTEXT = BODY[CTX_START:]


def _cite(**kw) -> Citation:
    quote = "the bridge reopened on Monday"
    start = BODY.index(quote)
    base = dict(
        n=1,
        article_id="a",
        title="Bridge",
        source="Wire",
        published_at="2024-05-01",
        quote=quote,
        start=start,
        end=start + len(quote),
        verified=True,
        context=CONTEXT,
        context_start=CTX_START,
    )
    return Citation(**{**base, **kw})


def test_quote_is_highlighted_at_its_offsets_inside_the_paragraph():
    html = render.highlighted_context(_cite())
    assert html == "Officials said <mark>the bridge reopened on Monday</mark>. Traffic resumed."


def test_citation_card_shows_title_source_date_link_and_verified_badge():
    html = render.citation_html(_cite(url="https://example.org/b"))
    assert '<a href="https://example.org/b"' in html and "Bridge</a>" in html
    assert "Wire · 2024-05-01" in html and "[1]" in html and "byline-verified" in html
    assert "unverified" not in html


def test_unverified_quote_is_visibly_marked():
    html = render.citation_html(
        _cite(verified=False, start=None, end=None, quote="the bridge reopened on Monday")
    )
    assert "unverified quote" in html and "byline-cite-unverified" in html


def test_hostile_article_renders_no_tags_no_handlers_no_script_links():
    article = hostile_article()
    cite = Citation(
        n=1,
        article_id=article.id,
        title=article.title,
        source=article.source,
        url=article.url,
        quote=HOSTILE_BODY[:60],
        start=0,
        end=60,
        verified=True,
        context=HOSTILE_BODY.split("\n\n")[0],
        context_start=0,
    )
    html = render.sources_html(Answer(question="q", answer="a [1]", citations=[cite]))
    tags = set(re.findall(r"<\s*([a-zA-Z]+)", html))
    assert tags <= {"div", "span", "blockquote", "mark", "p"}, (
        tags
    )  # no script, img, a (javascript: URL dropped)
    assert "onerror=" not in html.replace("onerror=&quot;", "")  # only as escaped text
    assert "&lt;script&gt;" in html and "javascript:" not in html
    assert "${" not in html and "{{" not in html  # kept away from gr.HTML's template engine


def test_library_table_escapes_titles_and_sources():
    art = hostile_article()
    html = render.library_html(
        {"articles": 1, "chunks": 2, "sources": {art.source: 1}},
        [{"id": art.id, "title": art.title, "source": art.source, "url": art.url}],
    )
    assert "<img" not in html and "<b>Evil" not in html and "&lt;img" in html and "&lt;b&gt;Evil" in html


def test_chat_text_neutralises_markdown_and_html():
    text = 'See ![p](http://tracker.invalid/p.png) and <img src=x onerror="alert(1)"> [1]'
    out = render.chat_text(text)
    assert re.search(r"(?<!\\)[<>!\[\]()]", out) is None  # every markup character is backslash-escaped
    assert out.replace("\\", "") == text  # only backslashes were added: the reader sees the same characters


def test_only_http_links_are_kept():
    assert render.safe_url("https://e.org/x") == "https://e.org/x"
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url("data:text/html,hi") is None
    assert render.safe_url("/relative") is None


def test_refused_answer_lists_related_articles_not_as_citations():
    related = [Passage(chunk_id="c", article_id="a", title="Close <one>", start=0, end=4, text="Some text")]
    html = render.sources_html(Answer(question="q", answer="no", refused=True, related=related))
    assert "do not answer the question" in html and "Close &lt;one&gt;" in html and "byline-cite" not in html


def test_follow_up_shows_how_it_was_understood():
    answer = Answer(
        question="And then?",
        answer="x [1]",
        standalone_question="What happened after the <vote>?",
        citations=[_cite()],
    )
    html = render.sources_html(answer)
    assert "Understood as: What happened after the &lt;vote&gt;?" in html
    assert "Understood as" not in render.sources_html(
        Answer(question="Q?", answer="x", standalone_question="Q?")
    )
