"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, with diversity across articles."""

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
from assistant.settings import Settings
from assistant.types import Passage

__all__ = ["Retriever", "fuse", "diversify", "matches"]

WEIGHTS = {"dense": 1.0, "bm25": 1.0}  # RRF weight of each retriever
MAX_OPTION_WORDS = 12  # "A or B" options longer than this are clauses, not the things compared
COVERAGE = 0.5  # diversity: weight of newly covered question terms against the fused score


class PassageStore(Protocol):
    """The part of ``IndexStore`` retrieval reads."""

    def query(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[Passage]: ...

    def iter_passages(self, batch_size: int = 2000) -> Iterator[Passage]: ...

    def generation(self) -> str: ...


class QueryEmbedder:
    """Embeds questions once: retrieval and the extractive answerer share the vector (small LRU cache)."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        vector = self.embedder.embed_batch([text])[0]
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vector


def fuse(
    rankings: dict[str, Sequence[Passage]], rrf_k: int = 60, weights: dict[str, float] | None = None
) -> list[Passage]:
    """Reciprocal rank fusion: list ``name`` adds ``weight / (rrf_k + rank)``; keeps each retriever's score."""
    fused: dict[str, Passage] = {}
    total: dict[str, float] = {}
    for name, ranked in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, p in enumerate(ranked, start=1):
            if p.chunk_id not in fused:
                fused[p.chunk_id] = p.model_copy(update={"scores": {}})
                total[p.chunk_id] = 0.0
            total[p.chunk_id] += weight / (rrf_k + rank)
            fused[p.chunk_id].scores[name] = p.scores.get(name, p.score)
    out = []
    for cid, p in fused.items():
        p.score = total[cid]
        p.scores["rrf"] = total[cid]
        out.append(p)
    out.sort(key=lambda p: -p.score)
    return out


def diversify(
    ranked: Sequence[Passage],
    k: int,
    per_article: int = 2,
    query_terms: dict[str, float] | None = None,
    coverage: float = 0.0,
    first: Sequence[Passage] = (),
    term_sets: Callable[[Passage], frozenset[str]] | None = None,
) -> list[Passage]:
    """Pick ``k`` of ``ranked``: at most ``per_article`` per article, no repeated text, covering the question.

    Greedy: each pick maximises its normalised fused score plus ``coverage`` times the share of the
    question's (IDF-weighted) ``query_terms`` it adds that earlier picks lack. So "Germany or Brazil?" gets
    a Brazil passage even when Germany passages rank higher. ``first`` are picked before anything else (the
    best passage of each side of a comparison). Repeated text matters too: news archives carry the same
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
            if picked and i < len(first) and best < 0 and _allowed(ranked[i], per, per_article, seen_text):
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

    >>> alternatives("Which got more Brit nominations, Franz Ferdinand or Kasabian?")
    ('Which got more Brit nominations', ['Franz Ferdinand', 'Kasabian'])
    """
    q = question.strip()
    if not q.endswith("?") or not re.match(r"(?i)(which|who|what|whose|where)\b", q):
        return None
    body = q[:-1]
    cut = body.rfind(" or ")
    if cut < 0:
        return None
    before, b = body[:cut].rstrip(" ,"), body[cut + 4 :].strip()
    sep = max(before.rfind(","), before.rfind(":"))
    if sep < 0:
        return None
    stem, a = before[:sep].strip(), before[sep + 1 :].strip()
    if not (stem and a and b) or len(a.split()) > MAX_OPTION_WORDS or len(b.split()) > MAX_OPTION_WORDS:
        return None
    return stem, [a, b]


class Retriever:
    """Dense + lexical retrieval over one store; the BM25 index is rebuilt lazily when the store changes."""

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
                self._lexical = LexicalIndex(self.store.iter_passages())
                self._generation = generation
            return self._lexical

    def idf(self, term: str) -> float:
        """IDF of a stemmed term in the index as of the last retrieval (no store round trip)."""
        return (self._lexical or self.lexical()).idf(term)

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        """The top ``k`` passages for ``question``: RRF of dense and BM25 candidates, diversified.

        A comparison ("Which ..., A or B?") also runs "stem A" and "stem B" and reserves each one's best
        passage, so both sides of the comparison are in the answer's evidence.
        """
        k = k or self.settings.top_k
        lexical = self.lexical()
        q_terms = terms(question)
        fused = self._search(question, q_terms, k, filters)
        first: list[Passage] = []
        split = alternatives(question) if k >= 2 else None
        if split:
            stem, options = split
            for option in options:
                sub = f"{stem} {option}"
                # Lexical only: the option names the thing compared ("Kasabian"); an exact term match is
                # what pins its article, where a dense neighbour is often a related story.
                first += lexical.search(terms(sub), 1, filters)
        weights = {t: lexical.idf(t) for t in q_terms}
        n = max(self.settings.candidates, 4 * k)
        return diversify(
            fused[: 2 * n], k, self.settings.max_chunks_per_article, weights, self.coverage, first, lexical.term_set
        )

    def _search(self, query: str, q_terms: list[str], k: int, filters: Filters | None) -> list[Passage]:
        n = max(self.settings.candidates, 4 * k)
        dense = self.store.query(self.embed_query(query), n, filters)
        bm25 = self.lexical().search(q_terms, n, filters)
        return fuse({"dense": dense, "bm25": bm25}, self.settings.rrf_k, self.weights)
