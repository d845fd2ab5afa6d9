"""Feedback store: ratings round-trip through SQLite with their question, answer and citations."""

from __future__ import annotations

import sqlite3

import pytest

from assistant.feedback import FeedbackError, FeedbackRecord, read_feedback, record_feedback
from assistant.types import Answer, Citation


def _answer() -> Answer:
    cite = Citation(
        n=1, article_id="a1", title="T", quote="The bridge opened.", start=0, end=18, verified=True
    )
    return Answer(question="When did the bridge open?", answer='"The bridge opened." [1]', citations=[cite])


def test_ratings_round_trip_with_question_answer_and_citations(tmp_path):
    path = tmp_path / "fb" / "feedback.sqlite3"
    up = FeedbackRecord.from_answer(_answer().to_json(), 1, session="s1", filters={"sources": ["AP"]})
    down = FeedbackRecord.from_answer(_answer().to_json(), -1, comment="wrong date")
    first, second = record_feedback(path, up), record_feedback(path, down)
    assert second > first
    rows = read_feedback(path)
    assert [r.rating for r in rows] == [1, -1]
    assert rows[0].question == "When did the bridge open?"
    assert rows[0].answer == '"The bridge opened." [1]'
    assert rows[0].citations[0]["quote"] == "The bridge opened." and rows[0].citations[0]["verified"] is True
    assert rows[0].filters == {"sources": ["AP"]} and rows[0].session == "s1"
    assert rows[1].comment == "wrong date" and rows[1].created_at.endswith("Z")
    assert [r.rating for r in read_feedback(path, rating=-1)] == [-1]


def test_plain_sqlite_readers_see_the_same_rows(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    record_feedback(path, FeedbackRecord.from_answer(_answer().to_json(), -1))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT rating, question FROM feedback").fetchall() == [
            (-1, "When did the bridge open?")
        ]


def test_no_file_yet_reads_as_empty(tmp_path):
    assert read_feedback(tmp_path / "missing.sqlite3") == []


def test_a_rating_other_than_up_or_down_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    with pytest.raises(FeedbackError, match="Rating must be"):
        record_feedback(path, FeedbackRecord.from_answer(_answer().to_json(), 5))
    assert read_feedback(path) == []


def test_unwritable_location_names_the_fix(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(FeedbackError) as err:
        record_feedback(blocker / "feedback.sqlite3", FeedbackRecord.from_answer(_answer().to_json(), 1))
    assert "BYLINE_HOME" in err.value.user_message()
