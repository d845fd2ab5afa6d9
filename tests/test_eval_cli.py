"""`byline eval` end to end through the CLI on the bundled sample corpus and Q&A set (real model, real Chroma)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation.evaluate import evaluate
from assistant.evaluation.judge import Judge
from assistant.settings import get_settings
from tests.conftest import REPO, SAMPLE_DIR

QA = REPO / "data" / "sample" / "qa.jsonl"
runner = CliRunner()


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Path, Path]:
    """(output dir, scratch index dir) of one full `byline eval` run over the sample set."""
    base = tmp_path_factory.mktemp("eval")
    out, scratch = base / "run1", base / "scratch"
    result = runner.invoke(
        app,
        [
            "eval",
            "--qa",
            str(QA),
            "--articles",
            str(SAMPLE_DIR),
            "--out",
            str(out),
            "--scratch",
            str(scratch),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "added 24" in result.output  # the scratch index was built from the sample corpus
    return out, scratch


def test_eval_writes_every_output_with_sane_values(sample_run: tuple[Path, Path]) -> None:
    out, _ = sample_run
    records = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 19
    for r in records:
        assert {"id", "question", "latency_ms", "answer", "refused", "citations", "passages"} <= r.keys()
        assert r["error"] is None and r["latency_ms"] > 0
        assert 1 <= len(r["passages"]) <= 4
        assert all({"article_id", "start", "end", "text", "score"} <= p.keys() for p in r["passages"])
        assert all({"article_id", "quote", "start", "end", "verified"} <= c.keys() for c in r["citations"])
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for key in ("article_hit_at_k", "evidence_recall_at_k", "mrr"):
        assert 0.0 <= metrics["retrieval"][key] <= 1.0
    assert metrics["retrieval"]["evidence_recall_at_k"] > 0.5
    assert metrics["retrieval"]["article_hit_at_k"] > 0.7
    assert 0.0 <= metrics["answer"]["correct"] <= 1.0
    assert metrics["citations"]["verified_rate"] > 0.9  # extractive quotes are copied, so they verify
    assert {"precision", "recall", "f1"} <= metrics["refusal"].keys()
    assert metrics["latency_ms"]["p50"] <= metrics["latency_ms"]["p95"]
    assert {"numeric", "factoid", "unanswerable"} <= metrics["by_question_type"].keys()
    assert metrics["by_question_type"]["numeric"]["count"]["questions"] == 6
    assert metrics["answerer"] == "extractive" and metrics["k"] == 4
    assert metrics["versions"]["answer"]["embedding_model"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| retrieval.evidence_recall_at_k |" in report and "wn-q29" in report
    for png in ("metrics_by_type.png", "latency_hist.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_line_is_reported_by_number_rest_still_run_user_index_untouched(
    sample_run: tuple[Path, Path], tmp_path: Path
) -> None:
    _, scratch = sample_run
    lines = QA.read_text(encoding="utf-8").splitlines()
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join([lines[0], '{"id": "broken", "question": ', lines[8]]) + "\n", encoding="utf-8")
    user_home = tmp_path / "user-home"
    get_settings.cache_clear()
    try:
        result = runner.invoke(
            app,
            [
                "eval",
                "--qa",
                str(qa),
                "--articles",
                str(SAMPLE_DIR),
                "--out",
                str(tmp_path / "run2"),
                "--scratch",
                str(scratch),
                "--k",
                "2",
                "-q",
            ],
            env={"BYLINE_HOME": str(user_home)},
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert "qa.jsonl:2: not valid JSON" in result.output
    assert "unchanged 24" in result.output  # the kept scratch index was reused, not rebuilt
    assert not user_home.exists()  # the user's own index was never opened
    records = (tmp_path / "run2" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(records) == 2 and all(len(json.loads(r)["passages"]) <= 2 for r in records)
    metrics = json.loads((tmp_path / "run2" / "metrics.json").read_text(encoding="utf-8"))
    assert (
        metrics["k"] == 2
        and metrics["qa_errors"]
        and "broken" not in (tmp_path / "run2" / "results.jsonl").read_text()
    )

    compared = runner.invoke(app, ["eval", "compare", str(sample_run[0]), str(tmp_path / "run2")])
    assert compared.exit_code == 0, compared.output
    assert "retrieval.mrr" in compared.output and "count.questions" in compared.output
    k_row = next(line for line in compared.output.splitlines() if line.startswith("k "))
    assert "4" in k_row and "2" in k_row and "differs" in k_row


def test_without_articles_the_configured_index_is_used_and_judge_scores_are_labelled(
    sample_index, tmp_path: Path
) -> None:
    settings, _ = sample_index
    qa = tmp_path / "qa.csv"
    qa.write_text(
        "id,question,answer,question_type,evidence_article_ids\n"
        "c1,Which rebel group does spokesman Yasser al-Youssef belong to?,Nour el-Din el-Zinki,factoid,"
        "ap-aleppo-2016-12\n",
        encoding="utf-8",
    )
    replies = iter(
        ['{"claims": [{"claim": "c", "supported": true}]}', '{"TP": ["t"], "FP": ["f"], "FN": []}']
    )
    judge = Judge(lambda messages: next(replies), "scripted")
    run = evaluate(qa, settings, tmp_path / "out", judge=judge, log=lambda _: None)
    assert run.metrics["count"]["questions"] == 1
    assert run.metrics["retrieval"]["article_hit_at_k"] == 1.0
    assert run.metrics["settings"]["home"] == str(settings.home)
    judged = run.metrics["judged"]
    assert judged["model"] == "scripted" and judged["faithfulness"] == 1.0
    assert judged["answer_correctness"] == pytest.approx(1 / 1.5)
    assert "LLM-judged" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    record = json.loads((tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8"))
    assert record["judged"] == {"faithfulness": 1.0, "correctness": pytest.approx(1 / 1.5)}


def test_help_and_missing_qa() -> None:
    help_text = runner.invoke(app, ["eval", "--help"]).output
    assert "--qa" in help_text and "--articles" in help_text and "compare" in help_text
    result = runner.invoke(app, ["eval"])
    assert result.exit_code == 2 and "--qa" in result.output
    missing = runner.invoke(app, ["eval", "compare", "/nonexistent-a", "/nonexistent-b"])
    assert missing.exit_code != 0


def test_unusable_articles_or_an_empty_index_fail_once_with_a_hint(
    make_settings, tmp_path: Path, embedder
) -> None:
    from assistant.errors import BylineError, EmptyIndexError

    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(BylineError) as err:
        evaluate(
            QA, make_settings(), tmp_path / "out", articles=[str(bad)], embedder=embedder, log=lambda _: None
        )
    assert "--articles" in err.value.user_message()
    with pytest.raises(EmptyIndexError):
        evaluate(QA, make_settings(), tmp_path / "out2", embedder=embedder, log=lambda _: None)
