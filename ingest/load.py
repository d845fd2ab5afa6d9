"""The load stage: expand inputs (files, folders, globs, URLs) and read every article in them.

Nothing here raises for bad input: each unusable file, line or page becomes one ArticleError naming where it
came from and why, and the rest of the batch goes on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.errors import ArticleError
from assistant.types import Article
from ingest.fetch import fetch_url, is_url
from ingest.formats import (
    FORMAT_BY_SUFFIX,
    SINGLE_ARTICLE_FORMATS,
    SUPPORTED_SUFFIXES,
    format_for_content_type,
    parse_bytes,
    sniff_format,
)

# A character takes at most 4 bytes in UTF-8, so a single-article file (or fetched page) over
# 4 × max_chars bytes cannot hold an article under the limit and is refused before it is read.
BYTES_PER_CHAR = 4
_GLOB_CHARS = frozenset("*?[")


def iter_articles(
    inputs: Sequence[str], *, max_chars: int, fetch_urls: bool = True
) -> Iterator[Article | ArticleError]:
    """Yield every article in ``inputs`` (files, folders recursively, glob patterns, http(s) URLs).

    Example: ``for item in iter_articles(["news/", "feed.xml"], max_chars=2_000_000): ...``
    """
    seen: set[str] = set()
    for item in _expand(inputs):
        if isinstance(item, ArticleError):
            yield item
        elif isinstance(item, str):
            if item in seen:
                continue
            seen.add(item)
            if fetch_urls:
                yield from _guarded(_load_url(item, max_chars=max_chars), item)
            else:
                yield ArticleError(
                    item, "fetching URLs is turned off here — download the page and add the file"
                )
        else:
            key = os.path.realpath(item)
            if key in seen:
                continue
            seen.add(key)
            yield from _guarded(_load_file(item, max_chars=max_chars), str(item))


def _guarded(items: Iterator[Article | ArticleError], origin: str) -> Iterator[Article | ArticleError]:
    """Pass items through; a parser bug or library crash on odd input becomes one error, not a dead batch."""
    try:
        yield from items
    except Exception as err:  # the contract is "never raises for bad input"
        yield ArticleError(origin, f"could not read it ({type(err).__name__}: {err})")


def count_inputs(inputs: Sequence[str]) -> int | None:
    """A cheap estimate of how many items ``iter_articles`` will yield (for a progress bar); None if unknown."""
    total = 0
    for item in _expand(inputs):
        if isinstance(item, ArticleError):
            total += 1
            continue
        if isinstance(item, str):
            return None  # a URL may be a page or a whole feed
        fmt = _format_of(item)
        if fmt in SINGLE_ARTICLE_FORMATS:
            total += 1
        elif fmt in ("jsonl", "csv", "tsv"):
            try:
                with open(item, "rb") as handle:
                    data = handle.read()
            except OSError:
                total += 1
                continue
            lines = sum(1 for line in data.split(b"\n") if line.strip())
            total += max(1, lines - (0 if fmt == "jsonl" else 1))  # CSV: minus the header row
        else:
            return None  # JSON arrays and feeds: counting means parsing
    return total


def _expand(inputs: Sequence[str]) -> Iterator[Path | str | ArticleError]:
    """Each input as files to read, URLs (str) to fetch, or an error for an input that names nothing usable.

    Files named directly (or by a glob) are read whatever their extension; inside folders only files with
    a supported extension are, so a folder's images or notes are skipped silently.
    """
    if isinstance(inputs, str | Path):
        inputs = [str(inputs)]  # one input given bare, not a sequence of one-character "paths"
    for raw in inputs:
        text = str(raw).strip()
        if is_url(text):
            yield text
            continue
        path = Path(text).expanduser()
        if path.is_dir():
            yield from _expand_dir(path)
        elif path.exists():
            yield path
        elif _GLOB_CHARS & set(text):
            matches = sorted(glob.glob(os.path.expanduser(text), recursive=True))
            if not matches:
                yield ArticleError(text, "no files match this pattern")
            for match in matches:
                match_path = Path(match)
                if match_path.is_dir():
                    yield from _expand_dir(match_path)
                elif match_path.is_file():
                    yield match_path
        elif path.is_symlink():
            yield ArticleError(text, "broken symbolic link (its target does not exist)")
        else:
            yield ArticleError(text, "no such file or directory")


def _expand_dir(folder: Path) -> Iterator[Path | ArticleError]:
    """Supported files under ``folder`` (recursively, sorted, hidden ones skipped); an error if there are none."""
    found = False
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in FORMAT_BY_SUFFIX:
                continue
            found = True
            yield Path(root) / name
    if not found:
        yield ArticleError(
            str(folder), f"no supported files in this folder (looked for {SUPPORTED_SUFFIXES})"
        )


def _format_of(path: Path) -> str | None:
    return FORMAT_BY_SUFFIX.get(path.suffix.lower())


def _load_file(path: Path, *, max_chars: int) -> Iterator[Article | ArticleError]:
    """Read one file and parse it by its extension (or, for an unknown one named explicitly, its content)."""
    origin = str(path)
    fmt = _format_of(path)
    try:
        if not path.is_file():
            yield ArticleError(origin, "not a regular file")
            return
        size = path.stat().st_size
        if fmt in SINGLE_ARTICLE_FORMATS and size > max_chars * BYTES_PER_CHAR:
            yield ArticleError(
                origin,
                f"file too large: {size} bytes > limit {max_chars * BYTES_PER_CHAR} "
                f"({BYTES_PER_CHAR} × BYLINE_MAX_ARTICLE_CHARS) — raise BYLINE_MAX_ARTICLE_CHARS",
            )
            return
        data = path.read_bytes()
    except PermissionError:
        yield ArticleError(origin, "cannot read the file: permission denied — check its permissions")
        return
    except OSError as err:
        yield ArticleError(origin, f"cannot read the file: {err.strerror or err}")
        return
    if fmt is None:
        fmt = sniff_format(data) if data and not data.isspace() else "text"
        if fmt is None:
            yield ArticleError(
                origin,
                f"unsupported file type '{path.suffix or path.name}' — use {SUPPORTED_SUFFIXES}",
            )
            return
    yield from parse_bytes(data, fmt, origin=origin, max_chars=max_chars)


def _load_url(url: str, *, max_chars: int) -> Iterator[Article | ArticleError]:
    """Fetch a page or feed and parse it by its content type (sniffed when the server's label is vague)."""
    try:
        doc = fetch_url(url, max_bytes=max_chars * BYTES_PER_CHAR)
    except ArticleError as err:
        yield err
        return
    fmt = format_for_content_type(doc.content_type, doc.data, doc.url)
    if fmt is None:
        yield ArticleError(
            url, f"unsupported content type '{doc.content_type}' — expected an HTML page or a feed"
        )
        return
    yield from parse_bytes(doc.data, fmt, origin=url, max_chars=max_chars, url=doc.url, charset=doc.charset)
