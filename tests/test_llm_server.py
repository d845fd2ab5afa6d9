"""The local llama.cpp server: the bundled model, health checks, start/stop as a child process, the CLI."""

from __future__ import annotations

import httpx
import pytest
import typer
from typer.testing import CliRunner

from assistant.commands.llm import register
from assistant.errors import LLMError
from assistant.llm_server import LLMServer, ServerConfig, default_model_path, free_port, wait_healthy


def test_bundled_model_is_a_gguf_file() -> None:
    path = default_model_path()
    assert path.suffix == ".gguf" and path.stat().st_size > 10_000_000
    with open(path, "rb") as f:
        assert f.read(4) == b"GGUF"


def test_base_url_and_missing_model(tmp_path) -> None:
    assert ServerConfig(port=8123).base_url == "http://127.0.0.1:8123/v1"
    with pytest.raises(LLMError, match="not found") as err:
        ServerConfig(model=tmp_path / "none.gguf").model_path()
    assert "--model" in err.value.hint


def test_wait_healthy_gives_up_on_a_dead_port() -> None:
    with pytest.raises(LLMError, match="not healthy"):
        wait_healthy(f"http://127.0.0.1:{free_port()}/v1", timeout=1.0)


def test_the_fixture_server_is_healthy_and_serves_models(llm_url: str) -> None:
    wait_healthy(llm_url, timeout=30)
    assert httpx.get(f"{llm_url}/models", timeout=10).status_code == 200


def test_context_manager_starts_and_stops_a_server(tmp_path) -> None:
    config = ServerConfig(port=free_port(), n_ctx=512)
    with LLMServer(config, log_path=tmp_path / "log") as server:
        root = server.base_url.removesuffix("/v1")
        assert httpx.get(f"{root}/health", timeout=5).json()["status"] == "ok"
        assert server.process is not None and server.process.poll() is None
    assert server.process.poll() is not None  # the child is gone
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{root}/health", timeout=2)


def test_cli_reports_a_bad_model_path_with_a_hint(tmp_path) -> None:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command keeps typer in multi-command mode, as in the real CLI
        """Placeholder."""

    result = CliRunner().invoke(app, ["llm-server", "--model", str(tmp_path / "missing.gguf")])
    assert result.exit_code == 1
    assert "Model file not found" in result.output and "--model PATH" in result.output
