"""LLM fixtures (a pytest plugin listed in conftest): the real local llama.cpp server, a dead endpoint, and
a misbehaving server for the fallback tests."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.llm_server import LLMServer, ServerConfig, free_port

TEST_CTX = 4096  # the window `make test` (tests/services.py) gives the server


@pytest.fixture(scope="session")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (…/v1) of the real local LLM: BYLINE_TEST_LLM_URL from `make test`, else started here."""
    url = os.environ.get("BYLINE_TEST_LLM_URL")
    if url:
        yield url
        return
    log = Path(tmp_path_factory.mktemp("llm-server")) / "server.log"
    server = LLMServer(ServerConfig(port=free_port(), n_ctx=TEST_CTX), log_path=log)
    server.start(timeout=180)
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dead_llm_url() -> str:
    """An endpoint on a port where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/v1"


class _Misbehaving(BaseHTTPRequestHandler):
    """Answers every chat request badly; the first path segment picks how (see ``MODES``)."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = self.path.strip("/").split("/")[0]
        if mode == "hang":
            time.sleep(30)  # longer than any test's llm_timeout_s
            return
        if mode == "html":
            self._send(200, "text/html", b"<html><body>502 Bad Gateway (proxy)</body></html>")
        elif mode == "sse-junk":
            self._send(200, "text/event-stream", b"data: {not json at all\n\ndata: %%%%\n\n")
        elif mode == "empty":
            # Well-formed stream, but the model says nothing.
            chunk = b'{"id":"x","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}]}'
            self._send(200, "text/event-stream", b"data: " + chunk + b"\n\ndata: [DONE]\n\n")
        else:
            self._send(500, "application/json", b'{"error": {"message": "internal error"}}')

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence request logging
        return


MODES = ("html", "sse-junk", "empty", "error500", "hang")


@pytest.fixture(scope="session")
def garbage_llm_root() -> Iterator[str]:
    """Root URL of a server answering chat requests with garbage; use ``f"{root}/{mode}/v1"``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
