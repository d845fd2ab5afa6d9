"""Who may use the app: foreign origins refused, framing limited, token enforced, questions rate-limited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.errors import ConfigError
from assistant.settings import Settings
from assistant.web.api import build_server
from assistant.web.security import (
    RateLimitedError,
    RateLimiter,
    frame_ancestors,
    normalise_origin,
    origin_allowed,
)
from tests.web_fakes import FakeAssistant, sample_articles

ALLOWED = "http://intranet.test:8001"
Q = {"question": "What about the bridge?"}


def _client(tmp_path, **overrides) -> TestClient:
    settings = Settings(home=tmp_path / "home", **overrides)
    return TestClient(
        build_server(settings, assistant=FakeAssistant(sample_articles())), base_url="http://byline.test:7860"
    )


@pytest.fixture(scope="module")
def default_client(tmp_path_factory):
    with _client(tmp_path_factory.mktemp("sec")) as client:
        yield client


@pytest.fixture(scope="module")
def allowing_client(tmp_path_factory):
    with _client(tmp_path_factory.mktemp("sec2"), allowed_origins=[ALLOWED]) as client:
        yield client


def test_origins_are_normalised_and_bad_ones_rejected_with_the_fix():
    assert normalise_origin("HTTPS://Intranet.Example.com:443/") == "https://intranet.example.com"
    assert normalise_origin("http://h:8080") == "http://h:8080"
    for bad in ("intranet.example.com", "https://h/path", "ftp://h", "*"):
        with pytest.raises(ConfigError, match="BYLINE_ALLOWED_ORIGINS"):
            normalise_origin(bad)


def test_same_origin_and_listed_origins_pass_others_do_not():
    assert origin_allowed("http://byline.test:7860", "byline.test:7860", [])
    assert origin_allowed("https://b.example", "b.example:443", [])
    assert origin_allowed(ALLOWED, "byline.test:7860", [ALLOWED])
    assert not origin_allowed("http://evil.test", "byline.test:7860", [ALLOWED])
    assert not origin_allowed(
        "http://byline.test:9999", "byline.test:7860", []
    )  # another port is another origin
    assert not origin_allowed("null", "byline.test:7860", [])


def test_default_is_same_origin_only_for_api_and_gradio_routes(default_client):
    for path, method in (("/api/ask", "POST"), ("/gradio_api/queue/join", "POST"), ("/config", "GET")):
        r = default_client.request(method, path, headers={"Origin": "http://evil.test"})
        assert r.status_code == 403, path
        assert "access-control-allow-origin" not in r.headers
    ok = default_client.post("/api/ask", headers={"Origin": "http://byline.test:7860"}, json=Q)
    assert ok.status_code == 200 and ok.json()["citations"]


def test_default_forbids_framing_by_other_sites(default_client):
    for path in ("/", "/widget/"):
        r = default_client.get(path)
        assert r.status_code == 200
        assert r.headers["content-security-policy"] == "frame-ancestors 'self'"
        assert r.headers["x-frame-options"] == "SAMEORIGIN"


def test_allowed_origin_gets_cors_and_may_frame(allowing_client):
    pre = allowing_client.options(
        "/api/ask",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ALLOWED
    r = allowing_client.post("/api/ask", headers={"Origin": ALLOWED}, json=Q)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED
    js = allowing_client.get("/gradio.js", headers={"Origin": ALLOWED})
    assert (
        js.status_code == 200
        and "import(" in js.text
        and js.headers["access-control-allow-origin"] == ALLOWED
    )
    page = allowing_client.get("/widget/")
    assert page.headers["content-security-policy"] == f"frame-ancestors 'self' {ALLOWED}"
    assert "x-frame-options" not in page.headers  # it cannot list origins; CSP does
    evil = allowing_client.post("/api/ask", headers={"Origin": "http://evil.test"}, json=Q)
    assert evil.status_code == 403


def test_access_token_required_by_header_query_or_cookie(tmp_path):
    with _client(tmp_path, access_token="s3cret") as client:
        assert client.post("/api/ask", json=Q).status_code == 401
        assert client.post("/api/ask", json=Q, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/api/ask", json=Q, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/widget/").status_code == 401
        assert client.get("/gradio.js").status_code == 200  # loader code only: no data behind it
        first = client.get("/widget/?token=s3cret")
        assert first.status_code == 200 and "byline_token=" in first.headers["set-cookie"]
        assert "s3cret" not in first.headers["set-cookie"]  # the cookie holds a hash, not the token
        assert client.get("/config").status_code == 200  # the cookie now stands in for the token
        client.cookies.clear()
        assert client.get("/config").status_code == 401


def test_rate_limit_per_session_returns_429_with_the_wait(tmp_path):
    with _client(tmp_path, rate_limit_per_minute=2) as client:
        codes = [
            client.post("/api/ask", json=Q, headers={"X-Byline-Session": "a"}).status_code for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        assert client.post("/api/ask", json=Q, headers={"X-Byline-Session": "b"}).status_code == 200
        body = client.post("/api/ask", json=Q, headers={"X-Byline-Session": "a"}).json()
        assert "per minute" in body["error"] and "BYLINE_RATE_LIMIT_PER_MINUTE" in body["hint"]


def test_rate_limiter_window_slides():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("s")
    limiter.check("s")
    with pytest.raises(RateLimitedError, match="try again in 61s"):
        limiter.check("s")
    now[0] = 60.5
    limiter.check("s")  # the first two calls left the window
    RateLimiter(0).check("s")  # 0 = unlimited


def test_bad_allowed_origin_fails_at_start_up(tmp_path):
    with pytest.raises(ConfigError, match="Not an origin"):
        build_server(Settings(home=tmp_path, allowed_origins=["intranet"]), assistant=FakeAssistant([]))


def test_frame_ancestors_lists_self_first():
    assert frame_ancestors([ALLOWED]) == f"frame-ancestors 'self' {ALLOWED}"
