"""The copy-paste snippets for embedding the widget in another site, and a page at ``/embed`` showing them.

The README quotes these functions' output and the browser tests embed exactly this HTML, so the documented
snippet is the tested one.
"""

from __future__ import annotations

from assistant.web.render import esc


def web_component_snippet(app_url: str) -> str:
    """``<gradio-app>`` web component; its script is served by Byline itself (/gradio.js), no CDN."""
    base = app_url.rstrip("/")
    return (
        f'<script type="module" src="{esc(base)}/gradio.js"></script>\n'
        f'<gradio-app src="{esc(base)}/widget/" container="false" info="false" initial_height="560px"></gradio-app>'
    )


def iframe_snippet(app_url: str, token: str | None = None) -> str:
    """The simple alternative: an iframe of /widget (``token`` adds ?token= when access control is on)."""
    base = app_url.rstrip("/")
    query = f"?token={esc(token)}" if token else ""
    return (
        f'<iframe src="{esc(base)}/widget/{query}" title="Byline news assistant" '
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
        f"<h2>iframe</h2><pre>{esc(iframe_snippet(app_url))}</pre></body></html>"
    )
