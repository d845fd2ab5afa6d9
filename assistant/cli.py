"""The `byline` command: a thin typer app; each subcommand group lives in assistant/commands/<name>.py."""

from __future__ import annotations

import importlib
import sys

import typer

from assistant import offline  # noqa: F401  (before any library that might phone home)
from assistant.errors import BylineError

COMMANDS = ("settings", "ingest", "ask", "llm", "serve", "eval", "checker")

app = typer.Typer(
    name="byline",
    help="Byline: ask questions about your news articles; every answer quotes them, with checked citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name in COMMANDS:
    importlib.import_module(f"assistant.commands.{_name}").register(app)


def main() -> None:
    """Console entry point: run the app; a BylineError prints its hint on one line and exits 1."""
    try:
        app()
    except BylineError as err:
        typer.secho(f"Error: {err.user_message()}", err=True, fg=typer.colors.RED)
        sys.exit(1)


if __name__ == "__main__":
    main()
