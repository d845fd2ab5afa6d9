"""Web fixtures (pytest plugin, loaded by conftest): the real app on a free port, a static "intranet" site, Chromium.

The app runs in a thread of the test process (uvicorn), so it shares the session's embedding model and
sample index instead of loading them again. Host names are made up and mapped to 127.0.0.1 inside Chromium
(--host-resolver-rules), so "byline.test" and "intranet.test" are different sites to the browser.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from tests.conftest import free_port, wait_for_port

APP_HOST, SITE_HOST, EVIL_HOST = "byline.test", "intranet.test", "evil.test"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--host-resolver-rules=MAP {APP_HOST} 127.0.0.1, MAP {SITE_HOST} 127.0.0.1, MAP {EVIL_HOST} 127.0.0.1",
    # A cross-site iframe can hang at "Loading..." in headless Chromium with site isolation on.
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
]


@dataclass
class RunningApp:
    """A served app: its URLs (by IP and by made-up host name), settings and assistant."""

    url: str  # http://127.0.0.1:PORT
    host_url: str  # http://byline.test:PORT
    port: int
    settings: Settings
    assistant: Any
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def serve_in_thread(settings: Settings, assistant: Any) -> RunningApp:
    """Build the real app around ``assistant`` and serve it with uvicorn in a daemon thread."""
    import uvicorn

    from assistant.web.api import build_server

    port = free_port()
    settings = settings.model_copy(update={"port": port})
    app = build_server(settings, assistant=assistant)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"byline-web-{port}", daemon=True)
    thread.start()
    wait_for_port(port)
    return RunningApp(
        f"http://127.0.0.1:{port}", f"http://{APP_HOST}:{port}", port, settings, assistant, server, thread
    )


@pytest.fixture(scope="session")
def embed_site(tmp_path_factory) -> Iterator[tuple[Path, int]]:
    """(folder, port) of a static web server on another port: the "internal site" that embeds the widget."""
    folder = tmp_path_factory.mktemp("intranet")
    port = free_port()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, port
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def running_app(sample_index, embedder, embed_site) -> Iterator[RunningApp]:
    """The real app (real Assistant) over the sample index; the embed site's origin is allowed."""
    from assistant.chain import Assistant

    settings, store = sample_index
    _, site_port = embed_site
    settings = settings.model_copy(update={"allowed_origins": [f"http://{SITE_HOST}:{site_port}"]})
    running = serve_in_thread(settings, Assistant(store, embedder, settings))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session (Playwright, never a downloaded browser)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:
    """A fresh browser context and page; records requests that leave 127.0.0.1 and script dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.external_requests = []  # type: ignore[attr-defined]
    pg.dialogs = []  # type: ignore[attr-defined]
    local = ("127.0.0.1", APP_HOST, SITE_HOST, EVIL_HOST)
    pg.on(
        "request",
        lambda r: (
            None
            if any(h in r.url for h in local) or not r.url.startswith("http")
            else pg.external_requests.append(r.url)
        ),
    )
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def embed_pages(folder: Path, app_url: str) -> None:
    """Write the README's two embedding snippets (web component, iframe) as pages of the embed site."""
    from assistant.web.embed import iframe_snippet, web_component_snippet

    for name, snippet in (
        ("component.html", web_component_snippet(app_url)),
        ("iframe.html", iframe_snippet(app_url)),
    ):
        (folder / name).write_text(
            f'<!doctype html><html><head><meta charset="utf-8"><title>Intranet</title></head>'
            f"<body><h1>Internal news desk</h1>{snippet}</body></html>",
            encoding="utf-8",
        )
