"""Settings: typed, from BYLINE_* variables, printed by `byline settings`, documented by a generated table."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from assistant.docs import END, START, settings_markdown
from assistant.settings import Settings
from tests.conftest import REPO


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("BYLINE_TOP_K", "7")
    monkeypatch.setenv("BYLINE_ALLOWED_ORIGINS", '["https://intranet.example"]')
    s = Settings()
    assert s.top_k == 7 and s.allowed_origins == ["https://intranet.example"]


def test_invalid_values_are_rejected(monkeypatch):
    monkeypatch.setenv("BYLINE_TOP_K", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_every_setting_is_described():
    assert all(f.description for f in Settings.model_fields.values())


def test_readme_settings_table_is_generated_from_the_model():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == settings_markdown(), "README settings table is stale: run `python -m assistant.docs`"


def test_settings_command_prints_resolved_values_and_masks_secrets(tmp_path):
    env = {
        **os.environ,
        "BYLINE_HOME": str(tmp_path),
        "BYLINE_LLM_API_KEY": "sk-very-secret",
        "BYLINE_PORT": "9123",
    }
    out = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "settings", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout)
    assert values["BYLINE_PORT"] == "9123" and values["BYLINE_HOME"] == str(tmp_path)
    assert values["BYLINE_LLM_API_KEY"] == "***" and "sk-very-secret" not in out.stdout


def test_a_bad_setting_is_a_config_error_naming_the_variable(monkeypatch) -> None:
    from assistant.errors import ConfigError
    from assistant.settings import get_settings

    monkeypatch.setenv("BYLINE_FUSION", "votes")
    monkeypatch.setenv("BYLINE_DENSE_WEIGHT", "2")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError) as err:
            get_settings()
    finally:
        get_settings.cache_clear()
    message = err.value.user_message()
    assert "BYLINE_FUSION='votes'" in message and "'convex' or 'rrf'" in message
    assert "BYLINE_DENSE_WEIGHT='2'" in message and ".env" in message
