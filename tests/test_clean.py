"""The clean stage: text normalisation (verbatim otherwise), titles, caption spans, empty bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.errors import ArticleError
from assistant.types import Article, Span
from ingest.clean import TITLE_MAX_CHARS, clean_article, find_captions, normalize_text

# The repo's own copy of the seed article: `make test` reads nothing outside the repo.
SAMPLE_ARTICLES = Path(__file__).resolve().parents[1] / "data" / "sample" / "articles"


def article(body: str, title: str = "A title", **fields: object) -> Article:
    return Article(id="t-1", title=title, body=body, origin="test.jsonl:3", **fields)  # type: ignore[arg-type]


# --- normalize_text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("Sales up 5&#37; &amp; rising&#191;", "Sales up 5% & rising¿"),
        ("&amp;amp; twice escaped", "& twice escaped"),
        ("para one\n\n\n\n\npara two", "para one\n\npara two"),
        ("  \n\n  padded text \n\n ", "padded text"),
        ("line with trailing spaces   \nnext", "line with trailing spaces   \nnext"),
        ("BEIRUT (AP) —\u00a0Russia “claims” it’s done", "BEIRUT (AP) —\u00a0Russia “claims” it’s done"),
        (
            "AT&T and R&D &notanentity &copy without semicolon",
            "AT&T and R&D &notanentity &copy without semicolon",
        ),
        ("a\n \n \nb", "a\n \n \nb"),  # only runs of bare newlines collapse; the text is not reflowed
    ],
)
def test_normalize_text_examples(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# Pieces that interact: entities (also nested and ones that decode to line breaks), CR/LF, spaces.
_PIECES = st.sampled_from(
    list("ab &#;x0123amp\r\n \t\u00a0—’") + ["&amp;", "&#191;", "&#13;", "&#10;", "\r\n", "&amp;amp;", "&lt;"]
)
_TEXT = st.lists(_PIECES, max_size=40).map("".join)


@given(_TEXT | st.text(max_size=80))
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.text(alphabet=st.characters(blacklist_characters="&\r"), max_size=80))
def test_normalize_text_keeps_text_without_entities_or_cr(text: str) -> None:
    # Without "&" or "\r" the only changes are collapsed blank lines and stripped ends.
    assert normalize_text(text).replace("\n", "") in text.replace("\n", "")


def test_bbc_style_entities_are_decoded() -> None:
    # The BBC corpus carries a few numeric entities such as "&#191;" inside otherwise plain text.
    body = "Mr Blair said: &#191;We will win&#191; - and the crowd cheered.\n\nShares rose 5% &amp; more."
    cleaned = normalize_text(body)
    assert "&#" not in cleaned and "&amp;" not in cleaned
    assert (
        cleaned == "Mr Blair said: \u00bfWe will win\u00bf - and the crowd cheered.\n\nShares rose 5% & more."
    )


# --- clean_article -------------------------------------------------------------------------------------


def test_seed_article_caption_span() -> None:
    record = json.loads((SAMPLE_ARTICLES / "ap-aleppo.jsonl").read_text(encoding="utf-8"))
    cleaned = clean_article(article(record["body"], title=record["title"]))
    assert cleaned.body == record["body"]  # already normal: nothing changes, offsets stay valid
    assert len(cleaned.captions) == 1
    span = cleaned.captions[0]
    assert span.start == 0
    caption = cleaned.body[span.start : span.end]
    assert caption.startswith("Smoke rises after rebel fighters launch a mortar shell")
    assert caption.endswith("(AP Photo/Hassan Ammar)")
    assert cleaned.body[span.end :].lstrip().startswith("BEIRUT (AP) —")


@pytest.mark.parametrize(
    "caption",
    [
        "Crowds gather in the square on Sunday. (Reuters/Ann Lee)",
        "The mayor at the opening. (Photo: Jane Doe)",
        "Fans celebrate the win (Getty Images)",
        "Photo: Jane Doe/City Weekly",
        "Image: a flooded street in the town centre",
        "Picture: the new bridge at dusk",
        "Credit: Getty Images",
        "Caption: Firefighters at the scene",
        "Getty Images",
        "Rescue workers at the site. Photograph: Sam Lee/AFP",
    ],
)
def test_caption_paragraphs_are_marked_not_removed(caption: str) -> None:
    body = f"First paragraph of the story.\n\n{caption}\n\nThe story goes on here."
    cleaned = clean_article(article(body))
    assert cleaned.body == body
    assert cleaned.caption_texts() == [caption]


@pytest.mark.parametrize(
    "paragraph",
    [
        "He said (see the picture below) that the plan would work.",
        "The minister took the credit: a rare win for the government.",
        "Picture the scene: thousands of fans in the rain.",
        "Reuters reported the figures on Monday.",
    ],
)
def test_story_paragraphs_are_not_captions(paragraph: str) -> None:
    body = f"First paragraph.\n\n{paragraph}"
    assert find_captions(body) == []


def test_caption_line_inside_a_paragraph() -> None:
    body = "Intro.\n\nThe storm hit at night.\nCredit: Coast Guard\nDamage was heavy."
    start = body.index("Credit:")
    assert find_captions(body) == [Span(start, start + len("Credit: Coast Guard"))]


def test_single_paragraph_article_has_no_caption() -> None:
    assert find_captions("Only paragraph, ending like a caption (AP Photo/Someone)") == []


def test_clean_normalises_body_and_fields() -> None:
    raw = article(
        "\r\nLine one&#191;\r\n\r\n\r\n\r\nLine two\r\n",
        title="  Headline\n  split  ",
        source=" BBC News ",
        author="  ",
        url=" https://x.example/a ",
        published_at="Tue, 05 Mar 2024 10:00:00 GMT",
    )
    cleaned = clean_article(raw)
    assert cleaned.body == "Line one¿\n\nLine two"
    assert cleaned.title == "Headline split"
    assert (cleaned.source, cleaned.author, cleaned.url) == ("BBC News", None, "https://x.example/a")
    assert cleaned.published_at == "2024-03-05"
    assert raw.body.startswith("\r\n")  # a copy: the input is untouched
    assert (cleaned.id, cleaned.origin) == ("t-1", "test.jsonl:3")


def test_missing_title_uses_first_story_sentence() -> None:
    body = (
        "Fans in the rain. (AP Photo/Jo Lee)\n\n"
        "The city council approved the new stadium on Tuesday. Work starts next year."
    )
    cleaned = clean_article(article(body, title=""))
    assert cleaned.title == "The city council approved the new stadium on Tuesday."


def test_missing_title_is_cut_at_a_word() -> None:
    sentence = "Word " * 60 + "end."
    title = clean_article(article(sentence, title="   ")).title
    assert len(title) <= TITLE_MAX_CHARS and title.endswith("…") and title.startswith("Word Word")
    assert not title[:-1].endswith(" ")


def test_empty_body_after_cleaning_raises() -> None:
    with pytest.raises(ArticleError) as caught:
        clean_article(article(" \r\n\r\n "))
    assert caught.value.origin == "test.jsonl:3"
    assert caught.value.reason == "empty article body"
    assert str(caught.value) == "test.jsonl:3: empty article body"
