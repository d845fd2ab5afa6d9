"""The write path: load -> clean -> chunk -> embed -> store, with a progress bar and a summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from assistant import offline  # noqa: F401
from assistant.embedder import Embedder, get_embedder
from assistant.errors import ArticleError
from assistant.settings import Settings
from assistant.store import IndexStore, open_store
from assistant.types import Article, Chunk
from ingest.chunk import ChunkingSpec, chunk_article, embedding_text


@dataclass
class IngestReport:
    """What one ingest run did. ``ok`` is False when any input failed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (origin, reason)
    chunks: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.interrupted

    def summary(self) -> str:
        """A short human summary, one line per category, skipped inputs listed with their reasons."""
        rate = (len(self.added) + len(self.updated)) / self.seconds if self.seconds else 0.0
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"skipped {len(self.skipped)} — {self.chunks} chunks in {self.seconds:.1f}s ({rate:.1f} articles/s)"
        ]
        lines += [f"  skipped {origin}: {reason}" for origin, reason in self.skipped]
        if self.interrupted:
            lines.append("Interrupted: the index is consistent; run the same command again to finish.")
        return "\n".join(lines)


Progress = Callable[[int, int], None]  # (articles done, chunks done)


def ingest(
    inputs: Sequence[str],
    settings: Settings,
    *,
    store: IndexStore | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Index files, folders, globs or URLs. Bad inputs are reported and skipped; the rest lands."""
    from ingest.load import iter_articles

    return ingest_articles(
        iter_articles(inputs, max_chars=settings.max_article_chars),
        settings,
        store=store,
        embedder=embedder,
        progress=progress,
    )


def ingest_articles(
    items: Iterable[Article | ArticleError],
    settings: Settings,
    *,
    store: IndexStore | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Index already-loaded articles (the core of ``ingest``); the embedder loads only if something changed."""
    from ingest.clean import clean_article

    t0 = time.perf_counter()
    report = IngestReport()
    store = store or open_store(settings)
    store.collect_garbage()  # finish the cleanup of an interrupted earlier run
    spec = ChunkingSpec(settings.chunk_tokens, settings.chunk_overlap_tokens)
    seen: dict[str, tuple[str, str]] = {}  # id -> (version, origin), to catch duplicate ids in one run
    done = n_chunks = 0
    model = embedder

    def cleaned() -> Iterator[Article]:
        for item in items:
            if isinstance(item, ArticleError):
                report.skipped.append((item.origin, item.reason))
                continue
            try:
                article = clean_article(item)
            except ArticleError as err:
                report.skipped.append((err.origin, err.reason))
                continue
            version = article.content_hash
            if article.id in seen:
                first_version, first_origin = seen[article.id]
                if first_version != version:
                    report.skipped.append(
                        (
                            article.origin,
                            f"duplicate id {article.id!r} with different text (first in {first_origin})",
                        )
                    )
                continue  # an exact repeat is simply the same article again
            seen[article.id] = (version, article.origin)
            yield article

    # One writer thread: batch i is written to Chroma while batch i+1 is chunked and embedded (torch and
    # Chroma's Rust core both release the GIL). At most one write is in flight, so memory stays bounded
    # and batches land in order.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="byline-write")
    pending: Future[None] | None = None
    try:
        for batch in _batches(cleaned(), settings.ingest_batch_articles):
            current = store.versions([a.id for a in batch])
            todo = [a for a in batch if current.get(a.id) != a.content_hash]
            report.unchanged += [a.id for a in batch if current.get(a.id) == a.content_hash]
            if todo:
                model = model or get_embedder(settings)
                embedded = _embed_batch(todo, spec, model)
                if pending is not None:
                    pending.result()  # a failed write surfaces here, before more is queued
                pending = writer.submit(store.write, embedded)
                n_chunks += sum(len(chunks) for _, chunks, _ in embedded)
                for a in todo:
                    (report.updated if a.id in current else report.added).append(a.id)
            done += len(batch)
            if progress:
                progress(done, n_chunks)
        if pending is not None:
            pending.result()
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        writer.shutdown(wait=True)  # let an in-flight write finish: the index stays consistent either way
    report.chunks = n_chunks
    report.seconds = time.perf_counter() - t0
    return report


def _embed_batch(
    articles: list[Article], spec: ChunkingSpec, model: Embedder
) -> list[tuple[Article, Sequence[Chunk], np.ndarray]]:
    """Chunk a batch of articles and embed all their chunks in one model call."""
    per_article: list[list[Chunk]] = [
        chunk_article(a, spec, model.count_tokens, model.token_offsets) for a in articles
    ]
    texts = [embedding_text(a, c) for a, chunks in zip(articles, per_article, strict=True) for c in chunks]
    vectors = model.embed_batch(texts)
    batch: list[tuple[Article, Sequence[Chunk], np.ndarray]] = []
    pos = 0
    for article, chunks in zip(articles, per_article, strict=True):
        batch.append((article, chunks, vectors[pos : pos + len(chunks)]))
        pos += len(chunks)
    return batch


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
