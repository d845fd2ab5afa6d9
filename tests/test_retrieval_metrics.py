"""The retrieval benchmark's metrics: per-question scores, several retrievers on the same questions, paired gains."""

from __future__ import annotations

import pytest

from assistant.evaluation.scoring import bootstrap_intervals
from benchmarks.retrieval_metrics import METRICS, by_type, paired_summary, score_question, score_systems

FACT_A = "Acme's profits rose 20% in 2004."
FACT_B = "Widgets Ltd made a loss of £3m."
QUESTIONS = [
    {
        "question": "Which made more, Acme or Widgets Ltd?",
        "question_type": "comparison",
        "evidence": [{"article_id": "a", "fact": FACT_A}, {"article_id": "b", "fact": FACT_B}],
        "evidence_article_ids": ["a", "b"],
    },
    {
        "question": "How much did Acme's profits rise?",
        "question_type": "numeric",
        "evidence": [{"article_id": "a", "fact": FACT_A}],
        "evidence_article_ids": ["a"],
        "alt_evidence_article_ids": ["a2"],
    },
    {
        "question": "What did Acme pay its chief?",
        "question_type": "unanswerable",
        "answer": None,
        "evidence": [],
    },
]


def test_score_question_normalises_space_and_needs_every_evidence_article() -> None:
    hits = [("x", "noise"), ("a", f"Intro.  {FACT_A.replace(' ', chr(10), 1)} More.")]
    row = score_question(QUESTIONS[0], hits)
    assert row == {"facts": 2, "facts_found": 1, "hit": 0.0, "rr": 0.5}  # b missing: no article hit
    row = score_question(QUESTIONS[0], [("b", FACT_B), *hits])
    assert row == {"facts": 2, "facts_found": 2, "hit": 1.0, "rr": 1.0}


def test_one_article_question_counts_an_alternative_article_as_a_hit() -> None:
    assert score_question(QUESTIONS[1], [("z", "no"), ("a2", "Acme's profits rose by a fifth.")]) == {
        "facts": 1,
        "facts_found": 0,
        "hit": 1.0,
        "rr": 0.5,
    }


def perfect(question: str) -> list[tuple[str, str]]:
    return [("a", FACT_A), ("b", FACT_B)]


def half(question: str) -> list[tuple[str, str]]:
    return [("z", "nothing"), ("a", FACT_A)]


def test_score_systems_scores_every_system_on_the_answerable_questions_only() -> None:
    rows = score_systems({"base": half, "ours": perfect}, QUESTIONS)
    assert [r["question_type"] for r in rows] == ["comparison", "numeric"]
    assert rows[0]["base"] == {"facts": 2, "facts_found": 1, "hit": 0.0, "rr": 0.5}
    assert rows[0]["ours"] == {"facts": 2, "facts_found": 2, "hit": 1.0, "rr": 1.0}
    table = by_type(rows, "base")
    assert table["all"]["evidence_recall"] == pytest.approx(2 / 3)  # facts pooled: 1 of 2, then 1 of 1
    assert table["by_type"]["comparison"]["article_hit"] == 0.0
    assert table["by_type"]["numeric"]["mrr"] == 0.5


def test_paired_summary_gain_is_the_last_system_minus_each_baseline() -> None:
    rows = score_systems({"base": half, "ours": perfect}, QUESTIONS)
    summary = paired_summary(rows, ["base"])
    assert summary["ours"]["evidence_recall"] == 1.0
    for metric in METRICS:
        assert summary["gain"]["base"][metric] == pytest.approx(
            summary["ours"][metric] - summary["base"][metric]
        )
    assert summary["gain"]["base"]["mrr"] == pytest.approx(0.5)


def test_paired_bootstrap_resamples_the_systems_together() -> None:
    # base: rank 2 on the comparison, nothing on the numeric; ours: one rank better on each (gain 0.5 both).
    def base(question: str) -> list[tuple[str, str]]:
        return [("z", "no"), ("a", "no")] if "Widgets" in question else [("z", "no"), ("y", "no")]

    def ours(question: str) -> list[tuple[str, str]]:
        return [("a", "no")] if "Widgets" in question else [("z", "no"), ("a", "no")]

    rows = score_systems({"base": base, "ours": ours}, QUESTIONS) * 10
    spans = bootstrap_intervals(
        rows, ["base.mrr", "gain.base.mrr"], rounds=300, summarise=lambda rs: paired_summary(rs, ["base"])
    )
    low, high = spans["base.mrr"]
    assert low < 0.25 < high  # the baseline's own MRR varies with the sample ...
    assert spans["gain.base.mrr"] == pytest.approx((0.5, 0.5))  # ... the paired gain does not: 0.5 each
