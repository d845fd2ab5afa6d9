"""The app in a real browser (headless Debian Chromium): chat, embedding from another site, refusal, XSS, upload."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest

from assistant.feedback import read_feedback
from assistant.web.embed import iframe_snippet, web_component_snippet
from tests.fixtures_web import APP_HOST, EVIL_HOST, SITE_HOST, embed_pages, serve_in_thread

pytestmark = pytest.mark.browser

ALEPPO_Q = "What did Russia claim about the evacuations of eastern Aleppo?"
# A Wikinews story; the one AP article is about Aleppo.
HAJJ_Q = "How many pilgrims died in the Hajj stampede?"


def ask(root, question: str, turn: int = 1):
    """Type question number ``turn`` of the conversation into a chat panel (page or frame); wait for its sources."""
    root.locator("#byline-question textarea").fill(question)
    root.locator("#byline-send").click()
    done = root.locator(f"#byline-sources [data-turn='{turn}']")
    done.wait_for()
    return done


def wait_until(check, timeout: float = 30.0):
    """Poll a server-side condition the browser cannot wait for (e.g. a row in SQLite)."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)
    return value


def cited_sources(root, store) -> set[str]:
    """Sources of the articles cited in a chat panel's sources box."""
    ids = root.locator("#byline-sources .byline-cite").evaluate_all("els => els.map(e => e.dataset.article)")
    articles = store.get_articles(ids)
    return {articles[i].source for i in ids}


def site_page(folder, name: str, snippet: str) -> str:
    """Write an embed-site page holding ``snippet``; returns its file name."""
    (folder / name).write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><title>Intranet</title></head><body>{snippet}</body></html>',
        encoding="utf-8",
    )
    return name


def test_chat_window_streams_a_cited_answer_with_its_quote_and_stores_feedback(
    running_app, page, artifacts_dir
):
    page.goto(running_app.url + "/")
    example = page.locator(".byline-example").first
    example.wait_for()  # example questions come from the indexed articles' titles
    titles = {a["title"] for a in running_app.assistant.store.list_articles()}
    assert any(t in example.inner_text() for t in titles)

    ask(page, ALEPPO_Q)
    cite = page.locator("#byline-sources .byline-cite").first
    marked = cite.locator("mark").inner_text()
    article_id = cite.get_attribute("data-article")
    body = running_app.assistant.store.get_articles([article_id])[article_id].body
    assert len(marked) > 20 and " ".join(marked.split()) in " ".join(
        body.split()
    )  # verbatim from the article
    assert "Aleppo" in cite.locator(".byline-title").inner_text()
    assert cite.locator(".byline-verified").count() == 1
    assert "[1]" in page.locator("#byline-chat").inner_text()
    page.screenshot(path=str(artifacts_dir / "web-chat-window.png"), full_page=True)

    before = len(read_feedback(running_app.settings.feedback_path))
    page.locator("#byline-chat button[aria-label='Like']").last.click()

    def new_rows():
        rows = read_feedback(running_app.settings.feedback_path)
        return rows if len(rows) > before else None

    rows = wait_until(new_rows)
    assert rows[-1].rating == 1 and rows[-1].question == ALEPPO_Q and rows[-1].citations
    assert "[1]" in rows[-1].answer

    # Filters: only AP articles may be cited, though the Hajj stampede is a Wikinews story.
    page.locator("#byline-filters").click()
    page.locator("#byline-filter-sources input").click()
    page.locator("ul[role=listbox] li", has_text="AP").first.click()
    ask(page, "How many pilgrims died in the Hajj stampede?", turn=2)
    cited = page.locator("#byline-sources .byline-cite").evaluate_all(
        "els => els.map(e => e.dataset.article)"
    )
    assert all(a == "ap-aleppo-2016-12" for a in cited), cited
    # Clicking the first answer brings its sources back.
    page.locator("#byline-chat [data-testid='bot']").first.click()
    page.locator("#byline-sources[data-turn='1'], #byline-sources [data-turn='1']").first.wait_for()

    page.locator("#byline-new").click()  # a new conversation empties the chat and the sources
    page.locator("#byline-sources .byline-empty").wait_for()
    assert "[1]" not in page.locator("#byline-chat").inner_text()
    assert page.external_requests == []  # works offline: nothing fetched from a CDN
    assert page.dialogs == []


