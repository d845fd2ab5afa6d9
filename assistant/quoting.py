"""Deterministic quoting: number the sentences of retrieved passages, read the model's [S3] citations
back, and turn each into a Citation whose quote is the article's own text at its own offsets.

The model never copies text: it only names sentence ids, so a quote cannot be made up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.sentences import paragraph_spans, sentence_spans
from assistant.types import Citation, Passage


@dataclass(frozen=True)
class SourceSentence:
    """Sentence ``sid`` (shown to the model as ``[S<sid>]``): ``body[start:end]`` of the passage's article."""

    sid: int
    passage: Passage
    start: int  # offsets in the article body
    end: int

    @property
    def text(self) -> str:
        offset = self.passage.start
        return self.passage.text[self.start - offset : self.end - offset]


def number_sentences(passages: Sequence[Passage]) -> list[list[SourceSentence]]:
    """Sentences of each passage, numbered 1.. across all passages, with article-body offsets."""
    out: list[list[SourceSentence]] = []
    sid = 0
    for passage in passages:
        group = []
        for sentence in sentence_spans(passage.text):
            sid += 1
            group.append(
                SourceSentence(sid, passage, passage.start + sentence.start, passage.start + sentence.end)
            )
        out.append(group)
    return out


# Article text must not be able to close the <articles> block or pose as a sentence id.
_DELIMITER = re.compile(r"<\s*/?\s*(articles?|sentences?)\b[^>]*>", re.I)
_ID_LOOKALIKE = re.compile(r"\[\s*[Ss]?\s*(\d{1,4})\s*\]")


def as_data(text: str) -> str:
    """Article text made safe to sit inside the prompt's <articles> block (prompt copy only, never quoted)."""
    text = _DELIMITER.sub(lambda m: m.group(0).replace("<", "(").replace(">", ")"), text)
    text = _ID_LOOKALIKE.sub(r"(\1)", text)
    return " ".join(text.split())  # one sentence per line: newlines inside a sentence become spaces


def _attr(value: str | None) -> str:
    return as_data(value or "").replace('"', "'")


def article_header(passage: Passage) -> str:
    """The opening tag of one passage in the prompt, with its title, source and date as attributes."""
    return (
        f'<article title="{_attr(passage.title)}" source="{_attr(passage.source)}" '
        f'date="{_attr(passage.published_at)}">'
    )


def sentence_line(sentence: SourceSentence) -> str:
    return f"[S{sentence.sid}] {as_data(sentence.text)}"


def render_articles(groups: Sequence[Sequence[SourceSentence]]) -> str:
    """The <article> blocks of the prompt; empty groups (trimmed by the budget) are left out."""
    blocks = []
    for group in groups:
        if group:
            lines = "\n".join(sentence_line(s) for s in group)
            blocks.append(f"{article_header(group[0].passage)}\n{lines}\n</article>")
    return "\n".join(blocks)


# [S3], [s3], [S 3], [3], [S3, S5], [S3; 5]: one or more ids in one pair of brackets.
_MARKER = re.compile(r"\[\s*[Ss]?\s*\d{1,4}(?:\s*[,;]\s*[Ss]?\s*\d{1,4})*\s*\]")
_MARKER_PREFIX = re.compile(r"\[[\sSs\d,;]{0,40}\Z")  # an unfinished marker at the end of the buffer
_NUMBER = re.compile(r"\d{1,4}")


@dataclass(frozen=True)
class Piece:
    """A run of answer text, or one cited sentence id (``sid``) in place of its marker."""

    text: str = ""
    sid: int | None = None


