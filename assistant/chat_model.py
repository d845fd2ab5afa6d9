"""The one interface to the LLM service: a LangChain chat model for any OpenAI-compatible endpoint."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from pydantic import SecretStr

from assistant.errors import LLMError
from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import BaseMessage

# llama.cpp, vLLM and Ollama ignore the key but the OpenAI client refuses to start without one.
NO_KEY = "not-needed"


def api_key(settings: Settings) -> SecretStr:
    """The key, read when the model is first built: BYLINE_LLM_API_KEY, else OPENAI_API_KEY, else a dummy."""
    if settings.llm_api_key is not None and settings.llm_api_key.get_secret_value():
        return settings.llm_api_key
    return SecretStr(os.environ.get("OPENAI_API_KEY") or NO_KEY)


def build_chat_model(
    settings: Settings, *, streaming: bool = True, max_tokens: int | None = None
) -> BaseChatModel:
    """ChatOpenAI for ``settings.llm_base_url``, with timeouts, bounded retries and a hard token cap.

    langchain-openai sends ``max_tokens`` as ``max_completion_tokens``, which llama.cpp and older vLLM
    builds ignore, so the cap is repeated as ``max_tokens`` in ``extra_body``.
    """
    if not settings.llm_base_url:
        raise LLMError("No LLM configured (BYLINE_LLM_BASE_URL is not set).")
    from langchain_openai import ChatOpenAI

    cap = max_tokens or settings.llm_max_tokens
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=api_key(settings),
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        max_completion_tokens=cap,  # the field's alias; LangChain sends it under this name
        extra_body={"max_tokens": cap},
        temperature=settings.llm_temperature,
        streaming=streaming,
    )


def to_langchain(messages: Sequence[tuple[str, str]]) -> list[BaseMessage]:
    """``(role, content)`` pairs as LangChain message objects."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds: dict[str, type[BaseMessage]] = {
        "system": SystemMessage,
        "user": HumanMessage,
        "assistant": AIMessage,
    }
    return [kinds[role](content=content) for role, content in messages]


def stream_text(
    model: BaseChatModel, messages: Sequence[tuple[str, str]], stop: Sequence[str] | None = None
) -> Iterator[str]:
    """The answer's text pieces as the server sends them (empty pieces skipped); ``stop`` ends generation."""
    for chunk in model.stream(to_langchain(messages), stop=list(stop) if stop else None):
        text = chunk.content if isinstance(chunk.content, str) else "".join(map(str, chunk.content))
        if text:
            yield text


def complete_text(model: BaseChatModel, messages: Sequence[tuple[str, str]]) -> str:
    """The whole answer text in one call."""
    result = model.invoke(to_langchain(messages))
    content = result.content
    return content if isinstance(content, str) else "".join(map(str, content))
