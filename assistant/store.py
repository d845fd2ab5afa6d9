"""The index in Chroma: an article registry (the switch that makes a version visible) and its chunks.

Consistency without transactions: a new article version's chunks are written first, under ids that include
the version, so they are invisible (every read keeps only chunks whose version the registry names). Then one
registry record is upserted: that is the atomic switch. Old chunks are deleted last. A crash anywhere leaves
at worst invisible orphans, which the next write of that article (or ``collect_garbage``) removes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from assistant import offline  # noqa: F401  (offline env before chromadb loads)
from assistant.answerer import Filters
from assistant.embedder import Embedder, embedding_model_id
from assistant.errors import EmptyIndexError, IndexMismatchError, StoreUnavailableError
from assistant.settings import Settings
from assistant.types import Article, Chunk, Passage, Span

SCHEMA_VERSION = 1
_GENERATION_ID = "__generation__"
_PENDING_ID = "__pending__"
_DUMMY = [0.0]  # the registry holds no vectors worth searching; Chroma still wants one per record
_WRITE_BATCH = 2000  # chunks per Chroma call (its max batch is larger, but memory stays flat)


def open_store(settings: Settings, embedder: Embedder | None = None) -> IndexStore:
    """Open (or create) the configured index; with an embedder, check it matches the index identity."""
    identity = index_identity(settings, embedder.model_id if embedder is not None else None)
    return IndexStore(_client(settings), settings.collection, identity, where=_describe(settings))


def reset_index(settings: Settings) -> None:
    """Delete the configured index whatever settings built it (the way out of an IndexMismatchError)."""
    client = _client(settings)
    for name in (settings.collection, f"{settings.collection}__articles"):
        try:
            client.delete_collection(name)
        except Exception:  # noqa: BLE001 - already gone
            pass


def index_identity(settings: Settings, model_id: str | None = None) -> dict[str, Any]:
    """What an index's vectors depend on; opening an index with a different identity is an error."""
    return {
        "byline_schema": SCHEMA_VERSION,
        "embedding_model": model_id or embedding_model_id(settings),
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap_tokens": settings.chunk_overlap_tokens,
    }


