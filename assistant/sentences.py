"""Paragraph and sentence spans of a text, as character offsets (shared by chunking, answering and quoting)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import blingfire

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n+")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text: ``text[start:end]``, and the index of the paragraph it is in."""

    start: int
    end: int
    paragraph: int


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the non-blank paragraphs (separated by blank lines) of ``text[start:end]``, stripped."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, end))
    out = []
    for a, b in spans:
        a, b = _strip(text, a, b)
        if b > a:
            out.append((a, b))
    return out


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[start:end]``; never crosses a paragraph break. Offsets index ``text``."""
    out: list[Sentence] = []
    for p_index, (pa, pb) in enumerate(paragraph_spans(text, start, end)):
        para = text[pa:pb]
        offsets = _blingfire_offsets(para)
        if not offsets:
            out.append(Sentence(pa, pb, p_index))
            continue
        for a, b in offsets:
            a, b = _strip(para, a, b)
            if b > a:
                out.append(Sentence(pa + a, pa + b, p_index))
    return out


def _blingfire_offsets(para: str) -> list[tuple[int, int]]:
    # blingfire reports character offsets into its input; a single line break inside a paragraph is kept
    # as a sentence boundary candidate only if blingfire thinks so.
    _, offsets = blingfire.text_to_sentences_and_offsets(para)
    spans = [(int(a), int(b)) for a, b in offsets]
    # Make the spans tile the paragraph: blingfire may drop whitespace between sentences only.
    return [(a, b) for a, b in spans if 0 <= a < b <= len(para)]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
