"""Errors a person can act on: each carries a one-line hint that names the fix."""

from __future__ import annotations


class BylineError(Exception):
    """Base error. ``str(err)`` is the message; ``err.hint`` says what to do about it."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def user_message(self) -> str:
        """Message and hint on one line, as the CLI prints it and the UI shows it."""
        return f"{self} — {self.hint}" if self.hint else str(self)


class EmptyIndexError(BylineError):
    hint = "No articles indexed yet — run `byline ingest PATH` (or upload articles in the app's Library tab)."


class IndexMismatchError(BylineError):
    hint = (
        "The index was built with other embedding/chunking settings. Set BYLINE_COLLECTION to a new name, "
        "or run `byline reset` and ingest again."
    )


class StoreUnavailableError(BylineError):
    hint = "Start the Chroma server (`chroma run --path DIR --host 127.0.0.1 --port N`) or unset BYLINE_CHROMA_URL."


class ArticleError(BylineError):
    """One input article could not be used; the batch goes on without it."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class LLMError(BylineError):
    hint = "Check BYLINE_LLM_BASE_URL / BYLINE_LLM_MODEL, or use `--answerer extractive`."


class ConfigError(BylineError):
    hint = "Check the BYLINE_* settings (`byline settings` prints them)."
