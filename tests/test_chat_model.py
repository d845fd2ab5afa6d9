"""The chat-model interface: settings become a ChatOpenAI with caps, timeouts and a key that never leaks."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from assistant.chat_model import NO_KEY, build_chat_model, complete_text, stream_text
from assistant.errors import LLMError

SECRET = "sk-test-do-not-print-0123456789"


def test_needs_a_base_url(make_settings) -> None:
    with pytest.raises(LLMError) as err:
        build_chat_model(make_settings(llm_base_url=None))
    assert "BYLINE_LLM_BASE_URL" in err.value.user_message()


def test_caps_tokens_twice_and_bounds_time(make_settings) -> None:
    settings = make_settings(
        llm_base_url="http://127.0.0.1:9/v1",
        llm_model="m",
        llm_max_tokens=77,
        llm_timeout_s=3.5,
        llm_max_retries=2,
    )
    model = build_chat_model(settings)
    assert model.max_tokens == 77 and model.extra_body == {"max_tokens": 77}
    assert model.request_timeout == 3.5 and model.max_retries == 2
    assert model.openai_api_base == "http://127.0.0.1:9/v1" and model.model_name == "m"
    assert build_chat_model(settings, max_tokens=12).extra_body == {"max_tokens": 12}


def test_key_is_used_but_never_shown(make_settings, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = build_chat_model(
        make_settings(llm_base_url="http://127.0.0.1:9/v1", llm_api_key=SecretStr(SECRET))
    )
    assert model.openai_api_key.get_secret_value() == SECRET
    assert SECRET not in repr(model) and SECRET not in str(model.model_dump())
    keyless = build_chat_model(make_settings(llm_base_url="http://127.0.0.1:9/v1"))
    assert keyless.openai_api_key.get_secret_value() == NO_KEY


@pytest.mark.llm
def test_real_server_honours_the_token_cap(make_settings, llm_url: str) -> None:
    settings = make_settings(llm_base_url=llm_url, llm_max_tokens=16)
    model = build_chat_model(settings, streaming=False)
    result = model.invoke("Count from 1 to 200, separated by commas.")
    assert 0 < result.usage_metadata["output_tokens"] <= 16
    pieces = list(
        stream_text(build_chat_model(settings), [("user", "Count from 1 to 200, separated by commas.")])
    )
    assert len(pieces) > 1  # streamed in pieces, not one blob
    assert complete_text(model, [("user", "Say hello.")]).strip()
