"""The evaluation benchmark's pooled table of blind sets: what is pooled, and how it is labelled."""

from __future__ import annotations

from benchmarks import eval_sets
from tests.test_eval_metrics import retrieval_score

SCORES = {  # set -> per-question scores: "x" finds every fact, "y" half of them
    "bbc-x": [retrieval_score(1, 1.0)] * 4 + [retrieval_score(0, 0.0, answerable=False, refused=True)] * 2,
    "bbc-y": [retrieval_score(1, 1.0), retrieval_score(0, 0.5)] * 2
    + [retrieval_score(0, 0.0, answerable=False)] * 2,
    "bbc-news": [retrieval_score(0, 0.0)] * 6,
}


def _rows(monkeypatch, roles: dict[str, str]) -> list[str]:
    for name, role in roles.items():
        monkeypatch.setitem(eval_sets.SETS, name, ("bbc-news/articles.jsonl", f"{name}.jsonl", role))
    results = {(name, "extractive"): {} for name in roles}
    table = eval_sets.pooled_rows(results, scores_of=lambda name, answerer: SCORES[name])
    return [line for line in table if line.startswith("| ") and "answerer" not in line]


def test_clean_blind_sets_are_pooled_for_everything_and_dev_is_left_out(monkeypatch) -> None:
    rows = _rows(monkeypatch, {"bbc-news": "dev", "bbc-x": "blind", "bbc-y": "blind"})
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[:4] == ["x, y", "extractive", "12 (4)", "everything"]
    assert cells[4].startswith("0.750 [")  # 6 of 8 facts: dev's misses are not pooled
    assert cells[6].startswith("0.667 [")  # refusal F1: 2 of 4 unanswerable refused, no false refusal


def test_a_seen_set_makes_the_whole_pool_partly_held_out_and_the_clean_ones_get_their_own_row(
    monkeypatch,
) -> None:
    rows = _rows(monkeypatch, {"bbc-x": "blind, seen", "bbc-y": "blind"})
    labels = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert [(c[0], c[3]) for c in labels] == [
        ("x, y", "partly (the seen ones were read while designing: optimistic)"),
        ("y", "everything"),
    ]
    assert labels[1][4].startswith("0.500 [")  # the clean set alone


def test_no_blind_set_no_pooled_table(monkeypatch) -> None:
    assert _rows(monkeypatch, {"bbc-news": "dev"}) == []
