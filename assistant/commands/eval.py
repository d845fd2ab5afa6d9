"""`byline eval --qa QA.jsonl` (score Byline on a question set) and `byline eval compare A B`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)

EPILOG = (
    "Outputs in DIR: results.jsonl (one answer per question, the `byline ask --json` shape plus id, "
    "latency_ms and per-question scores), metrics.json (retrieval, answer, citation, refusal and latency "
    "metrics, overall and by question_type, with the settings and versions used), report.md, "
    "metrics_by_type.png and latency_hist.png. Compare two runs with `byline eval compare DIR_A DIR_B`."
)


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(
        no_args_is_help=False,
        invoke_without_command=True,
        epilog=EPILOG,
    )

    @eval_app.callback()
    def eval_cmd(
        ctx: typer.Context,
        qa: Path | None = typer.Option(
            None,
            "--qa",
            help="Question set: .jsonl or .csv with id, question, answer (empty/null = "
            "unanswerable), question_type, evidence [{article_id, title, fact}], evidence_article_ids.",
        ),
        articles: list[str] | None = typer.Option(
            None,
            "--articles",
            help="Build a fresh scratch index from these files/folders (repeatable); "
            "your own index is never touched. Without it the configured index is used.",
        ),
        out: Path = typer.Option(Path("eval-out"), "--out", help="Folder for the outputs (created)."),
        answerer: str | None = typer.Option(
            None, "--answerer", help="extractive, llm or auto (default: BYLINE_ANSWERER)."
        ),
        k: int | None = typer.Option(
            None, "--k", min=1, max=50, help="Passages retrieved per question (default: BYLINE_TOP_K)."
        ),
        workers: int | None = typer.Option(
            None,
            "--workers",
            min=1,
            help="Questions asked at once (default: 1 for extractive, 2 for the LLM).",
        ),
        judge: bool = typer.Option(
            False,
            "--judge",
            help="Also score answers with the configured LLM (faithfulness, correctness); "
            "reported as LLM-judged.",
        ),
        scratch: Path | None = typer.Option(
            None,
            "--scratch",
            help="With --articles: keep the scratch index here and reuse it next time "
            "(default: a temp folder, deleted afterwards).",
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ) -> None:
        """Measure how far Byline can be trusted on your own questions (and compare runs of it).

        Runs every question of --qa through Byline and writes results, metrics, a report and plots to --out.

        Example: byline eval --qa data/sample/qa.jsonl --articles data/sample/articles --out eval-out
        """
        if ctx.invoked_subcommand is not None:
            return
        if qa is None:
            typer.echo(ctx.get_help())
            typer.secho("\nError: give a question set with --qa QA.jsonl", err=True, fg=typer.colors.RED)
            raise typer.Exit(2)
        from assistant.evaluation.evaluate import evaluate
        from assistant.settings import get_settings

        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
        ) as bar:
            phases = Phases(bar)
            run = evaluate(
                qa,
                get_settings(),
                out,
                articles=articles or (),
                answerer=answerer,
                k=k,
                workers=workers,
                judge=judge,
                scratch=scratch,
                progress=phases.asked,
                ingest_progress=phases.indexed,
                judge_progress=phases.judged,
                log=lambda msg: console.print(msg, markup=False),
            )
        m = run.metrics
        typer.echo(summary_line(m))
        typer.echo(f"Wrote {out}/results.jsonl, metrics.json, report.md and plots.")
        if run.qa.errors:
            typer.secho(f"{len(run.qa.errors)} line(s) of {qa} skipped:", err=True, fg=typer.colors.YELLOW)
            for err in run.qa.errors:
                typer.echo(f"  {err}", err=True)
            raise typer.Exit(1)

    @eval_app.command("compare")
    def compare_cmd(
        dir_a: Path = typer.Argument(..., help="Output folder of one `byline eval` run."),
        dir_b: Path = typer.Argument(..., help="Output folder of another run."),
    ) -> None:
        """Print two runs' metrics side by side (B - A), and the settings that differ."""
        from assistant.evaluation.compare import compare_dirs

        typer.echo(compare_dirs(dir_a, dir_b))

    app.add_typer(eval_app, name="eval")


class Phases:
    """One progress bar per phase of a run: index (with --articles), eval, judge (with --judge)."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.index = bar.add_task("index", total=None, visible=False)
        self.eval = bar.add_task("eval", total=None, visible=False)
        self.judge = bar.add_task("judge", total=None, visible=False)

    def indexed(self, done: int, chunks: int) -> None:
        self.bar.update(self.index, completed=done, visible=True)

    def asked(self, done: int, total: int) -> None:
        if not self.bar.tasks[self.index].finished:  # indexing is over once questions are being answered
            self.bar.update(self.index, total=self.bar.tasks[self.index].completed)
            self.bar.stop_task(self.index)
        self.bar.update(self.eval, completed=done, total=total, visible=True)

    def judged(self, done: int, total: int) -> None:
        self.bar.update(self.judge, completed=done, total=total, visible=True)


def summary_line(metrics: dict) -> str:
    """Headline figures of a run on one line."""
    from assistant.evaluation.report import fmt

    r, a, c, f = metrics["retrieval"], metrics["answer"], metrics["citations"], metrics["refusal"]
    return (
        f"{metrics['count']['questions']} questions: hit@k {fmt(r['article_hit_at_k'])}, evidence recall "
        f"{fmt(r['evidence_recall_at_k'])}, MRR {fmt(r['mrr'])}, correct {fmt(a['correct'])}, citations verified "
        f"{fmt(c['verified_rate'])}, citation precision {fmt(c['precision'])}, refusal F1 {fmt(f['f1'])}, "
        f"p50 {fmt(metrics['latency_ms']['p50'])} ms"
    )
