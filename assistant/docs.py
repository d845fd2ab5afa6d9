"""Generated documentation: the README's settings table comes from the Settings model, never by hand.

python -m assistant.docs        # rewrite the table in README.md
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.settings import REPO_ROOT, Settings

START, END = "<!-- settings-table -->", "<!-- /settings-table -->"


def settings_markdown() -> str:
    """A Markdown table of every setting: variable, default, description."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = field.default_factory()  # type: ignore[call-arg]
        else:
            default = field.default
        if isinstance(default, Path) and default.is_absolute():
            default = default.relative_to(REPO_ROOT) if default.is_relative_to(REPO_ROOT) else default
        shown = "(unset)" if default in (None, []) else f"`{default}`"
        desc = (field.description or "").replace("|", "\\|")
        rows.append(f"| `BYLINE_{name.upper()}` | {shown} | {desc} |")
    return "\n".join(rows)


def update_readme(path: Path = REPO_ROOT / "README.md") -> bool:
    """Rewrite the settings table in README.md; True if it changed."""
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{settings_markdown()}\n{END}"
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print("README.md updated" if update_readme() else "README.md already up to date")
