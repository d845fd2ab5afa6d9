"""Who says so: find the speaker of a reported claim in a news sentence ("Russia claims...", "..., he said")."""

from __future__ import annotations

import re

# Reporting verbs, mapped to the present tense the answer uses ("Russia claims: ...").
VERBS = {
    "says": "says", "said": "says", "told": "says", "tells": "says", "posted": "says", "wrote": "says",
    "writes": "says", "stated": "says", "states": "says", "added": "says", "adds": "says",
    "claims": "claims", "claimed": "claims", "is claiming": "claims", "are claiming": "claims",
    "insists": "insists", "insist": "insists", "insisted": "insists", "warns": "warns", "warned": "warns",
    "urges": "urges", "urged": "urges", "is urging": "urges", "argues": "argues", "argued": "argues",
    "denies": "denies", "denied": "denies", "announces": "announces", "announced": "announces",
    "believes": "believes", "maintains": "maintains", "maintained": "maintains", "reports": "reports",
    "reported": "reports", "admits": "admits", "admitted": "admits", "alleges": "alleges",
    "alleged": "alleges", "predicts": "predicts", "predicted": "predicts", "accused": "accuses",
    "accuses": "accuses", "estimates": "estimates", "estimated": "estimates", "say": "say",
}  # fmt: skip
_VERB_RE = "|".join(sorted((re.escape(v) for v in VERBS), key=len, reverse=True))
# Subject first: "The U.N. and international aid agencies insist there are ...".
_LEADING = re.compile(rf"^(?P<who>[A-Z\u2018\u201c\"'][^\u201c\"]{{1,110}}?)\s+(?P<verb>{_VERB_RE})\b")
# Speaker after the quote: '"...," said Mr Smith.' or '"...", the minister said.'
_TRAILING = re.compile(
    r"[,\u201d\"]\s+(?:(?P<verb1>said|says|added|claimed|insisted|warned)\s+(?P<who1>[^,.;]{2,80}?)"
    r"|(?P<who2>[^,.;\u201d\"]{2,80}?)\s+(?P<verb2>said|says|added|claimed|insisted|warned))"
    r"(?:,[^.]*)?[.!?]?[\u201d\"]?$"
)
# "BEIRUT (AP) — Russia is claiming ...": the dateline is not part of the speaker.
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]+\([^)]{1,40}\)\s*[\u2014\u2013-]\s*")
_ADVERBS = re.compile(r"\s+(also|now|still|previously|repeatedly|again|however|later|then|has|had)$", re.I)
_ACCORDING = re.compile(r"\b[Aa]ccording to (?P<who>[^,.;]{2,80})")
_NOT_SPEAKERS = re.compile(
    r"^(it|this|that|these|those|there|here|he|she|they|we|i|you|some|many|it's|what|which|who|but|and|"
    r"so|if|when|while|as|after|before|although|because|however|meanwhile|also)\b",
    re.I,
)


def speaker(sentence: str) -> tuple[str, str] | None:
    """``(speaker, verb)`` if ``sentence`` attributes a claim to someone named, else None.

    >>> speaker("The U.N. and international aid agencies insist there are still people in Aleppo.")
    ('The U.N. and international aid agencies', 'insist')
    """
    text = sentence.strip()
    text = _DATELINE.sub("", text)
    m = _TRAILING.search(text)
    if m:
        who = m.group("who1") or m.group("who2")
        verb = m.group("verb1") or m.group("verb2")
        if who and _acceptable(who):
            return _tidy(who), VERBS[verb]
    m = _LEADING.match(text)
    if m and _acceptable(m.group("who")):
        verb = m.group("verb")
        return _tidy(m.group("who")), VERBS[verb] if " " in verb or not _plural(verb) else verb
    m = _ACCORDING.search(text)
    if m and _acceptable(m.group("who")):
        return _tidy(m.group("who")), "says"
    return None


def _plural(verb: str) -> bool:
    return verb in {"insist", "say"}


def _acceptable(who: str) -> bool:
    """A plausible speaker: not a pronoun or clause opener, few enough words, no inner clause."""
    who = who.strip(" \u201c\u201d\"'\u2018\u2019")
    words = who.split()
    if not words or len(words) > 16 or _NOT_SPEAKERS.match(who):
        return False
    # "The government seized large swaths ..." is a statement, not a speaker: a verb-like word inside.
    return not re.search(r"\b(has|have|had|was|were|is|are|will|would|could|should|did|does)\b", who)


def _tidy(who: str) -> str:
    who = _ADVERBS.sub("", who.strip(" ,\u201c\u201d\"'\u2018\u2019"))
    return who[0].upper() + who[1:] if who else who