def _describe(settings: Settings) -> str:
    return settings.chroma_url or str(settings.chroma_path)


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - connection errors come in many types
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {settings.chroma_url}: {exc}"
            ) from exc
        return client
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata values must be str/int/float/bool: drop Nones."""
    return {k: v for k, v in meta.items() if v is not None}


def date_key(iso_date: str | None) -> int | None:
    """YYYY-MM-DD -> YYYYMMDD as an int, so Chroma can compare dates with $gte/$lte."""
    if not iso_date or len(iso_date) < 10:
        return None
    try:
        return int(iso_date[:10].replace("-", ""))
    except ValueError:
        return None


def filters_to_where(filters: Filters | None) -> dict[str, Any] | None:
    """Translate Filters into a Chroma ``where`` clause over chunk metadata."""
    if filters is None or filters.is_empty():
        return None
    clauses: list[dict[str, Any]] = []
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    if filters.article_ids:
        clauses.append({"article_id": {"$in": list(filters.article_ids)}})
    if (since := date_key(filters.since)) is not None:
        clauses.append({"published_day": {"$gte": since}})
    if (until := date_key(filters.until)) is not None:
        clauses.append({"published_day": {"$lte": until}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class IndexStore:
    """Articles and their chunk vectors in two Chroma collections: ``NAME`` (chunks) and ``NAME__articles``."""

    def __init__(self, client: Any, name: str, identity: dict[str, Any] | None, where: str = "") -> None:
        self.client = client
        self.name = name
        self.where = where
        self.identity = identity
        try:
            self.chunks = self._collection(name, identity)
            self.registry = self._collection(f"{name}__articles", None)
        except IndexMismatchError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise StoreUnavailableError(f"Cannot open the index at {where}: {exc}") from exc

    # --- opening ---------------------------------------------------------------------------------------
    def _collection(self, name: str, identity: dict[str, Any] | None) -> Any:
        try:
            col = self.client.get_collection(name, embedding_function=None)
        except Exception:  # noqa: BLE001 - NotFoundError differs between client kinds
            meta = {"byline_schema": SCHEMA_VERSION, **(identity or {})}
            return self.client.get_or_create_collection(
                name, metadata=meta, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        if identity:
            stored = col.metadata or {}
            diff = {k: (stored.get(k), v) for k, v in identity.items() if stored.get(k) != v}
            if diff:
                detail = ", ".join(f"{k}: index has {a!r}, settings say {b!r}" for k, (a, b) in diff.items())
                raise IndexMismatchError(
                    f"Index {name!r} at {self.where} does not match the settings ({detail})."
                )
        return col

    # --- reading ---------------------------------------------------------------------------------------
    def versions(self, ids: Sequence[str] | None = None) -> dict[str, str]:
        """article_id -> current version, for the given ids (or all articles)."""
        if ids is not None and not ids:
            return {}
        out: dict[str, str] = {}
        if ids is not None:
            for start in range(0, len(ids), 5000):
                res = self.registry.get(ids=list(ids[start : start + 5000]), include=["metadatas"])
                out.update({i: m["version"] for i, m in zip(res["ids"], res["metadatas"], strict=True)})
        else:
            for ids_, metas, _ in self._page(self.registry, include=["metadatas"]):
                out.update(
                    {i: m["version"] for i, m in zip(ids_, metas, strict=True) if "version" in (m or {})}
                )
        return out

    def key(self) -> str:
        """Which index this is (location and collection name): names its on-disk caches."""
        return f"{self.where}|{self.name}"

    def generation(self) -> str:
        """A token that changes whenever any article is written or deleted."""
        res = self.registry.get(ids=[_GENERATION_ID], include=["metadatas"])
        return str(res["metadatas"][0]["value"]) if res["ids"] else "empty"

    def stats(self) -> dict[str, Any]:
        """Counts for `byline stats` and the library view."""
        sources: dict[str, int] = {}
        dates: list[str] = []
        n_articles = n_chunks = 0
        for ids_, metas, _ in self._page(self.registry, include=["metadatas"]):
            for i, m in zip(ids_, metas, strict=True):
                if i.startswith("__"):
                    continue
                n_articles += 1
                n_chunks += int(m.get("n_chunks", 0))
                src = m.get("source") or "(unknown)"
                sources[src] = sources.get(src, 0) + 1
                if m.get("published_at"):
                    dates.append(m["published_at"])
        return {
            "articles": n_articles,
            "chunks": n_chunks,
            "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None,
        }

    def chunk_count(self) -> int:
        """Number of visible chunks (those of current article versions)."""
        # Orphans exist only briefly (between write steps or after a crash), so count via the registry.
        total = 0
        for _, metas, _ in self._page(self.registry, include=["metadatas"]):
            total += sum(int(m.get("n_chunks", 0)) for m in metas if m)
        return total

    def list_articles(self) -> list[dict[str, Any]]:
        """Metadata of every article (no bodies), sorted by date then title."""
        rows = []
        for ids_, metas, _ in self._page(self.registry, include=["metadatas"]):
            for i, m in zip(ids_, metas, strict=True):
                if not i.startswith("__"):
                    rows.append({"id": i, **{k: v for k, v in m.items() if k != "captions"}})
        return sorted(rows, key=lambda r: (r.get("published_at") or "", r.get("title") or ""))

    def get_articles(self, ids: Iterable[str]) -> dict[str, Article]:
        """Full articles (body and metadata) by id; unknown ids are left out."""
        wanted = [i for i in dict.fromkeys(ids) if not i.startswith("__")]
        if not wanted:
            return {}
        res = self.registry.get(ids=wanted, include=["metadatas", "documents"])
        out = {}
        for i, meta, body in zip(res["ids"], res["metadatas"], res["documents"], strict=True):
            out[i] = Article(
                id=i,
                title=meta.get("title", ""),
                body=body or "",
                source=meta.get("source"),
                author=meta.get("author"),
                published_at=meta.get("published_at"),
                url=meta.get("url"),
                category=meta.get("category"),
                captions=[Span(a, b) for a, b in json.loads(meta.get("captions", "[]"))],
                origin=meta.get("origin", ""),
            )
        return out

    def require_articles(self) -> None:
        """Raise EmptyIndexError when nothing is indexed."""
        if not any(not i.startswith("__") for i in self.registry.get(limit=3, include=[])["ids"]):
            raise EmptyIndexError(f"The index {self.name!r} at {self.where} is empty.")

    def query(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[Passage]:
        """Nearest chunks of current article versions, best first; score is cosine similarity."""
        return self.query_many([vector], n, filters)[0]

    def query_many(
        self, vectors: Sequence[np.ndarray], n: int, filters: Filters | None = None
    ) -> list[list[Passage]]:
        """``query`` for several vectors in one Chroma call and one version lookup (a comparison's sides)."""
        if not len(vectors):
            return []
        # Ask for a few extra: stale chunks (mid-update, or orphans) are filtered out below. Chroma returns
        # fewer rows when the collection holds fewer, so no count() round trip is needed first.
        res = self.chunks.query(
            query_embeddings=[np.asarray(v, dtype=np.float32).tolist() for v in vectors],
            n_results=n + 8,
            where=filters_to_where(filters),
            include=["metadatas", "documents", "distances"],
        )
        per_vector = [
            list(zip(ids, metas, docs, dists, strict=True))
            for ids, metas, docs, dists in zip(
                res["ids"], res["metadatas"], res["documents"], res["distances"], strict=True
            )
        ]
        current = self.versions(list({m["article_id"] for rows in per_vector for _, m, _, _ in rows}))
        out = []
        for rows in per_vector:
            passages = []
            for cid, meta, doc, dist in rows:
                if current.get(meta["article_id"]) != meta.get("version"):
                    continue
                sim = 1.0 - float(dist)
                passages.append(_passage(cid, meta, doc, sim, {"dense": sim}))
            out.append(passages[:n])
        return out

    def iter_passages(self, batch_size: int = 2000) -> Iterator[Passage]:
        """Every visible chunk, in storage order (for building the lexical index)."""
        current = self.versions()
        for ids_, metas, docs in self._page(self.chunks, include=["metadatas", "documents"], size=batch_size):
            for cid, meta, doc in zip(ids_, metas, docs, strict=True):
                if current.get(meta["article_id"]) == meta.get("version"):
                    yield _passage(cid, meta, doc, 0.0, {})

    def _page(self, col: Any, include: list[str], size: int = 5000) -> Iterator[tuple[list, list, list]]:
        offset = 0
        while True:
            res = col.get(include=include, limit=size, offset=offset)
            if not res["ids"]:
                return
            docs = res.get("documents") or [None] * len(res["ids"])
            yield res["ids"], res["metadatas"] or [{}] * len(res["ids"]), docs
            offset += len(res["ids"])

    # --- writing ---------------------------------------------------------------------------------------
    def write(self, batch: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]]) -> None:
        """Make each article's new version visible atomically (see the module docstring)."""
        if not batch:
            return
        ids = [a.id for a, _, _ in batch]
        self._set_pending(ids)
        ids_, vecs, docs, metas = [], [], [], []
        for article, chunks, vectors in batch:
            version = article.content_hash
            for chunk, vec in zip(chunks, vectors, strict=True):
                ids_.append(chunk.chunk_id(version))
                vecs.append(vec)
                docs.append(chunk.text)
                metas.append(_chunk_meta(article, chunk, version))
        for s in range(0, len(ids_), _WRITE_BATCH):
            self.chunks.upsert(
                ids=ids_[s : s + _WRITE_BATCH],
                embeddings=np.asarray(vecs[s : s + _WRITE_BATCH], dtype=np.float32),
                documents=docs[s : s + _WRITE_BATCH],
                metadatas=metas[s : s + _WRITE_BATCH],
            )
        # The switch: one registry record per article.
        self.registry.upsert(
            ids=ids,
            embeddings=[_DUMMY] * len(ids),
            documents=[a.body for a, _, _ in batch],
            metadatas=[_article_meta(a, len(c)) for a, c, _ in batch],
        )
        self._bump_generation()
        self._remove_stale({a.id: a.content_hash for a, _, _ in batch})
        self._clear_pending()

    def delete(self, article_id: str) -> bool:
        """Remove an article and its chunks; False if it was not indexed."""
        if not self.registry.get(ids=[article_id])["ids"]:
            return False
        self._set_pending([article_id])
        self.registry.delete(ids=[article_id])  # invisible from here on
        self._bump_generation()
        self.chunks.delete(where={"article_id": article_id})
        self._clear_pending()
        return True

    def collect_garbage(self) -> int:
        """Remove chunks left by an interrupted write (those of articles named in the pending record)."""
        res = self.registry.get(ids=[_PENDING_ID], include=["metadatas"])
        if not res["ids"]:
            return 0
        pending = json.loads(res["metadatas"][0].get("ids", "[]"))
        current = self.versions(pending)
        removed = self._remove_stale({i: current.get(i) for i in pending})
        self._clear_pending()
        return removed

    def _remove_stale(self, versions: dict[str, str | None]) -> int:
        """Delete chunks of these articles whose version is not the given one (None: all their chunks)."""
        ids = list(versions)
        stale: list[str] = []
        for s in range(0, len(ids), 500):  # one metadata read per 500 articles, not one per article
            res = self.chunks.get(where={"article_id": {"$in": ids[s : s + 500]}}, include=["metadatas"])
            stale += [
                cid
                for cid, meta in zip(res["ids"], res["metadatas"], strict=True)
                if versions.get(meta["article_id"]) is None
                or meta.get("version") != versions[meta["article_id"]]
            ]
        for s in range(0, len(stale), _WRITE_BATCH):
            self.chunks.delete(ids=stale[s : s + _WRITE_BATCH])
        return len(stale)

    def _set_pending(self, ids: Sequence[str]) -> None:
        prior = self.registry.get(ids=[_PENDING_ID], include=["metadatas"])
        if prior["ids"]:  # an earlier interrupted write: clean it up first
            self.collect_garbage()
        self.registry.upsert(
            ids=[_PENDING_ID], embeddings=[_DUMMY], documents=[""], metadatas=[{"ids": json.dumps(list(ids))}]
        )

    def _clear_pending(self) -> None:
        self.registry.delete(ids=[_PENDING_ID])

    def _bump_generation(self) -> None:
        self.registry.upsert(
            ids=[_GENERATION_ID], embeddings=[_DUMMY], documents=[""], metadatas=[{"value": uuid.uuid4().hex}]
        )


