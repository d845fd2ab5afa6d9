"""What kind of thing a question asks for (a figure, sum, share, score, date or name) and whether a sentence holds one.

The extractive answerer cannot read the way a person does, so it checks the shape of an answer: "How many
copies did it sell?" is not answered by a sentence whose only figure is one the question already gave
("the 11-9 win"), and "Who wrote it?" is not answered by a sentence naming nobody new. A near-miss passage
about the right story fails here, and the answerer says the articles do not contain the answer.
"""

from __future__ import annotations

import re
from enum import Enum

__all__ = ["NUMBER_WORDS", "Expected", "expected", "has_kind", "new_names", "new_numbers", "parts"]


class Expected(Enum):
    """The kind of answer a question asks for."""

    SCORE = "score"
    MONEY = "money"
    SHARE = "share"
    NUMBER = "number"
    DATE = "date"
    SPAN = "span"
    CAUSE = "cause"
    PERSON = "person"
    NAME = "name"
    ANY = "any"


OPENING = r"^\s*(?:and\s+|so\s+|but\s+)?"
_RULES: list[tuple[Expected, re.Pattern[str]]] = [
    (
        Expected.SCORE,
        re.compile(
            OPENING + r"(?:(?:what|by what) (?:was|is|were) the (?:final |half-time |full-time )?score"
            r"|what (?:final )?score)\b",
            re.I,
        ),
    ),
    (
        Expected.MONEY,
        re.compile(
            OPENING
            + r"(?:what (?:was|is|were|will be) (?:the|its|their|his|her|[\w.&-]+['\u2019]s?) (?:\w+ ){0,2}"
            r"(?:budget|cost|price|fee|bill|salary|fine|value|valuation|deal worth|sum|profits?|revenues?|"
            r"turnover|earnings|income|losses|loss|debts?)|how much (?:\w+ )?(?:money|cash)|"
            r"how much (?:\S+ ){0,10}(?:costs?|costing|pay|paid|paying|spend|spent|spending|charge|charged|"
            r"charging|worth|earn|earned|earning|raise|raised|raising|donate|donated|owe|owed|fined|sell|sold|"
            r"fetch|fetched|buy|bought|award|awarded|receive|received|invest|invests|investing|invested|take|took|"
            r"gross|grossed|claim|claimed|seek|sought|demand|demanded)\b|"
            r"what (?:\w+ )?(?:salary|wage|price|fee|fine|bonus|budget|profit))\b",
            re.I,
        ),
    ),
    (
        Expected.SHARE,
        re.compile(
            OPENING + r"what (?:percentage|proportion|share|fraction|per ?cent)\b|"
            r"what (?:was|is|were) the (?:\w+ ){0,2}(?:rate|turnout)\b",
            re.I,
        ),
    ),
    (
        Expected.NUMBER,
        re.compile(
            OPENING + r"(?:how (?:many|much|long|old|far|big|tall|large|high|fast)|"
            r"what (?:was|is|were) the (?:\w+ )?(?:number|amount|attendance|total|figure|"
            r"margin|size|population|age|tally|crowd|count)|by (?:how much|what margin)|"
            r"what (?:number|amount|figure|total))\b",
            re.I,
        ),
    ),
    (
        Expected.CAUSE,
        re.compile(
            OPENING
            + r"(?:(?:what|which)\b[^?]{0,80}\bdie (?:of|from)\b|what (?:was|is) the cause of (?:[\w'\u2019]+ ){0,3}death|"
            r"what killed|what (?:illness|disease|condition)\b[^?]{0,60}\b(?:die|suffer|suffered|have|has|had)\b)",
            re.I,
        ),
    ),
    (
        Expected.SPAN,
        re.compile(
            OPENING
            + r"(?:what|how long (?:a|was the|is the))\s+(?:\w+\s+)?(?:sentence|jail term|prison term|term|ban|"
            r"suspension|contract)\b",
            re.I,
        ),
    ),
    (
        Expected.DATE,
        re.compile(
            OPENING + r"(?:when|(?:on |in |until |by |since )?what (?:date|day|year|month|time))\b", re.I
        ),
    ),
    (
        Expected.PERSON,
        re.compile(
            OPENING + r"(?:who|whom|whose|what (?:was|is|were) (?:the|his|her|their) (?:\w+ )?names? of|"
            r"(?:(?:to|by|from|for|on|at|with|of|under) )?which (?:(?!(?:does|did|do|is|was|were|are|has|have|had|"
            r"will|would|can)\b)\w+ ){0,3}(?:person|people|man|men|woman|women|minister|executive|chief|chairman|"
            r"chairwoman|leader|member|player|official|actor|actress|singer|director|manager|coach|lawyer|judge|"
            r"spokesman|spokeswoman|boss|president|secretary|mp|politician|candidate|star|writer|author|striker|"
            r"captain|dj|presenter|host|artist|musician|composer|producer|designer|novelist|comedian|footballer|"
            r"athlete|analyst|economist|scientist|founder|owner|mayor|governor|senator|councillor)s?)\b",
            re.I,
        ),
    ),
    (
        Expected.NAME,
        re.compile(
            OPENING
            + r"(?:where|(?:(?:to|in|from|by|for|on|at|with|of|under) )?which (?:(?!(?:does|did|do|is|was|"
            r"were|are|has|have|had|will|would|can)\b)\w+ ){0,2}(?:town|city|country|region|place|company|firm|"
            r"party|team|group|band|club|film|show|album|song|newspaper|brand|state|nation|airline|bank|network|"
            r"channel|league|venue|stadium|theatre|hotel|hospital|school|university|ground|arena|prison|studio|"
            r"label|magazine|station)(?:s|['\u2019]s?)?|"
            r"what (?:is|was|are|were|will)\b[^?]{0,80}\b(?:called|named|titled|entitled))\b",
            re.I,
        ),
    ),
]

