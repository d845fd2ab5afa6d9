"""The chat window: chat with sources and filters, example questions, and a library tab with uploads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.web import render
from assistant.web.api import add_ask_endpoint
from assistant.web.chat import CONCURRENCY_ID, CONCURRENCY_LIMIT, chat_panel
from assistant.web.service import WebService, display_name, friendly

N_EXAMPLES = 4


def _upload_types() -> list[str]:
    try:
        from ingest.formats import FORMAT_BY_SUFFIX

        return sorted(FORMAT_BY_SUFFIX)
    except ImportError:  # ingestion formats not installed: accept anything, ingestion reports what it skips
        return []


def build_ui(service: WebService) -> gr.Blocks:
    """The full chat window (mounted at ``/``)."""
    with gr.Blocks(title="Byline — chat with your news archive", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Byline\nAsk questions about your news articles. Every answer quotes them, with checked citations."
        )
        banner = gr.HTML("", elem_id="byline-banner", js_on_load=None)
        with gr.Tab("Chat", id="chat"):
            with gr.Accordion("Filters", open=False, elem_id="byline-filters"):
                with gr.Row():
                    f_sources = gr.Dropdown(
                        choices=[],
                        multiselect=True,
                        label="Sources",
                        elem_id="byline-filter-sources",
                        scale=2,
                    )
                    f_since = gr.Textbox(
                        label="From (YYYY-MM-DD)", elem_id="byline-filter-since", max_lines=1
                    )
                    f_until = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="byline-filter-until", max_lines=1)
            panel = chat_panel(service, (f_sources, f_since, f_until))
            with gr.Row(elem_id="byline-examples"):
                examples = [
                    gr.Button("", visible=False, size="sm", elem_classes=["byline-example"])
                    for _ in range(N_EXAMPLES)
                ]
        with gr.Tab("Library", id="library"):
            library = gr.HTML("", elem_id="byline-library", js_on_load=None)
            refresh = gr.Button("Refresh", size="sm")
            gr.Markdown(
                "### Add articles\nUpload article files (one article per .txt/.md/.html file, or many per "
                ".jsonl/.json/.csv/.tsv/RSS/Atom file). Files already indexed are left unchanged."
            )
            files = gr.File(
                file_count="multiple",
                file_types=_upload_types() or None,
                label="Article files",
                elem_id="byline-upload",
            )
            add = gr.Button("Add to index", variant="primary", elem_id="byline-add")
            results = gr.HTML("", elem_id="byline-upload-results", js_on_load=None)

        def on_load() -> list[Any]:
            return _page_state(service)

        load_outputs = [banner, f_sources, library, *examples]
        demo.load(on_load, outputs=load_outputs, api_visibility="private", queue=False)
        refresh.click(on_load, outputs=load_outputs, api_visibility="private", queue=False)

        for button in examples:
            button.click(
                _ask_example(service),
                inputs=[button, panel.state, f_sources, f_since, f_until],
                outputs=[panel.textbox, panel.chatbot, panel.state, panel.sources],
                concurrency_limit=CONCURRENCY_LIMIT,
                concurrency_id=CONCURRENCY_ID,
                api_visibility="private",
            )

        def on_upload(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> Iterator[list[Any]]:  # noqa: B008
            yield from _upload(service, paths, progress, len(load_outputs))

        add.click(
            on_upload,
            inputs=[files],
            outputs=[results, *load_outputs],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id="ingest",
        )
        add_ask_endpoint(service)
    return demo


def _page_state(service: WebService) -> list[Any]:
    """Values for (banner, source filter, library, *example buttons) from the current index."""
    hidden = [gr.update(visible=False, value="") for _ in range(N_EXAMPLES)]
    try:
        stats = service.stats()
        articles = service.articles() if stats.get("articles") else []
    except Exception as err:  # noqa: BLE001 - e.g. the index cannot be opened: say so, keep the page usable
        msg = friendly(err)
        return [
            render.message_html(msg, "error"),
            gr.update(choices=[]),
            render.message_html(msg, "error"),
            *hidden,
        ]
    if not stats.get("articles"):
        banner = render.message_html(
            "No articles indexed yet — add some in the Library tab (upload files), or run `byline ingest PATH`.",
            "info",
        )
        return [banner, gr.update(choices=[], value=[]), render.library_html(stats, []), *hidden]
    questions = service.examples(N_EXAMPLES, articles)
    buttons = [
        gr.update(visible=True, value=questions[i])
        if i < len(questions)
        else gr.update(visible=False, value="")
        for i in range(N_EXAMPLES)
    ]
    choices = [s for s in stats.get("sources", {}) if s != "(unknown)"]
    return ["", gr.update(choices=choices), render.library_html(stats, articles), *buttons]


def _ask_example(service: WebService):
    """Click handler of an example button: ask its text."""
    from assistant.web.chat import respond

    def _example(question, conv, sources, since, until, request: gr.Request):
        yield from respond(service, question, conv, sources, since, until, request)

    return _example


def _upload(
    service: WebService, paths: list[str] | None, progress: gr.Progress, n_page: int
) -> Iterator[list[Any]]:
    """Index uploaded files one by one, yielding the per-file results table as each finishes."""
    keep = [gr.update()] * n_page
    if not paths:
        yield [render.message_html("Choose one or more article files first.", "info"), *keep]
        return
    rows: list[tuple[str, str, str]] = []
    for i, path in enumerate(paths):
        name = display_name(path)
        rows.append((name, "indexing", "…"))
        progress((i, len(paths)), desc=f"Indexing {name}", unit="files")
        yield [render.upload_results_html(rows), *keep]

        def tick(articles: int, chunks: int, i: int = i, name: str = name) -> None:
            progress(
                (i, len(paths)), desc=f"Indexing {name}: {articles} articles, {chunks} passages", unit="files"
            )

        try:
            status, detail = service.ingest_file(path, progress=tick)
        except Exception as err:  # noqa: BLE001 - one bad file is reported; the others still go in
            status, detail = "failed", friendly(err)
        rows[-1] = (name, status, detail)
        yield [render.upload_results_html(rows), *keep]
    progress((len(paths), len(paths)), desc="Done", unit="files")
    yield [render.upload_results_html(rows), *_page_state(service)]
