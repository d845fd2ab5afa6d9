"""The web app: chat window (``/``), embeddable widget (``/widget``), HTTP API (``/api/ask``, Gradio ``/ask``)."""

from __future__ import annotations

import logging

from assistant import offline  # noqa: F401  (before gradio and friends load)
from assistant.settings import Settings

log = logging.getLogger("byline.web")


def create_app(settings: Settings):  # -> fastapi.FastAPI
    """Build the web app from settings, loading the assistant now so the first question is quick."""
    from assistant.errors import BylineError
    from assistant.web.api import build_server
    from assistant.web.service import WebService

    service = WebService(settings)
    try:
        # Warm up: open the index, load the embedding model, load (or build once) the BM25 index.
        service.assistant.warm_up()
    except BylineError as err:  # the app still starts and shows this message on the page
        log.warning("Byline: %s", err.user_message())
    return build_server(settings, service=service)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run the web app with uvicorn until interrupted."""
    import uvicorn

    app = create_app(settings)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")
