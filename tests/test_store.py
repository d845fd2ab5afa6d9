"""One contract suite for the index store, run against embedded Chroma (temp dir) and a real `chroma run` server."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from assistant.answerer import Filters
from assistant.errors import IndexMismatchError, StoreUnavailableError
from assistant.settings import Settings
from assistant.store import IndexStore, open_store
from assistant.types import Article
from ingest.chunk import ChunkingSpec, chunk_article, embedding_text

SPEC = ChunkingSpec(max_tokens=60, overlap_tokens=10)


TOPICS = {
    1: "The mayor said the old bridge over the river would reopen to traffic on Monday.",
    2: "Farmers brought prize pumpkins and goats to the county fair, which drew record crowds.",
    3: "The central bank raised interest rates by half a point to fight inflation.",
}


def _article(i: int, source: str = "Wire", date: str = "2020-01-01", extra: str = "") -> Article:
    body = (
        f"{TOPICS[i]} Officials gave details at a press conference.{extra}\n\n"
        "A second paragraph adds background that readers may find useful."
    )
    return Article(id=f"art-{i}", title=f"Headline {i}", body=body, source=source, published_at=date)


def _write(store: IndexStore, embedder, articles: list[Article]) -> None:
    batch = []
    for a in articles:
        chunks = chunk_article(a, SPEC, embedder.count_tokens, embedder.token_offsets)
        batch.append((a, chunks, embedder.embed_batch([embedding_text(a, c) for c in chunks])))
    store.write(batch)


@pytest.fixture(params=["embedded", "server"])
def store_settings(request, tmp_path) -> Settings:
    collection = f"t{uuid.uuid4().hex[:12]}"
    if request.param == "embedded":
        return Settings(home=tmp_path / "home", collection=collection)
    url = request.getfixturevalue("chroma_server")
    return Settings(home=tmp_path / "home", chroma_url=url, collection=collection)


class TestStoreContract:
    def test_write_then_query_returns_passages_that_map_back(self, store_settings, embedder):
        store = open_store(store_settings)
        articles = [_article(i) for i in range(1, 4)]
        _write(store, embedder, articles)
        hits = store.query(embedder.embed_batch(["Which animals were shown at the county fair?"])[0], 3)
        assert hits and hits[0].article_id == "art-2"
        bodies = store.get_articles([h.article_id for h in hits])
        for h in hits:
            assert bodies[h.article_id].body[h.start : h.end] == h.text
            assert -1.0 <= h.score <= 1.0 and h.scores["dense"] == h.score
        assert store.stats()["articles"] == 3

    def test_rewriting_an_article_replaces_its_chunks(self, store_settings, embedder):
        store = open_store(store_settings)
        _write(store, embedder, [_article(1)])
        before = store.stats()["chunks"]
        gen = store.generation()
        changed = _article(1, extra=" The fair was cancelled after a storm.")
        _write(store, embedder, [changed])
        assert store.generation() != gen
        texts = [p.text for p in store.iter_passages()]
        assert any("cancelled" in t for t in texts)
        assert store.versions(["art-1"]) == {"art-1": changed.content_hash}
        # No stale chunk of the old version stays behind.
        assert store.chunks.count() == store.stats()["chunks"] >= before

    def test_delete_removes_article_and_chunks(self, store_settings, embedder):
        store = open_store(store_settings)
        _write(store, embedder, [_article(1), _article(2)])
        assert store.delete("art-1") is True
        assert store.delete("art-1") is False
        assert {p.article_id for p in store.iter_passages()} == {"art-2"}
        assert [a["id"] for a in store.list_articles()] == ["art-2"]

    def test_filters_by_source_and_date(self, store_settings, embedder):
        store = open_store(store_settings)
        _write(
            store,
            embedder,
            [
                _article(1, "Wire", "2019-05-01"),
                _article(2, "Gazette", "2021-03-02"),
                _article(3, "Wire", "2022-07-09"),
            ],
        )
        q = embedder.embed_batch(["the mayor and the bridge"])[0]
        assert {p.source for p in store.query(q, 10, Filters(sources=["Gazette"]))} == {"Gazette"}
        dated = store.query(q, 10, Filters(since="2020-01-01", until="2021-12-31"))
        assert {p.article_id for p in dated} == {"art-2"}
        assert {p.article_id for p in store.query(q, 10, Filters(article_ids=["art-3"]))} == {"art-3"}
        # Several vectors in one call: each list is what its own query returns.
        q2 = embedder.embed_batch(["Which team won the final?"])[0]
        both = store.query_many([q, q2], 3)
        for vec, got in zip([q, q2], both, strict=True):
            assert [p.chunk_id for p in got] == [p.chunk_id for p in store.query(vec, 3)]
        assert store.query_many([q, q2], 3, Filters(sources=["Gazette"]))[1][0].source == "Gazette"
        assert [p.chunk_id for p in both[0]] != [p.chunk_id for p in both[1]]  # not one list repeated

    def test_unswitched_chunks_are_invisible(self, store_settings, embedder):
        """Chunks of a version the registry does not name (a crash before the switch) never show up."""
        store = open_store(store_settings)
        _write(store, embedder, [_article(1)])
        new = _article(1, extra=" A secret late addition.")
        chunks = chunk_article(new, SPEC, embedder.count_tokens, embedder.token_offsets)
        vectors = embedder.embed_batch([c.text for c in chunks])
        store.chunks.upsert(  # step 1 of write() only: the process "dies" before the registry switch
            ids=[c.chunk_id(new.content_hash) for c in chunks],
            embeddings=vectors,
            documents=[c.text for c in chunks],
            metadatas=[
                {"article_id": new.id, "version": new.content_hash, "start": c.start, "end": c.end}
                for c in chunks
            ],
        )
        q = embedder.embed_batch(["secret late addition"])[0]
        assert all("secret" not in p.text for p in store.query(q, 10))
        assert all("secret" not in p.text for p in store.iter_passages())
        _write(store, embedder, [new])  # re-running finishes the job
        assert any("secret" in p.text for p in store.query(q, 10))

    def test_opening_with_another_embedding_model_is_an_error(self, store_settings, embedder):
        store = open_store(store_settings)
        _write(store, embedder, [_article(1)])

        class OtherModel:
            model_id = "another-model:768"

        with pytest.raises(IndexMismatchError) as err:
            open_store(store_settings, OtherModel())  # type: ignore[arg-type]
        assert "another-model:768" in str(err.value) and "BYLINE_COLLECTION" in err.value.hint
        with pytest.raises(IndexMismatchError):
            open_store(store_settings.model_copy(update={"chunk_tokens": 120}))


def test_unreachable_server_names_the_url(tmp_path):
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailableError) as err:
        open_store(Settings(home=tmp_path, chroma_url=url))
    assert url in str(err.value)


def test_empty_index_raises_with_the_ingest_hint(tmp_path):
    from assistant.errors import EmptyIndexError

    store = open_store(Settings(home=tmp_path))
    with pytest.raises(EmptyIndexError) as err:
        store.require_articles()
    assert "byline ingest" in err.value.hint
    assert store.list_articles() == [] and store.stats()["articles"] == 0
    assert store.query(np.ones(384, dtype=np.float32), 5) == []  # no count() guard: Chroma returns no rows
