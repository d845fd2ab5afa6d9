"""`byline ask` as a user runs it: a real subprocess over the sample index; clear one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import free_port


def run_ask(settings, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "BYLINE_HOME": str(settings.home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", *args],
        capture_output=True, text=True, env=full_env, timeout=300, check=False,
    )  # fmt: skip


def test_ask_prints_answer_and_numbered_citations(sample_index) -> None:
    settings, _ = sample_index
    out = run_ask(settings, "What did the Red Cross official urge about the Aleppo evacuations?")
    assert out.returncode == 0, out.stderr
    assert "[1]" in out.stdout
    assert "Citations:" in out.stdout
    assert "Russia claims Aleppo evacuations are \u2018completed\u2019 \u2014 AP, 2016-12-16" in out.stdout
    assert "UNVERIFIED" not in out.stdout


def test_ask_json_is_one_answer_object(sample_index) -> None:
    settings, _ = sample_index
    out = run_ask(settings, "Which cruise ship was Valeska Paris held on?", "--json", "--k", "3",
                  "--source", "Wikinews", "--since", "2011-01-01", "--until", "2011-12-31")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"answer", "citations", "passages", "timings", "version"} <= data.keys()
    assert len(data["passages"]) <= 3
    assert data["passages"][0]["article_id"] == "wikinews-gum-imprisoned"
    assert all(p["source"] == "Wikinews" and p["published_at"].startswith("2011") for p in data["passages"])
    assert any("Freewinds" in c["quote"] and c["verified"] for c in data["citations"])


def test_bad_date_is_a_one_line_error(sample_index) -> None:
    settings, _ = sample_index
    out = run_ask(settings, "anything", "--since", "last week")
    assert out.returncode != 0
    assert "YYYY-MM-DD" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_empty_index_names_the_ingest_command(tmp_path) -> None:
    from assistant.settings import Settings

    out = run_ask(Settings(home=tmp_path / "empty"), "anything")
    assert out.returncode != 0
    assert "byline ingest" in out.stderr and "Traceback" not in out.stderr


def test_unreachable_server_names_the_url(tmp_path) -> None:
    from assistant.settings import Settings

    url = f"http://127.0.0.1:{free_port()}"
    out = run_ask(Settings(home=tmp_path / "h"), "anything", env={"BYLINE_CHROMA_URL": url})
    assert out.returncode != 0
    assert url in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("answerer", ["llm"])
def test_llm_answerer_without_endpoint_says_how_to_fix(sample_index, answerer: str) -> None:
    settings, _ = sample_index
    out = run_ask(settings, "anything", "--answerer", answerer, env={"BYLINE_LLM_BASE_URL": ""})
    assert out.returncode != 0
    assert "BYLINE_LLM_BASE_URL" in out.stderr
