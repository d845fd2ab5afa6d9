"""`byline serve` starts the real app as its own process, on the host and port given."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from tests.conftest import free_port, wait_for_port


def test_byline_serve_runs_the_app_with_safe_defaults(tmp_path):
    port = free_port()
    env = {**os.environ, "BYLINE_HOME": str(tmp_path / "home")}
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_for_port(port, timeout=120, proc=proc)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz").json() == {"ok": True, "articles": 0}
        # Warmed up before serving: the BM25 index was built (empty here) and cached for the next start.
        assert list((tmp_path / "home" / "cache" / "bm25").glob("*.pkl"))
        page = httpx.get(f"{base}/")
        assert page.status_code == 200 and page.headers["content-security-policy"] == "frame-ancestors 'self'"
        refused = httpx.post(
            f"{base}/api/ask", json={"question": "q"}, headers={"Origin": "http://elsewhere.test"}
        )
        assert refused.status_code == 403
        empty = httpx.post(f"{base}/api/ask", json={"question": "What happened?"}, timeout=60)
        assert empty.status_code == 409 and "byline ingest" in empty.json()["hint"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
