"""The embeddable widget (mounted at ``/widget``): the same chat, compact, sources under the conversation."""

from __future__ import annotations

import gradio as gr

from assistant.web.chat import chat_panel
from assistant.web.service import WebService

WIDGET_CSS = """
.gradio-container { padding: 4px !important; }
#byline-chat { min-height: 240px; }
footer { display: none !important; }
"""


def build_widget(service: WebService) -> gr.Blocks:
    """The compact chat for embedding in another site (iframe or ``<gradio-app>``)."""
    with gr.Blocks(title="Byline", analytics_enabled=False, fill_height=True) as widget:
        # The widget has no filter controls; empty values mean "all sources, any date".
        no_sources, no_since, no_until = gr.State([]), gr.State(""), gr.State("")
        chat_panel(service, (no_sources, no_since, no_until), compact=True, sources_beside=False)
    return widget