def _article_meta(article: Article, n_chunks: int) -> dict[str, Any]:
    return _clean_meta(
        {
            "version": article.content_hash,
            "title": article.title,
            "source": article.source,
            "author": article.author,
            "published_at": article.published_at,
            "published_day": date_key(article.published_at),
            "url": article.url,
            "category": article.category,
            "captions": json.dumps([[s.start, s.end] for s in article.captions]),
            "origin": article.origin,
            "n_chunks": n_chunks,
            "chars": len(article.body),
        }
    )


def _chunk_meta(article: Article, chunk: Chunk, version: str) -> dict[str, Any]:
    return _clean_meta(
        {
            "article_id": article.id,
            "version": version,
            "index": chunk.index,
            "start": chunk.start,
            "end": chunk.end,
            "section": chunk.section,
            "title": article.title,
            "source": article.source,
            "published_at": article.published_at,
            "published_day": date_key(article.published_at),
            "url": article.url,
            "category": article.category,
        }
    )


def _passage(cid: str, meta: dict[str, Any], doc: str, score: float, scores: dict[str, float]) -> Passage:
    return Passage(
        chunk_id=cid,
        article_id=meta["article_id"],
        title=meta.get("title", ""),
        source=meta.get("source"),
        published_at=meta.get("published_at"),
        url=meta.get("url"),
        section=meta.get("section", "body"),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=doc,
        score=score,
        scores=scores,
    )
