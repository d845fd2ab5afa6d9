"""The chat panel's logic without a browser: streaming, follow-ups, filters, errors as messages, feedback."""

from __future__ import annotations

from assistant.errors import StoreUnavailableError
from assistant.feedback import read_feedback
from assistant.web import render
from assistant.web.chat import new_conversation, on_like, respond
from assistant.web.service import WebService
from tests.web_fakes import FakeAssistant, sample_articles


def _final(service, question, conv, sources=None, since="", until=""):
    steps = list(respond(service, question, conv, sources or [], since, until, None))
    return steps, steps[-1]


def test_answer_streams_then_lands_with_sources_and_follow_up_carries_history(make_settings):
    fake = FakeAssistant(sample_articles())
    service = WebService(make_settings(), fake)
    steps, (_, messages, conv, sources) = _final(service, "Is the bridge approved?", new_conversation())
    assert len(steps) > 3  # the question, tokens as they stream, the citation, the final answer
    assert messages[0] == {"role": "user", "content": render.chat_text("Is the bridge approved?")}
    assert "\\[1\\]" in messages[1]["content"] and "byline-cite" in sources and "<mark>" in sources
    assert steps[0][0] == ""  # the input is cleared as soon as the question is sent
    first_answer = conv["turns"][0]["answer"]["answer"]

    _final(service, "And when does work start?", conv)
    question, history, _ = fake.calls[-1]
    assert question == "And when does work start?"
    assert history == [("Is the bridge approved?", first_answer)]  # the follow-up sees the conversation


def test_filters_from_the_ui_reach_the_assistant(make_settings):
    fake = FakeAssistant(sample_articles())
    service = WebService(make_settings(), fake)
    _final(service, "Library hours?", new_conversation(), ["City Post"], "2024-01-01", "2024-12-31")
    filters = fake.calls[-1][2]
    assert filters.sources == ["City Post"] and (filters.since, filters.until) == ("2024-01-01", "2024-12-31")


def test_bad_date_is_a_message_in_the_chat_and_the_question_is_kept(make_settings):
    service = WebService(make_settings(), FakeAssistant(sample_articles()))
    _, (box, messages, conv, sources) = _final(service, "Bridge?", new_conversation(), since="May 2024")
    assert "YYYY-MM-DD" in messages[-1]["content"].replace("\\", "") and "byline-error" in sources
    assert box == {"__type__": "update", "value": "Bridge?"}  # nothing typed is lost
    assert conv["turns"] == []


def test_store_failure_and_unexpected_errors_are_messages_never_tracebacks(make_settings):
    def broken(_settings):
        raise StoreUnavailableError("Cannot reach the Chroma server at http://127.0.0.1:1")

    service = WebService(make_settings(), factory=broken)
    _, (_, messages, _, sources) = _final(service, "Bridge?", new_conversation())
    text = messages[-1]["content"].replace("\\", "")
    assert "Cannot reach the Chroma server" in text and "chroma run" in text

    class Exploding(FakeAssistant):
        def stream(self, *a, **k):
            raise KeyError("internal detail")

    service = WebService(make_settings(), Exploding(sample_articles()))
    _, (_, messages, _, sources) = _final(service, "Bridge?", new_conversation())
    text = messages[-1]["content"].replace("\\", "")
    assert (
        "Something went wrong (KeyError)" in text
        and "Traceback" not in text
        and "internal detail" not in text
    )


def test_rate_limit_shows_the_wait_in_the_chat(make_settings):
    service = WebService(make_settings(rate_limit_per_minute=1), FakeAssistant(sample_articles()))
    _final(service, "Bridge?", new_conversation())
    _, (_, messages, _, _) = _final(service, "Again?", new_conversation())
    assert "per minute" in messages[-1]["content"].replace("\\", "")


def test_empty_index_answer_names_the_fix(make_settings):
    service = WebService(make_settings(), FakeAssistant([]))
    _, (_, messages, _, _) = _final(service, "Anything?", new_conversation())
    assert "byline ingest" in messages[-1]["content"].replace("\\", "")
    assert service.examples() == []


def test_examples_come_from_indexed_titles(make_settings):
    service = WebService(make_settings(), FakeAssistant(sample_articles()))
    examples = service.examples()
    assert examples[0] == "What do the articles say about: Library extends opening hours?"  # newest first
    assert len(examples) == 2


def test_like_stores_the_rated_answer(make_settings):
    settings = make_settings()
    service = WebService(settings, FakeAssistant(sample_articles()))
    _, (_, _, conv, _) = _final(service, "Bridge?", new_conversation(), ["Harbour Times"])

    class Like:
        index, liked, value = 1, False, None

    on_like(service, conv, Like())
    rows = read_feedback(settings.feedback_path)
    assert len(rows) == 1 and rows[0].rating == -1 and rows[0].question == "Bridge?"
    assert rows[0].citations[0]["article_id"] == "a1" and rows[0].filters["sources"] == ["Harbour Times"]
