"""The HTTP API: POST /api/ask and the Gradio /ask endpoint return Answer.to_json(), errors as messages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.types import Answer
from assistant.web.api import build_server
from tests.web_fakes import FakeAssistant, sample_articles

JSON_KEYS = set(Answer(question="q", answer="a").to_json())


@pytest.fixture(scope="module")
def fake_app(tmp_path_factory):
    fake = FakeAssistant(sample_articles())
    app = build_server(Settings(home=tmp_path_factory.mktemp("api")), assistant=fake)
    with TestClient(app) as client:
        yield client, fake


def test_api_ask_returns_the_answer_json_with_citations(fake_app):
    client, fake = fake_app
    r = client.post(
        "/api/ask",
        json={
            "question": "Bridge?",
            "history": [["Earlier?", "Yes [1]."]],
            "sources": ["Harbour Times"],
            "since": "2024-01-01",
            "until": "2024-12-31",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == JSON_KEYS
    assert body["citations"][0]["quote"] in body["answer"] and body["citations"][0]["verified"] is True
    question, history, filters = fake.calls[-1]
    assert history == [("Earlier?", "Yes [1].")]
    assert filters.sources == ["Harbour Times"] and (filters.since, filters.until) == (
        "2024-01-01",
        "2024-12-31",
    )


@pytest.mark.parametrize(
    ("payload", "status", "needle"),
    [
        ({"question": "  "}, 400, "empty"),
        ({"question": "x", "since": "01/02/2024"}, 400, "YYYY-MM-DD"),
        ({"question": "x", "since": "2024-05-01", "until": "2024-01-01"}, 400, "earlier date"),
        ({"question": "x" * 5000}, 400, "at most"),
    ],
)
def test_bad_input_is_a_400_with_a_hint(fake_app, payload, status, needle):
    r = fake_app[0].post("/api/ask", json=payload)
    assert r.status_code == status
    assert needle in r.json()["error"] + r.json()["hint"]


def test_malformed_body_is_rejected_by_validation(fake_app):
    assert fake_app[0].post("/api/ask", json={"history": "nope"}).status_code == 422


def test_empty_index_is_reported_with_the_fix(tmp_path):
    app = build_server(Settings(home=tmp_path), assistant=FakeAssistant([]))
    with TestClient(app) as client:
        r = client.post("/api/ask", json={"question": "anything?"})
        assert r.status_code == 409 and "byline ingest" in r.json()["hint"]
        assert client.get("/healthz").json() == {"ok": True, "articles": 0}


def test_embed_page_shows_both_snippets(fake_app):
    html = fake_app[0].get("/embed").text
    assert "&lt;gradio-app" in html and "/gradio.js" in html and "&lt;iframe" in html


def test_gradio_client_ask_endpoint_on_the_real_app(running_app):
    from gradio_client import Client

    client = Client(running_app.url + "/", verbose=False)
    result = client.predict(
        question="What did Russia claim about the evacuations of Aleppo?",
        history=[],
        sources=[],
        since="",
        until="",
        api_name="/ask",
    )
    assert set(result) == JSON_KEYS and not result["refused"]
    assert result["citations"] and all(c["verified"] for c in result["citations"])
    assert any(c["article_id"] == "ap-aleppo-2016-12" for c in result["citations"])
    assert "[1]" in result["answer"]


def test_gradio_client_error_is_a_message_not_a_traceback(running_app):
    from gradio_client import Client

    client = Client(running_app.url + "/", verbose=False)
    with pytest.raises(Exception) as err:  # gradio_client raises AppError carrying the message
        client.predict(question="x", since="last week", api_name="/ask")
    assert "YYYY-MM-DD" in str(err.value) and "Traceback" not in str(err.value)


def test_json_api_on_the_real_app_matches_byline_ask_json(running_app):
    import httpx

    r = httpx.post(
        running_app.url + "/api/ask",
        json={"question": "How many pilgrims died in the Hajj stampede?"},
        timeout=120,
    )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == JSON_KEYS and body["citations"]
    assert any("345" in c["quote"] for c in body["citations"])
