"""`byline ingest | list | stats | delete | reset`: manage the index."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.settings import get_settings
from assistant.store import open_store

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: list[str] = typer.Argument(
            ...,
            help="Files, folders (recursive), glob patterns or http(s) URLs of articles: .txt/.md, "
            ".html, .jsonl/.json, .csv, RSS/Atom feeds.",
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; only the summary."),
    ) -> None:
        """Add articles to the index. Unchanged articles are skipped; changed ones replaced atomically.

        Exits 1 if any input could not be used (each is listed with its reason); the rest still lands.
        """
        from ingest.load import count_inputs
        from ingest.pipeline import ingest

        settings = get_settings()
        store = open_store(settings)
        total = count_inputs(paths)
        with Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=False,
        ) as bar:
            task = bar.add_task("ingest", total=total, rate="")

            def progress(done: int, chunks: int) -> None:
                elapsed = bar.tasks[task].elapsed or 1e-9
                bar.update(
                    task,
                    completed=done,
                    rate=f"{done / elapsed:.1f} articles/s, {chunks / elapsed:.1f} chunks/s",
                )

            report = ingest(paths, settings, store=store, progress=progress)
        typer.echo(report.summary())
        if report.interrupted:
            raise typer.Exit(130)
        if not report.ok:
            raise typer.Exit(1)

    @app.command("list")
    def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON lines.")) -> None:
        """List indexed articles: id, date, source, title."""
        rows = open_store(get_settings()).list_articles()
        for row in rows:
            if as_json:
                typer.echo(json.dumps(row, ensure_ascii=False))
            else:
                typer.echo(
                    f"{row['id']}\t{row.get('published_at') or '-'}\t{row.get('source') or '-'}\t{row.get('title')}"
                )
        if not rows and not as_json:
            typer.echo("No articles indexed yet — run `byline ingest PATH`.")

    @app.command("stats")
    def stats_cmd(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
        """Counts of articles and chunks, sources and date span."""
        settings = get_settings()
        stats = open_store(settings).stats()
        stats["index"] = settings.chroma_url or str(settings.chroma_path)
        stats["collection"] = settings.collection
        if as_json:
            typer.echo(json.dumps(stats, ensure_ascii=False))
            return
        typer.echo(
            f"{stats['articles']} articles, {stats['chunks']} chunks in {stats['index']} ({settings.collection})"
        )
        if stats["first_date"]:
            typer.echo(f"dates: {stats['first_date']} … {stats['last_date']}")
        for source, n in stats["sources"].items():
            typer.echo(f"  {source}: {n}")

    @app.command("delete")
    def delete_cmd(article_ids: list[str] = typer.Argument(..., help="Ids of articles to remove.")) -> None:
        """Remove articles (and their chunks) from the index."""
        store = open_store(get_settings())
        missing = [i for i in article_ids if not store.delete(i)]
        for i in article_ids:
            typer.echo(f"{'not indexed' if i in missing else 'deleted'}: {i}")
        if missing:
            raise typer.Exit(1)

    @app.command("reset")
    def reset_cmd(yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation.")) -> None:
        """Delete the whole index (needed after changing the embedding model or chunk settings)."""
        settings = get_settings()
        if not yes:
            typer.confirm(f"Delete the index {settings.collection!r}?", abort=True)
        from assistant.store import reset_index

        reset_index(settings)
        typer.echo(f"Index {settings.collection!r} deleted.")
