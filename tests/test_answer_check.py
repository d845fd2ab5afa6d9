"""The answer checker: pairs from labelled questions, real training of the local MiniLM, loading, settings."""

from __future__ import annotations

import json

import pytest

from assistant.answer_check import META, AnswerChecker, load_checker, pair_text
from assistant.answerers import make_answerer
from assistant.checker_training import Asked, Pair, calibrate, question_pairs, split_questions, train_checker
from assistant.embedder import get_embedder
from assistant.errors import ConfigError
from assistant.evaluation.qa import Evidence, QAItem
from assistant.settings import Settings
from assistant.types import Passage


def _passage(article_id: str, title: str, text: str) -> Passage:
    return Passage(chunk_id=article_id, article_id=article_id, title=title, start=0, end=len(text), text=text)


def test_pairs_label_the_sentences_holding_a_gold_fact_and_add_facts_retrieval_missed() -> None:
    story = _passage("a1", "Valencia sack Ranieri", "whatever")
    item = QAItem(
        "q1", "Who took over as Valencia coach?", "Antonio Lopez", "factoid",
        evidence=[Evidence("a1", "Former assistant Antonio  Lopez will take over as the new coach.", "Valencia sack Ranieri"),
                  Evidence("a2", "Lopez was appointed on Friday.", "Lopez named")],
    )  # fmt: skip
    cands = [
        (story, "Claudio Ranieri has been sacked as Valencia coach."),
        (story, "Former assistant Antonio Lopez will take over as the new coach."),
    ]
    pairs = question_pairs(item, Asked(cands, rules_refuse=False))
    assert [(p.sentence[:8], p.label, p.read) for p in pairs] == [
        ("Claudio ", 0, True), ("Former a", 1, True), ("Lopez wa", 1, False),
    ]  # fmt: skip
    assert pairs[2].title == "Lopez named" and {p.question_id for p in pairs} == {"q1"}
    assert all(p.answerable and not p.rules_refuse for p in pairs)
    unanswerable = QAItem("q2", "Who will be Valencia's next president?", None, "unanswerable")
    assert [(p.label, p.answerable, p.rules_refuse) for p in question_pairs(unanswerable, Asked(cands, True))] == [
        (0, False, True), (0, False, True),
    ]  # fmt: skip
    assert (
        len(question_pairs(item, Asked(cands * 10, False), sentences=3)) == 3 + 1
    )  # capped, plus the missed fact


def _q(qid: str, answerable: bool, rules_refuse: bool = False) -> Pair:
    return Pair("q?", "t", f"sentence of {qid}", 0, qid, answerable=answerable, rules_refuse=rules_refuse)


def test_calibration_picks_the_threshold_that_refuses_best_alongside_the_rules() -> None:
    # Answerable questions' best sentences score 0.5-0.9, unanswerable ones' 0.1-0.3, one unanswerable 0.8
    # (only the rules catch it); a sentence retrieval missed (read=False) is never what the answerer sees.
    pairs = [_q(f"a{i}", True) for i in range(5)] + [_q(f"u{i}", False) for i in range(4)]
    probs = [0.5, 0.6, 0.7, 0.8, 0.9, 0.1, 0.2, 0.3, 0.8]
    pairs.append(Pair("q?", "t", "missed fact", 1, "u0", answerable=False, read=False))
    probs.append(0.99)
    cal = calibrate(pairs, probs)
    assert (
        cal["threshold"] == 0.35 and cal["questions"] == 9
    )  # lowest threshold refusing u0-u2, keeping a0-a4
    assert cal["refusal_f1"] == round(2 * 1 * 0.75 / 1.75, 3) and cal["answerable_refused"] == 0.0
    backwards = [0.1, 0.2, 0.1, 0.2, 0.1, 0.9, 0.8, 0.9, 0.8]  # it trusts the unanswerable ones more
    ruled_out = [
        _q(p.question_id, p.answerable, rules_refuse=p.question_id in ("u0", "u1")) for p in pairs[:9]
    ]
    assert calibrate(ruled_out, backwards)["threshold"] == 0.0  # no better than the rules: it changes nothing
    ruled = [_q(p.question_id, p.answerable, rules_refuse=p.question_id == "u3") for p in pairs[:9]]
    assert (
        calibrate(ruled, probs[:9])["refusal_f1"] == 1.0
        and calibrate(ruled, probs[:9])["refusal_f1_rules_only"] == 0.4
    )


def test_calibration_questions_are_a_seeded_share_and_none_for_tiny_sets() -> None:
    pairs = [_q(f"q{i}", True) for i in range(20) for _ in range(3)]
    held = split_questions(pairs, 0.2)
    assert (
        len(held) == 4 and held == split_questions(pairs, 0.2) and held != split_questions(pairs, 0.2, seed=1)
    )
    assert split_questions(pairs[:27], 0.2) == set() and split_questions(pairs, 0.0) == set()


