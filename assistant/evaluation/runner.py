"""Run a question set through Byline: build a scratch index if asked, ask every question, keep every answer."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from assistant.evaluation.qa import QAItem
from assistant.settings import Settings
from assistant.types import Answer

Ask = Callable[[str], Answer]
Progress = Callable[[int], None]  # questions finished so far

SCRATCH_COLLECTION = "byline-eval"


def scratch_settings(settings: Settings, home: Path) -> Settings:
    """Settings for a private embedded index under ``home``: the user's index and Chroma server are untouched."""
    return settings.model_copy(update={"home": home, "chroma_url": None, "collection": SCRATCH_COLLECTION})


def build_scratch_index(
    articles: Sequence[str], settings: Settings, embedder: Any = None, progress: Any = None
) -> Any:
    """Ingest ``articles`` into the (scratch) index of ``settings``; returns the IngestReport."""
    from ingest.pipeline import ingest

    return ingest(list(articles), settings, embedder=embedder, progress=progress)


def default_workers(answerer: Any) -> int:
    """Concurrency the answerer allows: its ``max_concurrency`` if it declares one; else 1 for extractive
    (CPU-bound; torch already uses both of the 2 cores) and 2 for the LLM (waiting on a server)."""
    declared = getattr(answerer, "max_concurrency", None)
    if isinstance(declared, int) and declared >= 1:
        return declared
    return 1 if getattr(answerer, "name", "") == "extractive" else 2


def ask_one(item: QAItem, ask: Ask) -> dict[str, Any]:
    """One results.jsonl record: id, question, latency and the answer as ``byline ask --json`` prints it."""
    t0 = time.perf_counter()
    error: str | None = None
    try:
        data = ask(item.question).to_json()
    except Exception as exc:  # noqa: BLE001 - one failing question is recorded, the run goes on
        error = f"{type(exc).__name__}: {exc}"
        data = Answer(question=item.question, answer="").to_json()
    latency = (time.perf_counter() - t0) * 1000.0
    record: dict[str, Any] = {
        "id": item.id,
        "question_type": item.question_type,
        "latency_ms": round(latency, 1),
    }
    record.update(data)
    record["question"] = item.question
    record["error"] = error
    return record


def run_questions(
    items: Sequence[QAItem], ask: Ask, workers: int = 1, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Ask every question; records come back in input order whatever the concurrency.

    The first question runs alone so that lazily built shared state (BM25 index, model) is built once,
    not raced by every worker.
    """
    records: list[dict[str, Any] | None] = [None] * len(items)
    done = 0

    def finish(i: int, record: dict[str, Any]) -> None:
        nonlocal done
        records[i] = record
        done += 1
        if progress:
            progress(done)

    if items:
        finish(0, ask_one(items[0], ask))
    if workers <= 1:
        for i in range(1, len(items)):
            finish(i, ask_one(items[i], ask))
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(ask_one, items[i], ask): i for i in range(1, len(items))}
            for future in as_completed(futures):
                finish(futures[future], future.result())
    return [r for r in records if r is not None]


def settings_record(settings: Settings) -> dict[str, Any]:
    """The settings an eval ran with, secrets masked, paths as strings (written to metrics.json)."""
    out: dict[str, Any] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is not None and "SecretStr" in type(value).__name__:
            value = "***"
        elif isinstance(value, Path):
            value = str(value)
        out[name] = value
    return out


def versions_record(records: Sequence[dict[str, Any]], qa_path: str) -> dict[str, Any]:
    """Versions of everything that shaped the figures: byline, answerer/prompt/model, libraries, question file."""
    import hashlib
    import subprocess
    from importlib import metadata

    def pkg(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    answer_versions: dict[str, str] = {}
    for r in records:
        for key, value in (r.get("version") or {}).items():
            answer_versions.setdefault(key, value)
    try:
        repo = Path(__file__).resolve().parents[2]
        commit = (
            subprocess.run(
                ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "byline": pkg("byline"),
        "git_commit": commit,
        "answer": answer_versions,
        "python": platform.python_version(),
        "chromadb": pkg("chromadb"),
        "sentence_transformers": pkg("sentence-transformers"),
        "qa_file": qa_path,
        "qa_sha256": hashlib.sha256(Path(qa_path).read_bytes()).hexdigest()[:16],
    }
