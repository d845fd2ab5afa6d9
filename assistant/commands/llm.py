"""`byline llm-server`: serve a local GGUF model over an OpenAI-compatible API for the LLM answerer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant import offline  # noqa: F401  (offline env before any library loads)
from assistant.errors import BylineError
from assistant.llm_server import ServerConfig, serve_forever


def llm_server(
    model: Annotated[
        Path | None,
        typer.Option("--model", help="GGUF model file. Default: the bundled SmolLM2-135M-Instruct."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8090,
    ctx: Annotated[
        int, typer.Option("--ctx", help="Context window in tokens (set BYLINE_LLM_CONTEXT_TOKENS to match).")
    ] = 4096,
    threads: Annotated[int, typer.Option("--threads", help="CPU threads for generation.")] = 2,
) -> None:
    """Serve a local LLM (llama.cpp) until Ctrl-C; prints the BYLINE_LLM_BASE_URL to export."""
    config = ServerConfig(model=model, host=host, port=port, n_ctx=ctx, threads=threads)
    try:
        config.model_path()
        typer.echo(f"Serving {config.model_path().name} on {config.base_url} (n_ctx={ctx}); Ctrl-C stops it.")
        typer.echo(
            f"In another shell: export BYLINE_LLM_BASE_URL={config.base_url} BYLINE_LLM_CONTEXT_TOKENS={ctx}"
        )
        serve_forever(config, announce=False)
    except BylineError as err:
        typer.echo(err.user_message(), err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add `byline llm-server` to the CLI."""
    app.command("llm-server")(llm_server)
