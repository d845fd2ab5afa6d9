"""Training an answer checker (``byline train-checker``) from labelled questions over an index.

Each question is asked the way Byline asks it: the same retrieval and candidate sentences the extractive
answerer reads. A candidate holding a gold ``fact`` is a positive; the other candidates of an answerable
question, and every candidate of an unanswerable one, are negatives. These are the hard cases the checker is
for: the story's first sentence restating the question, and the right story that never gives the detail.
Gold facts that retrieval missed are added as positives too. Training is sentence-transformers'
``CrossEncoderTrainer`` on the local embedding model's weights (nothing is downloaded).
"""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer_check import META, pair_text
from assistant.errors import ConfigError
from assistant.evaluation.metrics import refusal_scores
from assistant.evaluation.qa import QAItem
from assistant.settings import Settings
from assistant.types import Passage

# Candidates per question that become pairs: as many as the checker reads at answer time by default.
SENTENCES: int = Settings.model_fields["checker_sentences"].default


@dataclass(frozen=True)
class Pair:
    """One training example: does ``sentence`` (from the story headed ``title``) answer ``question``?

    ``read``: the answerer reads this sentence for the question (False for a gold fact retrieval missed, which
    only teaches). ``answerable`` and ``rules_refuse`` (the answerer's rules alone refuse it) describe the
    question; calibration reads them.
    """

    question: str
    title: str
    sentence: str
    label: int
    question_id: str
    answerable: bool = True
    read: bool = True
    rules_refuse: bool = False


@dataclass(frozen=True)
class Asked:
    """What the extractive answerer reads for one question (best first), and whether its rules refuse it."""

    candidates: list[tuple[Passage, str]]
    rules_refuse: bool


TRAINING_EXTRAS = ("datasets", "accelerate")  # the `train` extra of pyproject.toml


def require_training_extras() -> None:
    """Fail early, with the fix, when the packages training needs are not installed (the app's install
    leaves them out)."""
    missing = [name for name in TRAINING_EXTRAS if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"Training an answer checker needs {' and '.join(missing)}, which this install leaves out",
            hint="Install the training extras: `pip install -e '.[train]'` in the Byline folder "
            "(`make test` installs them too); a trained checker runs without them.",
        )


def _fold(text: str) -> str:
    return " ".join(text.split())


def _holds_fact(sentence: str, facts: Sequence[str]) -> bool:
    s = _fold(sentence)
    return any(s in fact or fact in s for fact in facts)


def question_pairs(item: QAItem, asked: Asked, sentences: int = SENTENCES) -> list[Pair]:
    """The pairs of one question from what the answerer read for it (``asked.candidates``, best first)."""
    facts = [_fold(e.fact) for e in item.evidence if e.fact.strip()]
    answerable = item.answer is not None
    about = {"answerable": answerable, "rules_refuse": asked.rules_refuse}
    pairs = [
        Pair(item.question, p.title, text, int(answerable and _holds_fact(text, facts)), item.id, **about)
        for p, text in asked.candidates[:sentences]
    ]
    if answerable:
        seen = [_fold(text) for _, text in asked.candidates]
        for e in item.evidence:
            fact = _fold(e.fact)
            if fact and not any(fact in s or s in fact for s in seen):
                pairs.append(Pair(item.question, e.title or "", e.fact, 1, item.id, read=False, **about))
    return pairs


def sentence_candidates(assistant: Any) -> Callable[[str], Asked]:
    """``question -> Asked``: what the extractive answerer (its rules, no checker) reads and decides."""
    from assistant.extractive import ExtractiveAnswerer

    answerer = ExtractiveAnswerer(
        assistant.embedder, assistant.settings, query_embedder=assistant.retriever.embed_query,
        idf=assistant.retriever.idf,
    )  # fmt: skip

    def asked(question: str) -> Asked:
        cands, picked = answerer.decide(question, assistant.retriever.retrieve(question))
        return Asked([(c.passage, c.text) for c in cands], not picked)

    return asked


def collect_pairs(
    items: Sequence[QAItem],
    candidates_for: Callable[[str], Asked],
    progress: Callable[[int, int], None] | None = None,
    sentences: int = SENTENCES,
) -> list[Pair]:
    """Pairs for every question; ``candidates_for(question)`` says what the answerer reads for it."""
    out: list[Pair] = []
    for n, item in enumerate(items, start=1):
        out += question_pairs(item, candidates_for(item.question), sentences)
        if progress:
            progress(n, len(items))
    return out


def split_questions(pairs: Sequence[Pair], share: float, seed: int = 0) -> set[str]:
    """The question ids kept back for calibration: ``share`` of them, drawn with ``seed`` (none below 10)."""
    ids = sorted({p.question_id for p in pairs})
    if share <= 0 or len(ids) < 10:
        return set()
    random.Random(seed).shuffle(ids)
    return set(ids[: max(1, round(share * len(ids)))])


def _f1(refused: Sequence[bool], unanswerable: Sequence[bool]) -> float:
    return refusal_scores(unanswerable, refused)["f1"] or 0.0


