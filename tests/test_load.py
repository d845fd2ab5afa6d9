"""The load stage on real files: every format, and every kind of bad input reported with origin and reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import ArticleError
from assistant.types import Article
from ingest.clean import clean_article
from ingest.formats.fields import normalize_date, url_id
from ingest.load import count_inputs, iter_articles

INPUTS = Path(__file__).parent / "fixtures" / "inputs"
# The repo's own copies of the seed article and the Wikinews sample: `make test` reads nothing outside the repo.
SAMPLE_ARTICLES = Path(__file__).resolve().parents[1] / "data" / "sample" / "articles"
LIMIT = 100_000


def load(*inputs: str | Path, max_chars: int = LIMIT) -> tuple[list[Article], list[ArticleError]]:
    """Articles and errors from ``iter_articles``, in order."""
    articles: list[Article] = []
    errors: list[ArticleError] = []
    for item in iter_articles([str(i) for i in inputs], max_chars=max_chars):
        (errors if isinstance(item, ArticleError) else articles).append(item)
    return articles, errors


def reasons(errors: list[ArticleError]) -> dict[str, str]:
    return {e.origin: e.reason for e in errors}


def seed_record() -> dict:
    return json.loads((SAMPLE_ARTICLES / "ap-aleppo.jsonl").read_text(encoding="utf-8").splitlines()[0])


# --- plain text and Markdown ---------------------------------------------------------------------------


def test_seed_article_as_text_file(tmp_path: Path) -> None:
    seed = seed_record()
    path = tmp_path / "aleppo.txt"
    path.write_text(seed["title"] + "\n\n" + seed["body"], encoding="utf-8")
    [article], errors = load(path)
    assert errors == []
    assert article.title == "Russia claims Aleppo evacuations are ‘completed’"
    assert article.body == seed["body"]  # verbatim, no-break space after "BEIRUT (AP) —" included
    assert article.id.startswith("sha:") and article.origin == str(path)


def test_text_id_ignores_file_location_and_line_endings(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("Title\n\nSame body text here.\n", encoding="utf-8")
    (tmp_path / "two.txt").write_bytes(b"Title\r\n\r\nSame body text here.\r\n")
    articles, _ = load(tmp_path / "a" / "one.txt", tmp_path / "two.txt")
    assert len(articles) == 2 and articles[0].id == articles[1].id


def test_text_file_with_crlf_and_entities_loads() -> None:
    [article], _ = load(INPUTS / "story.txt")
    assert article.title == "Harbour seals return to estuary"
    cleaned = clean_article(article)
    assert cleaned.body == (
        "A colony of 40 harbour seals has returned to the estuary, wardens said.\n\n"
        "The seals were last seen there in 1998 & numbers are rising."
    )


def test_markdown_heading_and_front_matter() -> None:
    articles, errors = load(INPUTS / "heading.md", INPUTS / "story.md")
    assert errors == []
    heading, front = articles
    assert heading.title == "Rail strike called off"
    assert heading.body.startswith("Union leaders called off")
    assert (front.title, front.author, front.source, front.published_at) == (
        "Cycle lane plan goes to vote",
        "Priya Nair",
        "City Weekly",
        "2024-01-15",
    )
    assert front.body.startswith("Councillors will vote") and "# " not in front.body


def test_cp1252_file_is_decoded_not_rejected() -> None:
    [article], errors = load(INPUTS / "cp1252.txt")
    assert errors == []
    assert article.title == "Café reopens after fire"
    assert "The café’s owner said the “new” kitchen cost £40,000 — twice the estimate." in article.body
    assert "crème brûlée" in article.body


# --- HTML ----------------------------------------------------------------------------------------------


def test_html_page_metadata_and_paragraphs() -> None:
    [article], errors = load(INPUTS / "article.html")
    assert errors == []
    assert article.title == "Harbour bridge reopens after repairs"
    assert (article.author, article.source, article.published_at) == (
        "Jane Doe",
        "Coastal Times",
        "2024-03-05",
    )
    assert article.url == "https://coastal.example/news/harbour-bridge"
    assert article.id == url_id("https://coastal.example/news/harbour-bridge")
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("The harbour bridge reopened to traffic on Tuesday")
    assert "“We are delighted to have the bridge back,” said council leader Tom Reyes." in paragraphs[1]
    assert len(paragraphs) == 3
    for junk in ("Home", "Copyright", "analytics", "font-family", "<p>"):
        assert junk not in article.body


def test_html_without_article_text_is_reported_and_batch_goes_on() -> None:
    articles, errors = load(INPUTS / "no-article.html", INPUTS / "no-canonical.html")
    assert reasons(errors) == {str(INPUTS / "no-article.html"): "no article text found in the HTML"}
    assert [a.title for a in articles] == ["Library extends opening hours"]
    assert articles[0].url is None and articles[0].id.startswith("sha:")


# --- JSONL, JSON, CSV ----------------------------------------------------------------------------------


def test_jsonl_bad_lines_reported_by_line_good_lines_kept() -> None:
    articles, errors = load(INPUTS / "mixed.jsonl")
    origin = str(INPUTS / "mixed.jsonl")
    assert [a.id for a in articles] == ["good-1", url_id("https://coast.example/ferry")]
    got = reasons(errors)
    assert set(got) == {f"{origin}:{n}" for n in (2, 3, 4, 5, 7)}  # line 6 is blank: skipped silently
    assert got[f"{origin}:2"].startswith("invalid JSON") and "truncated" in got[f"{origin}:2"]
    assert got[f"{origin}:3"].startswith("no article body")
    assert got[f"{origin}:4"] == "article body is not text (got list)"
    assert "got list" in got[f"{origin}:5"]
    assert got[f"{origin}:7"] == "empty article body"
    assert str(errors[0]) == f"{origin}:2: {got[f'{origin}:2']}"
    ferry = articles[1]  # "text" and "date" are accepted for body and published_at
    assert ferry.published_at == "2022-06-03" and ferry.body.startswith("The ferry will run")
    assert ferry.origin == f"{origin}:8"


def test_wikinews_record() -> None:
    lines = (SAMPLE_ARTICLES / "wikinews.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    articles, errors = load(SAMPLE_ARTICLES / "wikinews.jsonl")
    assert errors == [] and len(articles) == len(lines)
    first = articles[0]
    assert (first.id, first.title, first.source, first.published_at, first.url) == (
        record["id"],
        record["title"],
        "Wikinews",
        record["published_at"],
        record["url"],
    )
    assert first.body == record["body"] and first.category is None


def test_json_array_with_a_bad_element() -> None:
    articles, errors = load(INPUTS / "array.json")
    assert [a.id for a in articles] == ["arr-1"]
    assert articles[0].published_at == "2021-09-04"
    assert reasons(errors) == {
        f"{INPUTS / 'array.json'}[1]": "no article body (expected a 'body', 'text' or 'content' field)"
    }


def test_csv_rows_with_multiline_body_and_bad_row_line_number() -> None:
    articles, errors = load(INPUTS / "articles.csv", INPUTS / "articles.tsv")
    origin = str(INPUTS / "articles.csv")
    assert [a.id for a in articles] == ["csv-1", "csv-2", "csv-4", "tsv-1"]
    bakery, fares, park, market = articles
    assert bakery.body == (
        "The bakery on Mill Lane won the county's best bread award, its owner said.\n\n"
        '"We bake from 4am," she said.'
    )
    assert (bakery.author, bakery.url, bakery.category) == (
        "Lee Chan",
        "https://town.example/bakery",
        "business",
    )
    assert fares.origin == f"{origin}:5" and fares.published_at == "2023-11-02" and fares.author is None
    assert park.published_at is None  # "not a date": unparseable, kept going
    assert market.title == "Market day moves"
    assert reasons(errors) == {f"{origin}:6": "empty article body"}


def test_csv_without_body_column(tmp_path: Path) -> None:
    path = tmp_path / "meta.csv"
    path.write_text("id,title\n1,Only a title\n", encoding="utf-8")
    _, errors = load(path)
    assert reasons(errors) == {f"{path}:1": "no 'body' (or 'text'/'content') column in the CSV header"}
    path.write_text("id,title,body\n", encoding="utf-8")
    _, errors = load(path)
    assert reasons(errors) == {str(path): "the CSV file has a header row but no articles under it"}


# --- feeds ---------------------------------------------------------------------------------------------


def test_rss_feed_entries() -> None:
    articles, errors = load(INPUTS / "feed.rss")
    assert [a.title for a in articles] == [
        "Flood defences approved for river town",
        "School wins robotics prize",
    ]
    flood, robotics = articles
    assert flood.body == (
        "Councillors approved a £4m flood defence scheme for the river town on Tuesday.\n\n"
        "The walls will protect 300 homes.\nWork starts in June."
    )  # content:encoded preferred over the teaser; <script> dropped; <br> kept as a line break
    assert (flood.source, flood.author, flood.url) == (
        "Valley Gazette",
        "Sam Patel",
        "https://gazette.example/2024/flood-defences",
    )
    assert flood.published_at == "2024-03-05"  # the publisher's day, not 2024-03-06 in UTC
    assert flood.id == url_id("https://gazette.example/2024/flood-defences")
    assert (
        robotics.body.startswith("Pupils from Hill Street School") and robotics.published_at == "2024-03-04"
    )
    assert reasons(errors) == {
        f"{INPUTS / 'feed.rss'}#entry3": "feed entry has no text (no content or summary)"
    }


def test_atom_feed_entries() -> None:
    articles, errors = load(INPUTS / "feed.atom")
    assert errors == []
    moon, seeds = articles
    assert moon.title == "Telescope spots icy moon plumes" and moon.author == "Ada Obi"
    assert moon.body == (
        "Astronomers said on Monday that the telescope had recorded water plumes on an icy moon.\n\n"
        "The plumes rose 200 km above the surface."
    )
    assert (moon.source, moon.url, moon.published_at) == (
        "Northern Science Desk",
        "https://science.example/icy-moon",
        "2024-04-01",
    )
    assert seeds.url is None and seeds.id.startswith("guid:")  # no link: the urn id is not a URL
    assert seeds.published_at == "2024-03-30"


def test_feed_sniffed_from_content_when_named_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "latest.feed"
    shutil.copy(INPUTS / "feed.atom", path)
    articles, errors = load(path)
    assert errors == [] and len(articles) == 2


# --- bad input -----------------------------------------------------------------------------------------


def test_bad_files_each_reported_and_the_rest_still_loads(tmp_path: Path) -> None:
    articles, errors = load(
        INPUTS / "empty.txt",
        INPUTS / "blank.txt",
        INPUTS / "binary.txt",
        INPUTS / "report.pdf",
        tmp_path / "missing.txt",
        INPUTS / "story.txt",
    )
    got = reasons(errors)
    assert got[str(INPUTS / "empty.txt")] == "empty file"
    assert got[str(INPUTS / "blank.txt")] == "empty file"
    assert got[str(INPUTS / "binary.txt")].startswith("binary file, not text")
    assert got[str(INPUTS / "report.pdf")].startswith("unsupported file type '.pdf'")
    assert got[str(tmp_path / "missing.txt")] == "no such file or directory"
    assert len(errors) == 5
    assert [a.title for a in articles] == ["Harbour seals return to estuary"]


def test_article_over_the_size_limit(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("Long one\n\n" + "word " * 400, encoding="utf-8")
    (tmp_path / "short.txt").write_text("Short one\n\nA short body.", encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"id": "big", "body": "x" * 1500}) + "\n", encoding="utf-8")
    articles, errors = load(tmp_path, max_chars=1000)
    got = reasons(errors)
    assert got[str(tmp_path / "long.txt")] == (
        "article too large: 1999 chars > limit 1000 — raise BYLINE_MAX_ARTICLE_CHARS"
    )
    assert got[f"{records}:1"].startswith("article too large: 1500 chars > limit 1000")
    assert [a.title for a in articles] == ["Short one"]


def test_file_far_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "huge.html").write_text("<p>" + "a" * 5000 + "</p>", encoding="utf-8")
    _, errors = load(tmp_path / "huge.html", max_chars=1000)
    assert errors[0].reason.startswith("file too large: 5007 bytes > limit 4000")
    assert "BYLINE_MAX_ARTICLE_CHARS" in errors[0].reason


def test_folder_is_recursive_skips_unsupported_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    shutil.copy(INPUTS / "story.txt", tmp_path / "nested" / "deeper" / "seals.txt")
    shutil.copy(INPUTS / "heading.md", tmp_path / "rail.md")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00binary")
    (tmp_path / ".git" / "notes.txt").write_text("Hidden\n\nNot an article.", encoding="utf-8")
    articles, errors = load(tmp_path)
    assert errors == []  # photo.jpg skipped silently inside a folder
    assert sorted(a.title for a in articles) == ["Harbour seals return to estuary", "Rail strike called off"]
    assert count_inputs([str(tmp_path)]) == 2


def test_folder_without_supported_files_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    articles, errors = load(tmp_path / "pics", INPUTS / "heading.md")
    assert errors[0].origin == str(tmp_path / "pics")
    assert errors[0].reason.startswith("no supported files in this folder")
    assert [a.title for a in articles] == ["Rail strike called off"]


def test_glob_pattern_and_duplicates(tmp_path: Path) -> None:
    pattern = str(INPUTS / "*.md")
    articles, errors = load(pattern, INPUTS / "heading.md", tmp_path / "*.nothing")
    assert sorted(a.title for a in articles) == ["Cycle lane plan goes to vote", "Rail strike called off"]
    assert reasons(errors) == {str(tmp_path / "*.nothing"): "no files match this pattern"}


def test_urls_refused_when_fetching_is_off() -> None:
    items = list(iter_articles(["https://example.invalid/story"], max_chars=LIMIT, fetch_urls=False))
    assert len(items) == 1 and isinstance(items[0], ArticleError)
    assert (
        items[0].origin == "https://example.invalid/story"
        and "fetching URLs is turned off" in items[0].reason
    )


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("Locked\n\nYou may not read this.", encoding="utf-8")
    locked.chmod(0)
    shutil.copy(INPUTS / "heading.md", tmp_path / "open.md")
    if os.geteuid() != 0:
        articles, errors = load(locked, tmp_path / "open.md")
        lines = [f"ERR {e}" for e in errors] + [f"OK {a.title}" for a in articles]
    else:  # root reads anything: run the load in a root process stripped of the override capabilities
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        script = (
            "import sys; from ingest.load import iter_articles\n"
            "for i in iter_articles(sys.argv[1:], max_chars=100000):\n"
            "    print(('OK ' + i.title) if hasattr(i, 'body') else f'ERR {i}')\n"
        )
        repo = Path(__file__).resolve().parents[1]
        done = subprocess.run(
            ["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-c", script]
            + [str(locked), str(tmp_path / "open.md")],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(repo)},
        )
        lines = done.stdout.splitlines()
    assert lines == [
        f"ERR {locked}: cannot read the file: permission denied — check its permissions",
        "OK Rail strike called off",
    ]


def test_count_inputs_estimates_articles() -> None:
    assert count_inputs([str(INPUTS / "mixed.jsonl"), str(INPUTS / "story.txt")]) == 8
    assert count_inputs([str(INPUTS / "articles.tsv"), "nope.txt"]) == 2  # an error is one item too
    assert count_inputs([str(INPUTS / "feed.rss")]) is None


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2016-12-16", "2016-12-16"),
        ("2024-03-05T23:30:00-05:00", "2024-03-05"),
        ("Tue, 05 Mar 2024 23:30:00 -0500", "2024-03-05"),
        ("2 November 2023", "2023-11-02"),
        ("March 2024", "2024-03-01"),
        ("2016-13-45", None),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_date(raw: str | None, iso: str | None) -> None:
    assert normalize_date(raw) == iso


def test_text_file_that_is_one_long_line_has_no_title_line(tmp_path: Path) -> None:
    sentence = "The council met on Monday and agreed to spend more on roads and schools next year. "
    (tmp_path / "oneline.txt").write_text(sentence * 5, encoding="utf-8")
    [article], errors = load(tmp_path / "oneline.txt")
    assert errors == [] and article.title == ""
    assert article.body == (sentence * 5).strip()
    assert clean_article(article).title == sentence.strip()


_SUFFIXES = [".txt", ".md", ".html", ".jsonl", ".json", ".csv", ".tsv", ".xml", ".rss"]
_FRAGMENTS = st.sampled_from(
    ['{"body": "x"}', '{"id": 1, "body": 2}', "<p>", "</rss>", "<rss><channel><item>", ",", "\t", '"', "\n",
     "\r", "\x00", "é", "\ufeff", "title", "body", "&amp;", "<html><p>Words words words words words.</p>"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(suffix=st.sampled_from(_SUFFIXES), parts=st.lists(_FRAGMENTS | st.text(max_size=20), max_size=30))
def test_loader_never_raises_on_junk(suffix: str, parts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"junk{suffix}"
        path.write_bytes("".join(parts).encode("utf-8", errors="surrogatepass"))
        items = list(iter_articles([str(path)], max_chars=LIMIT))
    assert items, "every input yields at least one article or error"
    for item in items:
        assert isinstance(item, Article | ArticleError)
        if isinstance(item, Article):
            assert item.body.strip() and item.id
        else:
            assert item.origin.startswith(str(path)) and item.reason
            assert not item.reason.startswith("could not read it"), item  # a crash the parsers should handle


def test_a_bare_string_input_is_one_input_not_characters() -> None:
    items = list(iter_articles(str(INPUTS / "heading.md"), max_chars=LIMIT))  # type: ignore[arg-type]
    assert len(items) == 1 and isinstance(items[0], Article) and items[0].title == "Rail strike called off"


def test_record_body_with_html_markup_becomes_text(tmp_path: Path) -> None:
    path = tmp_path / "scraped.jsonl"
    records = [
        {
            "id": "h1",
            "title": "Scraped",
            "body": "<p>First &amp; foremost.</p>\n<p>Second <b>bold</b> line.</p>",
        },
        {"id": "h2", "title": "Maths", "body": "Inflation fell to <2% while a<b held."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    (scraped, maths), errors = load(path)
    assert errors == []
    assert scraped.body == "First & foremost.\n\nSecond bold line."
    assert maths.body == "Inflation fell to <2% while a<b held."  # not markup: left verbatim


def test_semicolon_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        'id;title;body\ns-1;Tram line opens;"The tram line opened on Sunday; 5,000 people rode it."\n'
    )
    [article], errors = load(path)
    assert errors == [] and article.body == "The tram line opened on Sunday; 5,000 people rode it."
