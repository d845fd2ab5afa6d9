"""Question-set loader: JSONL and CSV, the seed and RGB variants, and bad lines reported by number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.evaluation.qa import QAFileError, load_qa
from tests.conftest import REPO

QA_FIXTURES = REPO / "tests" / "fixtures" / "qa"

GOOD = {
    "id": "q1",
    "question": "Who?",
    "answer": "Ann",
    "question_type": "factoid",
    "evidence": [{"article_id": "a1", "title": "T", "fact": "Ann did it."}],
    "evidence_article_ids": ["a1"],
}


def test_jsonl_bad_lines_are_reported_with_their_number_and_the_rest_load(tmp_path: Path) -> None:
    path = tmp_path / "qa.jsonl"
    lines = [
        json.dumps(GOOD),
        "{not json",
        "",
        json.dumps({**GOOD, "id": "q2", "question": ""}),
        json.dumps({**GOOD, "id": "q3", "answer": None, "evidence": [], "evidence_article_ids": []}),
        json.dumps(GOOD),  # duplicate id
        json.dumps({**GOOD, "id": "q4", "evidence": [{"article_id": "a1"}]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    qa = load_qa(path)
    assert [i.id for i in qa.items] == ["q1", "q3"]
    assert not qa.items[1].answerable
    assert [e.split(":")[1] for e in qa.errors] == ["2", "4", "6", "7"]
    assert "not valid JSON" in qa.errors[0] and "question" in qa.errors[1] and "duplicate" in qa.errors[2]


def test_csv_with_the_same_columns(tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_text(
        "id,question,answer,question_type,evidence_article_ids,evidence,distractor_article_ids\n"
        'c1,Who won?,Ann,factoid,a1;a2,"[{""article_id"": ""a1"", ""title"": ""T"", ""fact"": ""Ann won.""}]",\n'
        "c2,When did it end?,,unanswerable,,,a3;a4\n"
        "c3,,x,factoid,,,\n"
        'c4,Bad evidence?,x,factoid,a1,"[oops",\n',
        encoding="utf-8",
    )
    qa = load_qa(path)
    assert [i.id for i in qa.items] == ["c1", "c2"]
    c1 = qa.items[0]
    assert c1.evidence_article_ids == ["a1", "a2"] and c1.evidence[0].fact == "Ann won."
    assert qa.items[1].answer is None
    assert qa.items[1].distractor_article_ids == ["a3", "a4"] and c1.distractor_article_ids == []
    assert [e.split(":")[1] for e in qa.errors] == ["4", "5"]


def test_unknown_file_type_and_missing_file_name_the_fix(tmp_path: Path) -> None:
    (tmp_path / "qa.txt").write_text("x", encoding="utf-8")
    with pytest.raises(QAFileError) as err:
        load_qa(tmp_path / "qa.txt")
    assert ".jsonl" in err.value.user_message()
    with pytest.raises(QAFileError):
        load_qa(tmp_path / "missing.jsonl")


def test_bundled_sample_set_loads_cleanly() -> None:
    qa = load_qa(REPO / "data" / "sample" / "qa.jsonl")
    assert not qa.errors and len(qa.items) >= 15
    assert sum(not i.answerable for i in qa.items) >= 3
    assert all(e.article_id for i in qa.items for e in i.evidence)


def test_seed_set_evidence_gets_its_article_id() -> None:
    # Three lines of the seed set's format (evidence without article_id; one unanswerable).
    qa = load_qa(QA_FIXTURES / "seed-format.jsonl")
    assert not qa.errors and len(qa.items) == 3
    assert {e.article_id for i in qa.items for e in i.evidence} == {"ap-aleppo-2016-12"}


def test_rgb_alias_list_answers_and_counterfactual_ids() -> None:
    # Hand-written lines in RGB's format (the RGB set itself is not redistributable).
    qa = load_qa(QA_FIXTURES / "rgb-format.jsonl")
    assert not qa.errors and len(qa.items) == 2
    lists = [i for i in qa.items if isinstance(i.answer, list)]
    assert lists and all(isinstance(group, list) for i in lists for group in i.answer)
    assert all(i.counterfactual_article_ids and i.counterfactual_answer for i in qa.items)


@settings(max_examples=30, deadline=None)
@given(
    questions=st.lists(st.text(min_size=1, max_size=20).filter(str.strip), min_size=1, max_size=8),
    bad_at=st.integers(min_value=0, max_value=8),
)
@example(questions=["Who said \u2028this\x1c?"], bad_at=1)  # Unicode line separators inside a string
def test_any_valid_set_loads_whole_and_a_bad_line_is_named_by_number(
    questions: list[str], bad_at: int
) -> None:
    import tempfile

    rows = [
        json.dumps({"id": f"q{i}", "question": q, "answer": None}, ensure_ascii=False)
        for i, q in enumerate(questions)
    ]
    bad_at = min(bad_at, len(rows))
    rows.insert(bad_at, "[1, 2")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "qa.jsonl"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        qa = load_qa(path)
    assert [i.question for i in qa.items] == [q.strip() for q in questions]
    assert len(qa.errors) == 1 and qa.errors[0].startswith(f"qa.jsonl:{bad_at + 1}:")