NUMBER_VALUES = {
    w: str(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}  # fmt: skip
_SCALE_WORDS = {"thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand",
                "million", "billion", "trillion", "dozen", "half", "double", "triple", "quarter", "third"}  # fmt: skip
NUMBER_WORDS = frozenset(NUMBER_VALUES) | _SCALE_WORDS  # words that are figures ("eight", "million")
_NUM = re.compile(r"(?<![\w.,-])\d+(?:[.,]\d+)*|(?<![\w-])[a-z]+(?![\w-])", re.I)
YEAR = re.compile(r"^(?:1[89]\d\d|20\d\d)$")
CLOCK = re.compile(
    r"\b\d{4}\s?(?:GMT|BST|UTC|CET|EST|ET|PT)\b|\b\d{1,2}[:.]\d\d\s?(?:am|pm|GMT|BST)?\b", re.I
)
_NUM_WORD = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty|a)"
)
_NOT_A_COUNT = re.compile(
    rf"[$£€¥]\s?\d[\d,.]*(?:\s?(?:m|bn|k|million|billion)\b)?|\d[\d,.]*\s?(?:%|per ?cent\b|percent\b|p\b|m\b|bn\b)|"
    rf"\b{_NUM_WORD}[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?)(?:[\s-]+old)?\b|"
    rf"\b{_NUM_WORD}-year-old\b",
    re.I,
)
HOW_MANY = re.compile(r"^\s*(?:and\s+)?how many\b", re.I)
_SCORE = re.compile(r"\b\d{1,3}\s*[-\u2013]\s*\d{1,3}\b")
# "1.3m" alone may be metres: a sum needs its currency ("$1m", "50p", "2bn euros").
MONEY = re.compile(
    r"[$£€¥]\s?\d|\b\d+p\b|\b(?:dollars?|pounds?|euros?|pence|cents?|yen|rupees?|francs?)\b", re.I
)
_SPAN = re.compile(
    rf"\b{_NUM_WORD}[\s-]+(?:years?|months?|weeks?|days?|hours?|matches|games|races)\b|\blife\b|\bindefinite",
    re.I,
)
_SHARE = re.compile(
    r"%|\bper ?cent\b|\bpercent\b|\bhalf\b|\b(?:a|one|two|three)[ -](?:third|quarter|fifth|tenth)s?\b", re.I
)
_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|week|"
    r"month|year|decade|century)s?\b",
    re.I,
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY_OF_MONTH = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?!\w)|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b", re.I
)
_SPAN_OF = re.compile(
    r"\b(?:jail|jailed|prison|imprison\w*|sentenc\w*|ban|bans|banned|suspen\w+|term|contract|deal|probation|"
    r"custody|detention|community service|life)\b",
    re.I,
)
_ASKS_TIME = re.compile(r"\bwhat time\b", re.I)
_TIME = re.compile(
    r"\b\d{1,2}:\d\d(?:[.:]\d+)?\b|\b\d+(?:\.\d+)?\s?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)\b|"
    r"\b\d{1,2}(?:[.:]\d\d)?\s?(?:am|pm|GMT|BST)\b",
    re.I,
)
# How someone died: "died of/from/after ..." (not "at the age of 85") or an illness named.
_CAUSE = re.compile(
    r"\b(?:died|dies|dying|death|killed|succumbed)\b[^.;]{0,50}?\b(?:of|from|after|following|with)\s+"
    r"(?!(?:the\s+)?age\b)(?!\d)\w+|\b(?:cancer|illness|disease|heart attack|heart failure|stroke|tumou?r|"
    r"pneumonia|leukaemia|leukemia|infection|suicide|overdose|injuries|complications)\b",
    re.I,
)
_NAME_RUN = re.compile(r"\b[A-Z][\w\u2019'.-]*\w(?:\s+(?:of |de |van |von |le |la )?[A-Z][\w\u2019'.-]*\w)*")
_ACRONYM = re.compile(r"^[A-Z0-9.]{1,5}s?$")
_ACRONYM_IN_Q = re.compile(r"\b[A-Z]{2,5}\b")
_TITLE = re.compile(
    r"^(Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Judge|Justice|President|Prince|Princess|King|Queen|"
    r"Rev|Reverend|Professor|Prof|Captain|General|Senator|Governor|Mayor|Chancellor|Baroness|"
    r"Baron|Archbishop|Bishop|Father|Saint|St)\.?$"
)
# A capitalised run with one of these words names an organisation, place or event, not a person.
NOT_PERSON = frozenset(
    "court county council committee commission authority agency association bank corporation corp inc ltd plc "
    "group party union university college school hospital ministry department office parliament assembly senate "
    "congress club united city fc stadium park street road airport cup championship championships open league "
    "awards award festival times news post journal institute foundation service services house government "
    "police army navy church museum theatre gallery company motors airways airlines records studios network "
    "channel radio television tv exchange market index fund trust board federation monday tuesday wednesday "
    "thursday friday saturday sunday".split()
)