def test_a_trained_checker_separates_answers_from_near_misses_it_was_trained_on(tmp_path) -> None:
    settings = Settings()
    race = [
        Pair("Who won the race in Leeds?", "Leeds race", "Sam Smith won the race in record time.", 1, "r"),
        Pair(
            "Who won the race in Leeds?", "Leeds race", "The race was held on Sunday in heavy rain.", 0, "r"
        ),
        Pair(
            "How many fans attended the concert?", "Concert", "About 5,000 fans attended the concert.", 1, "c"
        ),
        Pair("How many fans attended the concert?", "Concert", "The band played for two hours.", 0, "c"),
    ]
    folder = train_checker(race * 4, tmp_path / "ck", settings.resolved_embedding_model(), epochs=6,
                           learning_rate=1e-4, batch_size=8, trained_on=["race.jsonl"])  # fmt: skip
    meta = json.loads((folder / META).read_text())
    assert meta["trained_on"] == ["race.jsonl"] and meta["pairs"] == 16 and meta["positives"] == 8
    assert not (folder / "run").exists()
    assert meta["calibration"] is None and meta["threshold"] is None  # two questions: none to spare
    checker = load_checker(folder)
    assert checker.threshold == 0.3
    probs = checker.probabilities("Who won the race in Leeds?", [(p.title, p.sentence) for p in race[:2]])
    assert all(0.0 <= p <= 1.0 for p in probs) and probs[0] > probs[1]
    probs = checker.probabilities(
        "How many fans attended the concert?", [(p.title, p.sentence) for p in race[2:]]
    )
    assert probs[0] > probs[1]
    # The answerer of settings naming the folder carries it (and says so in each answer's version).
    answerer = make_answerer(
        "extractive", settings.model_copy(update={"answer_checker": folder}), get_embedder(settings)
    )
    assert answerer.checker is checker  # type: ignore[attr-defined]


def test_training_needs_both_kinds_of_pair(tmp_path) -> None:
    only_yes = [Pair("q?", "t", "s", 1, "q")]
    with pytest.raises(ValueError, match="needs both"):
        train_checker(only_yes, tmp_path / "x", Settings().resolved_embedding_model())


def test_a_folder_that_is_not_a_checker_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_checker(str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="not an answer checker") as err:
        AnswerChecker(tmp_path)
    assert "byline train-checker" in err.value.user_message()


def test_pair_text_puts_the_headline_first() -> None:
    assert (
        pair_text("Ballerina dies", " She was born Lilian Marks. ")
        == "Ballerina dies. She was born Lilian Marks."
    )
    assert pair_text("", "Just the sentence.") == "Just the sentence."


def test_train_checker_command_trains_on_the_index_and_ask_uses_the_folder(sample_index, tmp_path) -> None:
    import os
    import subprocess
    import sys

    from assistant.settings import REPO_ROOT

    settings, _ = sample_index
    env = {**os.environ, "BYLINE_HOME": str(settings.home)}
    out = tmp_path / "sample-checker"
    run = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "train-checker", str(REPO_ROOT / "data/sample/qa.jsonl"),
         "--out", str(out), "--epochs", "1", "--quiet"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    meta = json.loads((out / META).read_text())
    questions = sum(
        1 for line in (REPO_ROOT / "data/sample/qa.jsonl").read_text().splitlines() if line.strip()
    )
    held = meta["calibration"]["questions"]
    assert held == round(0.2 * questions) and meta["questions"] == questions - held
    assert meta["trained_on"] == ["qa.jsonl"] and 0 < meta["positives"] < meta["pairs"]
    assert 0.0 <= meta["threshold"] <= 0.95 and f"threshold {meta['threshold']}" in run.stdout
    # A threshold of 0 (no better than the rules on the kept-out questions) is said, not silently shipped.
    assert ("no better than the rules" in run.stderr) == (meta["threshold"] == 0.0)
    assert f"BYLINE_ANSWER_CHECKER={out}" in run.stdout
    ask = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "Which cruise ship was Valeska Paris held on?", "--json",
         "--answerer", "extractive"],
        capture_output=True, text=True, env={**env, "BYLINE_ANSWER_CHECKER": str(out)}, timeout=300, check=False,
    )  # fmt: skip
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["version"]["checker"] == "sample-checker"


def test_training_without_the_train_extra_says_how_to_install_it(monkeypatch, tmp_path) -> None:
    import sys

    from typer.testing import CliRunner

    from assistant.cli import app

    # As on an install without the `train` extra: importing `datasets` finds nothing.
    monkeypatch.setitem(sys.modules, "datasets", None)
    pairs = [Pair("q?", "t", "s", 1, "q"), Pair("q?", "t", "s2", 0, "q")]
    with pytest.raises(ConfigError, match="needs datasets") as err:
        train_checker(pairs, tmp_path / "x", Settings().resolved_embedding_model())
    assert ".[train]" in err.value.user_message()
    assert not (tmp_path / "x").exists()
    # The command says so before it asks a single question (no index is even opened).
    monkeypatch.setenv("BYLINE_HOME", str(tmp_path / "no-index"))
    result = CliRunner().invoke(
        app, ["train-checker", str(tmp_path / "qa.jsonl"), "--out", str(tmp_path / "c")]
    )
    assert result.exit_code != 0 and isinstance(result.exception, ConfigError)
    assert "needs datasets" in str(result.exception)
    assert not (tmp_path / "no-index").exists() and not (tmp_path / "c").exists()
