"""Near misses: the right kind of answer for another place, year, thing or sum is not the answer."""

from __future__ import annotations

from assistant.near_miss import asked_speaker, holds, withheld


def test_a_count_of_other_things_does_not_answer_how_many() -> None:
    q = "How many pay-TV subscribers does the service expect by 2006?"
    assert not holds(q, "Up to 15 pay-TV channels will launch between September 2005 and March 2006.")
    assert holds(q, "It hopes to sign up 1.2 million subscribers by 2006.")
    # A generic counter, a thing the question names, or a bare figure may still be the count asked for.
    assert holds("How many Xbox consoles has it sold?", "It has sold 19.9 million units worldwide.")
    assert holds("How many jurors' questionnaires were asked for?", "The responses of 250 potential jurors.")
    assert holds("How many people were killed?", "The collapse, killing 107 or more, shocked pilgrims.")


def test_a_figure_for_somewhere_else_does_not_answer() -> None:
    q = "How many cars did BMW sell in China in 2004?"
    assert not holds(q, "BMW sold nearly 95,000 cars in Asia last year, up 2.6% on 2003.")
    assert holds(q, "BMW sold 16,000 cars in China last year.")
    assert holds(q, "Sales in Asia rose, with 16,000 cars sold in mainland China.")  # names the place asked


def test_the_speaker_asked_about() -> None:
    assert asked_speaker("What did Bill Gates say in response to the attack?") == "Gates"
    assert asked_speaker("Who said the urge to ban is contagious?") is None


def test_a_worldwide_figure_is_not_one_for_a_country_and_a_cup_is_not_a_place() -> None:
    q = "How many copies has the novel sold in the UK?"
    assert not holds(q, "The novel has sold more than 20 million copies worldwide since 2003.")
    assert holds(q, "The novel has sold two million copies in the UK.")
    q = "How old was Nadal when Spain beat the US in Seville?"
    assert holds(q, "Nadal, at 18 years and 187 days, became the youngest winner in the Davis Cup.")


def test_an_expected_sum_is_not_what_was_paid_and_a_bonus_is_not_a_salary() -> None:
    q = "How much did the saxophone sell for at the auction?"
    assert not holds(q, "The saxophone is expected to fetch up to $1m (£535,000) at an auction next month.")
    assert holds(q, "The saxophone sold for $1m (£535,000) at the auction.")
    q = "What annual salary was the chief executive paid?"
    assert not holds(q, "The chief executive was paid a bonus of £44,914, despite the failure.")
    assert holds(q, "The chief executive was paid a salary of £180,000.")


def test_the_thing_asked_about_must_be_named_not_just_mentioned() -> None:
    q = "What banned substance did the tennis player test positive for?"
    assert not holds(q, "He has been banned for three months after testing positive for a banned substance.")
    assert holds(q, "He tested positive for a banned substance, the steroid nandrolone.")
    assert holds(q, "He tested positive for nandrolone in Buenos Aires.")


def test_a_sentence_saying_the_detail_was_not_given() -> None:
    assert withheld("Valve has yet to release figures which show how many copies were sold in this way.")
    assert withheld("The company didn't give details of its investment.")
    assert withheld("The firm was bought for an undisclosed sum.")
    assert not withheld("Valve released figures showing 1.2 million copies were sold.")


def test_an_estimate_is_not_a_sale_and_contracts_are_not_a_fine() -> None:
    q = "What price did the painting actually sell for at the auction?"
    assert not holds(q, "The painting has been given an estimate of £1.8m ($3.4m).")
    assert holds(q, "The painting sold for £2.1m ($4m) at the auction.")
    q = "How much was the former official fined?"
    assert not holds(q, "The Pentagon will examine eight other contracts worth $3bn tainted by her role.")
    assert holds(q, "She was fined $5,000 and jailed for nine months.")
