"""`byline serve`: run the web app (chat window at /, widget at /widget, API at /api/ask)."""

from __future__ import annotations

import typer

from assistant.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `byline serve [--host H] [--port P]`."""

    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option(
            None, "--host", help="Address to listen on (default BYLINE_HOST, 127.0.0.1)."
        ),
        port: int = typer.Option(None, "--port", help="Port to listen on (default BYLINE_PORT, 7860)."),
    ) -> None:
        """Serve the chat window, the embeddable widget and the HTTP API."""
        from assistant.web import serve

        serve(get_settings(), host=host, port=port)
