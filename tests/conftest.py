"""Shared fixtures: the real embedding model, a real Chroma (temp dir and server process), the sample index."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests never touch a user's .byline/ or a configured LLM; each index lives in a temp dir.
_TEST_HOME = tempfile.mkdtemp(prefix="byline-test-home-")
os.environ["BYLINE_HOME"] = _TEST_HOME
for _var in ("BYLINE_CHROMA_URL", "BYLINE_LLM_BASE_URL", "BYLINE_COLLECTION", "BYLINE_ANSWERER"):
    os.environ.pop(_var, None)

from assistant import offline  # noqa: E402,F401
from assistant.llm_server import free_port  # noqa: E402,F401  (re-exported for tests)
from assistant.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "data" / "sample" / "articles"
ARTIFACTS = REPO / "test-artifacts"

pytest_plugins = [
    f"tests.{name}"
    for name in ("fixtures_llm", "fixtures_web")
    if (Path(__file__).parent / f"{name}.py").exists()
]


def wait_for_port(port: int, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Block until something accepts connections on 127.0.0.1:port (or fail, naming why)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@pytest.fixture(scope="session")
def embedder():
    """The real embedding model (bundled all-MiniLM-L6-v2), loaded once per test session."""
    from assistant.embedder import get_embedder

    return get_embedder(Settings())


@pytest.fixture
def make_settings(tmp_path: Path):
    """Build Settings with a fresh temp BYLINE_HOME; keyword arguments override fields."""

    def make(**overrides) -> Settings:
        overrides.setdefault("home", tmp_path / "home")
        return Settings(**overrides)

    return make


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, embedder):
    """(settings, store) of an embedded index holding the bundled sample corpus. Read-only for tests."""
    from assistant.store import open_store
    from ingest.pipeline import ingest

    settings = Settings(home=tmp_path_factory.mktemp("sample-index"))
    store = open_store(settings)
    report = ingest([str(SAMPLE_DIR)], settings, store=store, embedder=embedder)
    assert report.ok and report.added, report.summary()
    return settings, store


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[str]:
    """URL of a real `chroma run` server process on 127.0.0.1, stopped at the end of the session."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the `chroma` command is missing: install the project (make test does)"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_for_port(port, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests save screenshots and other artifacts (test-artifacts/, gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
