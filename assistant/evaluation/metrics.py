"""Pure scoring functions: retrieval (fact recall, hit@k, MRR), answer key terms, citations, refusal, latency."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

Normalizer = Callable[[str], str]

# A small English stopword list: function words carry no answer content ("the", "of", "more", "than").
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such
    than that the their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your yours yourself
    yourselves s t d ll m re ve also per""".split()
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
_PARENS = re.compile(r"\([^)]*\)")
_WS = re.compile(r"\s+")
# How an answer says that its sources disagree (checked on RGB's counterfactual passages).


def fold(text: str, normalize: Normalizer | None = None) -> str:
    """The form facts and passages are compared in: the cleaner's normalisation, then whitespace folded."""
    text = normalize(text) if normalize else unicodedata.normalize("NFC", text)
    return _WS.sub(" ", text).strip()


def fact_found(fact: str, passage_texts: Sequence[str], normalize: Normalizer | None = None) -> bool:
    """True when some passage contains the fact (both folded the same way)."""
    needle = fold(fact, normalize)
    return bool(needle) and any(needle in fold(t, normalize) for t in passage_texts)


def facts_found(
    facts: Sequence[str], passage_texts: Sequence[str], normalize: Normalizer | None = None
) -> int:
    """How many of ``facts`` some passage contains."""
    folded = [fold(t, normalize) for t in passage_texts]
    return sum(1 for f in facts if (needle := fold(f, normalize)) and any(needle in t for t in folded))


def article_hit(gold_ids: Iterable[str], retrieved_ids: Sequence[str]) -> bool:
    """True when any retrieved passage comes from a gold article."""
    gold = set(gold_ids)
    return any(a in gold for a in retrieved_ids)


def reciprocal_rank(gold_ids: Iterable[str], retrieved_ids: Sequence[str]) -> float:
    """1/rank of the first passage from a gold article (0 when none is retrieved)."""
    gold = set(gold_ids)
    return next((1.0 / rank for rank, a in enumerate(retrieved_ids, start=1) if a in gold), 0.0)


def all_retrieved(gold_ids: Iterable[str], retrieved_ids: Sequence[str]) -> bool:
    """True when every gold article has at least one retrieved passage (comparison questions)."""
    return set(gold_ids) <= set(retrieved_ids)


def recall(found: int, total: int) -> float | None:
    """found / total, or None when there is nothing to find."""
    return found / total if total else None


def key_terms(text: str) -> tuple[set[str], set[str]]:
    """(content words, numbers) of a gold answer: lowercased, parentheticals, stopwords and punctuation dropped.

    >>> key_terms("Over 9,500 people (officials said)")
    ({'people'}, {'9500'})
    """
    text = _PARENS.sub(" ", text)
    words, numbers = _tokens(text)
    return words - STOPWORDS, numbers


def _tokens(text: str) -> tuple[set[str], set[str]]:
    text = unicodedata.normalize("NFKC", text).lower()
    numbers = {m.group().replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}
    words = set(_WORD.findall(_NUMBER.sub(" ", text)))
    return words, numbers


def terms_present(gold: str, answer_text: str) -> bool:
    """True when every content word and number of ``gold`` occurs in ``answer_text`` (as whole tokens)."""
    words, numbers = key_terms(gold)
    if not words and not numbers:  # a gold answer made only of stopwords: fall back to the whole string
        return gold.strip().lower() in answer_text.lower()
    have_words, have_numbers = _tokens(answer_text)
    return words <= have_words and numbers <= have_numbers


def answer_correct(gold: str | list[list[str]] | None, answer_text: str, refused: bool) -> bool:
    """The answer.correct rule: answerable -> not refused and key terms present; unanswerable -> refused.

    A gold answer given as alias lists (RGB) needs every group matched by any one of its aliases.
    """
    if gold is None:
        return refused
    if refused:
        return False
    if isinstance(gold, str):
        return terms_present(gold, answer_text)
    return all(any(terms_present(alias, answer_text) for alias in group) for group in gold)


def refusal_scores(unanswerable: Sequence[bool], refused: Sequence[bool]) -> dict[str, float | None]:
    """Precision, recall and F1 of refusing, where the positive class is 'gold answer is null'."""
    tp = sum(1 for u, r in zip(unanswerable, refused, strict=True) if u and r)
    n_refused, n_unanswerable = sum(refused), sum(unanswerable)
    precision = tp / n_refused if n_refused else None
    rec = tp / n_unanswerable if n_unanswerable else None
    f1 = None
    if precision is not None and rec is not None:
        f1 = 2 * precision * rec / (precision + rec) if precision + rec else 0.0
    return {"precision": precision, "recall": rec, "f1": f1}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    xs = [float(v) for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def share(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return numerator / denominator if denominator else None
