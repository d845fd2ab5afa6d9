"""Write an eval run's outputs: results.jsonl, metrics.json, report.md and two PNG plots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = "results.jsonl"
METRICS = "metrics.json"
REPORT = "report.md"
PLOT_BY_TYPE = "metrics_by_type.png"
PLOT_LATENCY = "latency_hist.png"

# (label, dotted key) of the columns in the per-question-type table and plot.
TYPE_COLUMNS = [
    ("hit@k", "retrieval.article_hit_at_k"),
    ("evidence recall@k", "retrieval.evidence_recall_at_k"),
    ("MRR", "retrieval.mrr"),
    ("correct", "answer.correct"),
    ("citations verified", "citations.verified_rate"),
    ("citation precision", "citations.precision"),
    ("refusal recall", "refusal.recall"),
    ("p50 ms", "latency_ms.p50"),
]
REPORT_SETTINGS = (
    "chunk_tokens",
    "chunk_overlap_tokens",
    "candidates",
    "max_chunks_per_article",
    "fusion",
    "dense_weight",
    "rrf_k",
    "refusal_threshold",
    "llm_model",
    "articles",
)
OVERVIEW = [
    ("retrieval.article_hit_at_k", "any top-k passage from a gold article (answerable)"),
    ("retrieval.evidence_recall_at_k", "gold facts found in the top-k passages / all gold facts"),
    ("retrieval.mrr", "1/rank of the first evidence-article passage"),
    ("retrieval.both_articles_retrieved", "every evidence article retrieved (comparison, multi-hop)"),
    ("answer.correct", "key terms of the gold answer present; unanswerable: refused"),
    ("answer.correct_answerable", "the same, answerable questions only"),
    ("citations.per_answer", "citations per answer"),
    ("citations.verified_rate", "citations whose quote was found verbatim in the source"),
    ("citations.precision", "citations from a gold evidence article (answerable)"),
    ("refusal.precision", "refusals that were right (gold answer null)"),
    ("refusal.recall", "unanswerable questions refused"),
    ("refusal.f1", ""),
    ("latency_ms.p50", ""),
    ("latency_ms.p95", ""),
]


def get(tree: dict[str, Any], dotted: str) -> Any:
    """tree['a']['b'] for 'a.b'; None when any part is missing."""
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def fmt(value: Any) -> str:
    """A table cell: rates as 0.00, milliseconds as integers, missing as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


