"""`byline ask "question"`: print a quoted, cited answer (or the Answer as JSON)."""

from __future__ import annotations

import json
from datetime import date

import typer

from assistant.answerer import Filters
from assistant.errors import BylineError, ConfigError
from assistant.types import Answer


def _check_date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(
            f"{flag} {value!r} is not a date.", hint=f"Write it as YYYY-MM-DD, e.g. {flag} 2016-12-01."
        ) from None


def render(answer: Answer, with_text: bool = True) -> str:
    """The answer text, then a numbered list of citations (title, source, date, quote), then warnings."""
    lines = [answer.answer, ""] if with_text else [""]
    if answer.standalone_question and with_text:
        lines.insert(0, f"(understood as: {answer.standalone_question})\n")
    if answer.refused and answer.related:
        lines.append("Related passages (closest matches, not an answer):")
        for p in answer.related:
            meta = ", ".join(x for x in (p.source, p.published_at) if x)
            snippet = " ".join(p.text.split())
            lines.append(f"  - {p.title}" + (f" ({meta})" if meta else "") + f": {snippet[:200]}")
        lines.append("")
    if answer.citations:
        lines.append("Citations:")
    for c in answer.citations:
        meta = ", ".join(x for x in (c.source, c.published_at) if x)
        mark = "" if c.verified else "  [UNVERIFIED: not found in the article]"
        lines.append(f"  [{c.n}] {c.title}" + (f" — {meta}" if meta else "") + mark)
        lines.append(f"      \u201c{c.quote}\u201d")
        if c.url:
            lines.append(f"      {c.url}")
    for w in answer.warnings:
        lines.append(f"Warning: {w}")
    return "\n".join(lines).rstrip()


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask_cmd(
        question: str = typer.Argument(..., help="Your question about the articles."),
        source: list[str] = typer.Option(
            None, "--source", help="Only articles from this source (repeatable)."
        ),  # noqa: B008
        since: str = typer.Option(None, "--since", help="Only articles published on or after this date."),
        until: str = typer.Option(None, "--until", help="Only articles published on or before this date."),
        article: list[str] = typer.Option(None, "--article", help="Only this article id (repeatable)."),  # noqa: B008
        as_json: bool = typer.Option(False, "--json", help="Print the Answer as one JSON object."),
        answerer: str = typer.Option(
            None, "--answerer", help="llm or extractive (default: BYLINE_ANSWERER)."
        ),
        k: int = typer.Option(
            None, "--k", min=1, max=50, help="Passages to retrieve (default: BYLINE_TOP_K)."
        ),
    ) -> None:
        """Answer a question from the indexed articles, quoting them with numbered, checked citations."""
        from assistant.chain import Assistant

        try:
            filters = Filters(
                sources=list(source or []),
                since=_check_date(since, "--since"),
                until=_check_date(until, "--until"),
                article_ids=list(article or []),
            )
            if answerer is not None and answerer not in ("llm", "extractive", "auto"):
                raise ConfigError(
                    f"Unknown answerer {answerer!r}.", hint="Use --answerer llm or --answerer extractive."
                )
            assistant = Assistant.from_settings()
            if as_json:
                result = assistant.ask(question, filters=filters, answerer=answerer, k=k)
                typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
                return
            # Stream: answer text as it is written, status lines on stderr, citations once all are checked.
            final: Answer | None = None
            for event in assistant.stream(question, filters=filters, answerer=answerer, k=k):
                if event.kind == "token":
                    typer.echo(event.text, nl=False)
                elif event.kind == "status":
                    typer.secho(event.text, err=True, fg=typer.colors.YELLOW)
                elif event.kind == "done":
                    final = event.answer
        except BylineError as err:
            typer.secho(f"Error: {err.user_message()}", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from None
        if final is not None:
            typer.echo("\n" + render(final, with_text=False))
