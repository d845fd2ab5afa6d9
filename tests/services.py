"""Start the services the test suite needs, run a command, stop them: ``python -m tests.services -- CMD...``.

The local LLM server (llama.cpp serving SmolLM2-135M) runs for the whole suite and its URL is exported as
BYLINE_TEST_LLM_URL. The Chroma server is started by the ``chroma_server`` fixture itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run ``argv`` (after ``--``) with the LLM server up; return its exit code."""
    from assistant.llm_server import LLMServer, ServerConfig, free_port

    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print("usage: python -m tests.services -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    log = Path("test-artifacts")
    log.mkdir(exist_ok=True)
    server = LLMServer(ServerConfig(port=free_port(), n_ctx=4096), log_path=log / "llm-server.log")
    print(f"starting the local LLM server for the tests on port {server.config.port} …", flush=True)
    url = server.start(timeout=180)
    print(f"LLM server ready at {url}", flush=True)
    try:
        return subprocess.call(command, env={**os.environ, "BYLINE_TEST_LLM_URL": url})
    finally:
        server.stop()
        print("LLM server stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
