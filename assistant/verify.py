"""Citation checking: every quote of every answer is looked up in its cited article before it is shown.

Pure functions. A quote is verified when it occurs in the article body exactly, or when it matches after
normalising only whitespace runs, typographic quotes and dashes; the citation then records the true span
(``body[start:end]``) and the source's own spelling of the quote. Anything else stays unverified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from assistant.types import CITATION_PATTERN, Answer, Article, Citation, Passage

# Characters a writer (or a model) swaps freely: curly/straight quotes, primes, and the dash family.
_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)
_MARKER = re.compile(CITATION_PATTERN)


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold quotes/dashes, collapse whitespace runs; also return each output char's offset in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                offsets.append(i)
            in_space = True
            continue
        in_space = False
        out.append(ch.translate(_FOLD))
        offsets.append(i)
    return "".join(out), offsets


def find_quote(body: str, quote: str, near: int | None = None) -> tuple[int, int] | None:
    """Span of ``quote`` in ``body``: exact match first, then tolerant; the occurrence nearest ``near`` wins.

    >>> find_quote("He said \u201cno\u201d.", 'said "no"')
    (3, 12)
    """
    quote = quote.strip()
    if not quote:
        return None
    exact = _occurrences(body, quote)
    if exact:
        start = _nearest(exact, near)
        return start, start + len(quote)
    norm_body, offsets = normalise(body)
    norm_quote, _ = normalise(quote)
    hits = _occurrences(norm_body, norm_quote)
    if not hits:
        return None
    # Map the normalised hit back to the original: first char's offset to one past the last char's offset.
    spans = [(offsets[h], offsets[h + len(norm_quote) - 1] + 1) for h in hits]
    best = _nearest([s for s, _ in spans], near)
    return next(span for span in spans if span[0] == best)


def _occurrences(haystack: str, needle: str) -> list[int]:
    hits, pos = [], haystack.find(needle)
    while pos >= 0:
        hits.append(pos)
        pos = haystack.find(needle, pos + 1)
    return hits


def _nearest(starts: list[int], near: int | None) -> int:
    return starts[0] if near is None else min(starts, key=lambda s: (abs(s - near), s))


def verify_citation(citation: Citation, article: Article | None) -> Citation:
    """``citation`` checked against ``article``: verified with the true span, or marked unverified."""
    if article is None:
        return citation.model_copy(update={"verified": False, "start": None, "end": None})
    span = find_quote(article.body, citation.quote, near=citation.start)
    if span is None:
        return citation.model_copy(update={"verified": False, "start": None, "end": None})
    start, end = span
    return citation.model_copy(
        update={
            "verified": True,
            "start": start,
            "end": end,
            "quote": article.body[start:end],
            "title": citation.title or article.title,
        }
    )


def markers_in(text: str) -> list[int]:
    """Citation numbers in the order their markers appear in ``text`` (repeats kept)."""
    return [int(m.group(1)) for m in _MARKER.finditer(text)]


def strip_markers(text: str, keep: Iterable[int]) -> str:
    """``text`` without the markers whose number is not in ``keep`` (and without the space before them)."""
    keep = set(keep)
    pattern = re.compile(r"[ \t]?" + CITATION_PATTERN)
    return pattern.sub(lambda m: m.group(0) if int(m.group(1)) in keep else "", text)


def verify_answer(
    answer: Answer, articles: Mapping[str, Article], passages: Sequence[Passage] | None = None
) -> Answer:
    """Check every citation of ``answer``; drop citations and markers that point at nothing retrieved.

    A citation survives if its article is among the retrieved ``passages`` (default: ``answer.passages``)
    and its marker occurs in the answer text. Surviving quotes are verified (or marked unverified and
    reported in ``warnings``); markers left without a citation are removed from the text.
    """
    passages = answer.passages if passages is None else passages
    retrieved = {p.article_id for p in passages}
    in_text = set(markers_in(answer.answer))
    warnings = list(answer.warnings)
    kept: list[Citation] = []
    seen: set[int] = set()
    for cit in answer.citations:
        if cit.article_id not in retrieved or cit.n not in in_text or cit.n in seen:
            warnings.append(f"Dropped citation [{cit.n}]: it points at no retrieved article or marker.")
            continue
        seen.add(cit.n)
        checked = verify_citation(cit, articles.get(cit.article_id))
        if not checked.verified:
            warnings.append(f"Citation [{cit.n}] could not be found in its article; shown as unverified.")
        kept.append(checked)
    text = strip_markers(answer.answer, seen)
    return answer.model_copy(update={"answer": text, "citations": kept, "warnings": warnings})


def verified_rate(answers: Iterable[Answer]) -> float:
    """Share of all citations in ``answers`` that are verified (1.0 when there are none)."""
    cits = [c for a in answers for c in a.citations]
    return sum(c.verified for c in cits) / len(cits) if cits else 1.0
