"""Retrieval and refusal metrics for benchmarks/retrieval.py (pure functions over gold QA records)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Hit = tuple[str, str]  # (article_id, passage text)


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


def relevant_articles(q: dict[str, Any]) -> set[str]:
    """Articles that state the answer: the evidence articles plus the listed alternatives."""
    return set(q.get("evidence_article_ids") or []) | set(q.get("alt_evidence_article_ids") or [])


def score_question(q: dict[str, Any], hits: Sequence[Hit]) -> dict[str, float]:
    """Evidence recall, article hit and reciprocal rank of one answerable question's ranked hits.

    - evidence recall: share of the gold ``fact`` strings contained (whitespace-normalised) in some hit.
    - article hit: every evidence article (or, for a one-article question, an alternative) is among the hits.
    - reciprocal rank: 1 / rank of the first hit from a relevant article (0 if none).
    """
    texts = [(aid, _norm(t)) for aid, t in hits]
    facts = [_norm(e["fact"]) for e in q["evidence"]]
    found = [any(f in t for _, t in texts) for f in facts]
    got = {aid for aid, _ in hits}
    evidence_ids = list(dict.fromkeys(e.get("article_id") for e in q["evidence"] if e.get("article_id")))
    if len(evidence_ids) <= 1:
        hit = bool(got & relevant_articles(q))
    else:
        hit = all(a in got for a in evidence_ids)
    rel = relevant_articles(q)
    rr = next((1.0 / r for r, (aid, _) in enumerate(hits, start=1) if aid in rel), 0.0)
    return {"facts": len(facts), "facts_found": sum(found), "hit": float(hit), "rr": rr}


def summarise(per_question: Sequence[dict[str, float]]) -> dict[str, float]:
    """Evidence recall (over all facts), article hit rate and MRR over questions."""
    n = len(per_question) or 1
    facts = sum(p["facts"] for p in per_question) or 1
    return {
        "evidence_recall": sum(p["facts_found"] for p in per_question) / facts,
        "article_hit": sum(p["hit"] for p in per_question) / n,
        "mrr": sum(p["rr"] for p in per_question) / n,
        "questions": float(len(per_question)),
    }


def evaluate(retrieve: Callable[[str], Sequence[Hit]], questions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Run ``retrieve`` on every answerable question; metrics overall and per question type."""
    rows = []
    for q in questions:
        if not q.get("evidence"):
            continue
        rows.append((q["question_type"], score_question(q, retrieve(q["question"]))))
    by_type: dict[str, list[dict[str, float]]] = {}
    for qtype, row in rows:
        by_type.setdefault(qtype, []).append(row)
    return {
        "all": summarise([r for _, r in rows]),
        "by_type": {t: summarise(rs) for t, rs in sorted(by_type.items())},
    }


def refusal_f1(refused: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of refusing, with 'unanswerable' as the positive class."""
    tp = sum(r and u for r, u in zip(refused, unanswerable, strict=True))
    fp = sum(r and not u for r, u in zip(refused, unanswerable, strict=True))
    fn = sum(u and not r for r, u in zip(refused, unanswerable, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (nearest-rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    idx = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[idx]
