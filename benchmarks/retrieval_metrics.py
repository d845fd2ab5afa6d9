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


def by_type(rows: Sequence[dict[str, Any]], name: str) -> dict[str, Any]:
    """System ``name``'s metrics over ``rows`` (``score_systems``): overall and per question type."""
    groups: dict[str, list[dict[str, float]]] = {}
    for row in rows:
        groups.setdefault(row["question_type"], []).append(row[name])
    return {
        "all": summarise([row[name] for row in rows]),
        "by_type": {t: summarise(group) for t, group in sorted(groups.items())},
    }


def score_systems(
    systems: dict[str, Callable[[str], Sequence[Hit]]], questions: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per answerable question: its type and, under each system's name, that system's scores.

    Every system answers the same questions, so the rows can be resampled together for paired intervals.
    """
    return [
        {"question_type": q["question_type"]}
        | {name: score_question(q, retrieve(q["question"])) for name, retrieve in systems.items()}
        for q in questions
        if q.get("evidence")
    ]


def paired_summary(rows: Sequence[dict[str, Any]], baselines: Sequence[str] = ()) -> dict[str, Any]:
    """Each system's metrics over ``rows`` (``score_systems``), and ``gain``: the last system minus each baseline.

    ``{"bm25": {"evidence_recall": ...}, ..., "gain": {"bm25": {"evidence_recall": ...}}}``: the gains are
    computed on the same questions, so a bootstrap over ``rows`` gives the interval of the difference itself.
    """
    names = [k for k in (rows[0] if rows else {}) if k != "question_type"]
    out: dict[str, Any] = {name: summarise([r[name] for r in rows]) for name in names}
    if names:
        last = out[names[-1]]
        out["gain"] = {b: {m: last[m] - out[b][m] for m in METRICS} for b in baselines}
    return out


METRICS = ("evidence_recall", "article_hit", "mrr")


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
