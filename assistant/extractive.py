"""The default answerer: offline, no LLM. It quotes the retrieved sentences that best answer the question.

Each candidate sentence is scored by meaning (cosine with the question, MiniLM) and by the rarity-weighted
share of the question's terms it (or its headline) contains. The best sentences are quoted verbatim, grouped
by article, in article order, with the speaker named when the sentence attributes a claim; sentences that
cover parts of the question the best ones leave open are quoted too. The answer is NOT_IN_ARTICLES (with the
passages as ``related``) when the best score is below the refusal threshold (one margin lower for multi-part
questions), the question names a figure or year no passage contains, the best sentence says the detail
was not given ("Valve has yet to release figures"), or the best sentences lack the kind of answer asked for
or hold it for another place, year, thing or sum (``assistant/answer_type.py``, ``assistant/near_miss.py``).
With an answer checker configured (``assistant/answer_check.py``), it also refuses when the checker finds no
candidate sentence likely to answer the question.
Versions of a quoted sentence in other articles that give other names or figures are quoted as well, and the
answer says the articles disagree.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.answerer import AnswerEvent, Turn
from assistant.attribution import speaker
from assistant.conflicts import Disagreement, describe, disagreement
from assistant.embedder import Embedder
from assistant.lexical import terms
from assistant.near_miss import asked_speaker, holds, withheld
from assistant.retrieval import alternatives
from assistant.sentences import sentence_spans
from assistant.settings import Settings
from assistant.types import NOT_IN_ARTICLES, Answer, Citation, Passage

VERSION = (
    "extractive-3"  # 2: answer-type checks, gap-filling quotes, disagreeing versions; 3: near-miss checks
)
W_DENSE, W_LEXICAL = 0.6, 0.4  # cosine carries meaning; term coverage pins names and numbers
MARGIN = 0.12  # quote sentences scoring within this of the best one
MAX_QUOTES = 4
GAP_MARGIN = (
    0.3  # a sentence this far below the best may still be quoted for a part of the question left open
)
MIN_GAIN = 0.15  # ... if it adds at least this share of the question's (IDF-weighted) terms
MAX_PER_ARTICLE = 2
MIN_WORDS = 4
LONG_QUESTION = (
    12  # distinct terms from which a question is "multi-part": no one sentence can match all of it
)
MAX_EMBEDDED = 8  # sentences read by the model per question (the rest are scored lexically)

_FIGURE = re.compile(r"\d[\d,.]*\d|\d")


def missing_numbers(question: str, passages: Sequence[Passage]) -> list[str]:
    """Figures and years in ``question`` that no passage (text, headline or date) contains.

    "Who won the 2020 election?" over passages that never say 2020 is a question about something else.
    """
    wanted = {m.group(0).rstrip(".,") for m in _FIGURE.finditer(question)}
    wanted = {w for w in wanted if len(w.replace(",", "").replace(".", "")) >= 2}  # "2" is too common
    if not wanted:
        return []
    haystack = " ".join(f"{p.title} {p.published_at or ''} {p.text}" for p in passages)
    return sorted(w for w in wanted if not re.search(rf"(?<![\d.,]){re.escape(w)}(?![\d]|[.,]\d)", haystack))


class Checker(Protocol):
    """What the answerer needs of an answer checker (``assistant.answer_check.AnswerChecker``)."""

    name: str
    threshold: float  # its own (calibrated) threshold

    def probabilities(self, question: str, items: Sequence[tuple[str, str]]) -> list[float]: ...


@dataclass
class Candidate:
    """A sentence of a retrieved passage, with its article offsets and score."""

    passage: Passage
    start: int  # in the article body
    end: int
    text: str
    score: float = 0.0
    terms: frozenset[str] = frozenset()  # stemmed, stop-word-free (computed once, read by every step)


class ExtractiveAnswerer:
    """Answers by quoting retrieved sentences; implements the Answerer protocol."""

    name = "extractive"
    version = VERSION

    def __init__(
        self,
        embedder: Embedder,
        settings: Settings,
        query_embedder: Callable[[str], np.ndarray] | None = None,
        idf: Callable[[str], float] | None = None,
        threshold: float | None = None,
        checker: Checker | None = None,
    ) -> None:
        self.embedder = embedder
        self.embed_query = query_embedder or (lambda text: embedder.embed_batch([text])[0])
        self.idf = idf or (lambda term: 1.0)
        self.threshold = settings.refusal_threshold if threshold is None else threshold
        self.checker = checker
        self.checker_threshold = settings.checker_threshold
        if self.checker_threshold is None and checker is not None:
            self.checker_threshold = checker.threshold
        self.checker_sentences = settings.checker_sentences

    # --- scoring ---------------------------------------------------------------------------------------
    def candidates(self, question: str, passages: Sequence[Passage]) -> list[Candidate]:
        """Every distinct sentence of ``passages``, scored against ``question``, best first."""
        seen: set[tuple[str, int]] = set()
        cands: list[Candidate] = []
        for p in passages:
            for s in sentence_spans(p.text):
                start, end = p.start + s.start, p.start + s.end
                text = p.text[s.start : s.end]
                if (p.article_id, start) in seen or len(text.split()) < MIN_WORDS:
                    continue
                seen.add((p.article_id, start))
                cands.append(Candidate(p, start, end, text, terms=frozenset(terms(text))))
        if not cands:
            return []
        q_terms = set(terms(question))
        weights = {t: self.idf(t) for t in q_terms}
        total = sum(weights.values()) or 1.0
        title_terms = {p.article_id: set(terms(p.title)) for p in passages}
        covers = []
        for c in cands:
            present = c.terms
            # Terms found only in the headline count half: they place the story, not the answer.
            cover = sum(w for t, w in weights.items() if t in present)
            cover += 0.5 * sum(
                w for t, w in weights.items() if t not in present and t in title_terms[c.passage.article_id]
            )
            covers.append(cover / total)
        # Embedding a sentence costs ~1 GFLOP: on 2 cores only the lexically likeliest few can be read
        # by the model within the latency budget. Pre-rank by term coverage plus the passage's own dense
        # similarity, embed the top MAX_EMBEDDED in one call; the rest keep a lexical-only score.
        prior = [cov + 0.3 * c.passage.scores.get("dense", 0.0) for c, cov in zip(cands, covers, strict=True)]
        chosen = sorted(range(len(cands)), key=lambda i: -prior[i])[:MAX_EMBEDDED]
        cos = self.embedder.embed_batch([cands[i].text for i in chosen]) @ self.embed_query(question)
        sims = dict(zip(chosen, (float(x) for x in cos), strict=True))
        for i, c in enumerate(cands):
            c.score = W_DENSE * sims.get(i, 0.0) + W_LEXICAL * covers[i]
        cands.sort(key=lambda c: -c.score)
        return cands

    def threshold_for(self, question: str, comparison: bool | None = None) -> float:
        """The refusal threshold for ``question``: one MARGIN lower for comparisons and long, multi-part ones.

        A sentence answers one part of "Which drew more viewers: A or B?" or of a chained question, so its
        share of the question's terms and its cosine with the whole question are lower than for a one-part
        question; the answer-type check still applies. ``comparison``: whether ``alternatives(question)`` found
        options, when the caller has already parsed them.
        """
        if comparison is None:
            comparison = alternatives(question) is not None
        multi_part = comparison or len(set(terms(question))) >= LONG_QUESTION
        return self.threshold - MARGIN if multi_part else self.threshold

    def select(self, question: str, cands: Sequence[Candidate]) -> list[Candidate]:
        """The sentences to quote, or [] when the passages do not answer ``question``."""
        options = alternatives(question)  # "Which ..., A or B?": (stem, [A, B])
        if not cands or cands[0].score < self.threshold_for(question, options is not None):
            return []
        if withheld(cands[0].text):
            return []  # the best match says the detail was not given ("Valve has yet to release figures")
        best = cands[0].score
        picked: list[Candidate] = []
        per: dict[str, int] = {}
        held_back: list[Candidate] = []  # close enough to quote, but their article has its share
        for c in cands:
            if c.score < best - MARGIN or len(picked) == MAX_QUOTES:
                break
            if per.get(c.passage.article_id, 0) >= MAX_PER_ARTICLE:
                held_back.append(c)
                continue
            per[c.passage.article_id] = per.get(c.passage.article_id, 0) + 1
            picked.append(c)
        # "Who was older, A or B?" is answered by naming one of its options: the answer's kind is set by them.
        if options is None and not any(holds(question, c.text) for c in picked):
            extra = next((c for c in held_back if holds(question, c.text)), None)
            if extra is None:
                return []  # asked for a number, date, place or name, and the best sentences hold none
            picked.append(extra)
        who = asked_speaker(question)
        if who and not any(who.lower() in f"{c.passage.title} {c.passage.text}".lower() for c in picked):
            return []  # "What did Bill Gates say?" over stories that never mention him
        if not self._checked(question, cands):
            return []  # the answer checker reads no likely answer among the best sentences
        picked += self._fill_gaps(question, cands, picked)
        return picked + self._other_sides(options, cands, picked)

    def _checked(self, question: str, cands: Sequence[Candidate]) -> bool:
        """True without a checker, else whether it finds a likely answer among the best ``checker_sentences``."""
        if self.checker is None or not self.checker_threshold:
            return True  # no checker, or one calibrated to 0 (it refused no better than the rules)
        best = cands[: self.checker_sentences]
        probs = self.checker.probabilities(question, [(c.passage.title, c.text) for c in best])
        return max(probs, default=0.0) >= self.checker_threshold

    def _fill_gaps(
        self, question: str, cands: Sequence[Candidate], picked: list[Candidate]
    ) -> list[Candidate]:
        """Sentences of the quoted articles that cover parts of ``question`` the picked quotes leave open.

        "Which businessman, once ranked the world's richest man, was arrested?": the best sentence reports
        the arrest; the one naming him matches "once ranked ... richest man". Greedy by the IDF-weighted share
        of question terms each adds, down to GAP_MARGIN below the best score.
        """
        weights = {t: self.idf(t) for t in set(terms(question))}
        total = sum(weights.values()) or 1.0
        covered = {t for c in picked for t in c.terms}
        articles = {c.passage.article_id for c in picked}
        floor = cands[0].score - GAP_MARGIN
        pool = [c for c in cands if c.score >= floor and c.passage.article_id in articles and c not in picked]
        extra: list[Candidate] = []
        while pool and len(picked) + len(extra) < MAX_QUOTES:
            gains = [sum(weights.get(t, 0.0) for t in c.terms - covered) / total for c in pool]
            i = max(range(len(pool)), key=gains.__getitem__)
            if gains[i] < MIN_GAIN:
                break
            extra.append(pool.pop(i))
            covered |= extra[-1].terms
        return extra

    def _other_sides(
        self, options: tuple[str, list[str]] | None, cands: Sequence[Candidate], picked: list[Candidate]
    ) -> list[Candidate]:
        """For "Which ..., A or B?": the best sentence naming each side the picked quotes leave out."""
        if not options:
            return []
        extra: list[Candidate] = []
        for option in options[1]:
            wanted = set(terms(option))
            if not wanted or any(wanted <= c.terms for c in picked + extra):
                continue
            best = next((c for c in cands if wanted <= c.terms and c not in picked), None)
            if best is not None and best.score >= self.threshold - MARGIN:
                extra.append(best)
        return extra

    def _other_versions(
        self, cands: Sequence[Candidate], picked: list[Candidate]
    ) -> tuple[list[Disagreement], list[Candidate]]:
        """Versions of the quoted sentences, in other articles, that give other names or figures.

        Each such version is quoted too (down to GAP_MARGIN below the best score), and the disagreement is
        returned so the answer can say so instead of silently picking a side.
        """
        floor = cands[0].score - GAP_MARGIN
        out = list(picked)
        found: list[Disagreement] = []
        for c in picked:
            for other in cands:
                if other.score < floor:
                    break
                if other.passage.article_id == c.passage.article_id:
                    continue
                d = disagreement(c.text, other.text)
                if d is not None and d not in found and Disagreement(d.second, d.first) not in found:
                    found.append(d)
                    if other not in out:
                        out.append(other)
                    break
        return found[:2], out

    def decide(self, question: str, passages: Sequence[Passage]) -> tuple[list[Candidate], list[Candidate]]:
        """(every candidate sentence, best first; the ones to quote, [] for a refusal)."""
        cands = self.candidates(question, passages)
        return cands, [] if missing_numbers(question, passages) else self.select(question, cands)

    # --- composing -------------------------------------------------------------------------------------
    def answer(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer:
        """Quote the best sentences (grouped by article, in reading order) or refuse."""
        t0 = time.perf_counter()
        cands, picked = self.decide(question, passages)
        timings = {"answer_ms": (time.perf_counter() - t0) * 1000}
        version = {"answerer": self.name, "prompt": VERSION}
        if self.checker is not None:
            version["checker"] = self.checker.name
        if not picked:
            return Answer(
                question=question, answer=NOT_IN_ARTICLES, refused=True, passages=list(passages),
                related=list(passages[:3]), timings=timings, version=version,
            )  # fmt: skip
        differences, picked = self._other_versions(cands, picked)
        # Group by article in order of each article's best sentence; within an article, reading order.
        order: dict[str, int] = {}
        for c in picked:
            order.setdefault(c.passage.article_id, len(order))
        picked = sorted(picked, key=lambda c: (order[c.passage.article_id], c.start))
        lines = [f"The articles disagree here: {describe(differences)}. Both versions are quoted below."] if (
            differences
        ) else []  # fmt: skip
        citations: list[Citation] = []
        current = None
        for n, c in enumerate(picked, start=1):
            p = c.passage
            if p.article_id != current:
                current = p.article_id
                meta = ", ".join(x for x in (p.source, p.published_at) if x)
                lines.append(f"From \u201c{p.title}\u201d" + (f" ({meta})" if meta else "") + ":")
            who = speaker(c.text)
            # Name the speaker up front unless the quote already opens with them.
            named_first = who is not None and c.text.lstrip("\u201c\"' ").startswith(who[0][:12])
            lead = f"{who[0]} {who[1]}: " if who and not named_first else ""
            lines.append(f"- {lead}\u201c{c.text}\u201d [{n}]")
            citations.append(Citation.from_passage(n, p, c.text, c.start, c.end))
        timings["answer_ms"] = (time.perf_counter() - t0) * 1000
        return Answer(
            question=question, answer="\n".join(lines), citations=citations, passages=list(passages),
            timings=timings, version=version,
        )  # fmt: skip

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[AnswerEvent]:
        """The same answer as ``answer``, one line at a time, each citation right after its line."""
        result = self.answer(question, passages, history)
        by_n = {c.n: c for c in result.citations}
        for i, line in enumerate(result.answer.split("\n")):
            yield AnswerEvent("token", text=("\n" if i else "") + line)
            for m in re.finditer(r"\[(\d+)\]$", line):
                yield AnswerEvent("citation", citation=by_n[int(m.group(1))])
        yield AnswerEvent("done", answer=result)
