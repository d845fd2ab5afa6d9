"""Placeholder until its owner lands it."""

import typer


def register(app: typer.Typer) -> None:
    """Registers nothing yet."""
