"""benchmarks.blind_sets: writer pools and the checks a blind-written set must pass."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from assistant.evaluation.qa import load_qa
from benchmarks.blind_sets import add_held_out_option, check, main, near_copies, pools

STORY = (
    "The firm said profits rose by 12% to 3.4m pounds in the year to March, helped by strong sales abroad. "
    "Its chief executive said the company would open ten new shops across the north of England next spring. "
)
OTHER = (
    "The striker scored twice in the second half as the home side came from behind to win the derby match. "
    "The manager praised the crowd and said the team would rest several players before the cup tie next week. "
)
ARTICLES = [
    {"id": "a1", "category": "business", "body": STORY * 3},
    {"id": "a2", "category": "business", "body": STORY * 3 + "One more line."},  # a near-copy of a1
    {"id": "s1", "category": "sport", "body": OTHER * 3},
    {
        "id": "s2",
        "category": "sport",
        "body": "Rain stopped play at the test match after lunch on day two. " * 12,
    },
    {
        "id": "b3",
        "category": "business",
        "body": "Oil prices fell again as traders bet on weaker demand in Asia. " * 12
        + "Brent crude ended the week at 41 dollars a barrel.",
    },
]


def _write_qa(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_near_copies_finds_the_copied_story_only() -> None:
    assert near_copies(ARTICLES) == {"a1", "a2"}


def test_pools_are_disjoint_skip_used_and_copied_articles_and_share_topics() -> None:
    out = pools(ARTICLES, exclude={"s2"}, writers=2)
    ids = [a["id"] for pool in out for a in pool]
    assert sorted(ids) == ["b3", "s1"]  # a1/a2 are near-copies, s2 is used by an existing set
    assert all(len(pool) == 1 for pool in out)  # one topic each way: b3 and s1 go to different writers


def test_check_accepts_a_sound_set(tmp_path: Path) -> None:
    rows = [
        {"id": "q1", "question": "How many shops?", "answer": "ten", "question_type": "numeric",
         "evidence": [{"article_id": "s2", "fact": "Rain stopped play"}], "evidence_article_ids": ["s2"]},
        {"id": "q2", "question": "Who won the cup?", "answer": None, "question_type": "unanswerable",
         "evidence": [], "evidence_article_ids": []},
    ]  # fmt: skip
    bodies = {a["id"]: a["body"] for a in ARTICLES}
    # "Rain stopped play" occurs 12 times in s2: the check must say so; a unique span passes.
    assert any(
        "occurs 12 times" in p for p in check(load_qa(_write_qa(tmp_path / "a.jsonl", rows)).items, bodies)
    )
    unique = "Brent crude ended the week at 41 dollars a barrel."
    rows[0]["evidence"] = [{"article_id": "b3", "fact": unique}]
    rows[0]["evidence_article_ids"] = ["b3"]
    assert check(load_qa(_write_qa(tmp_path / "b.jsonl", rows)).items, bodies) == []


def test_check_names_each_problem(tmp_path: Path) -> None:
    fact = STORY.split(". ")[0]  # in a1 three times and in its copy a2
    rows = [
        {"id": "c1", "question": "Which rose more, A or B?", "answer": "A", "question_type": "comparison",
         "evidence": [{"article_id": "a1", "fact": fact}], "evidence_article_ids": ["a1", "s1"]},
        {"id": "m1", "question": "Who and what?", "answer": "x", "question_type": "multi_hop",
         "evidence": [{"article_id": "zz", "fact": "nothing"}], "evidence_article_ids": ["zz"]},
        {"id": "t1", "question": "Why?", "answer": "y", "question_type": "opinion",
         "evidence": [{"article_id": "s1", "fact": "The striker scored twice"}], "evidence_article_ids": ["s1"]},
        {"id": "u1", "question": "Who?", "answer": "z", "question_type": "unanswerable",
         "evidence": [{"article_id": "s1", "fact": "The striker scored twice"}], "evidence_article_ids": ["s1"]},
    ]  # fmt: skip
    problems = check(load_qa(_write_qa(tmp_path / "c.jsonl", rows)).items, {a["id"]: a["body"] for a in ARTICLES},
                     pool={"a1", "s1"})  # fmt: skip
    text = "\n".join(problems)
    assert "fact occurs 3 times in a1" in text
    assert "fact also in a2" in text
    assert "evidence_article_ids ['a1', 's1'] != the facts' articles" in text
    assert "a comparison needs facts from two articles" in text
    assert "article 'zz' is not in the corpus" in text
    assert "a multi_hop question needs at least two facts" in text
    assert "question_type 'opinion'" in text
    assert (
        "line 4 (u1): only an unanswerable question has answer null" in text
    )  # typed unanswerable, answered


def test_cli_writes_pools_and_fails_a_bad_set(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    used = _write_qa(tmp_path / "dev.jsonl", [{"id": "d", "question": "?", "answer": None, "evidence": [],
                                               "evidence_article_ids": [], "distractor_article_ids": ["s2"]}])  # fmt: skip
    assert (
        main(["pools", str(corpus), "--exclude", str(used), "--writers", "2", "--out", str(tmp_path / "p")])
        == 0
    )
    pooled = [
        json.loads(x)["id"]
        for f in sorted((tmp_path / "p").glob("pool-*.jsonl"))
        for x in f.read_text().splitlines()
    ]
    assert sorted(pooled) == ["b3", "s1"]
    bad = _write_qa(tmp_path / "bad.jsonl", [{"id": "q", "question": "?", "answer": "x", "question_type": "factoid",
                                              "evidence": [], "evidence_article_ids": []}])  # fmt: skip
    assert main(["check", str(corpus), str(bad)]) == 1
    assert "no evidence" in capsys.readouterr().out


def test_cli_checks_distractors_against_corpus_and_pool(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    pool = tmp_path / "pool.jsonl"
    pool.write_text(
        "".join(json.dumps(a) + "\n" for a in ARTICLES if a["id"] in {"b3", "s1"}), encoding="utf-8"
    )
    row = {"id": "u", "question": "Who?", "answer": None, "question_type": "unanswerable", "evidence": [],
           "evidence_article_ids": [], "distractor_article_ids": ["s1"]}  # fmt: skip
    sound = _write_qa(tmp_path / "sound.jsonl", [row])
    assert main(["check", str(corpus), str(sound), "--pool", str(pool)]) == 0
    capsys.readouterr()
    bad = _write_qa(tmp_path / "bad.jsonl", [{**row, "distractor_article_ids": ["s1", "a1", "nope"]}])
    assert main(["check", str(corpus), str(bad), "--pool", str(pool)]) == 1
    out = capsys.readouterr().out
    assert "distractor a1 is not in the writer's pool" in out
    assert "distractor 'nope' is not in the corpus" in out
    assert "distractor s1" not in out
    broken = tmp_path / "broken.jsonl"  # a malformed line is reported by the loader, not a crash
    broken.write_text(json.dumps(row) + "\n{not json\n", encoding="utf-8")
    assert main(["check", str(corpus), str(broken), "--pool", str(pool)]) == 1
    assert "broken.jsonl:2: not valid JSON" in capsys.readouterr().out


def test_held_out_option_takes_existing_files_and_refuses_a_missing_one(tmp_path, capsys) -> None:
    parser = argparse.ArgumentParser(prog="bench")
    add_held_out_option(parser, "sets")
    one, two = tmp_path / "qa-1a.jsonl", tmp_path / "qa-1b.jsonl"
    one.write_text("{}\n")
    two.write_text("{}\n")
    assert parser.parse_args([]).held_out == []
    assert parser.parse_args(["--held-out", str(one), "--held-out", str(two)]).held_out == [one, two]
    with pytest.raises(SystemExit):
        parser.parse_args(["--held-out", str(tmp_path / "missing.jsonl")])
    assert "missing.jsonl: no such file" in capsys.readouterr().err