_OPENERS = frozenset("in on at by for from but and as after before when while if so".split())
CALENDAR = frozenset(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday".split()
)
_WORKS = frozenset(
    "documentary film movie album book novel show programme program series song single play musical magazine "
    "newspaper game drama sitcom opera".split()
)


def expected(question: str) -> Expected:
    """The kind of answer ``question`` asks for (ANY when its wording does not say)."""
    for kind, pattern in _RULES:
        if pattern.search(question):
            return kind
    return Expected.ANY


def _numbers(text: str) -> set[str]:
    out: set[str] = set()
    for m in _NUM.finditer(text):
        token = m.group(0).lower()
        if m.start() > 0 and m.group(0)[0].isupper():
            continue  # a number word inside a name: "Six Nations", "Channel Four"
        if token[0].isdigit():
            out.add(token.replace(",", ""))
        elif token in NUMBER_VALUES:
            out.add(NUMBER_VALUES[token])
        elif token in _SCALE_WORDS:
            out.add(token)
    return out


def new_numbers(question: str, sentence: str, counts: bool = False, things: bool = False) -> set[str]:
    """Figures in ``sentence`` (digits or number words, normalised) that ``question`` does not already give.

    With ``counts``, years, days of the month and clock times do not count: "How many votes?" is not answered
    by "since 1999" or "on 3 April".
    With ``things`` (a "how many X" question) neither do shares, sums or spans of time: a count of barrels
    is not "18%", "£3m" or "25 years".
    """
    if not counts:
        return _numbers(sentence) - _numbers(question)
    text = _DAY_OF_MONTH.sub(" ", CLOCK.sub(" ", sentence))
    if things:
        text = _NOT_A_COUNT.sub(" ", text)
    found = _numbers(text) - _numbers(question)
    return {n for n in found if not YEAR.match(n)}


