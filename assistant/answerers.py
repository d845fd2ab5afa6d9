"""Pick an answerer by name: "extractive" (offline default), "llm" (falls back to extractive), or "auto"."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.answerer import Answerer
from assistant.embedder import Embedder
from assistant.errors import ConfigError
from assistant.extractive import ExtractiveAnswerer
from assistant.settings import Settings

NAMES = ("auto", "extractive", "llm")


def make_answerer(
    name: str | None,
    settings: Settings,
    embedder: Embedder,
    query_embedder: Callable[[str], np.ndarray] | None = None,
    idf: Callable[[str], float] | None = None,
) -> Answerer:
    """The answerer called ``name`` (default: ``settings.answerer``); "auto" = llm if an LLM URL is set."""
    name = (name or settings.answerer).lower()
    if name not in NAMES:
        raise ConfigError(f"Unknown answerer {name!r}.", hint=f"Use one of: {', '.join(NAMES)}.")
    checker = None
    if settings.answer_checker is not None:
        from assistant.answer_check import load_checker  # imported lazily: most installs run without one

        checker = load_checker(settings.answer_checker, settings.embedding_device)
    extractive = ExtractiveAnswerer(
        embedder, settings, query_embedder=query_embedder, idf=idf, checker=checker
    )
    if name == "auto":
        name = "llm" if settings.llm_base_url else "extractive"
    if name == "extractive":
        return extractive
    if not settings.llm_base_url:
        raise ConfigError(
            "The LLM answerer needs an endpoint.",
            hint="Set BYLINE_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1) or use `--answerer extractive`.",
        )
    from assistant.generative import LLMAnswerer  # imported lazily: the offline default needs no LLM client

    return LLMAnswerer(settings, fallback=extractive)
