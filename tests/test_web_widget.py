"""The widget's URL filters without a browser: reading the query string, the "Limited to" line, the load event."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from assistant.web.embed import iframe_snippet, widget_query
from assistant.web.widget import limits_html, on_load, url_filters


class _Request:
    """The part of ``gr.Request`` the load event reads."""

    def __init__(self, query: str) -> None:
        self.query_params = QueryParams(query)


def test_source_may_repeat_and_the_token_is_not_a_filter():
    params = QueryParams("token=secret&source=AP&source=Wikinews&source=&since=2005-01-01&until=2005-12-31")
    assert url_filters(params) == (["AP", "Wikinews"], "2005-01-01", "2005-12-31")
    assert url_filters(QueryParams("")) == ([], "", "")
    plain = {"source": "AP", "since": " 2005-01-01 "}  # Gradio may hand over a plain dict
    assert url_filters(plain) == (["AP"], "2005-01-01", "")
    assert url_filters(None) == ([], "", "")


def test_limits_line_says_what_the_widget_is_limited_to():
    assert limits_html([], "", "") == ""  # not limited: no line
    line = limits_html(["Wikinews"], "2005-01-01", "")
    assert line == '<div class="byline-limits">Limited to: Wikinews · from 2005-01-01</div>'
    both = limits_html(["AP", "Wikinews"], "2005-01-01", "2005-12-31")
    assert "AP, Wikinews · from 2005-01-01 · until 2005-12-31" in both
    assert "Limited to: until 2005-12-31" in limits_html([], "", "2005-12-31")


def test_a_source_from_the_url_is_escaped_text():
    line = limits_html(['<img src=x onerror="alert(1)">', "${x}"], "", "")
    assert "<img" not in line and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in line
    assert "${" not in line and "&#36;&#123;x&#125;" in line  # nothing for gr.HTML's template to fill in


def test_bad_dates_in_the_url_are_an_error_notice():
    bad = limits_html(["AP"], "2005-13-01", "")
    assert "byline-error" in bad and "From date '2005-13-01' is not a date" in bad.replace("&#x27;", "'")
    assert "YYYY-MM-DD" in bad and "Limited to" not in bad
    empty = limits_html([], "2006-01-01", "2005-01-01")
    assert "byline-error" in empty and "2006-01-01 – 2005-01-01 is empty" in empty


def test_load_keeps_even_bad_values_so_asking_reports_them_and_enables_the_question_box():
    sources, since, until, line, box, send = on_load(_Request("source=AP&since=May+2005"))
    assert (sources, since, until) == (["AP"], "May 2005", "")  # respond's parse_filters raises on these
    assert "byline-error" in line["value"] and line["visible"] is True
    assert box["interactive"] is True and send["interactive"] is True
    sources, since, until, line, *_ = on_load(None)
    assert (sources, since, until, line["value"], line["visible"]) == (
        [],
        "",
        "",
        "",
        "hidden",
    )  # takes no space


def test_iframe_snippet_carries_the_filters_url_encoded():
    assert widget_query() == ""
    query = widget_query("t&k", ["AP", "Wiki news"], "2005-01-01")
    assert query == "?token=t%26k&source=AP&source=Wiki+news&since=2005-01-01"
    snippet = iframe_snippet("https://byline.example.com/", sources=["Wikinews"], until="2005-12-31")
    assert 'src="https://byline.example.com/widget/?source=Wikinews&amp;until=2005-12-31"' in snippet
