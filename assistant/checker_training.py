"""Training an answer checker (``byline train-checker``) from labelled questions over an index.

Each question is asked the way Byline asks it: the same retrieval and candidate sentences the extractive
answerer reads. A candidate holding a gold ``fact`` is a positive; the other candidates of an answerable
question, and every candidate of an unanswerable one, are negatives. These are the hard cases the checker is
for: the story's first sentence restating the question, and the right story that never gives the detail.
Gold facts that retrieval missed are added as positives too. Training is sentence-transformers'
``CrossEncoderTrainer`` on the local embedding model's weights (nothing is downloaded).
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer_check import META, pair_text
from assistant.evaluation.qa import QAItem
from assistant.types import Passage

SENTENCES = 8  # candidates per question that become pairs (the checker reads as many at answer time)


@dataclass(frozen=True)
class Pair:
    """One training example: does ``sentence`` (from the story headed ``title``) answer ``question``?"""

    question: str
    title: str
    sentence: str
    label: int
    question_id: str


def _fold(text: str) -> str:
    return " ".join(text.split())


def _holds_fact(sentence: str, facts: Sequence[str]) -> bool:
    s = _fold(sentence)
    return any(s in fact or fact in s for fact in facts)


def question_pairs(
    item: QAItem, candidates: Sequence[tuple[Passage, str]], sentences: int = SENTENCES
) -> list[Pair]:
    """The pairs of one question from its best ``candidates`` (passage, sentence), best first."""
    facts = [_fold(e.fact) for e in item.evidence if e.fact.strip()]
    answerable = item.answer is not None
    pairs = [
        Pair(item.question, p.title, text, int(answerable and _holds_fact(text, facts)), item.id)
        for p, text in candidates[:sentences]
    ]
    if answerable:
        seen = [_fold(text) for _, text in candidates]
        for e in item.evidence:
            fact = _fold(e.fact)
            if fact and not any(fact in s or s in fact for s in seen):
                pairs.append(Pair(item.question, e.title or "", e.fact, 1, item.id))
    return pairs


def sentence_candidates(assistant: Any) -> Callable[[str], list[tuple[Passage, str]]]:
    """``question -> [(passage, sentence)]``, best first: what the extractive answerer of ``assistant`` reads."""
    answerer = assistant.answerer("extractive")

    def candidates(question: str) -> list[tuple[Passage, str]]:
        passages = assistant.retriever.retrieve(question)
        return [(c.passage, c.text) for c in answerer.candidates(question, passages)]

    return candidates


def collect_pairs(
    items: Sequence[QAItem],
    candidates_for: Callable[[str], list[tuple[Passage, str]]],
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    """Pairs for every question; ``candidates_for(question)`` gives its scored sentences, best first."""
    out: list[Pair] = []
    for n, item in enumerate(items, start=1):
        out += question_pairs(item, candidates_for(item.question))
        if progress:
            progress(n, len(items))
    return out


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
) -> Path:
    """Fine-tune a one-label cross-encoder from ``base_model`` on ``pairs``; save it with its metadata in ``out_dir``.

    Positives are rare (about one in eight pairs): the loss weighs them by half the negative/positive ratio,
    which kept the checker from refusing everything without making it answer everything. Deterministic for a
    given ``seed`` on one machine.
    """
    import torch
    from datasets import Dataset
    from sentence_transformers import CrossEncoder
    from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

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
        disable_tqdm=True,
        dataloader_num_workers=0,
        use_cpu=True,
    )
    trainer = CrossEncoderTrainer(
        model=model, args=args, train_dataset=data, loss=BinaryCrossEntropyLoss(model, pos_weight=weight)
    )
    trainer.train()
    shutil.rmtree(out_dir / "run", ignore_errors=True)  # the trainer's scratch folder (nothing is saved there)
    model.save_pretrained(str(out_dir))
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
    }
    (out_dir / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out_dir
