"""Sentence-aware chunking in the embedding model's own tokens, with offsets into the article body."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.sentences import sentence_spans
from assistant.types import Article, Chunk, Span

CountTokens = Callable[[list[str]], list[int]]
TokenOffsets = Callable[[str], list[tuple[int, int]]]


@dataclass(frozen=True)
class ChunkingSpec:
    """How big chunks are: at most ``max_tokens`` model tokens, ~``overlap_tokens`` repeated."""

    max_tokens: int = 200
    overlap_tokens: int = 40


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int


def sections(article: Article) -> list[tuple[str, int, int]]:
    """The body split into ("caption"|"body", start, end) ranges, in order; captions are never mixed in."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for span in sorted(article.captions, key=lambda s: s.start):
        if span.start > pos:
            out.append(("body", pos, span.start))
        out.append(("caption", span.start, span.end))
        pos = max(pos, span.end)
    if pos < len(article.body):
        out.append(("body", pos, len(article.body)))
    return out


def chunk_article(
    article: Article, spec: ChunkingSpec, count_tokens: CountTokens, token_offsets: TokenOffsets
) -> list[Chunk]:
    """Chunks covering every sentence of the article; ``article.body[c.start:c.end] == c.text``.

    Sentences are never cut unless one alone exceeds ``spec.max_tokens``; then it is cut at token boundaries.
    """
    body = article.body
    chunks: list[Chunk] = []
    for section, start, end in sections(article):
        sentences = sentence_spans(body, start, end)
        if not sentences:
            continue
        counts = count_tokens([body[s.start : s.end] for s in sentences])
        units: list[_Unit] = []
        for s, n in zip(sentences, counts, strict=True):
            if n <= spec.max_tokens:
                units.append(_Unit(s.start, s.end, n))
            else:
                units.extend(_split_long(body, Span(s.start, s.end), spec.max_tokens, token_offsets))
        for a, b, n in _pack(units, spec):
            chunks.append(Chunk(article.id, len(chunks), a, b, body[a:b], section, n))
    return chunks


def _split_long(body: str, span: Span, max_tokens: int, token_offsets: TokenOffsets) -> list[_Unit]:
    """Cut an over-long sentence into pieces of at most ``max_tokens`` tokens, preferring word boundaries."""
    text = body[span.start : span.end]
    offsets = token_offsets(text)
    units: list[_Unit] = []
    i = 0
    while i < len(offsets):
        j = min(i + max_tokens, len(offsets))
        # Back off to a token that starts a new word, so re-tokenising the piece gives the same tokens.
        if j < len(offsets):
            k = j
            while k > i + 1 and not _starts_word(text, offsets[k][0]):
                k -= 1
            j = k if k > i + 1 else j
        a, b = offsets[i][0], offsets[j - 1][1]
        units.append(_Unit(span.start + a, span.start + b, j - i))
        i = j
    return units


def _starts_word(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1].isspace() or not text[pos - 1].isalnum() or not text[pos].isalnum()


def _pack(units: Sequence[_Unit], spec: ChunkingSpec) -> list[tuple[int, int, int]]:
    """Greedy packing of units into chunks, each new chunk starting with up to ``overlap`` tokens of the last."""
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and total + units[j].tokens <= spec.max_tokens:
            total += units[j].tokens
            j += 1
        if j == i:  # a unit alone over the limit cannot happen after _split_long, but never loop forever
            j, total = i + 1, units[i].tokens
        out.append((units[i].start, units[j - 1].end, total))
        if j >= len(units):
            break
        # Overlap: step back over whole trailing units worth at most overlap_tokens, but always advance.
        back, carried = j, 0
        while back - 1 > i and carried + units[back - 1].tokens <= spec.overlap_tokens:
            back -= 1
            carried += units[back].tokens
        i = back
    return out


def embedding_text(article: Article, chunk: Chunk) -> str:
    """What gets embedded: the headline as context, then the chunk (only the chunk is quotable)."""
    return f"{article.title}\n\n{chunk.text}" if article.title else chunk.text
