"""The chat panel shared by the full window and the widget: streaming answers, sources, feedback, new chat.

Conversation state lives in a ``gr.State`` (``{"messages": [...], "turns": [...]}``) rather than being read
back from the Chatbot, whose input value is Gradio's normalised form; the Chatbot only displays it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.types import Answer, Citation
from assistant.web import render
from assistant.web.service import WebService, friendly, parse_filters

CONCURRENCY_ID = "ask"
# 2 cores: retrieval and the extractive answerer are CPU-bound, an LLM server queues anyway; 4 in flight
# keeps both busy while the rest wait in Gradio's queue instead of thrashing.
CONCURRENCY_LIMIT = 4
Conv = dict[str, Any]


def new_conversation() -> Conv:
    """An empty conversation."""
    return {"messages": [], "turns": []}


def session_key(request: gr.Request | None) -> str:
    """Rate-limit key: the Gradio session, else the client address."""
    if request is None:
        return "anonymous"
    return (
        getattr(request, "session_hash", None)
        or getattr(getattr(request, "client", None), "host", None)
        or "anonymous"
    )


def _assistant_text(answer: Answer) -> str:
    text = answer.answer
    if answer.citations and not all(c.verified for c in answer.citations):
        bad = ", ".join(f"[{c.n}]" for c in answer.citations if not c.verified)
        text += f"\n\n(Unverified quote: {bad} — not found in the article.)"
    return text


def respond(
    service: WebService,
    message: str,
    conv: Conv,
    sources: list[str] | None,
    since: str | None,
    until: str | None,
    request: gr.Request | None = None,
) -> Iterator[tuple[Any, Any, Conv, Any]]:
    """Stream one answer into the chat: yields (textbox, chatbot messages, state, sources panel HTML)."""
    question = (message or "").strip()
    if not question:
        yield gr.update(), gr.update(), conv, gr.update()
        return
    conv = {"messages": list(conv["messages"]), "turns": list(conv["turns"])}
    conv["messages"] += [
        {"role": "user", "content": render.chat_text(question)},
        {"role": "assistant", "content": "…"},
    ]
    turn = sum(
        1 for m in conv["messages"] if m["role"] == "user"
    )  # this question's number in the conversation
    yield "", conv["messages"], conv, render.sources_html(None)
    text, pending, answer = "", [], None
    try:
        filters = parse_filters(sources, since, until)
        history = [(t["question"], t["answer"]["answer"]) for t in conv["turns"]]
        for event in service.stream(question, history, filters, session_key(request)):
            if event.kind == "token":
                text += event.text
                conv["messages"][-1] = {"role": "assistant", "content": render.chat_text(text)}
                yield gr.update(), conv["messages"], conv, gr.update()
            elif event.kind == "citation" and event.citation is not None:
                pending.append(event.citation)
                yield gr.update(), gr.update(), conv, render.sources_html(None, pending)
            elif event.kind == "status" and event.text:
                notice = render.message_html(event.text, "info") + render.sources_html(None, pending)
                yield gr.update(), gr.update(), conv, notice
            elif event.kind == "done" and event.answer is not None:
                answer = event.answer
        if answer is None:
            raise RuntimeError("the answer stream ended without a final answer")
    except Exception as err:  # noqa: BLE001 - every failure becomes a message in the chat, never a traceback
        msg = friendly(err)
        conv["messages"][-1] = {"role": "assistant", "content": "⚠️ " + render.chat_text(msg)}
        yield gr.update(value=question), conv["messages"], conv, render.message_html(msg, "error", turn)
        return
    conv["messages"][-1] = {"role": "assistant", "content": render.chat_text(_assistant_text(answer))}
    conv["turns"].append(
        {
            "question": question,
            "turn": turn,
            "index": len(conv["messages"]) - 1,
            "answer": answer.to_json(),
            "filters": [list(filters.sources), filters.since, filters.until],
        }
    )
    yield gr.update(), conv["messages"], conv, render.sources_html(answer, turn=turn)


def _turn_at(conv: Conv, index: Any) -> dict[str, Any] | None:
    idx = index[0] if isinstance(index, (list, tuple)) else index
    return next((t for t in conv["turns"] if t["index"] == idx), None)


def show_sources(conv: Conv, evt: gr.SelectData) -> Any:
    """Clicking an answer shows its sources."""
    turn = _turn_at(conv, evt.index)
    if turn is None:
        return gr.update()
    return render.sources_html(Answer.model_validate(turn["answer"]), turn=turn.get("turn"))


def on_like(service: WebService, conv: Conv, data: gr.LikeData, request: gr.Request | None = None) -> None:
    """Thumbs up/down: store the rating with the question, answer and citations."""
    turn = _turn_at(conv, data.index)
    if turn is None:
        gr.Info("Only answers can be rated.")
        return
    if data.liked not in (True, False):  # an "undo" click sends neither
        return
    sources, since, until = turn["filters"]
    try:
        service.feedback(
            turn["answer"],
            1 if data.liked else -1,
            parse_filters(sources, since, until),
            session_key(request),
        )
    except Exception as err:  # noqa: BLE001
        gr.Warning(friendly(err))
        return
    gr.Info("Thanks — feedback saved.")


@dataclass
class ChatPanel:
    """The components of one chat panel, for the page around it to wire further."""

    chatbot: gr.Chatbot
    textbox: gr.Textbox
    send: gr.Button
    clear: gr.Button
    sources: gr.HTML
    state: gr.State


def chat_panel(
    service: WebService,
    filters: tuple[Any, Any, Any],
    *,
    compact: bool = False,
    sources_beside: bool = True,
    ready: bool = True,
) -> ChatPanel:
    """Build the chat panel inside the current Blocks and wire its events; ``filters`` = (sources, since, until).

    ``ready=False`` starts with the question box and the Ask button disabled, for a page that enables them
    once its ``load`` event has set the filters (so no question is asked before they apply).
    """
    state = gr.State(new_conversation())
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Byline",
                elem_id="byline-chat",
                height=360 if compact else 520,
                render_markdown=True,
                sanitize_html=True,
                allow_tags=False,
                latex_delimiters=[],
                feedback_options=("Like", "Dislike"),
                buttons=["copy"],
                placeholder="Ask a question about the articles. Every answer quotes them, with numbered citations.",
            )
            with gr.Row():
                textbox = gr.Textbox(
                    show_label=False,
                    placeholder="Ask about the articles…",
                    elem_id="byline-question",
                    scale=5,
                    max_lines=4,
                    submit_btn=False,
                    interactive=ready,
                )
                send = gr.Button(
                    "Ask", variant="primary", elem_id="byline-send", scale=1, min_width=60, interactive=ready
                )
            clear = gr.Button("New conversation", size="sm", elem_id="byline-new", variant="secondary")
        if sources_beside:
            with gr.Column(scale=2):
                sources = _sources_box()
    if not sources_beside:
        sources = _sources_box()

    def _respond(message, conv, src, since, until, request: gr.Request):
        yield from respond(service, message, conv, src, since, until, request)

    def _like(conv, data: gr.LikeData, request: gr.Request):
        on_like(service, conv, data, request)

    ask_kwargs: dict[str, Any] = dict(
        inputs=[textbox, state, *filters],
        outputs=[textbox, chatbot, state, sources],
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id=CONCURRENCY_ID,
        api_visibility="private",
        show_progress="minimal",
    )
    textbox.submit(_respond, **ask_kwargs)
    send.click(_respond, **ask_kwargs)
    clear.click(
        lambda: ([], new_conversation(), render.sources_html(None), ""),
        outputs=[chatbot, state, sources, textbox],
        api_visibility="private",
        queue=False,
    )
    chatbot.clear(
        lambda: (new_conversation(), render.sources_html(None)),
        outputs=[state, sources],
        api_visibility="private",
        queue=False,
    )
    chatbot.like(_like, inputs=[state], outputs=None, api_visibility="private", queue=False)
    chatbot.select(show_sources, inputs=[state], outputs=[sources], api_visibility="private", queue=False)
    return ChatPanel(chatbot, textbox, send, clear, sources, state)


def _sources_box() -> gr.HTML:
    return gr.HTML(render.sources_html(None), elem_id="byline-sources", js_on_load=None, label="Sources")


def citation_list(answer_json: dict[str, Any]) -> list[Citation]:
    """Citations of a stored answer."""
    return [Citation.model_validate(c) for c in answer_json.get("citations", [])]
