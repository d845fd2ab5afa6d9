"""Hybrid retrieval: fusion, diversity, comparison split, filters, lazy BM25 rebuild (real Chroma + MiniLM)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.answerer import Filters
from assistant.lexical import LexicalIndex, matches
from assistant.retrieval import Retriever, alternatives, diversify, fuse
from assistant.store import open_store
from assistant.types import Article, Passage
from ingest.pipeline import ingest_articles


def P(cid: str, article: str, text: str, score: float = 0.0, **kw: object) -> Passage:  # noqa: N802
    return Passage(chunk_id=cid, article_id=article, title=kw.pop("title", article), start=0, end=len(text),
                   text=text, score=score, **kw)  # type: ignore[arg-type]  # fmt: skip


# --- pure parts --------------------------------------------------------------------------------------------


def test_rrf_rewards_agreement_and_keeps_each_score() -> None:
    dense = [P("a", "A", "x", 0.9), P("b", "B", "y", 0.8), P("c", "C", "z", 0.7)]
    bm25 = [P("c", "C", "z", 12.0), P("b", "B", "y", 3.0)]
    for p in dense:
        p.scores = {"dense": p.score}
    for p in bm25:
        p.scores = {"bm25": p.score}
    fused = fuse({"dense": dense, "bm25": bm25}, rrf_k=60)
    assert [p.chunk_id for p in fused] == ["c", "b", "a"]  # c: 1/63+1/61 > b: 1/62+1/62 > a: 1/61
    assert fused[0].scores["dense"] == 0.7 and fused[0].scores["bm25"] == 12.0
    assert abs(fused[0].scores["rrf"] - (1 / 63 + 1 / 61)) < 1e-12


def test_one_long_article_cannot_fill_every_slot() -> None:
    ranked = [P(f"a{i}", "long", f"part {i}", 1.0 - i / 100) for i in range(10)] + [P("b", "other", "b", 0.5)]
    picked = diversify(ranked, 4, per_article=2)
    assert [p.article_id for p in picked].count("long") == 2
    assert "other" in {p.article_id for p in picked}


def test_repeated_text_under_another_id_takes_no_slot() -> None:
    ranked = [P("a", "A", "Same  story text."), P("b", "B", "Same story\ntext."), P("c", "C", "Different.")]
    assert [p.chunk_id for p in diversify(ranked, 2)] == ["a", "c"]


def test_coverage_brings_in_the_other_side_of_a_comparison() -> None:
    ranked = [P("g1", "G1", "germany jobless", 1.0), P("g2", "G2", "germany jobless rate", 0.99),
              P("b", "B", "brazil jobless", 0.8)]  # fmt: skip
    weights = {"germani": 1.0, "brazil": 1.0, "jobless": 0.5}
    assert [p.chunk_id for p in diversify(ranked, 2)] == ["g1", "g2"]
    assert [p.chunk_id for p in diversify(ranked, 2, query_terms=weights, coverage=0.5)] == ["g1", "b"]


def test_alternatives_split_only_real_comparisons() -> None:
    assert alternatives("Which got more Brit Award nominations, Franz Ferdinand or Kasabian?") == (
        "Which got more Brit Award nominations", ["Franz Ferdinand", "Kasabian"])  # fmt: skip
    assert alternatives("How many people were killed or wounded when the convoy was fired on?") is None
    assert alternatives("Who won, Agassi or Federer") is None  # not a question


@given(st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from(["t1", "t2", "t3", "t4", "t5"])), max_size=20),
       st.integers(1, 6), st.integers(1, 3))  # fmt: skip
def test_diversify_respects_k_cap_and_uniqueness(rows: list[tuple[str, str]], k: int, per: int) -> None:
    ranked = [P(f"c{i}", a, t, 1.0 / (i + 1)) for i, (a, t) in enumerate(rows)]
    picked = diversify(ranked, k, per_article=per)
    assert len(picked) <= k
    assert all([p.article_id for p in picked].count(a) <= per for a in "ABCD")
    assert len({p.text for p in picked}) == len(picked)


def test_filters_match_and_mask_agree() -> None:
    ps = [P("1", "a", "x", source="AP", published_at="2016-12-16"), P("2", "b", "x", source="Wikinews",
          published_at="2008-01-20"), P("3", "c", "x", source="AP")]  # fmt: skip
    index = LexicalIndex(ps)
    for f in (Filters(sources=["AP"]), Filters(since="2010-01-01"), Filters(until="2010-01-01"),
              Filters(article_ids=["b", "c"]), Filters(sources=["AP"], since="2016-12-16", until="2016-12-16")):  # fmt: skip
        assert [matches(f, p) for p in ps] == list(index.mask(f))
    assert matches(None, ps[0]) and index.mask(Filters()) is None


# --- against the real sample index -------------------------------------------------------------------------


def test_hybrid_finds_the_seed_article(sample_index, embedder) -> None:
    settings, store = sample_index
    retriever = Retriever(store, embedder, settings)
    got = retriever.retrieve("What did the Red Cross urge about the Aleppo evacuations?", k=4)
    assert got[0].article_id == "ap-aleppo-2016-12"
    assert all({"rrf"} <= p.scores.keys() for p in got)
    assert len(got) == 4 and sum(p.article_id == "ap-aleppo-2016-12" for p in got) <= settings.max_chunks_per_article


def test_comparison_retrieves_both_articles(sample_index, embedder) -> None:
    settings, store = sample_index
    retriever = Retriever(store, embedder, settings)
    got = retriever.retrieve("Which Mecca disaster killed more people: the 2006 Hajj stampede or the 2015 crane "
                             "collapse?", k=4)  # fmt: skip
    assert {"wikinews-gum-stampede", "wikinews-gum-crane"} <= {p.article_id for p in got}


def test_filters_apply_to_both_retrievers(sample_index, embedder) -> None:
    settings, store = sample_index
    retriever = Retriever(store, embedder, settings)
    q = "Church of Scientology"
    only = retriever.retrieve(q, k=5, filters=Filters(since="2010-01-01", until="2011-12-31"))
    assert only and {p.article_id for p in only} <= {"wikinews-gum-defector", "wikinews-gum-imprisoned",
                                                       "wikinews-gum-ie9", "wikinews-gum-nasa"}  # fmt: skip
    assert all(p.source == "Wikinews" for p in retriever.retrieve(q, k=5, filters=Filters(sources=["Wikinews"])))
    assert retriever.retrieve(q, k=5, filters=Filters(sources=["Nobody"])) == []
    ids = Filters(article_ids=["ap-aleppo-2016-12"])
    assert {p.article_id for p in retriever.retrieve(q, k=3, filters=ids)} == {"ap-aleppo-2016-12"}


def test_bm25_is_rebuilt_when_the_index_changes(make_settings, embedder) -> None:
    settings = make_settings()
    store = open_store(settings, embedder)
    first = Article(id="one", title="Pigeons", body="Racing pigeons flew home to Antwerp on Sunday.", source="T")
    ingest_articles([first], settings, store=store, embedder=embedder)
    retriever = Retriever(store, embedder, settings)
    assert len(retriever.lexical()) == 1
    assert retriever.lexical() is retriever.lexical()  # cached while nothing changes
    second = Article(id="two", title="Zeppelins", body="A zeppelin landed in Friedrichshafen.", source="T")
    ingest_articles([second], settings, store=store, embedder=embedder)
    assert retriever.retrieve("zeppelin Friedrichshafen", k=1)[0].article_id == "two"
    assert len(retriever.lexical()) == 2
