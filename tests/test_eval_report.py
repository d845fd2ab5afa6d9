"""Report, plots, compare and the LLM judge on constructed results (judge also against the real local LLM)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation import report
from assistant.evaluation.compare import EvalDirError, compare_dirs, compare_rows
from assistant.evaluation.judge import Judge, correctness_score, faithfulness_score, parse_json_reply
from assistant.evaluation.qa import QAItem
from assistant.evaluation.scoring import metrics_tree, score_question

ITEMS = [
    QAItem("q1", "Who won?", "Ann", "factoid", evidence_article_ids=["a1"]),
    QAItem("q2", "When?", None, "unanswerable"),
]


def _record(qid: str, answer: str, refused: bool, latency: float) -> dict:
    passage = {"article_id": "a1", "text": "Ann won the race.", "start": 0, "end": 17, "score": 0.9}
    cites = [] if refused else [{"article_id": "a1", "quote": "Ann won the race.", "verified": True}]
    return {
        "id": qid,
        "question": "?",
        "latency_ms": latency,
        "answer": answer,
        "refused": refused,
        "passages": [passage],
        "citations": cites,
        "error": None,
    }


def _run(out: Path, refuse_q2: bool) -> dict:
    out.mkdir()
    records = [
        _record("q1", "Ann won [1].", False, 120.0),
        _record("q2", "Not in the articles.", refuse_q2, 80.0),
    ]
    scores = [score_question(i, r) for i, r in zip(ITEMS, records, strict=True)]
    for r, sc in zip(records, scores, strict=True):
        r["scores"] = sc
    metrics = metrics_tree(scores) | {
        "answerer": "extractive",
        "k": 4,
        "settings": {"top_k": 4},
        "versions": {},
    }
    report.write_results(out, records)
    report.write_metrics(out, metrics)
    report.write_plots(out, metrics, records)
    report.write_report(out, metrics, records, scores, ["qa.jsonl:3: not valid JSON"], ITEMS)
    return metrics


def test_report_tables_plots_and_compare(tmp_path: Path) -> None:
    good = _run(tmp_path / "good", refuse_q2=True)
    bad = _run(tmp_path / "bad", refuse_q2=False)
    assert good["refusal"]["f1"] == 1.0 and bad["refusal"]["recall"] == 0.0
    text = (tmp_path / "good" / "report.md").read_text(encoding="utf-8")
    assert "| refusal.f1 | 1.00 |" in text and "| unanswerable | 1 |" in text
    assert "qa.jsonl:3: not valid JSON" in text  # skipped lines are listed
    assert "## Answers scored wrong" not in text
    bad_text = (tmp_path / "bad" / "report.md").read_text(encoding="utf-8")
    assert "**q2** (unanswerable): gold (unanswerable) — answered: Not in the articles." in bad_text
    assert (tmp_path / "good" / "latency_hist.png").stat().st_size > 1000
    assert len((tmp_path / "good" / "results.jsonl").read_text().splitlines()) == 2

    rows = {r[0]: r for r in compare_rows(good, bad)}
    assert rows["refusal.recall"][1:] == ("1.00", "0.00", "-1.00")
    assert rows["retrieval.mrr"][3] == "0"
    printed = compare_dirs(tmp_path / "good", tmp_path / "bad")
    assert "A: good" in printed and "B: bad" in printed and "by_question_type.unanswerable" in printed
    assert "q2: correct (refused) -> wrong" in printed and "q1:" not in printed


def test_article_text_is_inert_in_the_report() -> None:
    text = report.md_text("<script>alert(1)</script> | [click](http://x) *bold*\nnext")
    assert "<script>" not in text and "\\|" in text and "\\[click\\]" in text and "\n" not in text


def test_compare_names_the_fix_for_a_folder_without_metrics(tmp_path: Path) -> None:
    with pytest.raises(EvalDirError) as err:
        compare_dirs(tmp_path, tmp_path)
    assert "byline eval --out" in err.value.user_message()


def test_judge_reply_parsing_and_scores() -> None:
    reply = parse_json_reply(
        'Sure!\n```json\n{"claims": [{"claim": "x", "supported": true}, '
        '{"claim": "y", "supported": false}]}\n```'
    )
    assert faithfulness_score(reply) == 0.5
    assert correctness_score({"TP": ["a"], "FP": ["b"], "FN": []}) == pytest.approx(1 / 1.5)
    assert parse_json_reply("no json here") is None and faithfulness_score(None) is None
    assert correctness_score({"TP": "not a list"}) is None


def test_judge_with_a_scripted_model_labels_and_skips_refusals() -> None:
    replies = iter(
        ['{"claims": [{"claim": "Ann won.", "supported": true}]}', '{"TP": ["Ann won."], "FP": [], "FN": []}']
    )
    seen: list[list[tuple[str, str]]] = []

    def complete(messages: list[tuple[str, str]]) -> str:
        seen.append(messages)
        return next(replies)

    judge = Judge(complete, "scripted")
    scored = judge.judge(ITEMS[0], _record("q1", "Ann won [1].", False, 1.0))
    refused = judge.judge(ITEMS[1], _record("q2", "Not in the articles.", True, 1.0))
    assert scored == {"faithfulness": 1.0, "correctness": 1.0}
    assert refused == {"faithfulness": None, "correctness": None} and len(seen) == 2
    assert "Ann won the race." in seen[0][-1][1]  # the retrieved passage was shown to the judge
    summary = judge.summary([scored, refused])
    assert summary["model"] == "scripted" and summary["faithfulness_n"] == 1
    assert "judge_faithfulness@" in summary["prompt_version"]


@pytest.mark.llm
def test_judge_against_the_real_local_llm(llm_url: str) -> None:
    from assistant.settings import Settings

    # A short cap keeps the tiny model from rambling: the verdict JSON fits well within 160 tokens.
    judge = Judge.from_settings(Settings(llm_base_url=llm_url, llm_timeout_s=120, llm_max_tokens=160))
    record = _record("q1", "Ann won the race [1].", False, 1.0)
    scores = judge.judge(ITEMS[0], record)
    judged = [v for v in scores.values() if v is not None]
    assert judged, f"the judge returned no usable verdict: {scores}"
    assert all(0.0 <= v <= 1.0 for v in judged)
    assert json.dumps(judge.summary([scores]))  # metrics.json-ready
