"""`byline settings`: print every setting's resolved value (secrets masked) and where it comes from."""

from __future__ import annotations

import json

import typer

from assistant.settings import Settings, get_settings


def settings_table(settings: Settings) -> list[tuple[str, str, str]]:
    """(ENV NAME, resolved value, description) for every field; secrets shown as '***'."""
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if value is not None and "SecretStr" in type(value).__name__:
            shown = "***"
        elif isinstance(value, list):
            shown = ",".join(map(str, value)) or "(none)"
        else:
            shown = "(unset)" if value is None else str(value)
        rows.append((f"BYLINE_{name.upper()}", shown, field.description or ""))
    return rows


def register(app: typer.Typer) -> None:
    @app.command("settings")
    def settings_cmd(as_json: bool = typer.Option(False, "--json", help="Print as a JSON object.")) -> None:
        """Print the resolved settings (from BYLINE_* environment variables and .env)."""
        rows = settings_table(get_settings())
        if as_json:
            typer.echo(json.dumps({k: v for k, v, _ in rows}, indent=2))
            return
        width = max(len(k) for k, _, _ in rows)
        for key, value, desc in rows:
            typer.echo(f"{key:<{width}}  {value}\n{'':<{width}}  ↳ {desc}")
