"""The on-disk BM25 cache: one build per index generation, loaded by later processes, never stale."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from assistant.lexical_cache import KEEP, cache_path, load_or_build
from assistant.retrieval import Retriever
from assistant.store import open_store
from assistant.types import Article, Passage
from ingest.pipeline import ingest_articles

ARTS = [
    Article(
        id="kiln", title="Pottery kiln fire", source="Gazette", body="A pottery kiln caught fire in Bramford."
    ),
    Article(id="ferry", title="Ferry delayed", source="Gazette", body="The island ferry was delayed by fog."),
]


class NoReads:
    """A store whose chunks must not be read (proves the cache was used)."""

    def iter_passages(self, batch_size: int = 2000) -> Iterator[Passage]:
        raise AssertionError("the index was rebuilt instead of loaded")


@pytest.fixture
def indexed(make_settings, embedder):
    settings = make_settings()
    store = open_store(settings, embedder)
    ingest_articles(ARTS, settings, store=store, embedder=embedder)
    return settings, store


def test_second_load_reads_the_cache_not_the_store(indexed) -> None:
    settings, store = indexed
    key, generation = store.key(), store.generation()
    built = load_or_build(store, settings.cache_dir, key, generation)
    assert cache_path(settings.cache_dir, key, generation).exists()
    loaded = load_or_build(NoReads(), settings.cache_dir, key, generation)
    assert [p.chunk_id for p in loaded.search("kiln fire", 2)] == [
        p.chunk_id for p in built.search("kiln fire", 2)
    ]


def test_a_write_changes_the_generation_and_the_new_article_is_searchable(indexed, embedder) -> None:
    settings, store = indexed
    retriever = Retriever(store, embedder, settings)
    assert not retriever.lexical().search("lighthouse", 3)
    new = Article(
        id="light", title="Lighthouse", source="Gazette", body="The lighthouse keeper retired on Friday."
    )
    ingest_articles([new], settings, store=store, embedder=embedder)
    fresh = Retriever(store, embedder, settings)  # a new process: must not load the old generation's file
    assert [p.article_id for p in fresh.lexical().search("lighthouse", 3)] == ["light"]
    assert len(list((settings.cache_dir / "bm25").glob("*.pkl"))) == 2


def test_an_unreadable_cache_file_is_rebuilt(indexed, caplog) -> None:
    settings, store = indexed
    key, generation = store.key(), store.generation()
    path = cache_path(settings.cache_dir, key, generation)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="byline.lexical"):
        index = load_or_build(store, settings.cache_dir, key, generation)
    assert "unreadable BM25 cache" in caplog.text
    assert [p.article_id for p in index.search("ferry fog", 1)] == ["ferry"]
    reloaded = load_or_build(NoReads(), settings.cache_dir, key, generation)  # rewritten, now valid
    assert len(reloaded) == len(index)


def test_only_the_newest_files_are_kept(indexed) -> None:
    settings, store = indexed
    for i in range(KEEP + 2):
        load_or_build(store, settings.cache_dir, "k", f"g{i}")  # as after KEEP + 2 writes
    assert len(list((settings.cache_dir / "bm25").glob("*.pkl"))) == KEEP


def test_assistant_warm_up_builds_and_caches_the_index(indexed, embedder) -> None:
    from assistant.chain import Assistant

    settings, store = indexed
    Assistant(store, embedder, settings).warm_up()
    assert cache_path(settings.cache_dir, store.key(), store.generation()).exists()


def test_no_cache_dir_builds_in_memory(indexed) -> None:
    settings, store = indexed
    index = load_or_build(store, None, "k", store.generation())
    assert [p.article_id for p in index.search("kiln", 1)] == ["kiln"]
    assert not (settings.cache_dir / "bm25").exists()
