"""Hybrid retrieval: fusion, diversity, comparison sides, filters, lazy BM25 rebuild (real Chroma + MiniLM)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.answerer import Filters
from assistant.lexical import LexicalIndex, matches, terms
from assistant.retrieval import (
    QueryEmbedder,
    Retriever,
    alternatives,
    diversify,
    fuse,
    fuse_scores,
    interleave,
    sentence_coverage,
)
from assistant.settings import Settings
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
    assert abs(fused[0].scores["fused"] - (1 / 63 + 1 / 61)) < 1e-12


def _lists() -> tuple[list[Passage], list[Passage]]:
    """Dense likes x and y about equally; BM25 scores x far above everything (it names what is asked)."""
    dense = [P("y", "Y", "y", 0.62), P("z", "Z", "z", 0.61), P("w", "W", "w", 0.60), P("x", "X", "x", 0.55)]
    bm25 = [P("x", "X", "x", 24.0), P("y", "Y", "y", 9.0), P("z", "Z", "z", 8.5), P("w", "W", "w", 1.0)]
    for p in dense:
        p.scores = {"dense": p.score}
    for p in bm25:
        p.scores = {"bm25": p.score}
    return dense, bm25


def test_score_fusion_counts_margins_where_rank_fusion_sees_only_ranks() -> None:
    dense, bm25 = _lists()
    # Ranks alone: y (1st and 2nd) beats x (4th and 1st).
    assert fuse({"dense": dense, "bm25": bm25})[0].chunk_id == "y"
    fused = fuse_scores({"dense": dense, "bm25": bm25}, {"dense": 0.3, "bm25": 0.7})
    assert fused[0].chunk_id == "x"  # BM25's wide margin decides; dense says little either way
    x = fused[0]
    assert x.scores["dense"] == 0.55 and x.scores["bm25"] == 24.0  # each retriever's own score is kept
    assert x.score == x.scores["fused"] == pytest.approx(0.3 * 0.0 + 0.7 * 1.0)  # min-max per list
    y = next(p for p in fused if p.chunk_id == "y")
    assert y.score == pytest.approx(0.3 * 1.0 + 0.7 * (9.0 - 1.0) / 23.0)


def test_score_fusion_weights_choose_between_the_retrievers() -> None:
    dense, bm25 = _lists()
    assert [p.chunk_id for p in fuse_scores({"dense": dense, "bm25": bm25}, {"dense": 1.0, "bm25": 0.0})] == [
        "y", "z", "w", "x"
    ]  # fmt: skip
    assert [p.chunk_id for p in fuse_scores({"dense": dense, "bm25": bm25}, {"dense": 0.0, "bm25": 1.0})] == [
        "x", "y", "z", "w"
    ]  # fmt: skip
    only = fuse_scores({"dense": dense[:1], "bm25": []}, {"dense": 0.3, "bm25": 0.7})
    assert [(p.chunk_id, p.score) for p in only] == [("y", 0.3)]  # one candidate: the top of its list


def test_bm25_search_also_scores_other_candidates_within_the_filters() -> None:
    ps = [P("1", "a", "the cup final was won by Chelsea", source="AP"), P("2", "b", "Chelsea manager Mourinho"),
          P("3", "c", "weather report"), P("4", "d", "Chelsea fans", source="AP")]  # fmt: skip
    index = LexicalIndex(ps)
    top = index.search("Chelsea cup final", 1)
    assert [p.chunk_id for p in top] == ["1"]
    got = index.search("Chelsea cup final", 1, also=["3", "2", "1", "missing", "2"])
    assert [p.chunk_id for p in got] == ["1", "2", "3"]  # the top, then the others by score; once each
    assert got[1].scores["bm25"] > 0 and got[2].scores["bm25"] == 0.0  # a real score, 0 for no shared term
    assert [p.chunk_id for p in index.search("Chelsea cup final", 1, Filters(sources=["AP"]), also=["2", "4"])] == [
        "1", "4"
    ]  # fmt: skip


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


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which had the higher unemployment rate: Germany in February 2005 or Brazil in December 2004?",
         ("Which had the higher unemployment rate", ["Germany in February 2005", "Brazil in December 2004"])),
        ("Who has won the Australian Open more times, Andre Agassi, or Lindsay Davenport?",
         ("Who has won the Australian Open more times", ["Andre Agassi", "Lindsay Davenport"])),
        ("Which drew more viewers - the Pompeii docu-drama or the EastEnders special?",
         ("Which drew more viewers", ["the Pompeii docu-drama", "the EastEnders special"])),
        ("Which grew faster; Inbev or Ambev?", ("Which grew faster", ["Inbev", "Ambev"])),
        ("Barclays or WPP: which reported the bigger rise in profits?",
         ("which reported the bigger rise in profits", ["Barclays", "WPP"])),
        ("Which firm, Barclays or WPP, reported the bigger rise in profits?",
         ("Which firm reported the bigger rise in profits", ["Barclays", "WPP"])),
        ("Which drew more viewers, the Pompeii docu-drama?", None),  # one option only
        ("Which team won the semi-final or the final of the cup?", None),  # no separator before the options
        ("Did Barclays or WPP report the bigger rise?", None),  # the options are not set off
    ],
)  # fmt: skip
def test_alternatives_comparison_shapes(question: str, expected: tuple[str, list[str]] | None) -> None:
    assert alternatives(question) == expected


def test_sentence_coverage_rewards_terms_meeting_in_one_sentence() -> None:
    weights = {"spider": 2.0, "box": 1.0, "offic": 1.0}
    together = [frozenset(terms(t)) for t in ("Lee sued Marvel.", "Spider-Man made $1.6bn at box offices.")]
    apart = [frozenset(terms(t)) for t in ("Spider-Man is a hit.", "The box office fell.", "")]
    assert sentence_coverage(together, weights) == 1.0
    assert sentence_coverage(apart, weights) == 0.5
    assert sentence_coverage(together, {}) == 0.0 and sentence_coverage([], weights) == 0.0


def test_interleave_takes_each_side_in_turn() -> None:
    a, b = [P("a1", "A", "a1"), P("a2", "A", "a2"), P("a3", "A", "a3")], [P("b1", "B", "b1")]
    assert [p.chunk_id for p in interleave([a, b], 2)] == ["a1", "b1", "a2"]
    assert interleave([[], []], 2) == []


def test_reserved_passages_lead_when_asked() -> None:
    ranked = [P("x", "X", "x", 1.0), P("y", "Y", "y", 0.9)]
    first = [P("a", "A", "a", 0.1), P("b", "B", "b", 0.1)]
    assert [p.chunk_id for p in diversify(ranked, 3, first=first)] == ["x", "a", "b"]
    assert [p.chunk_id for p in diversify(ranked, 2, first=first, lead=False)] == ["a", "b"]


class CountingEmbedder:
    """Deterministic stand-in for the model: counts calls, one fixed vector per text."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)


