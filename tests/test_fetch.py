"""Fetching pages and feeds from a real HTTP server on 127.0.0.1 that the test starts (never the internet)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.errors import ArticleError
from assistant.types import Article
from ingest.fetch import USER_AGENT, fetch_url
from ingest.formats.fields import url_id
from ingest.load import iter_articles

INPUTS = Path(__file__).parent / "fixtures" / "inputs"


class _Handler(SimpleHTTPRequestHandler):
    """Serves the fixture files, plus a few special paths; records each request's User-Agent."""

    user_agents: list[str] = []
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".rss": "application/rss+xml"}

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, directory=str(INPUTS), **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        _Handler.user_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/moved":
            self._reply(302, b"", headers={"Location": "/no-canonical.html"})
        elif self.path == "/loop":
            self._reply(302, b"", headers={"Location": "/loop"})
        elif self.path == "/feed-as-text":  # a mislabelled feed: sniffed from its content
            self._reply(200, (INPUTS / "feed.atom").read_bytes(), content_type="text/plain")
        elif self.path == "/big":
            self._reply(200, b"<p>" + b"x" * 50_000 + b"</p>", content_type="text/html")
        elif self.path == "/pdf":
            self._reply(200, b"%PDF-1.4\n\x00\x01\x02", content_type="application/pdf")
        elif self.path == "/slow":
            time.sleep(1.5)
            try:
                self._reply(200, b"<p>late</p>", content_type="text/html")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as the test wants
        elif self.path == "/latin1":
            body = "<html><body><article><p>Caf\u00e9 owners said the new rules, announced on Monday, were unfair.</p>"
            self._reply(
                200, (body + "</article></body></html>").encode("latin-1"), "text/html; charset=iso-8859-1"
            )
        else:
            super().do_GET()

    def _reply(
        self, status: int, body: bytes, content_type: str = "text/html", headers: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def load(*urls: str, max_chars: int = 100_000) -> tuple[list[Article], list[ArticleError]]:
    articles: list[Article] = []
    errors: list[ArticleError] = []
    for item in iter_articles(list(urls), max_chars=max_chars):
        (errors if isinstance(item, ArticleError) else articles).append(item)
    return articles, errors


def test_html_page_keeps_its_canonical_url(server: str) -> None:
    [article], errors = load(f"{server}/article.html")
    assert errors == []
    assert article.title == "Harbour bridge reopens after repairs"
    assert article.url == "https://coastal.example/news/harbour-bridge"
    assert article.origin == f"{server}/article.html"
    assert article.body.startswith("The harbour bridge reopened to traffic on Tuesday")
    assert USER_AGENT in _Handler.user_agents


def test_page_without_url_gets_the_fetched_one_after_redirect(server: str) -> None:
    [article], errors = load(f"{server}/moved")
    assert errors == []
    assert article.title == "Library extends opening hours"
    assert article.url == f"{server}/no-canonical.html"
    assert article.id == url_id(f"{server}/no-canonical.html")


def test_feeds_by_content_type_and_by_sniffing(server: str) -> None:
    articles, errors = load(f"{server}/feed.rss", f"{server}/feed-as-text")
    assert [a.title for a in articles] == [
        "Flood defences approved for river town",
        "School wins robotics prize",
        "Telescope spots icy moon plumes",
        "Seed bank reaches one million samples",
    ]
    assert [e.origin for e in errors] == [f"{server}/feed.rss#entry3"]
    assert articles[0].source == "Valley Gazette"


def test_other_formats_over_http(server: str) -> None:
    articles, errors = load(f"{server}/mixed.jsonl", f"{server}/story.txt")
    assert [a.id for a in articles][:2] == ["good-1", url_id("https://coast.example/ferry")]
    assert len(errors) == 5 and errors[0].origin == f"{server}/mixed.jsonl:2"
    story = articles[-1]
    assert story.title == "Harbour seals return to estuary" and story.url == f"{server}/story.txt"


def test_declared_charset_is_used(server: str) -> None:
    [article], errors = load(f"{server}/latin1")
    assert errors == []
    assert article.body.startswith("Café owners said the new rules")


def test_http_and_network_errors_name_the_url(server: str) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/story"
    articles, errors = load(
        f"{server}/missing.html",
        f"{server}/no-article.html",
        f"{server}/pdf",
        f"{server}/loop",
        closed,
        f"{server}/article.html",
    )
    got = {e.origin: e.reason for e in errors}
    assert got[f"{server}/missing.html"].startswith("HTTP 404")
    assert got[f"{server}/no-article.html"] == "no article text found in the HTML"
    assert got[f"{server}/pdf"].startswith("unsupported content type 'application/pdf'")
    assert got[f"{server}/loop"] == "too many redirects"
    assert got[closed].startswith("could not connect")
    assert [a.title for a in articles] == ["Harbour bridge reopens after repairs"]


def test_size_limit(server: str) -> None:
    _, errors = load(f"{server}/big", max_chars=1_000)
    assert len(errors) == 1 and errors[0].origin == f"{server}/big"
    assert errors[0].reason.startswith("page too large: 50007 bytes, limit 4000")
    assert "BYLINE_MAX_ARTICLE_CHARS" in errors[0].reason


def test_timeout(server: str) -> None:
    with pytest.raises(ArticleError) as caught:
        fetch_url(f"{server}/slow", max_bytes=10_000, timeout=0.3)
    assert caught.value.origin == f"{server}/slow"
    assert caught.value.reason == "timed out after 0.3 s"
