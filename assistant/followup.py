"""Follow-up questions without an LLM: carry the key terms of the conversation's earlier questions forward.

"What did the UN say about it?" after "Did Russia say the Aleppo evacuations were completed?" becomes
"What did the UN say about it? (Aleppo evacuations completed Russia)": enough for retrieval to stay on the
story. The LLM answerer rewrites the question properly instead (``LLMAnswerer.condense``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answerer import Turn
from assistant.lexical import STOPWORDS, terms

_WORD = re.compile(r"[A-Za-z0-9][\w’'.-]*[\w]|[A-Za-z0-9]")
_ANAPHORA = frozenset(
    "it its it's they them their theirs this that these those he him his she her hers there such "
    "latter former".split()
)
_OPENERS = ("and ", "but ", "also ", "what about", "how about", "why ", "so ", "then ", "same ", "any ")
# Words that carry no topic: question words and reporting verbs (the follow-up brings its own).
_GENERIC = frozenset(
    "what which who whom whose when where why how did does do is are was were say says said tell told "
    "claim claims claimed think thought report reported according many much more most about also "
    "happen happened going get got make made".split()
)
MAX_CARRIED = 6


def is_followup(question: str, history: Sequence[Turn]) -> bool:
    """True if ``question`` leans on the conversation: a pronoun, a bare opener, or too few topic words."""
    if not history:
        return False
    lower = question.lower().strip()
    words = set(re.findall(r"[a-z']+", lower))
    if words & _ANAPHORA or lower.startswith(_OPENERS):
        return True
    return len(_topic_words(question)) < 2


def _topic_words(text: str) -> list[str]:
    """Content words of ``text`` in order, original spelling, without stop words and generic words."""
    out: list[str] = []
    for word in _WORD.findall(text):
        low = word.lower()
        if low in STOPWORDS or low in _GENERIC or low in _ANAPHORA or len(low) < 2:
            continue
        out.append(word)
    return out


def resolve(question: str, history: Sequence[Turn]) -> str:
    """A standalone version of ``question``: itself, or itself plus topic terms carried from history."""
    if not is_followup(question, history):
        return question
    # Resolve earlier questions first, so a chain of follow-ups keeps the original topic.
    resolved: list[str] = []
    for i, (previous, _) in enumerate(history):
        resolved.append(resolve(previous, history[:i]))
    present = set(terms(question))
    carried: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for previous in reversed(resolved):
        for word in _topic_words(previous):
            stem = tuple(terms(word))
            if not stem or stem in seen or set(stem) <= present:
                continue
            seen.add(stem)
            carried.append(word)
        if carried:  # the most recent question with a topic is enough
            break
    if not carried:
        return question
    # Names first (they identify the story), then the other topic words, each group in question order.
    carried.sort(key=lambda w: not w[0].isupper())
    return f"{question.rstrip()} ({' '.join(carried[:MAX_CARRIED])})"
