"""Sources that disagree: near-identical sentences in different articles that give different names or figures.

Wire copies and follow-ups repeat a sentence; when one copy says "Tampa, Florida" where another says
"Glendale, Arizona", or "107 dead" where another says "111", a reader must see both and be told they differ
rather than be handed one of them as the answer. Pure functions over sentence text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer_type import NUMBER_WORDS
from assistant.lexical import STOPWORDS

__all__ = ["Disagreement", "among_citations", "describe", "disagreement", "says_disagree"]

MIN_SIMILARITY = 0.6  # share of tokens two sentences must have in common to be versions of one sentence
_TOKEN = re.compile(r"\w+(?:[.,'\u2019]\w+)*|[%£$€]")


_SAYS = re.compile(r"\b(disagree|conflict|contradict|inconsisten|differ|discrepan|dispute)", re.I)


def says_disagree(text: str) -> bool:
    """Whether an answer's own words already say its sources disagree."""
    return bool(_SAYS.search(text))


@dataclass(frozen=True)
class Disagreement:
    """What each of two versions of one sentence says where they differ."""

    first: str
    second: str


def _is_value(token: str, position: int) -> bool:
    """A figure or a name (a capitalised word; sentence-initial only when it is not a common word)."""
    if token[0].isdigit() or token.lower() in NUMBER_WORDS or token in "%£$€":
        return True
    return token[0].isupper() and (position > 0 or token.lower() not in STOPWORDS)


def disagreement(a: str, b: str) -> Disagreement | None:
    """The differing names/figures of ``a`` and ``b`` when they are versions of one sentence, else None.

    Only substitutions count, name or figure for name or figure: a value of ``a`` that ``b`` also contains
    elsewhere (reworded, reordered) is not a disagreement, nor is an insertion or a change of ordinary words.
    """
    ma, mb = list(_TOKEN.finditer(a)), list(_TOKEN.finditer(b))
    ta, tb = [m.group(0) for m in ma], [m.group(0) for m in mb]
    if not ta or not tb:
        return None
    la, lb = [t.lower() for t in ta], [t.lower() for t in tb]
    matcher = difflib.SequenceMatcher(a=la, b=lb, autojunk=False)
    if matcher.ratio() < MIN_SIMILARITY:
        return None
    in_a, in_b = set(la), set(lb)
    only_a: list[str] = []
    only_b: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":  # an insertion ("... on Friday") adds detail; it does not contradict
            continue
        va = [k for k in range(i1, i2) if la[k] not in in_b and _is_value(ta[k], k)]
        vb = [k for k in range(j1, j2) if lb[k] not in in_a and _is_value(tb[k], k)]
        if va and vb:  # the source's own text from the first to the last differing value
            only_a.append(a[ma[va[0]].start() : ma[va[-1]].end()])
            only_b.append(b[mb[vb[0]].start() : mb[vb[-1]].end()])
    if not only_a or not only_b:
        return None
    return Disagreement(", ".join(only_a), ", ".join(only_b))


def describe(differences: Sequence[Disagreement], limit: int = 2) -> str:
    """ "one version says X, another Y; ..." for the first ``limit`` disagreements."""
    return "; ".join(f"one version says {d.first}, another {d.second}" for d in differences[:limit])


def among_citations(quotes: Sequence[tuple[str, str]]) -> list[Disagreement]:
    """Disagreements between quotes ``(article_id, quote)`` of different articles (each pair once)."""
    found: list[Disagreement] = []
    for i, (art_a, a) in enumerate(quotes):
        for art_b, b in quotes[i + 1 :]:
            d = disagreement(a, b) if art_a != art_b else None
            if d is not None and d not in found:
                found.append(d)
    return found
