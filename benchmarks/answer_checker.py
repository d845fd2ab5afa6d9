"""Does a learned answer checker refuse better than the rules alone, on questions it was not trained on?

    .venv/bin/python -m benchmarks.answer_checker --train qa-dev.jsonl --train qa-a.jsonl ... \
        --held-out qa-g.jsonl --held-out qa-h.jsonl ... [--data ../shared/data] [--retrain] [--no-write]

Trains a checker (``assistant/checker_training.py``) on the --train BBC question files over the BBC scratch
index of ``benchmarks.eval_sets`` (built here if missing), then runs every --held-out file through
``byline eval`` twice in this one run: the extractive answerer without the checker (the baseline) and with it.
Pooled figures get a 95% bootstrap interval. Writes the "answer-checker" section of BENCHMARKS.md. The
trained checker stays in benchmarks/out/checker/ (reused unless --retrain or the training files change): it
is made from BBC text, which may be used for evaluation only, so it is never committed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from assistant import offline  # noqa: F401
from assistant.answer_check import META
from assistant.evaluation.evaluate import evaluate
from assistant.evaluation.report import fmt, get
from assistant.evaluation.runner import build_scratch_index, scratch_settings
from assistant.evaluation.scoring import aggregate, bootstrap_intervals
from assistant.settings import REPO_ROOT, Settings
from benchmarks.report import with_interval, write_section

OUT = REPO_ROOT / "benchmarks" / "out"
INDEX = OUT / "eval-index" / "bbc-news"  # shared with benchmarks.eval_sets
CHECKER = OUT / "checker" / "bbc-seen"
KEYS = ["refusal.f1", "answer.correct_answerable"]
TRADE_OFF = [
    0.05,
    0.1,
    0.2,
]  # fixed thresholds reported to show the trade-off (none is chosen on the held-out sets)


def bbc_settings(data: Path) -> Settings:
    """Settings for the BBC scratch index, built first if this machine has none yet."""
    settings = scratch_settings(Settings(), INDEX)
    if not (INDEX / "chroma").exists():
        print(f"building the BBC index in {INDEX}", flush=True)
        build_scratch_index([str(data / "bbc-news" / "articles.jsonl")], settings)
    return settings


def trained_checker(settings: Settings, train: list[Path], epochs: int, retrain: bool) -> tuple[Path, float]:
    """The checker for ``train`` (reused when its metadata names the same files and epochs); seconds training."""
    names = [p.name for p in train]
    meta = json.loads((CHECKER / META).read_text(encoding="utf-8")) if (CHECKER / META).exists() else {}
    if not retrain and (meta.get("trained_on"), meta.get("epochs")) == (names, epochs):
        return CHECKER, 0.0
    from assistant.chain import Assistant
    from assistant.checker_training import collect_pairs, sentence_candidates, train_checker
    from assistant.evaluation.qa import load_qa

    items = [item for path in train for item in load_qa(path).items]
    assistant = Assistant.from_settings(settings)
    pairs = collect_pairs(items, sentence_candidates(assistant), sentences=settings.checker_sentences)
    print(f"training on {len(pairs)} pairs from {len(items)} questions", flush=True)
    t0 = time.perf_counter()
    train_checker(
        pairs, CHECKER, settings.resolved_embedding_model(), epochs=epochs, trained_on=names, progress=True
    )
    return CHECKER, time.perf_counter() - t0


def run(settings: Settings, held_out: list[Path], label: str) -> list[dict[str, Any]]:
    """Every held-out file through `byline eval` with ``settings``; the pooled per-question scores."""
    scores: list[dict[str, Any]] = []
    for path in held_out:
        print(f"== {label}: {path.name}", flush=True)
        result = evaluate(
            path,
            settings,
            OUT / "eval" / f"checker-{label}-{path.stem}",
            answerer="extractive",
            log=lambda _: None,
        )
        scores += result.scores
    return scores


def row(label: str, scores: list[dict[str, Any]]) -> str:
    tree = aggregate(scores)
    spans = bootstrap_intervals(scores, KEYS)
    ref = tree["refusal"]
    f1, correct = (with_interval(get(tree, key), spans.get(key)) for key in KEYS)
    return (
        f"| {label} | {fmt(ref['precision'])} / {fmt(ref['recall'])} | {f1} | {correct} | "
        f"{fmt(tree['citations']['verified_rate'])} | "
        f"{fmt(tree['latency_ms']['p50'])} / {fmt(tree['latency_ms']['p95'])} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, action="append", required=True, metavar="QA.jsonl",
                        help="BBC question files to train on (repeatable)")  # fmt: skip
    parser.add_argument("--held-out", type=Path, action="append", required=True, metavar="QA.jsonl",
                        help="BBC question files to measure on, never trained on (repeatable)")  # fmt: skip
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--retrain", action="store_true", help="train even if a checker for --train exists")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args(argv)
    overlap = {p.resolve() for p in args.train} & {p.resolve() for p in args.held_out}
    if overlap:
        parser.error(f"trained on and held out at once: {', '.join(sorted(p.name for p in overlap))}")
    for path in [*args.train, *args.held_out]:
        if not path.is_file():
            parser.error(f"{path}: no such file")
    settings = bbc_settings(args.data)
    checker, train_s = trained_checker(settings, args.train, args.epochs, args.retrain)
    meta = json.loads((checker / META).read_text(encoding="utf-8"))
    without = run(settings, args.held_out, "off")
    on = settings.model_copy(update={"answer_checker": checker})
    calibrated = run(on, args.held_out, "on")
    own = meta.get("threshold")
    sweep = [
        (t, run(on.model_copy(update={"checker_threshold": t}), args.held_out, f"at-{t}"))
        for t in TRADE_OFF
        if t != own
    ]
    count = aggregate(without)["count"]
    lines = [
        "## Answer checker (learned refusal, optional)",
        "",
        f"Produced by `python -m benchmarks.answer_checker`. A cross-encoder fine-tuned from the local MiniLM on "
        f"{meta['questions']} BBC questions (from {', '.join(meta['trained_on'])}: {meta['pairs']} pairs, "
        f"{meta['positives']} of them answer sentences, {meta['epochs']} epochs"
        + (f", {train_s / 60:.0f} min on this machine" if train_s else "")
        + f"), then measured on {count['questions']} questions it was never trained on "
        f"({', '.join(p.name for p in args.held_out)}; {count['unanswerable']} unanswerable), both ways in this "
        "run. The threshold is the checker's own: "
        + (
            f"{meta['threshold']}, chosen when training on {meta['calibration']['questions']} of the training "
            f"questions kept out of it (refusal F1 there {meta['calibration']['refusal_f1']} with the checker, "
            f"{meta['calibration']['refusal_f1_rules_only']} with the rules alone)"
            if meta.get("calibration")
            else "the default"
        )
        + (
            ". At 0 the checker changes nothing: it refused those questions no better than the rules (which "
            "look better on the sets they were designed on than on new questions)"
            if meta.get("threshold") == 0
            else ""
        )
        + f"; the checker reads the top {settings.checker_sentences} candidate sentences and the rules still apply. "
        "The *trade-off* rows fix other thresholds to show what refusing more costs in answers; none was chosen "
        "on these questions. 95% bootstrap intervals in brackets. The checker is made from BBC text (evaluation use only), so it is "
        "not shipped: train one on your own questions with `byline train-checker`.",
        "",
        "| extractive answerer | refusal P / R | refusal F1 | correct (answerable) | citations verified | p50 / p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
        row("rules only (default)", without),
        row(f"rules + answer checker (its calibrated threshold, {own})", calibrated),
        *(row(f"rules + answer checker at {t} (trade-off)", scores) for t, scores in sweep),
    ]
    md = "\n".join(lines)
    print(md)
    if not args.no_write:
        write_section("answer-checker", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
