"""BM25 over every indexed chunk (bm25s + PyStemmer), with the same metadata filters as the vector store."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from assistant.answerer import Filters
from assistant.sentences import sentence_spans
from assistant.types import Passage

_WORD = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms of ``text`` (the tokens BM25 and the answerer share)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return _stemmer().stemWords(words) if words else []


def matches(filters: Filters | None, passage: Passage) -> bool:
    """True if ``passage`` passes ``filters`` (a missing date fails any date bound, as in Chroma)."""
    if filters is None or filters.is_empty():
        return True
    if filters.sources and passage.source not in filters.sources:
        return False
    if filters.article_ids and passage.article_id not in filters.article_ids:
        return False
    day = (passage.published_at or "")[:10]
    if filters.since and (not day or day < filters.since[:10]):
        return False
    return not (filters.until and (not day or day > filters.until[:10]))


class LexicalIndex:
    """An in-memory BM25 index of passages; ``search`` returns them best first with ``scores['bm25']``."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        self.passages: list[Passage] = list(passages)
        # Body chunks carry their headline: questions name the story ("Inbev profits") as often as the text.
        docs = [terms(f"{p.title}\n{p.text}" if p.section == "body" else p.text) for p in self.passages]
        self.n_docs = len(docs)
        self._term_sets = {p.chunk_id: frozenset(doc) for p, doc in zip(self.passages, docs, strict=True)}
        self._sentence_sets: dict[str, list[frozenset[str]]] = {}  # filled lazily, per chunk read
        self._df: dict[str, int] = {}
        for doc in docs:
            for term in set(doc):
                self._df[term] = self._df.get(term, 0) + 1
        self._sources = np.array([p.source or "" for p in self.passages], dtype=object)
        self._days = np.array([(p.published_at or "")[:10] for p in self.passages], dtype="<U10")
        self._articles = np.array([p.article_id for p in self.passages], dtype=object)
        self._position = {p.chunk_id: i for i, p in enumerate(self.passages)}
        self._bm25 = bm25s.BM25()
        self._searchable = any(docs)  # bm25s cannot index a corpus without a single term
        if self._searchable:
            self._bm25.index(docs, show_progress=False)

    def __len__(self) -> int:
        return self.n_docs

    def term_set(self, passage: Passage) -> frozenset[str]:
        """The terms of ``passage`` (headline included), from the index when it holds that chunk."""
        cached = self._term_sets.get(passage.chunk_id)
        return cached if cached is not None else frozenset(terms(f"{passage.title}\n{passage.text}"))

    def sentence_terms(self, passage: Passage) -> list[frozenset[str]]:
        """The terms of each sentence of ``passage`` (cached for the chunks this index holds)."""
        cached = self._sentence_sets.get(passage.chunk_id)
        if cached is None:
            text = passage.text
            cached = [frozenset(terms(text[s.start : s.end])) for s in sentence_spans(text)]
            if passage.chunk_id in self._term_sets:  # an id names one article version's span: fixed text
                self._sentence_sets[passage.chunk_id] = cached
        return cached

    def idf(self, term: str) -> float:
        """Inverse document frequency of a (stemmed) term; unseen terms get the maximum."""
        df = self._df.get(term, 0)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean array of the passages passing ``filters`` (None when there are no filters)."""
        if filters is None or filters.is_empty() or not self.n_docs:
            return None
        keep = np.ones(self.n_docs, dtype=bool)
        if filters.sources:
            keep &= np.isin(self._sources, list(filters.sources))
        if filters.article_ids:
            keep &= np.isin(self._articles, list(filters.article_ids))
        if filters.since:
            keep &= (self._days != "") & (self._days >= filters.since[:10])
        if filters.until:
            keep &= (self._days != "") & (self._days <= filters.until[:10])
        return keep

    def search(
        self,
        query: str | Sequence[str],
        n: int,
        filters: Filters | None = None,
        also: Iterable[str] = (),
    ) -> list[Passage]:
        """Top ``n`` passages for ``query`` (text or pre-computed terms) that pass ``filters``, best first.

        ``also``: chunk ids to score as well when they are not in the top ``n`` (another retriever's candidates,
        so score fusion compares real BM25 scores instead of guessing), appended in score order; an id this
        index does not hold, or one the filters exclude, is left out.
        """
        q = terms(query) if isinstance(query, str) else list(query)
        q = [t for t in q if t in self._bm25.vocab_dict] if self._searchable else []
        if not q:
            return []
        scores = self._bm25.get_scores(q)
        keep = self.mask(filters)
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        n = min(n, self.n_docs)
        top = np.argpartition(-scores, n - 1)[:n] if n < self.n_docs else np.arange(self.n_docs)
        top = top[np.argsort(-scores[top], kind="stable")]
        out = []
        for i in top:
            if scores[i] <= 0.0:
                break
            out.append(self._scored(int(i), float(scores[i])))
        listed = {p.chunk_id for p in out}
        extra = [
            self._position[cid]
            for cid in dict.fromkeys(also)
            if cid not in listed and cid in self._position and (keep is None or keep[self._position[cid]])
        ]
        out += sorted((self._scored(i, float(scores[i])) for i in extra), key=lambda p: -p.score)
        return out

    def _scored(self, i: int, score: float) -> Passage:
        return self.passages[i].model_copy(update={"score": score, "scores": {"bm25": score}})
