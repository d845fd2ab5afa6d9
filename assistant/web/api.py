"""The HTTP side: POST /api/ask (JSON), the Gradio ``/ask`` endpoint, /gradio.js, and assembling the server.

Routes: ``/`` chat window, ``/widget`` embeddable chat, ``/gradio.js`` the web-component loader (Gradio's own
server answers 404 for it; serving the package's copy lets ``<gradio-app>`` work with no CDN), ``/api/ask``,
``/embed`` (the snippets), ``/healthz``. Every route sits behind :class:`~assistant.web.security.SecurityMiddleware`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.middleware.cors import CORSMiddleware

from assistant.errors import BylineError, EmptyIndexError, LLMError, StoreUnavailableError
from assistant.settings import Settings
from assistant.web import render
from assistant.web.embed import embed_page
from assistant.web.security import RateLimitedError, SecurityMiddleware, normalise_origin
from assistant.web.service import Backend, InputError, WebService, friendly, parse_filters

GRADIO_JS = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


class AskRequest(BaseModel):
    """Body of POST /api/ask."""

    question: str = Field(description="The question.")
    history: list[tuple[str, str]] = Field(
        default_factory=list, description="Earlier (question, answer) turns."
    )
    sources: list[str] = Field(default_factory=list, description="Only these sources (empty: all).")
    since: str | None = Field(None, description="Earliest publication date, YYYY-MM-DD.")
    until: str | None = Field(None, description="Latest publication date, YYYY-MM-DD.")


def status_for(err: BaseException) -> int:
    """HTTP status for an error raised while answering."""
    if isinstance(err, RateLimitedError):
        return 429
    if isinstance(err, InputError):
        return 400
    if isinstance(err, EmptyIndexError):
        return 409
    if isinstance(err, (StoreUnavailableError, LLMError)):
        return 503
    return 400 if isinstance(err, BylineError) else 500


def add_ask_endpoint(service: WebService) -> None:
    """Inside a Blocks: the named Gradio endpoint ``/ask`` (gradio_client), returning ``Answer.to_json()``."""

    def ask(
        question: str,
        history: list[list[str]] | None = None,
        sources: list[str] | None = None,
        since: str = "",
        until: str = "",
        request: gr.Request = None,  # type: ignore[assignment]  # Gradio fills it in
    ) -> dict:
        """Answer a question about the articles: the answer text with [n] markers and its citations."""
        from assistant.web.chat import session_key

        try:
            turns = [(str(t[0]), str(t[1])) for t in (history or []) if len(t) >= 2]
            answer = service.ask(question, turns, parse_filters(sources, since, until), session_key(request))
        except Exception as err:  # noqa: BLE001 - the client sees the message, never a traceback
            raise gr.Error(friendly(err)) from None
        return answer.to_json()

    from assistant.web.chat import CONCURRENCY_ID, CONCURRENCY_LIMIT

    gr.api(ask, api_name="ask", concurrency_limit=CONCURRENCY_LIMIT, concurrency_id=CONCURRENCY_ID)


def add_routes(app: FastAPI, service: WebService) -> None:
    """Plain FastAPI routes; registered before the Gradio mounts so they take precedence."""

    @app.get("/gradio.js", include_in_schema=False)
    def gradio_js() -> FileResponse:
        return FileResponse(GRADIO_JS, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/embed", include_in_schema=False)
    def embed(request: Request) -> HTMLResponse:
        return HTMLResponse(embed_page(str(request.base_url)))

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        try:
            return {"ok": True, "articles": service.stats().get("articles", 0)}
        except Exception as err:  # noqa: BLE001
            return {"ok": False, "error": friendly(err)}

    @app.post("/api/ask")
    def api_ask(body: AskRequest, request: Request) -> JSONResponse:
        """Answer a question; the body of the response is ``Answer.to_json()`` (as ``byline ask --json``)."""
        key = request.headers.get("x-byline-session") or (request.client.host if request.client else "api")
        try:
            filters = parse_filters(body.sources, body.since, body.until)
            answer = service.ask(body.question, body.history, filters, f"api:{key}")
        except Exception as err:  # noqa: BLE001
            if isinstance(err, BylineError):
                body_out = {"error": str(err), "hint": err.hint}
            else:
                body_out = {"error": friendly(err), "hint": ""}
            return JSONResponse(body_out, status_code=status_for(err))
        return JSONResponse(answer.to_json())


def build_server(
    settings: Settings, assistant: Backend | None = None, service: WebService | None = None
) -> FastAPI:
    """The whole web app as one FastAPI application (give ``assistant`` to serve a ready-made one)."""
    from assistant.web.ui import build_ui
    from assistant.web.widget import WIDGET_CSS, build_widget

    allowed = [normalise_origin(o) for o in settings.allowed_origins]  # a bad origin fails here, at start-up
    token = settings.access_token.get_secret_value() if settings.access_token else None
    service = service or WebService(settings, assistant)
    app = FastAPI(title="Byline", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    # Starlette's CORSMiddleware on the parent app also switches off Gradio's own permissive CORS handling.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=allowed,
        allow_credentials=True,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
    )
    app.add_middleware(SecurityMiddleware, allowed_origins=allowed, token=token)  # outermost: runs first
    add_routes(app, service)
    common: dict[str, Any] = dict(
        server_name=settings.host,
        server_port=settings.port,
        ssr_mode=False,
        run_history=False,
        show_error=True,
        max_file_size="200mb",
        mcp_server=False,
    )
    gr.mount_gradio_app(
        app, build_widget(service), path="/widget", footer_links=[], css=render.CSS + WIDGET_CSS, **common
    )
    gr.mount_gradio_app(app, build_ui(service), path="/", footer_links=["api"], css=render.CSS, **common)
    return app
