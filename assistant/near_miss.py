"""Near misses: a sentence holding the right kind of answer that still answers another question.

"How many cars did BMW sell in China in 2004?" is not answered by "BMW sold nearly 95,000 cars in Asia last
year", though that sentence holds a count. These checks catch the answer for another place or year, a count of
other things, another kind of sum, a figure someone only expects, a thing mentioned but never named, and a
story that says the detail was not given. ``holds`` is what the extractive answerer asks of its best sentences.
"""

from __future__ import annotations

import re

from assistant.answer_type import (
    CALENDAR,
    CLOCK,
    MONEY,
    NOT_PERSON,
    NUMBER_VALUES,
    OPENING,
    YEAR,
    Expected,
    expected,
    has_kind,
    parts,
)
from assistant.lexical import terms

__all__ = ["asked_speaker", "holds", "withheld"]


def holds(question: str, sentence: str) -> bool:
    """Whether ``sentence`` holds what ``question`` asks for: the right kind of thing, beyond what the question
    says, for the place, year, thing or sum asked about.

    A question in parts ("Who kicked the penalty, and what was the score?") is answered in part by a
    sentence holding what any one part asks for.
    """
    if _elsewhere(question, sentence):
        return False
    return any(has_kind(part, question, sentence) and not _misses(part, sentence) for part in parts(question))


def _misses(part: str, sentence: str) -> bool:
    """``sentence`` holds the kind of answer ``part`` asks for, but about something else."""
    kind = expected(part)
    if kind is Expected.MONEY:
        return bool(_PAST.search(part)) and _only_expected(MONEY, sentence) or _other_sum(part, sentence)
    if kind is Expected.NUMBER:
        return _counts_other_things(part, sentence)
    return kind is Expected.ANY and _leaves_unnamed(part, sentence)


# A figure someone expects, hopes or forecasts is not what happened.
_EXPECTED_FIGURE = re.compile(
    r"\b(?:expected|set|likely|hoped?|hopes|aims?|plans?|forecast|predicted|estimated|tipped)\s+to\b[^.;]{0,40}$|"
    r"\b(?:could|may|might|would|will)\s+(?:\w+\s+){0,3}$|\b(?:estimated?|valued)\s+(?:of|at)\s+(?:about\s+)?$",
    re.I,
)
_PAST = re.compile(r"\b(?:did|was|were|had)\b", re.I)
_WHAT_FOCUS = re.compile(
    OPENING
    + r"[Ww]hat\s+(?:[a-z-]+\s+){0,2}?([a-z]{4,})\s+(?:did|does|do|was|were|is|are|has|have|had|will)\b"
)


_WHAT_DID_SAY = re.compile(
    OPENING + r"[Ww]hat (?:did|does|has|have|will) ((?:[A-Z][\w'-]+\s+){0,3}[A-Z][\w'-]+)\s+"
    r"(?:say|said|tell|told|claim|argue|reply|respond|think|believe|warn|admit|insist)\b"
)

_YEARS = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")  # the years answer_type.YEAR accepts, found in text
_IN_PLACE = re.compile(r"\bin (?:the )?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)")


_WORLDWIDE = re.compile(r"\b(?:worldwide|globally|around the world|across the world|internationally)\b", re.I)


def _places(text: str) -> set[str]:
    """Places a text reports for: "in China", "in the UK" (not "in the Davis Cup"), or "worldwide"."""
    found = {
        m.group(1)
        for m in _IN_PLACE.finditer(text)
        if m.group(1).lower() not in CALENDAR
        and not any(w.lower().strip("\u2019'") in NOT_PERSON for w in m.group(1).split())
    }
    return found | ({"worldwide"} if _WORLDWIDE.search(text) else set())


def _elsewhere(question: str, sentence: str) -> bool:
    """The question asks about somewhere ("... in China") or some year, and ``sentence`` reports for
    somewhere else ("95,000 cars in Asia", "worldwide") or other years, without the place or year asked about."""
    years = set(_YEARS.findall(question))
    said_years = set(_YEARS.findall(sentence))
    if years and said_years and not years & said_years:
        return True  # "How many films were made in 2002?" over "... 27 last year, compared with 45 in 2003"
    asked = _places(question) - {"worldwide"}
    if not asked or not _places(sentence):
        return False
    said = sentence.lower()
    return not any(w.lower() in said for place in asked for w in place.split())


def _only_expected(pattern: re.Pattern[str], sentence: str) -> bool:
    """Every match of ``pattern`` in ``sentence`` is a figure someone expects ("is expected to fetch $1m")."""
    # "£1.8m ($3.4m)": the figure in brackets converts the one before it
    found = [m for m in pattern.finditer(sentence) if not sentence[: m.start()].rstrip().endswith("(")]
    return bool(found) and all(
        _EXPECTED_FIGURE.search(sentence[max(0, m.start() - 60) : m.start()]) for m in found
    )