@pytest.mark.parametrize("kind", ["component", "iframe"])
def test_widget_embedded_in_another_site_answers_with_citation(
    running_app, embed_site, page, artifacts_dir, kind
):
    folder, site_port = embed_site
    embed_pages(folder, f"http://{APP_HOST}:{running_app.port}")
    page.goto(f"http://{SITE_HOST}:{site_port}/{kind}.html")
    root = page if kind == "component" else page.frame_locator("iframe")
    ask(root, ALEPPO_Q)
    cite = root.locator("#byline-sources .byline-cite").first
    assert cite.locator("mark").inner_text().strip()
    assert "Aleppo" in cite.inner_text()
    page.screenshot(path=str(artifacts_dir / f"web-widget-{kind}.png"), full_page=True)
    assert page.external_requests == []


def test_site_whose_origin_is_not_allowed_is_refused(running_app, embed_site, page, artifacts_dir):
    folder, site_port = embed_site
    embed_pages(folder, f"http://{APP_HOST}:{running_app.port}")
    with page.expect_event("requestfailed", lambda r: APP_HOST in r.url) as failed:
        page.goto(f"http://{EVIL_HOST}:{site_port}/iframe.html")
    assert "BLOCKED_BY_RESPONSE" in (failed.value.failure or "")  # frame-ancestors refused the framing
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/gradio.js")) as script:
        page.goto(f"http://{EVIL_HOST}:{site_port}/component.html")
    assert script.value.failure  # the server answered 403 without CORS headers: the loader never runs
    assert page.locator("#byline-question").count() == 0
    page.screenshot(path=str(artifacts_dir / "web-widget-refused.png"), full_page=True)


def test_upload_then_hostile_article_shows_as_text_and_never_runs(
    browser, page, tmp_path, embedder, make_settings, artifacts_dir
):
    from assistant.chain import Assistant
    from assistant.store import open_store
    from tests.web_fakes import hostile_article

    settings = make_settings()
    app = serve_in_thread(settings, Assistant(open_store(settings, embedder), embedder, settings))
    try:
        page.goto(app.url + "/")
        banner = page.locator("#byline-banner .byline-notice")
        banner.wait_for()
        assert "No articles indexed yet" in banner.inner_text()  # a clear message for an empty index

        art = hostile_article()
        good = tmp_path / "hostile.jsonl"
        good.write_text(
            json.dumps(
                {
                    "id": art.id,
                    "title": art.title,
                    "body": art.body,
                    "source": art.source,
                    "published_at": art.published_at,
                    "url": art.url,
                }
            )
            + "\n",
            encoding="utf-8",
        )
        bad = tmp_path / "broken.jsonl"
        bad.write_text("{not json\n", encoding="utf-8")
        page.get_by_role("tab", name="Library").click()
        page.locator("#byline-upload input[type=file]").set_input_files([str(good), str(bad)])
        page.locator("#byline-add").click()
        page.locator(
            "#byline-library .byline-stats"
        ).wait_for()  # the library refreshes when all files are done
        results = page.locator("#byline-upload-results").inner_text()
        assert "hostile.jsonl\tok\tadded 1" in results
        assert "broken.jsonl" in results and "failed" in results
        library = page.locator("#byline-library")
        assert art.title in library.inner_text()  # the title's markup is shown as text
        page.screenshot(path=str(artifacts_dir / "web-library-upload.png"), full_page=True)

        page.get_by_role("tab", name="Chat").click()
        ask(page, "When did traffic resume on the bridge?")
        sources = page.locator("#byline-sources")
        shown = sources.inner_text()
        assert (
            "<script>window.__pwned=5</script>" in shown and '<img src=x onerror="window.__pwned=3">' in shown
        )
        for sel in (
            "#byline-sources script",
            "#byline-sources img",
            "#byline-chat script",
            "#byline-chat img",
            "#byline-library img",
            "#byline-sources a[href^='javascript']",
        ):
            assert page.locator(sel).count() == 0, sel
        assert page.evaluate("window.__pwned") is None  # no handler or script from the article ran
        assert page.dialogs == []
        page.screenshot(path=str(artifacts_dir / "web-hostile-article.png"), full_page=True)
    finally:
        app.stop()


def test_access_token_gates_the_widget_and_a_token_link_opens_it(sample_index, embedder, page):
    from pydantic import SecretStr

    from assistant.chain import Assistant

    settings, store = sample_index
    settings = settings.model_copy(update={"access_token": SecretStr("let-me-in")})
    app = serve_in_thread(settings, Assistant(store, embedder, settings))
    try:
        assert page.goto(app.url + "/widget/").status == 401
        assert page.locator("#byline-question").count() == 0
        # sets the session cookie the page's own calls then carry; filters work alongside the token
        page.goto(app.url + "/widget/?token=let-me-in&source=AP")
        assert page.locator("#byline-limits .byline-limits").inner_text().strip() == "Limited to: AP"
        cite = ask(page, ALEPPO_Q).locator(".byline-cite").first
        assert "Aleppo" in cite.inner_text()
    finally:
        app.stop()


