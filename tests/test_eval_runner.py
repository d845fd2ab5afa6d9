"""The question runner: input order kept under concurrency, one failing question recorded, not fatal."""

from __future__ import annotations

import threading
import time

from assistant.evaluation.qa import QAItem
from assistant.evaluation.runner import default_workers, run_questions, scratch_settings, settings_record
from assistant.settings import Settings
from assistant.types import Answer


def test_records_keep_input_order_and_errors_are_recorded() -> None:
    items = [QAItem(f"q{i}", f"question {i}", "x") for i in range(8)]
    active, peak = 0, 0
    lock = threading.Lock()

    def ask(question: str) -> Answer:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02 * (8 - int(question.split()[-1]) % 8))  # later questions finish first
        with lock:
            active -= 1
        if question.endswith("3"):
            raise RuntimeError("LLM went away")
        return Answer(question=question, answer=f"answer to {question}")

    done: list[int] = []
    records = run_questions(items, ask, workers=3, progress=done.append)
    assert [r["id"] for r in records] == [i.id for i in items]
    assert records[5]["answer"] == "answer to question 5" and records[5]["error"] is None
    assert records[3]["error"] == "RuntimeError: LLM went away" and records[3]["answer"] == ""
    assert done == list(range(1, 9)) and peak > 1


def test_default_workers_and_scratch_settings(tmp_path) -> None:
    class Extractive:
        name = "extractive"

    class Declared:
        name = "llm"
        max_concurrency = 4

    assert default_workers(Extractive()) == 1 and default_workers(Declared()) == 4
    user = Settings(home=tmp_path / "user", chroma_url="http://127.0.0.1:1", collection="mine")
    scratch = scratch_settings(user, tmp_path / "scratch")
    assert (
        scratch.chroma_url is None and scratch.collection != "mine" and scratch.home == tmp_path / "scratch"
    )
    record = settings_record(Settings(llm_api_key="sk-secret"))
    assert record["llm_api_key"] == "***" and "sk-secret" not in str(record)