def md_text(text: str) -> str:
    """Text from articles or question files made inert in markdown: no HTML, links, emphasis or table breaks."""
    text = " ".join(str(text).split())
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def _clip(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _gold(answer: Any) -> str:
    if answer is None:
        return "(unanswerable)"
    if isinstance(answer, str):
        return answer
    return " + ".join("/".join(group) for group in answer)


def write_results(out: Path, records: Sequence[dict[str, Any]]) -> None:
    with (out / RESULTS).open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_metrics(out: Path, metrics: dict[str, Any]) -> None:
    (out / METRICS).write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def markdown_tables(metrics: dict[str, Any]) -> str:
    """The overview, per-type and (if present) counterfactual and judged tables as markdown."""
    lines = ["| metric | value | meaning |", "|---|---:|---|"]
    lines += [f"| {key} | {fmt(get(metrics, key))} | {meaning} |" for key, meaning in OVERVIEW]
    lines += ["", "| question type | n | " + " | ".join(label for label, _ in TYPE_COLUMNS) + " |"]
    lines.append("|---|---:|" + "---:|" * len(TYPE_COLUMNS))
    for qtype, tree in (metrics.get("by_question_type") or {}).items():
        cells = [fmt(get(tree, key)) for _, key in TYPE_COLUMNS]
        lines.append(f"| {qtype} | {tree['count']['questions']} | " + " | ".join(cells) + " |")
    if cf := metrics.get("counterfactual"):
        lines += ["", "Counterfactual passages (share of questions):", "", "| | rate |", "|---|---:|"]
        lines += [f"| {key.replace('_', ' ')} | {fmt(value)} |" for key, value in cf.items()]
    if judged := metrics.get("judged"):
        lines += [
            "",
            f"**LLM-judged** (model `{judged.get('model')}`; a judge's opinion, not a checked fact):",
            "",
        ]
        lines += ["| judged metric | value |", "|---|---:|"]
        lines += [f"| {k} | {fmt(v)} |" for k, v in judged.items() if k not in ("model", "prompt_version")]
    return "\n".join(lines)


def write_report(
    out: Path,
    metrics: dict[str, Any],
    records: Sequence[dict[str, Any]],
    scores: Sequence[dict[str, Any]],
    qa_errors: Sequence[str] = (),
    items: Sequence[Any] | None = None,
) -> None:
    """report.md: what ran, the metric tables, the plots, every question's outcome, and skipped lines."""
    count = metrics["count"]
    s, v = metrics.get("settings", {}), metrics.get("versions", {})
    parts = [
        "# Byline evaluation report",
        "",
        f"Questions: {count['questions']} ({count['answerable']} answerable, {count['unanswerable']} unanswerable, "
        f"{count['errors']} errors) from `{v.get('qa_file')}`. Answerer: `{metrics.get('answerer')}`, "
        f"k = {metrics.get('k')}, embedding model `{v.get('answer', {}).get('embedding_model', '?')}`, "
        f"commit `{v.get('git_commit')}`.",
        "",
        "Settings: " + ", ".join(f"{key} `{s.get(key)}`" for key in REPORT_SETTINGS if key in s) + ".",
        "",
        markdown_tables(metrics),
        "",
        f"![metrics by question type]({PLOT_BY_TYPE})",
        "",
        f"![latency histogram]({PLOT_LATENCY})",
        "",
        "## Questions",
        "",
        "| id | type | correct | refused | hit@k | facts found | citations (verified) | ms |",
        "|---|---|---|---|---|---|---|---:|",
    ]
    for r, sc in zip(records, scores, strict=True):
        parts.append(
            f"| {md_text(r['id'])} | {md_text(sc['question_type'])} | {fmt(sc['correct'])} | {fmt(sc['refused'])} | "
            f"{fmt(sc['article_hit'])} | {sc['facts_found']}/{sc['facts']} | "
            f"{sc['citations']} ({sc['citations_verified']}) | {fmt(sc['latency_ms'])} |"
        )
    if items is not None:
        misses = [
            f"- **{md_text(r['id'])}** ({md_text(sc['question_type'])}): gold {md_text(_gold(item.answer))} — "
            f"{'refused' if sc['refused'] else 'answered'}: {md_text(_clip(r.get('answer') or ''))}"
            for item, r, sc in zip(items, records, scores, strict=True)
            if not sc["correct"]
        ]
        if misses:
            parts += ["", "## Answers scored wrong", "", *misses]
    errors = [f"- {md_text(r['id'])}: {md_text(r['error'])}" for r in records if r.get("error")]
    if errors:
        parts += ["", "## Questions that failed", "", *errors]
    if qa_errors:
        parts += ["", "## Lines skipped in the question file", "", *[f"- {md_text(e)}" for e in qa_errors]]
    (out / REPORT).write_text("\n".join(parts) + "\n", encoding="utf-8")


def write_plots(out: Path, metrics: dict[str, Any], records: Sequence[dict[str, Any]]) -> None:
    """metrics_by_type.png (grouped bars of the rate metrics) and latency_hist.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_type = metrics.get("by_question_type") or {}
    rates = [(label, key) for label, key in TYPE_COLUMNS if not key.startswith("latency")]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(by_type) + 2), 4.6))
    width = 0.8 / len(rates)
    for j, (label, key) in enumerate(rates):
        values = [get(tree, key) for tree in by_type.values()]
        xs = [i + j * width for i in range(len(by_type))]
        ax.bar(xs, [v if v is not None else 0.0 for v in values], width, label=label)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(by_type))], list(by_type), rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("rate")
    ax.set_title("Metrics by question type")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    fig.tight_layout()
    fig.savefig(out / PLOT_BY_TYPE, dpi=100)
    plt.close(fig)

    latencies = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    fig, ax = plt.subplots(figsize=(6.0, 3.5))
    ax.hist(latencies, bins=min(30, max(5, len(latencies) // 2)))
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    p50, p95 = get(metrics, "latency_ms.p50"), get(metrics, "latency_ms.p95")
    ax.set_title(f"Latency (p50 {fmt(p50)} ms, p95 {fmt(p95)} ms)")
    fig.tight_layout()
    fig.savefig(out / PLOT_LATENCY, dpi=100)
    plt.close(fig)
