"""Score one answered question against its gold data, and aggregate scores into the metrics.json tree."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from assistant.conflicts import says_disagree
from assistant.evaluation import metrics as m
from assistant.evaluation.qa import QAItem

# Question types whose evidence articles are all needed (RGB lists several redundant positives instead).
MULTI_ARTICLE_TYPES = ("comparison", "multi_hop")


def score_question(
    item: QAItem, result: dict[str, Any], normalize: m.Normalizer | None = None
) -> dict[str, Any]:
    """Per-question scores from a results.jsonl record (the ``byline ask --json`` shape plus latency)."""
    passages = result.get("passages") or []
    citations = result.get("citations") or []
    retrieved = [p["article_id"] for p in passages]
    texts = [p["text"] for p in passages]
    refused = bool(result.get("refused"))
    answer_text = result.get("answer") or ""
    gold_ids = item.gold_article_ids
    facts = [e.fact for e in item.evidence] if item.answerable else []
    cited = [c["article_id"] for c in citations]
    score: dict[str, Any] = {
        "question_type": item.question_type,
        "answerable": item.answerable,
        "refused": refused,
        "error": result.get("error"),
        "latency_ms": result.get("latency_ms"),
        "facts": len(facts),
        "facts_found": m.facts_found(facts, texts, normalize),
        "article_hit": m.article_hit(gold_ids, retrieved) if item.answerable and gold_ids else None,
        "reciprocal_rank": (
            m.reciprocal_rank(item.evidence_article_ids or gold_ids, retrieved)
            if item.answerable and gold_ids
            else None
        ),
        "both_articles_retrieved": (
            m.all_retrieved(item.evidence_article_ids, retrieved)
            if item.question_type in MULTI_ARTICLE_TYPES and len(set(item.evidence_article_ids)) >= 2
            else None
        ),
        "correct": m.answer_correct(item.answer, answer_text, refused) if not result.get("error") else False,
        "citations": len(citations),
        "citations_verified": sum(1 for c in citations if c.get("verified")),
        "citations_gold": sum(1 for a in cited if a in gold_ids) if item.answerable and gold_ids else None,
    }
    if item.counterfactual_article_ids:
        cf = set(item.counterfactual_article_ids)
        cites_cf = any(a in cf for a in cited)
        score["counterfactual"] = {
            "retrieved": any(a in cf for a in retrieved),
            "cited": cites_cf,
            "cites_both": cites_cf and any(a in gold_ids for a in cited),
            "states_false_answer": bool(item.counterfactual_answer)
            and not refused
            and m.terms_present(item.counterfactual_answer or "", answer_text),
            "flags_conflict": says_disagree(
                " ".join([_without_quotes(answer_text, citations), *(result.get("warnings") or [])])
            ),
        }
    return score


def _without_quotes(text: str, citations: list[dict[str, Any]]) -> str:
    # A quoted source (or its title, in an answer's "From <title>" header) may itself say "disputed";
    # only Byline's own words count as flagging a conflict.
    for c in citations:
        for part in (c.get("quote"), c.get("title")):
            if part:
                text = text.replace(part, " ")
    return text


def aggregate(scores: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The metric tree for a group of questions (see docs/evaluation.md for every rule)."""
    answerable = [s for s in scores if s["answerable"]]
    latencies = [s["latency_ms"] for s in scores if s.get("latency_ms") is not None]
    n_cit = sum(s["citations"] for s in scores)
    gold_cit = [s for s in answerable if s["citations_gold"] is not None]
    out: dict[str, Any] = {
        "count": {
            "questions": len(scores),
            "answerable": len(answerable),
            "unanswerable": len(scores) - len(answerable),
            "errors": sum(1 for s in scores if s.get("error")),
        },
        "retrieval": {
            "article_hit_at_k": m.mean(s["article_hit"] for s in answerable),
            "evidence_recall_at_k": m.recall(
                sum(s["facts_found"] for s in answerable), sum(s["facts"] for s in answerable)
            ),
            "mrr": m.mean(s["reciprocal_rank"] for s in answerable),
            "both_articles_retrieved": m.mean(s["both_articles_retrieved"] for s in answerable),
        },
        "answer": {
            "correct": m.mean(s["correct"] for s in scores),
            "correct_answerable": m.mean(s["correct"] for s in answerable),
        },
        "citations": {
            "per_answer": m.share(n_cit, len(scores)),
            "verified_rate": m.share(sum(s["citations_verified"] for s in scores), n_cit),
            "precision": m.share(
                sum(s["citations_gold"] for s in gold_cit), sum(s["citations"] for s in gold_cit)
            ),
        },
        "refusal": m.refusal_scores([not s["answerable"] for s in scores], [s["refused"] for s in scores]),
        "latency_ms": {"p50": m.percentile(latencies, 50), "p95": m.percentile(latencies, 95)},
    }
    cf = [s["counterfactual"] for s in scores if "counterfactual" in s]
    if cf:
        out["counterfactual"] = {key: m.mean(c[key] for c in cf) for key in cf[0]}
    return out


def metrics_tree(scores: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Overall metrics plus the same broken down by question_type."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in scores:
        groups[s["question_type"]].append(s)
    tree = aggregate(scores)
    tree["by_question_type"] = {qtype: aggregate(group) for qtype, group in sorted(groups.items())}
    return tree


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'a': {'b': 1}} -> {'a.b': 1}; lists and scalars are leaves."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def bootstrap_intervals(
    scores: Sequence[dict[str, Any]],
    keys: Sequence[str],
    rounds: int = 2000,
    seed: int = 0,
    summarise: Callable[[Sequence[dict[str, Any]]], dict[str, Any]] = aggregate,
) -> dict[str, tuple[float, float]]:
    """95% percentile-bootstrap interval of each dotted metric in ``keys`` ("retrieval.mrr") over ``scores``.

    Questions are resampled with replacement ``rounds`` times and ``summarise`` (``aggregate`` by default) is
    recomputed each time, so pooled rates (evidence recall, refusal F1) get the interval of the same formula
    the point estimate uses. A metric undefined in every resample (no unanswerable question, say) is left out.
    """
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {key: [] for key in keys}
    for _ in range(rounds if scores else 0):
        flat = flatten(summarise(rng.choices(scores, k=len(scores))))
        for key in keys:
            if flat.get(key) is not None:
                samples[key].append(float(flat[key]))
    out = {}
    for key, values in samples.items():
        if values:
            values.sort()
            out[key] = (values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))])
    return out
