"""Disagreeing sources: versions of one sentence that give different names or figures."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.conflicts import Disagreement, disagreement

SUPER_BOWL = (
    "The game was played on February 7, 2021, at Raymond James Stadium in {}, the home of the Buccaneers."
)


def test_a_substituted_name_or_figure_is_a_disagreement() -> None:
    d = disagreement(SUPER_BOWL.format("Tampa, Florida"), SUPER_BOWL.format("Glendale, Arizona"))
    assert d == Disagreement("Tampa, Florida", "Glendale, Arizona")
    assert disagreement(
        "A storm killed 107 people in Mecca.", "A storm killed 111 people in Mecca on Friday."
    ) == (Disagreement("107", "111"))


def test_rewording_insertions_and_unrelated_sentences_are_not() -> None:
    assert disagreement("Mr Smith said the deal was done.", "The deal was done, said Mr Smith.") is None
    assert disagreement("A storm killed 107 people.", "A storm killed 107 people in Mecca on Friday.") is None
    assert (
        disagreement("Prices rose sharply in London.", "Prices fell sharply in London.") is None
    )  # not a value
    assert (
        disagreement("Wales beat England 11-9 in Cardiff.", "Shares in BT fell 5% in London trading.") is None
    )


words = st.lists(st.sampled_from("the a storm Mecca killed 107 people in Friday said Mr Smith rose".split()),
                 min_size=1, max_size=20)  # fmt: skip


@given(words)
def test_a_sentence_never_disagrees_with_itself(tokens: list[str]) -> None:
    text = " ".join(tokens)
    assert disagreement(text, text) is None


@given(words, words)
def test_disagreement_is_symmetric(a: list[str], b: list[str]) -> None:
    x, y = " ".join(a), " ".join(b)
    assert (disagreement(x, y) is None) == (disagreement(y, x) is None)