def test_widget_limited_by_its_url_to_one_source_cites_only_that_source(
    running_app, embed_site, page, artifacts_dir
):
    store = running_app.assistant.store
    page.goto(running_app.url + "/widget/")  # not limited: the Hajj question is answered from Wikinews
    ask(page, HAJJ_Q)
    assert "Wikinews" in cited_sources(page, store)
    assert page.locator("#byline-limits").inner_text().strip() == ""

    folder, site_port = embed_site  # the same question in an iframe of /widget/?source=AP on another site
    snippet = iframe_snippet(f"http://{APP_HOST}:{running_app.port}", sources=["AP"])
    name = site_page(folder, "limited.html", snippet)
    page.goto(f"http://{SITE_HOST}:{site_port}/{name}")
    frame = page.frame_locator("iframe")
    frame.locator("#byline-limits .byline-limits").wait_for()
    assert frame.locator("#byline-limits").inner_text().strip() == "Limited to: AP"
    follow_up = "And how many people were injured in it?"
    for turn, question in enumerate((HAJJ_Q, follow_up), start=1):
        sources_box = ask(frame, question, turn=turn)
        assert cited_sources(frame, store) <= {"AP"}  # AP citations, or none (a refusal)
        assert "Wikinews" not in sources_box.inner_text()  # nor as a "closest article" of a refusal
    page.screenshot(path=str(artifacts_dir / "web-widget-limited.png"), full_page=True)

    before = len(read_feedback(running_app.settings.feedback_path))
    frame.locator("#byline-chat button[aria-label='Dislike']").last.click()
    rows = wait_until(lambda: (r := read_feedback(running_app.settings.feedback_path))[before:] and r)
    assert rows[-1].rating == -1 and rows[-1].filters == {"sources": ["AP"], "since": None, "until": None}
    assert page.external_requests == [] and page.dialogs == []


def test_widget_with_a_bad_filter_in_its_url_says_so_and_never_answers_unfiltered(running_app, page):
    page.goto(running_app.url + "/widget/?source=AP&since=2016-13-01")
    notice = page.locator("#byline-limits .byline-error")
    notice.wait_for()
    assert "'2016-13-01' is not a date" in notice.inner_text() and "YYYY-MM-DD" in notice.inner_text()
    error = ask(page, HAJJ_Q)  # asking anyway: the same message in the chat, no search without the filter
    assert "byline-error" in error.get_attribute("class") and "YYYY-MM-DD" in error.inner_text()
    assert page.locator("#byline-sources .byline-cite").count() == 0
    assert "is not a date" in page.locator("#byline-chat").inner_text()

    page.goto(running_app.url + "/widget/?since=2017-01-01&until=2016-01-01")
    assert "2017-01-01 – 2016-01-01 is empty" in page.locator("#byline-limits .byline-error").inner_text()

    hostile = '<img src=x onerror="window.__pwned=1">'
    page.goto(running_app.url + "/widget/?source=" + quote(hostile))
    line = page.locator("#byline-limits .byline-limits")
    assert line.inner_text().strip() == f"Limited to: {hostile}"  # shown as text
    assert page.locator("#byline-limits img").count() == 0 and page.evaluate("window.__pwned") is None


def test_web_component_takes_filters_from_the_embedding_page_address_not_from_src(
    running_app, embed_site, page
):
    folder, site_port = embed_site
    app_url = f"http://{APP_HOST}:{running_app.port}"
    embed_pages(folder, app_url)
    page.goto(f"http://{SITE_HOST}:{site_port}/component.html?source=AP&since=2016-01-01")
    page.locator("#byline-limits .byline-limits").wait_for()
    assert page.locator("#byline-limits").inner_text().strip() == "Limited to: AP · from 2016-01-01"

    # Gradio's loader drops a query string in <gradio-app src>: that widget is not limited (the README says so).
    snippet = web_component_snippet(app_url).replace('/widget/"', '/widget/?source=AP"')
    page.goto(f"http://{SITE_HOST}:{site_port}/" + site_page(folder, "component-src.html", snippet))
    page.locator("#byline-question textarea:enabled").wait_for()  # enabled once the load event has run
    assert page.locator("#byline-limits").inner_text().strip() == ""
