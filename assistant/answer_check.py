"""The answer checker: a small cross-encoder that reads a question with one sentence and says how likely the
sentence answers it.

The extractive answerer's rules check the *kind* of answer (a figure, a name, a year); telling "the first
weekend's takings" from "the second weekend's" takes reading both together, which a cross-encoder does and a
sentence embedding does not. The checker is optional: ``BYLINE_ANSWER_CHECKER`` names a folder made by
``byline train-checker`` from your own labelled questions (see docs/evaluation.md). Without it nothing changes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

META = "byline-checker.json"  # written beside the model: what it was trained on, and from which base model
DEFAULT_THRESHOLD = 0.3  # for a checker trained without calibration questions


def pair_text(title: str, sentence: str) -> str:
    """The second text of a pair: the headline names who "she" or "the firm" is, as it does for a reader."""
    return f"{title.strip()}. {sentence.strip()}" if title.strip() else sentence.strip()


class AnswerChecker:
    """A trained checker folder, loaded once; ``probabilities`` scores (question, headline, sentence) triples."""

    def __init__(self, path: Path, device: str = "cpu") -> None:
        from sentence_transformers import CrossEncoder  # imported lazily: most installs run without a checker

        meta_path = path / META
        if not meta_path.is_file():
            raise ConfigError(
                f"{path} is not an answer checker (no {META}).",
                hint="Point BYLINE_ANSWER_CHECKER at a folder made by `byline train-checker`, or unset it.",
            )
        self.path = path
        self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        self.name = str(self.meta.get("name") or path.name)
        # Chosen at training on questions kept out of it (``checker_training.calibrate``).
        # 0 means it refused no better than the rules there: it then changes nothing.
        threshold = self.meta.get("threshold")
        self.threshold = float(DEFAULT_THRESHOLD if threshold is None else threshold)
        self.model = CrossEncoder(str(path), device=device, local_files_only=True)
        self._lock = threading.Lock()  # one model, several UI threads: torch on 2 cores thrashes otherwise

    def probabilities(self, question: str, items: Sequence[tuple[str, str]]) -> list[float]:
        """For each (headline, sentence) of ``items``: the probability that the sentence answers ``question``."""
        if not items:
            return []
        pairs = [(question, pair_text(title, sentence)) for title, sentence in items]
        with self._lock:
            scores = self.model.predict(pairs, batch_size=32, show_progress_bar=False)
        return [float(s) for s in scores]


def load_checker(path: str | Path, device: str = "cpu") -> AnswerChecker:
    """The checker at ``path`` (cached: every answerer of the process shares one model)."""
    return _load(str(Path(path).expanduser().resolve()), device)


@lru_cache(maxsize=4)
def _load(path: str, device: str) -> AnswerChecker:
    folder = Path(path)
    if not folder.is_dir():
        raise ConfigError(
            f"Answer checker folder {folder} does not exist.",
            hint="Make one with `byline train-checker QA.jsonl --out DIR`, or unset BYLINE_ANSWER_CHECKER.",
        )
    return AnswerChecker(folder, device)
