"""Metric functions: worked examples and Hypothesis properties; per-question scoring and aggregation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.evaluation import metrics as m
from assistant.evaluation.qa import Evidence, QAItem
from assistant.evaluation.scoring import aggregate, bootstrap_intervals, flatten, metrics_tree, score_question
from ingest.clean import normalize_text

ids = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=6)
texts = st.text(alphabet="abc xyz.,\n", min_size=1, max_size=40)


# --- retrieval ------------------------------------------------------------------------------------------
def test_fact_found_after_cleaner_normalisation_and_whitespace_folding() -> None:
    passage = "He said  the price was\n£5 ¿ really."  # how the cleaned body stores it
    assert m.fact_found("the price was £5 &#191; really.", [passage], normalize_text)
    assert not m.fact_found("the price was £6", [passage], normalize_text)


def test_reciprocal_rank_and_hit() -> None:
    assert m.reciprocal_rank({"b"}, ["a", "c", "b"]) == pytest.approx(1 / 3)
    assert m.reciprocal_rank({"z"}, ["a", "b"]) == 0.0
    assert m.article_hit({"b"}, ["a", "b"]) and not m.article_hit({"z"}, ["a", "b"])
    assert m.all_retrieved({"a", "b"}, ["b", "x", "a"]) and not m.all_retrieved({"a", "b"}, ["a"])


@given(facts=st.lists(texts, max_size=5), passages=st.lists(texts, max_size=5))
def test_recall_is_a_rate(facts: list[str], passages: list[str]) -> None:
    found = m.facts_found(facts, passages)
    assert 0 <= found <= len(facts)
    r = m.recall(found, len(facts))
    assert r is None if not facts else 0.0 <= r <= 1.0


@given(facts=st.lists(texts.filter(str.strip), min_size=1, max_size=5), noise=st.lists(texts, max_size=3))
def test_perfect_retrieval_finds_every_fact(facts: list[str], noise: list[str]) -> None:
    passages = noise + [" ".join(facts)] if len(facts) == 1 else noise + facts
    assert m.recall(m.facts_found(facts, passages), len(facts)) == 1.0


@given(gold=ids.filter(bool), retrieved=ids)
def test_mrr_bounds_and_first_rank(gold: list[str], retrieved: list[str]) -> None:
    rr = m.reciprocal_rank(gold, retrieved)
    assert 0.0 <= rr <= 1.0
    assert (rr > 0) == m.article_hit(gold, retrieved)
    assert m.reciprocal_rank(gold, [gold[0], *retrieved]) == 1.0


# --- answers --------------------------------------------------------------------------------------------
def test_key_terms_drop_stopwords_parentheticals_and_fold_numbers() -> None:
    assert m.key_terms("Over 9,500 people (officials said)") == ({"people"}, {"9500"})
    assert m.terms_present("over 9,500", "Russia said 9500 people left")
    assert not m.terms_present("over 9,500", "Russia said 4,500 people left")
    assert m.terms_present("France and Germany", "tabled by Germany and France.")
    assert not m.terms_present("France and Germany", "tabled by France.")


def test_answer_correct_rules() -> None:
    assert m.answer_correct("Yoshiaki Tsutsumi", "Yoshiaki Tsutsumi was arrested [1].", refused=False)
    assert not m.answer_correct("Yoshiaki Tsutsumi", "Yoshiaki Tsutsumi", refused=True)  # refusal = wrong
    assert m.answer_correct(None, "The articles do not contain the answer.", refused=True)
    assert not m.answer_correct(None, "It was 5.", refused=False)
    aliases = [["July 21 2017", "21 July 2017"]]
    assert m.answer_correct(aliases, "Released on 21 July, 2017 [1].", refused=False)  # any alias
    assert not m.answer_correct(aliases, "Released on July 1, 2007.", refused=False)
    assert not m.answer_correct([["Halep"], ["2019"]], "Halep won.", refused=False)  # every group


@given(gold=st.text(min_size=1, max_size=30))
def test_an_answer_repeating_the_gold_answer_is_correct(gold: str) -> None:
    assert m.answer_correct(gold, f"It was {gold}.", refused=False)


def test_refusal_scores() -> None:
    scores = m.refusal_scores([True, True, False, False], [True, False, True, False])
    assert scores == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert m.refusal_scores([False], [False])["precision"] is None


@given(values=st.lists(st.floats(0, 1e6), min_size=1, max_size=50))
def test_percentiles_are_ordered_and_within_range(values: list[float]) -> None:
    p50, p95 = m.percentile(values, 50), m.percentile(values, 95)
    assert p50 is not None and p95 is not None
    assert min(values) <= p50 <= p95 <= max(values)


def test_percentile_example() -> None:
    assert m.percentile([10, 20, 30, 40], 50) == 25
    assert m.percentile([], 50) is None


# --- scoring a question -----------------------------------------------------------------------------------
def _passage(article_id: str, text: str) -> dict:
    return {"article_id": article_id, "text": text, "start": 0, "end": len(text), "score": 1.0}


def _citation(article_id: str, verified: bool = True) -> dict:
    return {"article_id": article_id, "quote": "q", "verified": verified, "start": 0, "end": 1}


ITEM = QAItem(
    "q1",
    "Who?",
    "Yoshiaki Tsutsumi",
    "factoid",
    evidence=[Evidence("bbc-1", "Yoshiaki Tsutsumi was once ranked as the world's richest man.")],
    evidence_article_ids=["bbc-1"],
    alt_evidence_article_ids=["bbc-2"],
)
UNANSWERABLE = QAItem("q2", "When?", None, "unanswerable")


def test_score_question_and_metrics_tree() -> None:
    good = {
        "answer": "Yoshiaki Tsutsumi [1]",
        "refused": False,
        "latency_ms": 100.0,
        "passages": [
            _passage("x", "noise"),
            _passage("bbc-1", "Yoshiaki  Tsutsumi was once ranked as the world's richest man. More."),
        ],
        "citations": [_citation("bbc-1"), _citation("x", verified=False)],
    }
    refused = {
        "answer": "Not in the articles.",
        "refused": True,
        "latency_ms": 300.0,
        "passages": [],
        "citations": [],
    }
    s1, s2 = score_question(ITEM, good), score_question(UNANSWERABLE, refused)
    assert (s1["facts_found"], s1["article_hit"], s1["reciprocal_rank"], s1["correct"]) == (
        1,
        True,
        0.5,
        True,
    )
    assert s1["citations_gold"] == 1 and s2["correct"] is True
    tree = metrics_tree([s1, s2])
    assert tree["retrieval"]["evidence_recall_at_k"] == 1.0 and tree["retrieval"]["mrr"] == 0.5
    assert tree["citations"]["verified_rate"] == 0.5 and tree["citations"]["precision"] == 0.5
    assert tree["refusal"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert tree["latency_ms"]["p50"] == 200.0
    assert set(tree["by_question_type"]) == {"factoid", "unanswerable"}
    assert flatten(tree)["by_question_type.factoid.answer.correct"] == 1.0


def test_counterfactual_scores() -> None:
    item = QAItem(
        "r1",
        "Super Bowl 2021 location",
        "Tampa, Florida",
        "counterfactual",
        evidence_article_ids=["pos"],
        counterfactual_article_ids=["cf"],
        counterfactual_answer="Glendale, Arizona",
    )
    record = {
        "answer": "Sources disagree: Tampa, Florida [1] or Glendale, Arizona [2].",
        "refused": False,
        "passages": [_passage("pos", "Tampa"), _passage("cf", "Glendale")],
        "citations": [_citation("pos"), _citation("cf")],
    }
    cf = score_question(item, record)["counterfactual"]
    assert cf == {
        "retrieved": True,
        "cited": True,
        "cites_both": True,
        "states_false_answer": True,
        "flags_conflict": True,
    }
    quiet = score_question(item, {**record, "answer": "Tampa, Florida [1].", "citations": [_citation("pos")]})
    assert not quiet["counterfactual"]["cited"] and not quiet["counterfactual"]["flags_conflict"]
    quoted = {
        **record,
        "answer": "From “Two different views”: “The result is disputed.” [1]",
        "citations": [
            {**_citation("pos"), "quote": "The result is disputed.", "title": "Two different views"}
        ],
    }
    assert not score_question(item, quoted)["counterfactual"][
        "flags_conflict"
    ]  # the source's words, not Byline's


def test_both_articles_only_for_comparison_and_multi_hop() -> None:
    record = {"answer": "x", "refused": False, "passages": [_passage("a", "t")], "citations": []}
    comparison = QAItem("c", "?", "x", "comparison", evidence_article_ids=["a", "b"])
    redundant = QAItem("r", "?", "x", "counterfactual", evidence_article_ids=["a", "b"])
    assert score_question(comparison, record)["both_articles_retrieved"] is False
    assert score_question(redundant, record)["both_articles_retrieved"] is None


def retrieval_score(found: int, rank: float, answerable: bool = True, refused: bool = False) -> dict:
    """One question's scores as far as the pooled retrieval and refusal figures read them."""
    return {
        "answerable": answerable,
        "refused": refused,
        "facts": 1 if answerable else 0,
        "facts_found": found,
        "article_hit": rank > 0,
        "reciprocal_rank": rank,
        "both_articles_retrieved": None,
        "correct": True,
        "citations": 0,
        "citations_verified": 0,
        "citations_gold": None,
    }


