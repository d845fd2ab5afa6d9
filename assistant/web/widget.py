"""The embeddable widget (mounted at ``/widget``): the same chat, compact, sources under the conversation.

The embedding page limits it through the widget URL's query string: ``source`` (may repeat), ``since`` and
``until`` (YYYY-MM-DD), e.g. ``/widget/?source=Wikinews&since=2005-01-01``. Gradio's page sends its own
address's query string with every call, so the ``load`` event reads them from ``gr.Request`` and keeps them for
the whole session: every question (follow-ups included) and every rating use them, and a line above the chat
says what the widget is limited to. A bad date is a message there and in the chat, never a silently wider search.
A ``<gradio-app>`` drops a query string in its ``src`` and sends its host page's instead (see docs/widget.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

from assistant.web import render
from assistant.web.chat import chat_panel
from assistant.web.service import InputError, WebService, parse_filters

WIDGET_CSS = """
.gradio-container { padding: 4px !important; }
#byline-chat { min-height: 240px; }
#byline-limits .byline-limits { color: #555; font-size: 0.85em; margin: 0 2px; }
footer { display: none !important; }
"""


def _values(params: Any, name: str) -> list[str]:
    """Every value of query parameter ``name`` (Starlette's QueryParams, or the plain dict Gradio may pass)."""
    if params is None:
        return []
    if hasattr(params, "getlist"):
        return [str(v) for v in params.getlist(name)]
    value = params.get(name) if hasattr(params, "get") else None
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def url_filters(params: Any) -> tuple[list[str], str, str]:
    """(sources, since, until) from the widget URL's query parameters; ``source`` may repeat, absent = open."""
    sources = [s.strip() for s in _values(params, "source") if s.strip()]
    since, until = (next(reversed(_values(params, name)), "").strip() for name in ("since", "until"))
    return sources, since, until


def limits_html(sources: Sequence[str], since: str, until: str) -> str:
    """The line saying what the widget is limited to, as escaped HTML ('' when it is not limited).

    Example: ``Limited to: Wikinews · from 2005-01-01``. Unusable values give an error notice instead.
    """
    try:
        filters = parse_filters(sources, since, until)
    except InputError as err:
        return render.message_html(
            f"The filter in this widget's address (since, until) is unusable: {err.user_message()}"
        )
    parts = [", ".join(filters.sources)] if filters.sources else []
    parts += [f"{word} {day}" for word, day in (("from", filters.since), ("until", filters.until)) if day]
    if not parts:
        return ""
    return f'<div class="byline-limits">Limited to: {render.esc(" · ".join(parts))}</div>'


def on_load(request: gr.Request | None) -> list[Any]:
    """Page load: (sources, since, until, limits line, question box, Ask button) from the URL's query string.

    The raw values go into the session's state even when they are invalid, so asking shows the same error in
    the chat instead of searching without the filter.
    """
    sources, since, until = url_filters(getattr(request, "query_params", None) if request else None)
    line = limits_html(sources, since, until)
    enable = gr.update(interactive=True)
    return [sources, since, until, gr.update(value=line, visible=True if line else "hidden"), enable, enable]


def build_widget(service: WebService) -> gr.Blocks:
    """The compact chat for embedding in another site (iframe or ``<gradio-app>``)."""
    with gr.Blocks(title="Byline", analytics_enabled=False, fill_height=True) as widget:
        # Set from the URL on load; empty values mean "all sources, any date".
        sources, since, until = gr.State([]), gr.State(""), gr.State("")
        # "What it is limited to": in the page but taking no space until the load event fills it in.
        limits = gr.HTML("", elem_id="byline-limits", js_on_load=None, visible="hidden")
        panel = chat_panel(service, (sources, since, until), compact=True, sources_beside=False, ready=False)
        widget.load(
            on_load,
            outputs=[sources, since, until, limits, panel.textbox, panel.send],
            api_visibility="private",
            queue=False,
        )
    return widget
