"""Chunker: sentence-aware, bounded in model tokens, exact offsets, stable — examples and properties."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.types import Article, Span
from ingest.chunk import ChunkingSpec, chunk_article, sections
from tests.conftest import SAMPLE_DIR

SPEC = ChunkingSpec(max_tokens=60, overlap_tokens=15)


def _seed() -> Article:
    record = json.loads((SAMPLE_DIR / "ap-aleppo.jsonl").read_text(encoding="utf-8").splitlines()[0])
    body = record["body"]
    caption_end = body.index("(AP Photo/Hassan Ammar)") + len("(AP Photo/Hassan Ammar)")
    return Article(id=record["id"], title=record["title"], body=body, captions=[Span(0, caption_end)])


def _chunks(article: Article, embedder, spec: ChunkingSpec = SPEC):
    return chunk_article(article, spec, embedder.count_tokens, embedder.token_offsets)


def test_offsets_map_back_and_limits_hold_on_the_seed_article(embedder):
    article = _seed()
    chunks = _chunks(article, embedder)
    assert len(chunks) > 5
    for c in chunks:
        assert article.body[c.start : c.end] == c.text
        assert embedder.count_tokens([c.text])[0] <= SPEC.max_tokens
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_caption_is_chunked_apart_from_the_story(embedder):
    article = _seed()
    chunks = _chunks(article, embedder)
    caption = article.captions[0]
    for c in chunks:
        inside = caption.start <= c.start and c.end <= caption.end
        assert inside == (c.section == "caption"), c  # no chunk mixes caption and story text
    assert any(c.section == "caption" for c in chunks)
    assert sections(article)[0] == ("caption", caption.start, caption.end)


def test_sentences_are_never_cut_when_they_fit(embedder):
    body = "First short sentence here. " * 3 + "The second paragraph starts. It has two sentences."
    article = Article(id="a", title="t", body=body)
    for c in _chunks(article, embedder, ChunkingSpec(max_tokens=12, overlap_tokens=0)):
        assert c.text.endswith("."), c.text  # every chunk ends at a sentence end


def test_overlap_repeats_the_end_of_the_previous_chunk(embedder):
    body = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(30))
    chunks = _chunks(
        Article(id="a", title="t", body=body), embedder, ChunkingSpec(max_tokens=40, overlap_tokens=12)
    )
    assert len(chunks) > 3
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        assert nxt.start < prev.end  # overlapping spans
        assert nxt.start > prev.start  # always advancing


def test_a_sentence_longer_than_the_limit_is_cut_at_token_boundaries(embedder):
    body = "This " + "very " * 150 + "long sentence ends here."
    chunks = _chunks(
        Article(id="a", title="t", body=body), embedder, ChunkingSpec(max_tokens=50, overlap_tokens=10)
    )
    assert len(chunks) >= 3
    covered = set()
    for c in chunks:
        assert body[c.start : c.end] == c.text
        assert embedder.count_tokens([c.text])[0] <= 50
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(body) if not ch.isspace())


def test_chunk_ids_are_stable_and_change_with_the_text(embedder):
    a = _seed()
    ids1 = [c.chunk_id(a.content_hash) for c in _chunks(a, embedder)]
    ids2 = [c.chunk_id(a.content_hash) for c in _chunks(_seed(), embedder)]
    assert ids1 == ids2
    b = _seed()
    b.body = b.body.replace("Russia", "Moscow", 1)
    assert set(ids1).isdisjoint(c.chunk_id(b.content_hash) for c in _chunks(b, embedder))


_words = st.sampled_from(
    [
        "Aleppo",
        "the",
        "U.N.",
        "said",
        "on",
        "Friday",
        "9,500",
        "people",
        "—",
        "“evacuations”",
        "rebels",
        "and",
        "x" * 30,
    ]
)
_sentence = st.lists(_words, min_size=1, max_size=40).map(lambda ws: " ".join(ws) + ".")
_paragraph = st.lists(_sentence, min_size=1, max_size=6).map(" ".join)
_body = st.lists(_paragraph, min_size=1, max_size=5).map("\n\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_body, max_tokens=st.integers(16, 80), overlap=st.integers(0, 20))
def test_property_chunks_cover_the_body_fit_the_limit_and_map_back(embedder, body, max_tokens, overlap):
    article = Article(id="p", title="t", body=body)
    chunks = _chunks(article, embedder, ChunkingSpec(max_tokens=max_tokens, overlap_tokens=overlap))
    covered: set[int] = set()
    for c in chunks:
        assert body[c.start : c.end] == c.text
        assert embedder.count_tokens([c.text])[0] <= max_tokens
        covered.update(range(c.start, c.end))
    # Every non-space character of the body is in some chunk.
    assert all(i in covered for i, ch in enumerate(body) if not ch.isspace())
    # Stable: the same input gives the same chunks.
    again = _chunks(Article(id="p", title="t", body=body), embedder, ChunkingSpec(max_tokens, overlap))
    assert [(c.start, c.end) for c in again] == [(c.start, c.end) for c in chunks]
