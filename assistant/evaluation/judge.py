"""Optional LLM-judged metrics (``byline eval --judge``), RAGAS-style; always reported as judged, not checked.

- faithfulness: the answer is split into claims; score = claims the retrieved passages support / all claims.
- answer correctness: statements are classified against the gold answer; score = TP / (TP + (FP + FN) / 2),
  RAGAS's factual F1 (without its embedding-similarity term).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from assistant.evaluation.metrics import mean
from assistant.evaluation.qa import QAItem
from assistant.prompts import Prompt, load_prompt
from assistant.settings import Settings

Complete = Callable[[list[tuple[str, str]]], str]  # chat messages -> reply text
_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_json_reply(text: str) -> dict[str, Any] | None:
    """The first JSON object in a model's reply (models wrap JSON in prose or code fences); None if none."""
    match = _JSON_OBJECT.search(text)
    if not match:
        return None
    try:
        data = json.loads(match.group())
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def faithfulness_score(reply: dict[str, Any] | None) -> float | None:
    """Supported claims / all claims from a judge reply; None when the reply is unusable or lists no claims."""
    claims = reply.get("claims") if reply else None
    if not isinstance(claims, list) or not claims:
        return None
    verdicts = [c.get("supported") for c in claims if isinstance(c, dict)]
    if not verdicts:
        return None
    return sum(1 for v in verdicts if v is True or str(v).lower() in ("true", "yes", "1")) / len(verdicts)


def correctness_score(reply: dict[str, Any] | None) -> float | None:
    """RAGAS factual F1 TP / (TP + 0.5 (FP + FN)) from a judge reply; None when the reply is unusable."""
    if not reply or not all(isinstance(reply.get(k, []), list) for k in ("TP", "FP", "FN")):
        return None
    tp, fp, fn = (len(reply.get(k, [])) for k in ("TP", "FP", "FN"))
    if tp + fp + fn == 0:
        return None
    return tp / (tp + 0.5 * (fp + fn))


def gold_text(answer: str | list[list[str]] | None) -> str:
    """The gold answer as one string (first alias of every group for alias lists)."""
    if answer is None or isinstance(answer, str):
        return answer or ""
    return "; ".join(group[0] for group in answer)


class Judge:
    """Scores answers with an LLM through ``complete``; every score it gives is labelled judged."""

    def __init__(self, complete: Complete, model: str, prompts_dir: Any = None) -> None:
        self.complete = complete
        self.model = model
        self.faithfulness_prompt: Prompt = load_prompt("judge_faithfulness", prompts_dir)
        self.correctness_prompt: Prompt = load_prompt("judge_correctness", prompts_dir)

    @classmethod
    def from_settings(cls, settings: Settings) -> Judge:
        """A judge using the configured LLM (BYLINE_LLM_BASE_URL); raises LLMError when none is set."""
        from assistant.chat_model import build_chat_model, complete_text

        model = build_chat_model(settings, streaming=False, max_tokens=512)
        return cls(lambda messages: complete_text(model, messages), settings.llm_model, settings.prompts_dir)

    def _ask(self, prompt: Prompt, **values: object) -> dict[str, Any] | None:
        try:
            return parse_json_reply(self.complete(prompt.messages(**values)))
        except Exception:  # noqa: BLE001 - a judge failure leaves that score empty, never stops the run
            return None

    def judge(self, item: QAItem, record: dict[str, Any]) -> dict[str, float | None]:
        """Judged scores of one answer; refused or failed answers are not judged (None)."""
        out: dict[str, float | None] = {"faithfulness": None, "correctness": None}
        if record.get("refused") or record.get("error") or not record.get("answer"):
            return out
        passages = "\n\n".join(p["text"] for p in record.get("passages") or [])
        out["faithfulness"] = faithfulness_score(
            self._ask(self.faithfulness_prompt, passages=passages, answer=record["answer"])
        )
        if item.answerable:
            out["correctness"] = correctness_score(
                self._ask(
                    self.correctness_prompt,
                    question=item.question,
                    reference=gold_text(item.answer),
                    answer=record["answer"],
                )
            )
        return out

    def summary(self, judged: Sequence[dict[str, float | None]]) -> dict[str, Any]:
        """metrics.json 'judged' block: means over the answers the judge could score, and how many that was."""
        return {
            "model": self.model,
            "prompt_version": f"{self.faithfulness_prompt.id}, {self.correctness_prompt.id}",
            "faithfulness": mean(j["faithfulness"] for j in judged),
            "faithfulness_n": sum(1 for j in judged if j["faithfulness"] is not None),
            "answer_correctness": mean(j["correctness"] for j in judged),
            "answer_correctness_n": sum(1 for j in judged if j["correctness"] is not None),
        }