def calibrate(pairs: Sequence[Pair], probabilities: Sequence[float]) -> dict[str, Any]:
    """The threshold that best refuses the calibration questions, with the rules, as the answerer would.

    A question is refused when the rules refuse it or no sentence it reads reaches the threshold. Thresholds
    0 (the checker never refuses) to 0.95 by 0.05 are tried; the lowest of the best (fewest answers lost)
    wins, so a checker that refuses no better than the rules alone gets 0 and changes nothing.
    """
    best_p: dict[str, float] = {}
    about: dict[str, Pair] = {}
    for pair, prob in zip(pairs, probabilities, strict=True):
        about.setdefault(pair.question_id, pair)
        if pair.read:
            best_p[pair.question_id] = max(best_p.get(pair.question_id, 0.0), prob)
    ids = sorted(about)
    unanswerable = [not about[q].answerable for q in ids]
    rules = [about[q].rules_refuse for q in ids]
    scored = []
    for t in (round(0.05 * i, 2) for i in range(20)):
        refused = [r or best_p.get(q, 0.0) < t for q, r in zip(ids, rules, strict=True)]
        scored.append((_f1(refused, unanswerable), -t, refused))
    f1, neg_t, refused = max(scored, key=lambda x: (x[0], x[1]))
    answerable = [not u for u in unanswerable]
    lost = sum(r and a for r, a in zip(refused, answerable, strict=True))
    return {
        "threshold": -neg_t,
        "questions": len(ids),
        "refusal_f1": round(f1, 3),
        "refusal_f1_rules_only": round(_f1(rules, unanswerable), 3),
        "answerable_refused": round(lost / max(1, sum(answerable)), 3),
    }


def train_checker(
    pairs: Sequence[Pair],
    out_dir: Path,
    base_model: str,
    *,
    epochs: int = 6,
    learning_rate: float = 8e-5,
    batch_size: int = 16,
    seed: int = 0,
    trained_on: Sequence[str] = (),
    progress: bool = False,
    calibration: float = 0.2,
) -> Path:
    """Fine-tune a one-label cross-encoder from ``base_model`` on ``pairs``; save it with its metadata in ``out_dir``.

    Positives are rare (about one in eight pairs): the loss weighs them by half the negative/positive ratio,
    which kept the checker from refusing everything without making it answer everything. Deterministic for a
    given ``seed`` on one machine. ``progress``: the trainer's progress bar on stderr.

    ``calibration``: the share of questions kept out of training to choose the checker's threshold
    (``calibrate``); it is stored with the model, and ``BYLINE_CHECKER_THRESHOLD`` overrides it.
    """
    require_training_extras()
    import torch
    from datasets import Dataset
    from sentence_transformers import CrossEncoder
    from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    held = split_questions(pairs, calibration, seed)
    calib = [p for p in pairs if p.question_id in held]
    pairs = [p for p in pairs if p.question_id not in held]
    positives = sum(p.label for p in pairs)
    if not positives or positives == len(pairs):
        raise ValueError(
            f"{len(pairs)} pairs with {positives} positives: the checker needs both answered and unanswered "
            "examples (answerable questions whose gold facts are sentences of the index, and some that are not)."
        )
    random.seed(seed)
    torch.manual_seed(seed)
    model = CrossEncoder(base_model, num_labels=1, max_length=128, local_files_only=True)
    data = Dataset.from_dict(
        {
            "question": [p.question for p in pairs],
            "passage": [pair_text(p.title, p.sentence) for p in pairs],
            "label": [float(p.label) for p in pairs],
        }
    )
    weight = torch.tensor((len(pairs) - positives) / positives / 2)
    args = CrossEncoderTrainingArguments(
        output_dir=str(out_dir / "run"),
        num_train_epochs=epochs,
        per_device_train_batch_size=batch_size,
        learning_rate=learning_rate,
        warmup_steps=0.1,  # a share of the steps (Transformers 5)
        weight_decay=0.01,
        seed=seed,
        save_strategy="no",
        report_to="none",
        logging_strategy="no",
        disable_tqdm=not progress,
        dataloader_num_workers=0,
        use_cpu=True,
    )
    trainer = CrossEncoderTrainer(
        model=model, args=args, train_dataset=data, loss=BinaryCrossEntropyLoss(model, pos_weight=weight)
    )
    trainer.train()
    shutil.rmtree(
        out_dir / "run", ignore_errors=True
    )  # the trainer's scratch folder (nothing is saved there)
    model.save_pretrained(str(out_dir))
    probs = model.predict([(p.question, pair_text(p.title, p.sentence)) for p in calib]) if calib else []
    meta: dict[str, Any] = {
        "name": out_dir.name,
        "base_model": Path(base_model).name,
        "trained_on": list(trained_on),
        "pairs": len(pairs),
        "positives": positives,
        "questions": len({p.question_id for p in pairs}),
        "epochs": epochs,
        "learning_rate": learning_rate,
        "seed": seed,
        "calibration": calibrate(calib, [float(x) for x in probs]) if calib else None,
    }
    meta["threshold"] = meta["calibration"]["threshold"] if calib else None
    (out_dir / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out_dir
