"""Follow-up questions resolved against the conversation without an LLM."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.followup import is_followup, resolve

FIRST = "Did Russia say the Aleppo evacuations were completed?"


def test_pronoun_follow_up_carries_the_previous_topic() -> None:
    out = resolve("What did the UN say about it?", [(FIRST, "Yes [1].")])
    assert out.startswith("What did the UN say about it?")
    for word in ("Russia", "Aleppo", "evacuations"):
        assert word in out


def test_bare_opener_is_a_follow_up() -> None:
    assert "Aleppo" in resolve("And the Red Cross?", [(FIRST, "...")])
    assert "Aleppo" in resolve("what about Turkey?", [(FIRST, "...")])


def test_self_contained_question_is_left_alone() -> None:
    question = "Who won the 2005 Australian Open women's title?"
    assert not is_followup(question, [(FIRST, "...")])
    assert resolve(question, [(FIRST, "...")]) == question


def test_no_history_means_no_change() -> None:
    assert resolve("What did they say about it?", []) == "What did they say about it?"


def test_chain_of_follow_ups_keeps_the_original_topic() -> None:
    history = [(FIRST, "..."), ("What did the UN say about it?", "...")]
    out = resolve("And what did they say?", history)
    assert "Aleppo" in out and "UN" in out


def test_terms_already_in_the_question_are_not_repeated() -> None:
    out = resolve("What did Russia say about it?", [(FIRST, "...")])
    assert out.count("Russia") == 1


@given(st.text(max_size=60), st.lists(st.tuples(st.text(max_size=60), st.text(max_size=20)), max_size=3))
def test_resolved_question_always_contains_the_question(
    question: str, history: list[tuple[str, str]]
) -> None:
    assert question.rstrip() in resolve(question, history)
