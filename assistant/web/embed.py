"""The copy-paste snippets for embedding the widget in another site, and a page at ``/embed`` showing them.

The README quotes these functions' output and the browser tests embed exactly this HTML, so the documented
snippet is the tested one.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from assistant.web.render import esc


def web_component_snippet(app_url: str) -> str:
    """``<gradio-app>`` web component; its script is served by Byline itself (/gradio.js), no CDN."""
    base = app_url.rstrip("/")
    return (
        f'<script type="module" src="{esc(base)}/gradio.js"></script>\n'
        f'<gradio-app src="{esc(base)}/widget/" container="false" info="false" initial_height="560px"></gradio-app>'
    )


def widget_query(
    token: str | None = None, sources: Sequence[str] = (), since: str | None = None, until: str | None = None
) -> str:
    """The widget URL's query string (``?token=...&source=...&since=...&until=...``; '' when there is none)."""
    pairs = [("token", token)] if token else []
    pairs += [("source", s) for s in sources if s]
    pairs += [(name, value) for name, value in (("since", since), ("until", until)) if value]
    return "?" + urlencode(pairs) if pairs else ""


def iframe_snippet(
    app_url: str,
    token: str | None = None,
    sources: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
) -> str:
    """The simple alternative: an iframe of /widget; ``token`` (access control) and the filters go in its URL."""
    base = app_url.rstrip("/")
    query = widget_query(token, sources, since, until)
    return (
        f'<iframe src="{esc(base)}/widget/{esc(query)}" title="Byline news assistant" '
        'style="width:100%;max-width:720px;height:640px;border:0" loading="lazy"></iframe>'
    )


def embed_page(app_url: str) -> str:
    """A small HTML page listing both snippets for this server's address."""
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Embed Byline</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:820px;margin:2em auto}pre{background:#f4f4f4;"
        "padding:1em;white-space:pre-wrap}</style></head><body><h1>Embed the Byline widget</h1>"
        "<p>The embedding page's origin must be listed in <code>BYLINE_ALLOWED_ORIGINS</code>; otherwise the "
        "browser refuses to load the widget.</p>"
        f"<h2>Web component</h2><pre>{esc(web_component_snippet(app_url))}</pre>"
        f"<h2>iframe</h2><pre>{esc(iframe_snippet(app_url))}</pre>"
        "<h2>Limiting the widget to sources or dates</h2><p>Add <code>source</code> (repeat it for several), "
        "<code>since</code> and <code>until</code> (YYYY-MM-DD) to the iframe's address; the widget shows what it "
        "is limited to. A <code>&lt;gradio-app&gt;</code> ignores a query string in its <code>src</code>.</p>"
        f"<pre>{esc(iframe_snippet(app_url, sources=['Wikinews'], since='2005-01-01', until='2005-12-31'))}</pre>"
        "</body></html>"
    )