def test_query_embedder_embeds_uncached_texts_in_one_call() -> None:
    fake = CountingEmbedder()
    embed = QueryEmbedder(fake, size=3)  # type: ignore[arg-type]
    first = embed("a question")
    vectors = embed.many(["a question", "stem one", "stem two", "stem one"])
    assert fake.calls == [["a question"], ["stem one", "stem two"]]
    assert np.array_equal(vectors[0], first) and np.array_equal(vectors[1], vectors[3])
    embed.many(["new", "newer"])  # size 3: the oldest entries go
    embed("a question")
    assert fake.calls[-1] == ["a question"]


def test_sentence_terms_split_a_passage_and_cache_indexed_chunks() -> None:
    indexed = P("c1", "A", "Kasabian got three nominations. Franz Ferdinand got five.")
    index = LexicalIndex([indexed])
    sentences = index.sentence_terms(indexed)
    assert sentences == [
        frozenset(terms(t)) for t in ("Kasabian got three nominations.", "Franz Ferdinand got five.")
    ]
    assert index.sentence_terms(indexed) is sentences  # cached
    # A chunk the index does not hold is split afresh each time (its id promises nothing about its text).
    assert len(index.sentence_terms(P("x", "B", "One sentence only."))) == 1
    assert len(index.sentence_terms(P("x", "B", "Now two. Sentences here."))) == 2


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
    assert all({"bm25", "fused"} <= p.scores.keys() for p in got)  # dense candidates get a BM25 score too
    assert (
        len(got) == 4
        and sum(p.article_id == "ap-aleppo-2016-12" for p in got) <= settings.max_chunks_per_article
    )


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
    assert all(
        p.source == "Wikinews" for p in retriever.retrieve(q, k=5, filters=Filters(sources=["Wikinews"]))
    )
    assert retriever.retrieve(q, k=5, filters=Filters(sources=["Nobody"])) == []
    ids = Filters(article_ids=["ap-aleppo-2016-12"])
    assert {p.article_id for p in retriever.retrieve(q, k=3, filters=ids)} == {"ap-aleppo-2016-12"}


def test_bm25_is_rebuilt_when_the_index_changes(make_settings, embedder) -> None:
    settings = make_settings()
    store = open_store(settings, embedder)
    first = Article(
        id="one", title="Pigeons", body="Racing pigeons flew home to Antwerp on Sunday.", source="T"
    )
    ingest_articles([first], settings, store=store, embedder=embedder)
    retriever = Retriever(store, embedder, settings)
    assert len(retriever.lexical()) == 1
    assert retriever.lexical() is retriever.lexical()  # cached while nothing changes
    second = Article(id="two", title="Zeppelins", body="A zeppelin landed in Friedrichshafen.", source="T")
    ingest_articles([second], settings, store=store, embedder=embedder)
    assert retriever.retrieve("zeppelin Friedrichshafen", k=1)[0].article_id == "two"
    assert len(retriever.lexical()) == 2


