"""Hybrid retrieval: dense (Chroma) + BM25, their scores fused, diversified; comparisons searched per side."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import numpy as np

from assistant.answerer import Filters
from assistant.embedder import Embedder
from assistant.lexical import LexicalIndex, matches, terms
from assistant.lexical_cache import load_or_build
from assistant.settings import Settings
from assistant.types import Passage

__all__ = [
    "Retriever",
    "alternatives",
    "diversify",
    "fuse",
    "fuse_scores",
    "interleave",
    "matches",
    "sentence_coverage",
]

WEIGHTS = {"dense": 1.0, "bm25": 1.0}  # RRF weight of each retriever (BYLINE_FUSION=rrf)
MAX_OPTION_WORDS = 12  # "A or B" options longer than this are clauses, not the things compared
COVERAGE = 0.5  # diversity: weight of newly covered question terms against the fused score
SIDE_SLOTS = 2  # comparison: passages reserved for each side ("stem A", "stem B"), best of each side first
SIDE_FEATURES = 0.5  # comparison side ranking: weight of each feature (stem sentence, option) vs fused score
SIDE_DEPTH = 20  # comparison: fused candidates per side that are re-ranked (lower ones never win)
_WH = r"(?:which|who|what|whose|where)\b"
_SEP = re.compile(r"\s*(?:[,:;]|\s[-\u2013\u2014])\s+")  # ", " ": " "; " or a spaced dash before the options
_OPTIONS_FIRST = re.compile(rf"(?i)^(?P<a>[^,:;?]+?) or (?P<b>[^,:;?]+?){_SEP.pattern}(?P<stem>{_WH}.*)$")


class PassageStore(Protocol):
    """The part of ``IndexStore`` retrieval reads."""

    def query_many(
        self, vectors: Sequence[np.ndarray], n: int, filters: Filters | None = None
    ) -> list[list[Passage]]: ...

    def iter_passages(self, batch_size: int = 2000) -> Iterator[Passage]: ...

    def generation(self) -> str: ...

    def key(self) -> str: ...


class QueryEmbedder:
    """Embeds questions once: retrieval and the extractive answerer share the vector (small LRU cache)."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        return self.many([text])[0]

    def many(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Vectors of ``texts``; the uncached ones are embedded in one model call."""
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            found.update(zip(missing, self.embedder.embed_batch(missing), strict=True))
            with self._lock:
                for text in missing:
                    self._cache[text] = found[text]
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return [found[t] for t in texts]


def _combine(
    rankings: dict[str, Sequence[Passage]], contribution: Callable[[str, list[float]], list[float]]
) -> list[Passage]:
    """Merge ranked lists: each passage gets the sum of what ``contribution(name, scores)`` gives it in every
    list it is in (0 where it is missing); each retriever's own score stays in ``scores``, the sum in
    ``scores['fused']`` and ``score``. Best first."""
    fused: dict[str, Passage] = {}
    for name, ranked in rankings.items():
        values = [p.scores.get(name, p.score) for p in ranked]
        for p, value, add in zip(ranked, values, contribution(name, values), strict=True):
            if p.chunk_id not in fused:
                fused[p.chunk_id] = p.model_copy(update={"scores": {}, "score": 0.0})
            q = fused[p.chunk_id]
            q.scores[name] = value
            q.score += add
    out = sorted(fused.values(), key=lambda p: -p.score)
    for p in out:
        p.scores["fused"] = p.score
    return out


def fuse(
    rankings: dict[str, Sequence[Passage]], rrf_k: int = 60, weights: dict[str, float] | None = None
) -> list[Passage]:
    """Reciprocal rank fusion: list ``name`` adds ``weight / (rrf_k + rank)``."""
    return _combine(
        rankings,
        lambda name, values: [
            (weights or {}).get(name, 1.0) / (rrf_k + r) for r in range(1, len(values) + 1)
        ],
    )


def fuse_scores(rankings: dict[str, Sequence[Passage]], weights: dict[str, float]) -> list[Passage]:
    """Convex combination of min-max-normalised scores: list ``name`` adds ``weight * (s - min) / (max - min)``.

    Unlike reciprocal rank fusion, the margins count: a passage BM25 scores far above the rest (it names the
    people and the event asked about) beats passages that both retrievers rank middling. The normalisation
    spans each list as given, so a list should hold the candidates of both retrievers (``LexicalIndex.search``
    scores the dense candidates too). (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval",
    2023, compare the two.)
    """

    def normalised(name: str, values: list[float]) -> list[float]:
        low, high = min(values, default=0.0), max(values, default=0.0)
        weight = weights.get(name, 0.0)
        return [weight * ((v - low) / (high - low) if high > low else 1.0) for v in values]

    return _combine(rankings, normalised)


def diversify(
    ranked: Sequence[Passage],
    k: int,
    per_article: int = 2,
    query_terms: dict[str, float] | None = None,
    coverage: float = 0.0,
    first: Sequence[Passage] = (),
    term_sets: Callable[[Passage], frozenset[str]] | None = None,
    lead: bool = True,
) -> list[Passage]:
    """Pick ``k`` of ``ranked``: at most ``per_article`` per article, no repeated text, covering the question.

    Greedy: each pick maximises its normalised fused score plus ``coverage`` times the share of the
    question's (IDF-weighted) ``query_terms`` it adds that earlier picks lack. So "Germany or Brazil?" gets
    a Brazil passage even when Germany passages rank higher. ``first`` (the best passages of each side of a
    comparison) are picked in order right after the overall best one, or before anything when ``lead`` is
    False (when the sides need every slot). Repeated text matters too: news archives carry the same
    story under several ids, and two copies of one paragraph would add nothing.
    """
    ranked = [*first, *ranked]  # a reserved passage also in ``ranked`` is picked once (same text)
    if not ranked:
        return []
    top = max(p.score for p in ranked[len(first) :] or ranked) or 1.0
    weights = query_terms or {}
    total = sum(weights.values()) or 1.0
    term_set = term_sets or (lambda p: frozenset(terms(f"{p.title}\n{p.text}")))
    covers = [term_set(p) & weights.keys() for p in ranked] if weights else []
    picked: list[int] = []
    per: dict[str, int] = {}
    seen_text: set[str] = set()
    covered: set[str] = set()
    pool = list(range(len(ranked)))
    while pool and len(picked) < k:
        best, best_gain = -1, float("-inf")
        for i in pool:
            # Reserved picks come right after the overall best one (which keeps rank 1).
            reserved_turn = (picked or not lead) and best < 0
            if reserved_turn and i < len(first) and _allowed(ranked[i], per, per_article, seen_text):
                best, best_gain = i, float("inf")  # a reserved pick
                break
            if i < len(first):
                continue
            p = ranked[i]
            if not _allowed(p, per, per_article, seen_text):
                continue
            gain = p.score / top
            if weights:
                gain += coverage * sum(weights[t] for t in covers[i] - covered) / total
            if gain > best_gain:
                best, best_gain = i, gain
        if best < 0:
            break
        pool.remove(best)
        p = ranked[best]
        picked.append(best)
        per[p.article_id] = per.get(p.article_id, 0) + 1
        seen_text.add(" ".join(p.text.split()))
        if weights:
            covered |= covers[best]
    return [ranked[i] for i in picked]


def _allowed(p: Passage, per: dict[str, int], per_article: int, seen_text: set[str]) -> bool:
    return per.get(p.article_id, 0) < per_article and " ".join(p.text.split()) not in seen_text


def alternatives(question: str) -> tuple[str, list[str]] | None:
    """``(stem, [a, b])`` for a comparison question "Which ..., A or B?", else None.

    The options follow the last ",", ":", ";" or spaced dash before " or "; options set off mid-question
    ("Which firm, A or B, reported ...?") and options first ("A or B: which ...?") work too.

    >>> alternatives("Which got more Brit nominations, Franz Ferdinand or Kasabian?")
    ('Which got more Brit nominations', ['Franz Ferdinand', 'Kasabian'])
    >>> alternatives("Barclays or WPP: which reported the bigger rise in profits?")
    ('which reported the bigger rise in profits', ['Barclays', 'WPP'])
    """
    q = question.strip()
    if not q.endswith("?"):
        return None
    body = q[:-1]
    first = _OPTIONS_FIRST.match(body)
    if first and " or " not in first["stem"]:
        return _split(first["stem"], first["a"], first["b"])
    cut = body.rfind(" or ")
    if cut < 0 or not re.match(rf"(?i){_WH}", q):
        return None
    before, b = body[:cut].rstrip(" ,"), body[cut + 4 :]
    seps = list(_SEP.finditer(before))
    if not seps:
        return None
    stem, a = before[: seps[-1].start()], before[seps[-1].end() :]
    end = _SEP.search(b)  # "Which firm, Barclays or WPP, reported ...": the rest of the question is stem too
    if end:
        stem, b = f"{stem} {b[end.end() :]}", b[: end.start()]
    return _split(stem, a, b)


def _split(stem: str, a: str, b: str) -> tuple[str, list[str]] | None:
    stem, a, b = stem.strip(), a.strip(), b.strip()
    if not (stem and a and b) or len(a.split()) > MAX_OPTION_WORDS or len(b.split()) > MAX_OPTION_WORDS:
        return None
    return stem, [a, b]


def sentence_coverage(sentences: Sequence[frozenset[str]], weights: dict[str, float]) -> float:
    """The largest share of the (IDF-weighted) query terms ``weights`` that one sentence holds, 0..1.

    A passage stating "Spider-Man and its sequel made $1.6bn at box offices worldwide" in one sentence beats
    one naming Spider-Man and box offices paragraphs apart: the fact asked about is where the terms meet.
    """
    total = sum(weights.values())
    if not total:
        return 0.0
    return max((sum(weights[t] for t in sent & weights.keys()) for sent in sentences), default=0.0) / total


def interleave(rankings: Sequence[Sequence[Passage]], depth: int) -> list[Passage]:
    """Round robin over the first ``depth`` of each ranking: a1, b1, a2, b2, ..."""
    return [r[i] for i in range(depth) for r in rankings if i < len(r)]


class Retriever:
    """Dense + lexical retrieval over one store; the BM25 index follows the store's generation (loaded from the
    on-disk cache, or built on first use after a change)."""

    def __init__(
        self,
        store: PassageStore,
        embedder: Embedder,
        settings: Settings,
        weights: dict[str, float] | None = None,
        coverage: float | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.embed_query = QueryEmbedder(embedder)
        self._lexical: LexicalIndex | None = None
        self._generation: str | None = None
        self._lock = threading.Lock()
        self.weights = dict(weights or WEIGHTS)
        self.coverage = COVERAGE if coverage is None else coverage

    def lexical(self) -> LexicalIndex:
        """The BM25 index for the store's current generation (built on first use after any change)."""
        generation = self.store.generation()
        with self._lock:
            if self._lexical is None or generation != self._generation:
                self._lexical = load_or_build(
                    self.store, self.settings.cache_dir, self.store.key(), generation
                )
                self._generation = generation
            return self._lexical

    def idf(self, term: str) -> float:
        """IDF of a stemmed term in the index as of the last retrieval (no store round trip)."""
        return (self._lexical or self.lexical()).idf(term)

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        """The top ``k`` passages for ``question``: dense and BM25 candidates, fused, diversified.

        A comparison ("Which ..., A or B?") also runs the full hybrid search for "stem A" and "stem B", ranks
        each side's candidates by fused score plus sentence coverage, and reserves the best ``SIDE_SLOTS`` of
        each side (interleaved) after the question's own best passage, so both sides are in the evidence.
        """
        k = k or self.settings.top_k
        lexical = self.lexical()
        q_terms = terms(question)
        split = alternatives(question) if k >= 2 else None
        stem, options = split or ("", [])
        vectors = self.embed_query.many([question, *(f"{stem} {option}" for option in options)])
        n = max(self.settings.candidates, 4 * k)
        dense = self.store.query_many(vectors, n, filters)  # one round trip for the question and its sides
        fused = self._search(lexical, q_terms, dense[0], k, filters)
        sides = [self._side(lexical, stem, o, d, k, filters) for o, d in zip(options, dense[1:], strict=True)]
        lead = k > len(sides)  # the question's best passage first, unless the sides need every slot
        first = interleave(sides, SIDE_SLOTS)  # k cuts it: best, a1, b1, a2 for k=4
        weights = {t: lexical.idf(t) for t in q_terms}
        return diversify(
            fused[: 2 * n], k, self.settings.max_chunks_per_article, weights, self.coverage, first,
            lexical.term_set, lead,
        )  # fmt: skip

    def _side(
        self,
        lexical: LexicalIndex,
        stem: str,
        option: str,
        dense: list[Passage],
        k: int,
        filters: Filters | None,
    ) -> list[Passage]:
        """One side of a comparison: the hybrid candidates for "stem option", re-ranked by two features.

        ``option``: the share of the option's terms the passage (headline included) names; ``sentence``: the
        share of the stem's terms one sentence holds ("Spider-Man and its sequel made $1.6bn at box offices
        worldwide"). A story that only names the option, or only states the quantity for someone else, loses.
        """
        ranked = self._search(lexical, terms(f"{stem} {option}"), dense, k, filters)[:SIDE_DEPTH]
        if not ranked:
            return []
        asked = {t: lexical.idf(t) for t in terms(stem)}
        named = {t: lexical.idf(t) for t in terms(option)}
        top = ranked[0].score or 1.0
        for p in ranked:
            p.scores["sentence"] = sentence_coverage(lexical.sentence_terms(p), asked)
            p.scores["option"] = sentence_coverage([lexical.term_set(p)], named)
        features = {p.chunk_id: p.scores["sentence"] + p.scores["option"] for p in ranked}
        return sorted(ranked, key=lambda p: -(p.score / top + SIDE_FEATURES * features[p.chunk_id]))

    def _search(
        self, lexical: LexicalIndex, q_terms: list[str], dense: list[Passage], k: int, filters: Filters | None
    ) -> list[Passage]:
        """``dense`` (the store's nearest chunks) fused with BM25 over ``q_terms`` (``settings.fusion``)."""
        n = max(self.settings.candidates, 4 * k)
        if self.settings.fusion == "rrf":
            bm25 = lexical.search(q_terms, n, filters)
            return fuse({"dense": dense, "bm25": bm25}, self.settings.rrf_k, self.weights)
        bm25 = lexical.search(q_terms, n, filters, also=[p.chunk_id for p in dense])
        alpha = self.settings.dense_weight
        return fuse_scores({"dense": dense, "bm25": bm25}, {"dense": alpha, "bm25": 1.0 - alpha})
