"""One eval run end to end: load questions, open or build the index, ask, score, write the outputs."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import BylineError
from assistant.evaluation import report, runner
from assistant.evaluation.qa import QASet, load_qa
from assistant.evaluation.scoring import metrics_tree, score_question
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.evaluation.judge import Judge

Log = Callable[[str], None]


@dataclass
class EvalRun:
    """What an eval run produced (also written to ``out``)."""

    out: Path
    metrics: dict[str, Any]
    records: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    qa: QASet
    ingest_summary: str | None = None
    warnings: list[str] = field(default_factory=list)


def evaluate(
    qa_path: str | Path,
    settings: Settings,
    out: str | Path,
    *,
    articles: Sequence[str] = (),
    answerer: str | None = None,
    k: int | None = None,
    workers: int | None = None,
    judge: bool | Judge = False,
    scratch: str | Path | None = None,
    embedder: Any = None,
    progress: Callable[[int, int], None] | None = None,
    ingest_progress: Callable[[int, int], None] | None = None,
    judge_progress: Callable[[int, int], None] | None = None,
    log: Log = print,
) -> EvalRun:
    """Run the question file through Byline and write results.jsonl, metrics.json, report.md and plots.

    With ``articles`` the index is a fresh embedded one in ``scratch`` (a temp dir, deleted afterwards,
    unless given); the configured index is never touched. Without, the configured index is used.
    """
    from assistant.chain import Assistant
    from assistant.embedder import get_embedder
    from assistant.store import open_store
    from ingest.clean import normalize_text

    qa = load_qa(qa_path)
    judge_ = None
    if (
        judge is True
    ):  # before the run, so a missing LLM fails fast rather than after every question was asked
        from assistant.evaluation.judge import Judge

        judge_ = Judge.from_settings(settings)
    elif judge:
        judge_ = judge
    for err in qa.errors:
        log(f"skipped {err}")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch_dir: Path | None = None
    ingest_summary = None
    try:
        if articles:
            scratch_dir = Path(scratch) if scratch else Path(tempfile.mkdtemp(prefix="byline-eval-"))
            settings = runner.scratch_settings(settings, scratch_dir)
            embedder = embedder or get_embedder(settings)
            log(f"building a scratch index in {scratch_dir} from {', '.join(map(str, articles))}")
            ingested = runner.build_scratch_index(articles, settings, embedder, ingest_progress)
            ingest_summary = ingested.summary()
            log(ingest_summary)
            if not (ingested.added or ingested.updated or ingested.unchanged):
                raise BylineError(
                    f"No article could be indexed from {', '.join(map(str, articles))}.",
                    hint="Check the --articles paths and formats (`byline ingest --help` lists them).",
                )
        embedder = embedder or get_embedder(settings)
        store = open_store(settings, embedder)
        store.require_articles()  # an empty index fails once, with its hint, not once per question
        assistant = Assistant(store, embedder, settings)
        chosen = assistant.answerer(answerer)
        n_workers = workers or runner.default_workers(chosen)
        total = len(qa.items)

        def ask(question: str) -> Any:
            return assistant.ask(question, answerer=chosen, k=k)

        records = runner.run_questions(
            qa.items, ask, n_workers, (lambda done: progress(done, total)) if progress else None
        )
    finally:
        if scratch_dir is not None and scratch is None:
            shutil.rmtree(scratch_dir, ignore_errors=True)

    scores = [score_question(item, rec, normalize_text) for item, rec in zip(qa.items, records, strict=True)]
    for rec, sc in zip(records, scores, strict=True):
        rec["scores"] = {
            key: value for key, value in sc.items() if key not in ("question_type", "latency_ms")
        }
    metrics = metrics_tree(scores)
    if judge_ is not None:
        log(
            f"judging {len(records)} answers with {judge_.model} (LLM-judged metrics are opinions, not checks)"
        )
        judged = []
        for item, rec in zip(qa.items, records, strict=True):
            judged.append(judge_.judge(item, rec))
            if judge_progress:
                judge_progress(len(judged), len(records))
        for rec, j in zip(records, judged, strict=True):
            rec["judged"] = j
        metrics["judged"] = judge_.summary(judged)
    metrics["answerer"] = chosen.name
    metrics["k"] = k or settings.top_k
    metrics["workers"] = n_workers
    metrics["qa_errors"] = qa.errors
    metrics["settings"] = runner.settings_record(settings)
    metrics["versions"] = runner.versions_record(records, str(qa_path))
    if articles:
        metrics["settings"]["articles"] = [str(a) for a in articles]
    report.write_results(out_dir, records)
    report.write_metrics(out_dir, metrics)
    report.write_plots(out_dir, metrics, records)
    report.write_report(out_dir, metrics, records, scores, qa.errors, qa.items)
    return EvalRun(out_dir, metrics, records, scores, qa, ingest_summary)