# --- comparisons against a small real index ----------------------------------------------------------------

BRITS = [
    ("ff-tour", "Franz Ferdinand tour diary",
     "Franz Ferdinand played two nights in Glasgow. Franz Ferdinand fans queued for hours in the rain. "
     "Franz Ferdinand thanked the crowd, and the band's new songs went down well with Franz Ferdinand fans."),
    ("ff-brits", "Brit nominations list revealed",
     "The shortlists were read out in London on Monday. Franz Ferdinand picked up five Brit Award nominations, "
     "including best British group. The ceremony takes place in February."),
    ("keane", "Keane lead Brit Award race", "Keane got four Brit Award nominations, more than any act but one."),
    ("stone", "Joss Stone up for Brit Awards", "Joss Stone got three Brit Award nominations this year."),
    ("streets", "The Streets nominated", "The Streets got two Brit Award nominations, for album and single."),
    ("scissor", "Scissor Sisters in Brit race", "Scissor Sisters got three Brit Award nominations on Monday."),
    ("kasabian", "Cult band surge forward",
     "Leicester band Kasabian built a cult following in 2004. Kasabian are up for three Brit Awards next month."),
    # Unrelated news, so that term rarity is measured against more than one topic.
    *((f"other-{i}", f"Other story {i}", f"{text} The council said more details, which it got last week, follow.")
      for i, text in enumerate(["Rail fares rise by 4% in January.", "Storms closed two schools in Devon.",
                                "The bank kept interest rates at 4.75%.", "A new bridge opened over the Tyne.",
                                "Chelsea beat Portsmouth 2-0 away.", "Oil prices fell to $40 a barrel."])),
]  # fmt: skip


@pytest.fixture(scope="module")
def brits(tmp_path_factory, embedder) -> Retriever:
    """A retriever over a tiny music-news index where one side of a comparison is crowded out."""
    settings = Settings(home=tmp_path_factory.mktemp("brits"))
    store = open_store(settings, embedder)
    articles = [Article(id=i, title=t, body=b, source="T") for i, t, b in BRITS]
    assert ingest_articles(articles, settings, store=store, embedder=embedder).ok
    return Retriever(store, embedder, settings)


def test_comparison_takes_each_side_in_turn_after_the_best_passage(brits: Retriever) -> None:
    got = brits.retrieve("Which got more Brit Award nominations, Franz Ferdinand or Kasabian?", k=4)
    # The question's best (side A's best too), then side B's best before anything else of side A.
    assert [p.article_id for p in got[:3]] == ["ff-brits", "kasabian", "ff-tour"] and len(got) == 4


def test_comparison_with_two_slots_gives_one_to_each_side(brits: Retriever) -> None:
    got = brits.retrieve("Which got more Brit Award nominations, Franz Ferdinand or Kasabian?", k=2)
    # The band's tour diary names it most (BM25's pick for "stem Franz Ferdinand"), but says nothing of awards.
    assert [p.article_id for p in got] == ["ff-brits", "kasabian"]


class FixedDenseStore:
    """Pure stand-in for the vector store: the same dense ranking for every query, filters ignored."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def query_many(
        self, vectors: list[np.ndarray], n: int, filters: Filters | None = None
    ) -> list[list[Passage]]:
        ranked = [p.model_copy(update={"score": 1.0 - i / 100}) for i, p in enumerate(self.passages[:n])]
        return [list(ranked) for _ in vectors]

    def iter_passages(self, batch_size: int = 2000) -> Iterator[Passage]:
        return iter(self.passages)

    def generation(self) -> str:
        return "1"

    def key(self) -> str:
        return "fixed-dense"


def test_comparison_side_prefers_the_option_and_the_asked_fact_in_one_sentence(make_settings) -> None:
    passages = [P(i, i, b, title=t) for i, t, b in BRITS]  # dense order: the tour diary first
    retriever = Retriever(FixedDenseStore(passages), CountingEmbedder(), make_settings())  # type: ignore[arg-type]
    got = retriever.retrieve("Which got more Brit Award nominations, Franz Ferdinand or Kasabian?", k=2)
    # Fused alone, the tour diary wins side A (first in both lists); its sentences never state the nominations.
    assert [p.article_id for p in got] == ["ff-brits", "kasabian"]
    assert got[0].scores["option"] == 1.0 and got[0].scores["sentence"] > 0.5
    assert not any(
        "sentence" in p.scores for p in retriever.retrieve("Did Franz Ferdinand play Glasgow?", k=3)
    )