def new_names(question: str, sentence: str, people: bool = False, orgs: bool = False) -> set[str]:
    """Names (runs of capitalised words) in ``sentence`` that ``question`` lacks.

    A run is not new when every word of it is in the question, or when its initials spell an acronym the
    question uses ("General Motors" for "GM"). The sentence's first word counts only as part of a run of
    two or more words when ``people`` is set ("Gavin Henson kicked ..."; not "Reporters said ..."). With
    ``people``, a run must be able to name a person (see ``_person_like``), and acronyms (MP, UN, PCs) and
    dotted tokens (Bagle.BB) are not names of people. With ``orgs`` ("Which company ...?") a run after "in",
    "from" or "at" is a place, not the name asked for.
    """
    asked = {w.lower() for w in re.findall(r"[\w\u2019'-]+", question)}
    asked |= {re.sub(r"['\u2019]s?$", "", w) for w in asked}  # "Fisher's" asks about Fisher
    asked |= {part for w in asked for part in w.split("-")}  # "al-Youssef" names Youssef
    acronyms = set(_ACRONYM_IN_Q.findall(question))
    text = sentence.lstrip("\u201c\"' ")
    out: set[str] = set()
    for run in _NAME_RUN.finditer(text):
        words = run.group(0).split()
        speaks = text[run.end() :].split()[:1] in (["said"], ["says"], ["told"])  # "Carpenter said ..."
        if run.start() == 0 and not (people and (len(words) >= 2 or speaks)) or words[0].lower() in _OPENERS:
            words = words[1:]  # the sentence's capitalised first word, or "In" of "In July"
        if not words:
            continue
        before = text[: run.start()].split()[-1:]
        after = text[run.end() :].split()[:1]
        if people and not _person_like(words, before[0] if before else "", after[0] if after else ""):
            continue  # "Santa Barbara County Superior Court" or "California" answers "which judge?" with no judge
        if orgs and before and before[0].lower() in ("in", "from", "at", "near"):
            continue  # "Andrew Fisher, from Omaha" names a place, not the company asked for
        kept = [
            w
            for w in words
            if w[0].isupper()
            and not _TITLE.match(w)
            and w.lower() not in CALENDAR
            and w.lower() not in NUMBER_VALUES
            and not (people and (_ACRONYM.match(w) or "." in w))
        ]
        fresh = [w for w in kept if w.lower() not in asked and w.lower().rstrip("'s\u2019") not in asked]
        if people and kept and kept[-1] not in fresh:
            continue  # "Gen Pervez Musharraf" is the Musharraf the question names; "Tesla CEO Mark Zuckerberg" is new
        if fresh and "".join(w[0] for w in words) not in acronyms:
            out.update(fresh)
    return out


def _person_like(words: list[str], before: str, after: str) -> bool:
    """Whether a capitalised run can name a person: two or more words, a title and a name ("Mr Slattery"),
    or one name that says something ("Owen said"); never one with an organisation, place or event word."""
    if re.fullmatch(r"[A-Z]{3,}\d*", words[0]) or before.lower() in _WORKS or before.lower() in ("in", "at"):
        return False  # "BBC Four" is a channel; "the BBC documentary Secret Agent" names a work; "in Krispy Kreme"
    if words[0] == "The" or any(w.lower().strip("\u2019'") in NOT_PERSON for w in words):
        return False  # "The Hague", "The Beatles"
    if len(words) >= 2 or _TITLE.match(before):
        return True
    return after.rstrip(",.") in ("said", "says", "told", "added", "insisted")


def _new(pattern: re.Pattern[str], question: str, sentence: str) -> bool:
    asked = {m.group(0).replace(" ", "") for m in pattern.finditer(question)}
    return any(m.group(0).replace(" ", "") not in asked for m in pattern.finditer(sentence))


_PARTS = re.compile(
    r",?\s+and\s+(?=(?:(?:in|on|at|by|for|from|to|with)\s+)?(?:who|whom|whose|what|which|when|where|how|why)\b)",
    re.I,
)
_ASKS_ORG = re.compile(
    r"\bwhich (?:\w+ )?(?:company|firm|bank|airline|club|team|band|group|party|brand|newspaper|network|channel|"
    r"league|broadcaster|retailer|carmaker|brewer|operator)\b",
    re.I,
)


def parts(question: str) -> list[str]:
    """The parts of a question asked in parts ("Who kicked the penalty, and what was the score?")."""
    return _PARTS.split(question)


def has_kind(part: str, question: str, sentence: str) -> bool:
    """``sentence`` holds the kind of thing ``part`` (of ``question``) asks for, beyond what the question says.

    Whether it is the one asked about (that place, year, thing or sum) is ``assistant/near_miss.py``'s job.
    """
    kind = expected(part)
    if kind is Expected.SCORE:
        return _new(_SCORE, question, sentence)
    if kind is Expected.MONEY:
        return bool(new_numbers(question, sentence)) and bool(MONEY.search(sentence))
    if kind is Expected.SHARE:
        return (
            bool(new_numbers(question, sentence))
            and bool(_SHARE.search(sentence))
            or _new(_SHARE, question, sentence)
        )
    if kind is Expected.NUMBER:
        return bool(new_numbers(question, sentence, counts=True, things=bool(HOW_MANY.match(part))))
    if kind is Expected.SPAN:  # a span of the sentence, ban or contract: not "over seven months" of hacking
        return _new(_SPAN, question, sentence) and bool(_SPAN_OF.search(sentence))
    if kind is Expected.CAUSE:
        return _new(_CAUSE, question, sentence)
    if kind is Expected.DATE:
        # "In what time did he win?" asks for a time taken ("7:39.89", "47.97 seconds") or of day, not a date.
        return _new(_TIME if _ASKS_TIME.search(part) else _DATE, question, sentence)
    if kind in (Expected.PERSON, Expected.NAME):
        return bool(
            new_names(question, sentence, people=kind is Expected.PERSON, orgs=bool(_ASKS_ORG.search(part)))
        )
    return True