class MarkerParser:
    """Splits streamed text into text pieces and sentence ids, holding back a marker until it completes."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[Piece]:
        """Pieces that are certain now; an unfinished ``[S1`` at the end waits for the next feed."""
        self._buffer += text
        held = _MARKER_PREFIX.search(self._buffer)
        ready, self._buffer = (
            (self._buffer[: held.start()], self._buffer[held.start() :]) if held else (self._buffer, "")
        )
        return split_markers(ready)

    def flush(self) -> list[Piece]:
        """Whatever is left at the end of the stream."""
        rest, self._buffer = self._buffer, ""
        return split_markers(rest)


def split_markers(text: str) -> list[Piece]:
    """``"Rain fell [S1, S2]."`` -> text "Rain fell ", sid 1, sid 2, text "."."""
    pieces: list[Piece] = []
    pos = 0
    for match in _MARKER.finditer(text):
        if match.start() > pos:
            pieces.append(Piece(text=text[pos : match.start()]))
        pieces.extend(Piece(sid=int(n)) for n in _NUMBER.findall(match.group(0)))
        pos = match.end()
    if pos < len(text):
        pieces.append(Piece(text=text[pos:]))
    return pieces


def sentence_citation(n: int, sentence: SourceSentence) -> Citation:
    """Citation ``[n]`` quoting the sentence verbatim, with its paragraph (inside the passage) as context."""
    p = sentence.passage
    context, context_start = sentence.text, sentence.start
    for a, b in paragraph_spans(p.text):
        if p.start + a <= sentence.start and sentence.end <= p.start + b:
            context, context_start = p.text[a:b], p.start + a
            break
    return Citation.from_passage(
        n, p, sentence.text, sentence.start, sentence.end,
        verified=True,  # sliced from the passage, which is body[start:end]; the chain's verifier re-checks
        context=context, context_start=context_start,
    )  # fmt: skip


# A quotation the model typed itself: "..." or “...” with at least three words inside.
_WRITTEN_QUOTE = re.compile(r"[\"“]([^\"“”\n]*?\S\s+\S+\s+\S[^\"“”\n]*?)[\"”]")


def written_quotes(
    answer: str, passages: Sequence[Passage], first_n: int, default: Passage
) -> tuple[str, list[Citation]]:
    """Citations for quotations the model wrote itself, marked unverified, each followed by a new [n].

    Offsets are filled in when the text occurs in a passage, so the verifier can confirm it; otherwise
    the quote is attributed to ``default`` (the first cited passage) and the verifier will reject it.
    """
    citations: list[Citation] = []
    out, pos = [], 0
    for match in _WRITTEN_QUOTE.finditer(answer):
        quote = match.group(1).strip()
        n = first_n + len(citations)
        source, start = default, None
        for p in passages:
            at = p.text.find(quote)
            if at >= 0:
                source, start = p, p.start + at
                break
        end = None if start is None else start + len(quote)
        citations.append(Citation.from_passage(n, source, quote, start, end, verified=False))
        out.append(answer[pos : match.end()] + f" [{n}]")
        pos = match.end()
    out.append(answer[pos:])
    return "".join(out), citations


# Words that say nothing about which sentence supports a claim.
_STOPWORDS = frozenset(
    "a an and are as at be been but by did do does for from had has have he her his i in is it its of on or "
    "said says she that the their there they this to was were what when where which who will with would".split()
)
_WORD = re.compile(r"[a-z0-9£$€%]+")


def content_words(text: str) -> set[str]:
    """Lower-cased words of ``text`` minus stopwords, crudely stemmed (plural/tense endings cut)."""
    words = set()
    for word in _WORD.findall(text.lower()):
        if word not in _STOPWORDS:
            words.add(re.sub(r"(ing|ed|es|s)$", "", word) if len(word) > 4 else word)
    return words


def realign(claim: str, cited: SourceSentence, shown: Sequence[SourceSentence]) -> SourceSentence:
    """The shown sentence that best supports ``claim``: ``cited`` unless another shares clearly more words.

    Small models often cite the neighbour of the right sentence ([S4] for S5). The quote stays verbatim
    either way; this only picks which verbatim sentence backs the claim. Another sentence wins only with
    at least two more shared content words, so a sensible citation is never overridden on a tie.
    """
    words = content_words(claim)
    if not words:
        return cited
    cited_score = len(words & content_words(cited.text))
    best, best_score = cited, cited_score
    for sentence in shown:
        score = len(words & content_words(sentence.text))
        if score >= cited_score + 2 and score > best_score:
            best, best_score = sentence, score
    return best
