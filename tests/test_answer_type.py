"""Answer types: what a question asks for, and whether a sentence holds it beyond what the question says."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.answer_type import Expected, expected, new_names, new_numbers
from assistant.near_miss import holds


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What was the final score of Real Madrid v Real Sociedad?", Expected.SCORE),
        ("What was the budget of Kevin Bacon's film The Woodsman?", Expected.MONEY),
        ("How much per month does UK Online's eight megabit broadband service cost?", Expected.MONEY),
        ("What share of the vote did the Liberal Democrats get?", Expected.SHARE),
        ("What was the unemployment rate in Germany?", Expected.SHARE),
        ("How many copies has the album sold?", Expected.NUMBER),
        ("What was the attendance at the game?", Expected.NUMBER),
        ("Until what year can old francs be exchanged?", Expected.DATE),
        ("When did the ship sink?", Expected.DATE),
        ("Which GM executive announced the recall?", Expected.PERSON),
        ("What was the name of the executive who froze his disk?", Expected.PERSON),
        ("Who wrote the song?", Expected.PERSON),
        ("Which firm did Yahoo license its technology from?", Expected.NAME),
        ("Where was the document found?", Expected.NAME),
        ("Why did it fail?", Expected.ANY),
        ("What event led to the embargo?", Expected.ANY),
    ],
)
def test_expected_kind(question: str, kind: Expected) -> None:
    assert expected(question) is kind


def test_figures_the_question_already_gives_do_not_answer_it() -> None:
    q = "What was the attendance at Wales's 11-9 win over England?"
    assert not holds(q, "The centre was Wales' hero in the 11-9 Six Nations win over England.")
    assert holds(q, "A crowd of 74,000 saw Wales win 11-9.")
    assert not holds("How many MPs voted for the ban?", "The ban comes into effect from 0001 GMT on Friday.")
    assert not holds("How many MPs voted for the ban?", "It was the first such vote since 1999.")  # a year
    assert not holds(
        "How many MPs backed it?", "No-one can define the offence, MPs say."
    )  # "one" in "No-one"
    assert holds("How many votes did he win?", "He won by twelve votes.")
    assert not holds("How many votes did he win?", "He won the seat comfortably.")


def test_sums_shares_scores_and_dates_need_their_form() -> None:
    assert holds("How much does Apple donate per download?", "Apple donates a further 70p per download.")
    assert not holds("What was the budget of the film?", "The film received three nominations.")
    assert holds("What share of the vote did they get?", "They took 27% of the vote.")
    assert not holds("What share of the vote did they get?", "They came third with 4,000 votes.")
    assert holds("What was the final score?", "Chelsea won 2-0 at Fratton Park.")
    assert not holds("What was the final score?", "They will play the final six minutes on Wednesday.")
    assert not holds("When did the ship sink?", "The ship sank near the coast.")
    assert holds("In what year was he elected?", "He was first elected in 1964.")


def test_names_must_be_new_and_people_are_not_acronyms() -> None:
    assert not holds(
        "Which GM executive announced the recall?", "Carmaker General Motors (GM) is recalling cars."
    )
    assert not holds(
        "Who replaced Jonathan Sayeed in Mid-Bedfordshire?", "Mr Sayeed has been MP for Mid-Bedfordshire."
    )
    assert not holds(
        "Who wrote the Bagle.AT virus?", "The variant is called Bagle.AT, Bagle.BB and Bagle.AU."
    )
    assert holds("Who filed the lawsuit?", "The suit was filed by Thomas Slattery of Michigan.")
    assert new_names("Which firm makes it?", "It is made by X1 Technologies.") == {"X1", "Technologies"}
    assert holds("Where was the document found?", "It was found on Castlefrank Road.")
    assert not holds("Who chairs the board?", "The board met and voted.")


@given(st.integers(min_value=21, max_value=10**9))
def test_a_figure_is_new_exactly_when_the_question_lacks_it(n: int) -> None:
    figure = f"{n:,}"
    assert new_numbers("How many were sold?", f"Sales reached {figure} units.") == {str(n)}
    assert new_numbers(f"Were {figure} sold?", f"Sales reached {figure} units.") == set()


def test_a_person_answer_needs_a_name_that_can_be_a_person() -> None:
    q = "Which judge ruled on the media's request to see the juror questionnaires?"
    assert not holds(q, "Santa Barbara County Superior Court is due to consider the request on Monday.")
    assert not holds(q, "Reporters covering the trial in California have asked to see the questionnaires.")
    assert holds(q, "The request was turned down by Judge Rodney Melville on Monday.")
    assert holds("Who filed the lawsuit?", "The suit says Mr Slattery was forced to buy an iPod.")
    assert holds("Who scored the winner?", "It was a fine goal, Owen said after the game.")
    q = "Which rebel group does spokesman Yasser al-Youssef belong to?"
    assert expected(q) is Expected.NAME  # a group, not a person
    assert holds(q, "A rebel spokesman, Yasser al-Youssef of the Nour el-Din el-Zinki rebel group, said so.")
    assert not holds(q, "Rebel spokesman Yasser al-Youssef said the convoy was stopped.")


def test_a_question_in_parts_is_answered_by_any_part() -> None:
    sentence = "The centre was the hero of the 11-9 win, landing a huge late penalty."
    assert not holds("Who kicked the late penalty in the win?", sentence)
    assert holds("Who kicked the late penalty in the win, and what was the score?", sentence)
    assert not holds("Who kicked the late penalty in the 11-9 win, and what was the score?", sentence)


def test_a_count_of_things_is_not_a_share_a_sum_or_a_span_of_time() -> None:
    q = "How many barrels of oil a day will the field produce?"
    assert not holds(q, "Its shares lost 18% in one day after a disappointing drilling update.")
    assert not holds(q, "The field will produce oil for more than 25 years, the £3m study found.")
    assert holds(q, "The field will produce between 80,000 and 100,000 barrels a day.")
    assert holds("By how much did the shares jump?", "Shares jumped 6% on the news.")  # not a count of things


def test_a_later_part_may_open_with_a_preposition_and_ask_for_a_time_taken() -> None:
    q = "Who won the men's 3,000m, and in what time?"
    assert holds(q, "Cragg won in 7:39.89 as Bekele battled to second.")  # the time part is answered
    assert holds("In what time did he win the 800m?", "He won in one minute, 47.97 seconds.")
    assert not holds("In what time did he win the 800m?", "He won the 800m in Sheffield.")


def test_sums_asked_with_other_verbs_and_places_called_the_something() -> None:
    assert expected("How much was the drummer fined over the brawl?") is Expected.MONEY
    assert expected("How much did the saxophone sell for?") is Expected.MONEY
    assert not holds("Who was charged with the murder?", "His last film was premiered in The Hague.")
    assert holds("Who was charged with the murder?", "Mohammed Bouyeri was charged with the murder.")


def test_a_sentence_or_ban_asks_for_a_span_and_a_sum_needs_its_currency() -> None:
    q = "What prison sentence was the former agent given?"
    assert expected(q) is Expected.SPAN
    assert not holds(
        q, "A court ruled that former FBI man Jeffrey Royer, 41, fed information to the analyst."
    )
    assert holds(q, "Royer was jailed for six years on Tuesday.")
    q = "How much will the robot cost to buy?"
    assert not holds(q, "Hitachi said the 1.3m (4.2ft) robot was the quickest yet.")  # metres, not millions
    assert holds(q, "It will sell for $1m (£535,000).")


def test_months_are_not_names_and_a_named_work_is_not_a_person() -> None:
    q = "What is the new drink called?"
    assert expected(q) is Expected.NAME
    assert not holds(q, "The brewer is launching its own drink in April.")
    assert holds(q, "The brewer is launching its own drink, Nodogoshi, in April.")
    assert not holds(
        "Who was arrested?", "In July, the BBC documentary Secret Agent featured covert footage."
    )


def test_how_someone_died_needs_a_cause() -> None:
    q = "What did the Irish actor die of?"
    assert expected(q) is Expected.CAUSE
    assert not holds(q, "The Irish actor, nominated for an Oscar in 1955, has died at the age of 85.")
    assert holds(q, "He died of heart failure at his home in Malibu.")
    assert holds("What illness did the producer die of?", "Melcher, who had skin cancer, died on Friday.")


def test_days_of_the_month_and_other_years_are_not_the_figure_asked_for() -> None:
    assert not holds(
        "How big was the crowd for the tie?", "The tie on 3 April was switched to San Sebastian."
    )
    q = "How many British films were made in the UK in 2002?"
    assert not holds(q, "Twenty-seven British films were made in the UK last year, compared with 45 in 2003.")
    assert holds(q, "Forty British films were made in the UK in 2002, compared with 45 in 2003.")


def test_channels_places_and_shares_in_firms_are_not_the_people_or_companies_asked_for() -> None:
    assert not holds("Who won the Audience Award?", "It is chosen by listeners alongside BBC Four viewers.")
    assert not holds("Who is the chief executive?", "Shares in Krispy Kreme Doughnuts have taken a dunking.")
    assert holds("Who said it was a great experience?", "Carpenter said that working with Hill was a joy.")
    q = "Which company won the auction for space on Andrew Fisher's forehead?"
    assert not holds(q, "Andrew Fisher, from Omaha said he would have a logo tattooed on his head.")
    assert holds(q, "Online casino GoldenPalace.com won the auction with a bid of $37,375.")


def test_more_ways_of_asking_for_a_name_a_cause_a_sum_and_a_span() -> None:
    assert expected("What is the real name of the gamer known as Deathifier?") is Expected.PERSON
    assert expected("What was the cause of Rinus Michels' death?") is Expected.CAUSE
    assert expected("How much prize money did she win for the title?") is Expected.MONEY
    q = "What prison sentence was the hacker given?"
    assert not holds(q, "His hacking campaign took place over at least seven months, court records say.")
    assert holds(q, "He was sentenced to two years in prison.")


def test_more_ways_of_asking_for_people_places_and_sums() -> None:
    assert expected("Which two New York DJs were sacked over the stunt?") is Expected.PERSON
    assert expected("On which airline's plane were the tapes stolen?") is Expected.NAME
    assert expected("At which London venue did the band play?") is Expected.NAME
    assert expected("Which US team will he coach?") is Expected.NAME
    assert expected("What was Nestle's net profit for 2004?") is Expected.MONEY
    assert expected("How much is Google paying the university to scan its books?") is Expected.MONEY
    assert expected("How much in damages did Honda claim?") is Expected.MONEY


def test_a_person_the_question_names_is_not_a_new_one() -> None:
    q = "Who found the police files on President Musharraf's London visit?"
    assert not holds(q, "The files contain security arrangements for Gen Pervez Musharraf's visit.")
    assert holds(q, "The files were found by Ian Gould, a cab driver, on Tuesday.")
    assert holds(
        "Who is the CEO of Tesla?", "Tesla CEO Elon Musk said production is on hold."
    )  # the surname decides