def test_bootstrap_interval_brackets_the_pooled_figure_and_collapses_when_every_question_agrees() -> None:
    mixed = [retrieval_score(1, 1.0)] * 30 + [retrieval_score(0, 0.5)] * 10
    mixed += [retrieval_score(0, 0.0, answerable=False, refused=True)] * 8 + [
        retrieval_score(0, 0.0, answerable=False)
    ] * 2
    keys = ["retrieval.evidence_recall_at_k", "retrieval.mrr", "refusal.f1"]
    spans = bootstrap_intervals(mixed, keys, rounds=300)
    tree = aggregate(mixed)
    for key in keys:
        low, high = spans[key]
        point = flatten(tree)[key]
        assert low < point < high, (key, low, point, high)
    assert spans == bootstrap_intervals(mixed, keys, rounds=300)  # seeded: a re-run writes the same table
    assert (
        0.6
        < spans["retrieval.evidence_recall_at_k"][0]
        < 0.75
        < spans["retrieval.evidence_recall_at_k"][1]
        < 0.95
    )
    same = [retrieval_score(1, 1.0)] * 20
    assert bootstrap_intervals(same, keys, rounds=50) == {
        "retrieval.evidence_recall_at_k": (1.0, 1.0),
        "retrieval.mrr": (1.0, 1.0),
    }  # no unanswerable question: refusal F1 is undefined and left out