_SUMS = (
    "salary|salaries|wage|wages|fee|fees|fine|fines|bonus|bonuses|price|budget|cost|costs|bill|compensation|damages|"
    "pension|payout|pay-off|payoff|profit|profits|revenue|revenues|sales|loss|losses|debt|debts|bid|offer|dividend|"
    "investment|donation|grant|loan|award|prize"
)
_ASKED_SUM = re.compile(rf"\b({_SUMS})d?\b", re.I)  # "fined" asks for a fine
# "a bonus of £44,914", "contracts worth $3bn": the sum named as what it is
_SUM_OF = re.compile(
    rf"\b(?:({_SUMS})\s+of|([a-z]+)\s+worth)\s+(?:about\s+|around\s+|nearly\s+|almost\s+|some\s+)?[$£€¥]",
    re.I,
)


def _other_sum(part: str, sentence: str) -> bool:
    """ "What salary was he paid?" over "He was paid a bonus of £44,914": the sum is named as another kind."""
    asked = {m.group(1).lower() for m in _ASKED_SUM.finditer(part)}
    if not asked or any(a in sentence.lower() for a in asked):
        return False
    named = [(m.group(1) or m.group(2)).lower() for m in _SUM_OF.finditer(sentence)]
    return bool(named) and len(named) == len(MONEY.findall(sentence))


def _leaves_unnamed(part: str, sentence: str) -> bool:
    """ "What banned substance did he test positive for?" over "... testing positive for a banned substance.":
    the sentence names the thing asked about only as "a <thing>", without saying which."""
    focus = _WHAT_FOCUS.match(part)
    if not focus:
        return False
    head = focus.group(1)
    return bool(
        re.search(
            rf"\b(?:a|an|some|unspecified|undisclosed|unnamed|certain)\s+(?:[\w-]+\s+){{0,2}}?{head}s?\b"
            rf"(?!\s*(?:of|called|named|:|,|\(|-|\u2013))",
            sentence,
            re.I,
        )
    )


_WITHHELD = re.compile(
    r"\b(?:(?:has|have|had|did|does|do|would|will|could)\s*(?:not|n't|yet to)\s+(?:\w+\s+){0,2}?"
    r"(?:disclose|reveal|release|give|say|confirm|comment|name|publish|provide)\w*|"
    r"(?:declined|refused)\s+to\s+(?:say|comment|disclose|reveal|give|name|confirm)|undisclosed|unspecified|"
    r"(?:has|have|had|was|were|is|are)\s+not\s+(?:been\s+)?(?:disclosed|revealed|released|made public|named))\b",
    re.I,
)


def withheld(sentence: str) -> bool:
    """Whether ``sentence`` says a detail was not given ("Valve has yet to release figures", "an undisclosed sum")."""
    return bool(_WITHHELD.search(sentence))


def asked_speaker(question: str) -> str | None:
    """The name whose words "What did Bill Gates say ...?" asks for ("Gates"), else None."""
    said = _WHAT_DID_SAY.match(question)
    return said.group(1).split()[-1] if said else None


_COUNTED = re.compile(
    r"how many\s+((?:[\w\u2019'-]+\s+){0,4}?)([a-z][\w-]*s)\b(?=\s+(?:did|does|do|is|are|was|were|has|have|had|will|"
    r"would|can|could|might|may|should|in|of|on|at|for|from|to|by|since|during|over|per|that|which|who)\b|\s*\?)",
    re.I,
)
_COUNTER_WORDS = frozenset(
    "units people times members items persons individuals pieces copies customers users adults "
    "children".split()
)
_SKIP_AFTER_FIGURE = frozenset(
    "million billion thousand hundred dozen more new extra additional other of the".split()
)


def _counts_other_things(part: str, sentence: str) -> bool:
    """For "How many subscribers ...?": every figure in ``sentence`` counts some other plural thing.

    "Up to 15 pay-TV channels" does not say how many subscribers signed up. A figure counting a generic
    thing ("19.9 million units", "14 million people") or nothing named still may.
    """
    m = _COUNTED.search(part)
    if not m:
        return False
    head = terms(m.group(2))
    if not head or head[0] in terms(sentence):
        return False
    text = CLOCK.sub(" ", sentence)
    attached: list[str | None] = []
    for num in re.finditer(r"(?<![\w.,-])\d[\d,.]*|\b(?:" + "|".join(NUMBER_VALUES) + r")\b", text, re.I):
        if YEAR.match(num.group(0).rstrip(".,")):
            continue
        words = re.findall(r"[\w\u2019'-]+", text[num.end() :])[:4]
        noun = None
        for w in words:
            if w.lower() in _SKIP_AFTER_FIGURE:
                continue
            if w.islower() and w.endswith("s") and len(w) > 3:
                noun = w
                break
        attached.append(noun)
    asked = set(terms(part))
    return bool(attached) and all(
        n is not None and n.lower() not in _COUNTER_WORDS and terms(n)[0] not in asked for n in attached
    )
