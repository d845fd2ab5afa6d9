"""`byline train-checker QA.jsonl --out DIR`: train an answer checker on labelled questions over your index."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("train-checker")
    def train_checker_cmd(
        qa: list[Path] = typer.Argument(
            ...,
            help="Question sets (.jsonl/.csv, the `byline eval --qa` format) "
            "whose articles are in the configured index.",
        ),
        out: Path = typer.Option(..., "--out", help="Folder for the checker (created)."),
        epochs: int = typer.Option(6, "--epochs", min=1, help="Passes over the pairs."),
        learning_rate: float = typer.Option(8e-5, "--learning-rate", min=1e-7, help="Peak learning rate."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ) -> None:
        """Train an answer checker: a cross-encoder that tells whether a sentence answers a question.

        Every question is asked as Byline asks it; the candidate sentences holding a gold fact are
        positives, the others (and all of an unanswerable question's) negatives. Unanswerable questions
        (answer null) are what teach it to refuse, so include near-misses: questions about a real story
        asking for a detail it never gives. A fifth of the questions (from 10 on) are kept out of training
        to choose the checker's threshold. Then set BYLINE_ANSWER_CHECKER=DIR.

        Example: byline train-checker qa-1.jsonl qa-2.jsonl --out checkers/news-1
        """
        from assistant.answer_check import META
        from assistant.chain import Assistant
        from assistant.checker_training import (
            collect_pairs,
            require_training_extras,
            sentence_candidates,
            train_checker,
        )
        from assistant.evaluation.qa import load_qa

        require_training_extras()  # before asking every question, not after
        items = []
        for path in qa:
            loaded = load_qa(path)
            for err in loaded.errors:
                typer.secho(f"{path}: skipped {err}", err=True, fg=typer.colors.YELLOW)
            items += loaded.items
        assistant = Assistant.from_settings()
        assistant.store.require_articles()
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, disable=quiet,
        ) as bar:  # fmt: skip
            task = bar.add_task("asking", total=len(items))
            pairs = collect_pairs(
                items,
                sentence_candidates(assistant),
                lambda done, total: bar.update(task, completed=done),
                sentences=assistant.settings.checker_sentences,
            )
        positives = sum(p.label for p in pairs)
        console.print(
            f"{len(pairs)} pairs from {len(items)} questions ({positives} answer sentences); training "
            f"{epochs} epochs on the CPU"
        )
        try:
            folder = train_checker(
                pairs, out, assistant.settings.resolved_embedding_model(), epochs=epochs,
                learning_rate=learning_rate, trained_on=[p.name for p in qa], progress=not quiet,
            )  # fmt: skip
        except ValueError as err:
            typer.secho(f"Error: {err}", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from None
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        if cal := meta.get("calibration"):
            typer.echo(
                f"Calibrated on {cal['questions']} questions kept out of training: threshold {cal['threshold']}, "
                f"refusal F1 {cal['refusal_f1']} with the checker vs {cal['refusal_f1_rules_only']} with the rules "
                f"alone; {cal['answerable_refused']:.0%} of their answerable questions refused."
            )
            if not cal["threshold"]:
                typer.secho(
                    "The checker refused those questions no better than the rules alone, so its threshold is 0 and "
                    "it will not change any answer. More labelled questions (near-misses especially) may help.",
                    err=True, fg=typer.colors.YELLOW,
                )  # fmt: skip
        typer.echo(f"Wrote {folder}. Use it with BYLINE_ANSWER_CHECKER={folder}")
