"""Choosing an answerer by name: extractive default, llm with an extractive fallback, clear errors."""

from __future__ import annotations

import pytest

from assistant.answerers import make_answerer
from assistant.errors import ConfigError
from assistant.extractive import ExtractiveAnswerer


def test_auto_without_llm_is_extractive(make_settings, embedder) -> None:
    assert isinstance(make_answerer("auto", make_settings(), embedder), ExtractiveAnswerer)
    assert isinstance(make_answerer(None, make_settings(answerer="extractive"), embedder), ExtractiveAnswerer)


def test_llm_wraps_the_extractive_fallback(make_settings, embedder) -> None:
    settings = make_settings(llm_base_url="http://127.0.0.1:9/v1")
    answerer = make_answerer("auto", settings, embedder)
    assert answerer.name == "llm"
    assert isinstance(answerer.fallback, ExtractiveAnswerer)  # type: ignore[attr-defined]
    assert callable(answerer.condense)  # type: ignore[attr-defined]


def test_bad_choices_say_how_to_fix(make_settings, embedder) -> None:
    with pytest.raises(ConfigError) as missing:
        make_answerer("llm", make_settings(), embedder)
    assert "BYLINE_LLM_BASE_URL" in missing.value.user_message()
    with pytest.raises(ConfigError) as err:
        make_answerer("oracle", make_settings(), embedder)
    assert "extractive" in err.value.user_message()
