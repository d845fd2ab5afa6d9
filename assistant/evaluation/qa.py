"""Question sets for evaluation: JSONL or CSV, one question per line, bad lines reported with their number."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import BylineError

# A gold answer: text, RGB's list of alias lists (every group needed, any alias of a group counts), or None
# when the collection cannot answer the question.
GoldAnswer = str | list[list[str]] | None


class QAFileError(BylineError):
    hint = (
        "Give a .jsonl file (one JSON object per line) or a .csv file with columns "
        "id, question, answer, question_type[, evidence, evidence_article_ids]."
    )


@dataclass(frozen=True)
class Evidence:
    """A gold fact: a verbatim span of the named article's body."""

    article_id: str | None
    fact: str
    title: str | None = None


@dataclass
class QAItem:
    """One evaluation question with its gold answer and evidence."""

    id: str
    question: str
    answer: GoldAnswer
    question_type: str = "unknown"
    evidence: list[Evidence] = field(default_factory=list)
    evidence_article_ids: list[str] = field(default_factory=list)
    alt_evidence_article_ids: list[str] = field(default_factory=list)
    distractor_article_ids: list[str] = field(default_factory=list)  # look relevant, do not answer
    counterfactual_article_ids: list[str] = field(default_factory=list)
    counterfactual_answer: str | None = None
    line: int = 0

    @property
    def answerable(self) -> bool:
        return self.answer is not None

    @property
    def gold_article_ids(self) -> set[str]:
        """Articles that state the answer: evidence plus alternative evidence."""
        return set(self.evidence_article_ids) | set(self.alt_evidence_article_ids)


@dataclass
class QASet:
    """The questions that loaded, and one message per line that did not."""

    path: str
    items: list[QAItem]
    errors: list[str] = field(default_factory=list)


def load_qa(path: str | Path) -> QASet:
    """Read a question set; a malformed line becomes an error naming its line number, the rest still load."""
    p = Path(path)
    if not p.is_file():
        raise QAFileError(f"Question file not found: {p}")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(p)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        rows = _jsonl_rows(p)
    else:
        raise QAFileError(f"Unknown question file type {suffix or '(none)'!r}: {p}")
    items: list[QAItem] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, str):
            errors.append(f"{p.name}:{line}: {row}")
            continue
        try:
            item = parse_item(row, line)
        except (ValueError, TypeError, KeyError) as exc:
            errors.append(f"{p.name}:{line}: {exc}")
            continue
        if item.id in seen:
            errors.append(f"{p.name}:{line}: duplicate id {item.id!r} (first on line {seen[item.id]})")
            continue
        seen[item.id] = line
        items.append(item)
    return QASet(str(p), items, errors)


def _jsonl_rows(p: Path) -> list[tuple[int, dict[str, Any] | str]]:
    out: list[tuple[int, dict[str, Any] | str]] = []
    # split("\n"), not splitlines(): raw U+2028 or \x1c inside a JSON string are text, not line breaks.
    for n, raw in enumerate(p.read_text(encoding="utf-8-sig").split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            out.append((n, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        out.append((n, row if isinstance(row, dict) else "expected a JSON object"))
    return out


def _csv_rows(p: Path) -> list[tuple[int, dict[str, Any] | str]]:
    out: list[tuple[int, dict[str, Any] | str]] = []
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"id", "question"} - set(reader.fieldnames or [])
        if missing:
            raise QAFileError(f"{p.name}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            line = reader.line_num  # the physical line the row ended on (1 = header)
            if None in row:
                out.append((line, "more fields than the header has"))
                continue
            try:
                out.append((line, _csv_to_json(row)))
            except json.JSONDecodeError as exc:
                out.append((line, f"a JSON cell is not valid JSON ({exc.msg})"))
    return out


def _csv_to_json(row: dict[str, str]) -> dict[str, Any]:
    """CSV cells are strings: empty answer means unanswerable; list columns are JSON or ';'-separated."""
    data: dict[str, Any] = {k: (v if v is not None else "") for k, v in row.items()}
    answer = data.get("answer", "").strip()
    data["answer"] = (json.loads(answer) if answer.startswith("[") else answer) or None
    for key in (
        "evidence_article_ids",
        "alt_evidence_article_ids",
        "distractor_article_ids",
        "counterfactual_article_ids",
    ):
        cell = data.get(key, "").strip()
        data[key] = (
            json.loads(cell) if cell.startswith("[") else [x.strip() for x in cell.split(";") if x.strip()]
        )
    evidence = data.get("evidence", "").strip()
    data["evidence"] = json.loads(evidence) if evidence else []
    return data


def _str_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValueError(f"{name} must be a list of strings")
    return list(value)


def _gold_answer(value: Any) -> GoldAnswer:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        groups = [[g] if isinstance(g, str) else g for g in value]
        if all(isinstance(g, list) and g and all(isinstance(a, str) for a in g) for g in groups):
            return groups
    raise ValueError("answer must be a string, null, or a list of alias lists")


def parse_item(row: dict[str, Any], line: int = 0) -> QAItem:
    """Build a QAItem from one parsed row (JSONL object or CSV row); raises ValueError naming the bad field."""
    qid, question = row.get("id"), row.get("question")
    if not isinstance(qid, str | int) or str(qid).strip() == "":
        raise ValueError("missing 'id'")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("missing or empty 'question'")
    answer = _gold_answer(row.get("answer"))
    ev_ids = _str_list(row.get("evidence_article_ids"), "evidence_article_ids")
    raw_evidence = row.get("evidence") or []
    if not isinstance(raw_evidence, list):
        raise ValueError("evidence must be a list of {article_id, title, fact}")
    evidence: list[Evidence] = []
    for e in raw_evidence:
        if not isinstance(e, dict) or not isinstance(e.get("fact"), str) or not e["fact"].strip():
            raise ValueError("each evidence item needs a non-empty 'fact'")
        # The seed set's evidence items have no article_id; with one evidence article it is that one.
        article_id = e.get("article_id") or (ev_ids[0] if len(ev_ids) == 1 else None)
        evidence.append(Evidence(article_id, e["fact"], e.get("title")))
    if (
        not evidence
        and isinstance(row.get("supporting_sentence"), str)
        and row["supporting_sentence"].strip()
    ):
        evidence.append(Evidence(ev_ids[0] if len(ev_ids) == 1 else None, row["supporting_sentence"]))
    if not ev_ids:
        ev_ids = sorted({e.article_id for e in evidence if e.article_id})
    qtype = row.get("question_type") or ("unanswerable" if answer is None else "unknown")
    cf_answer = row.get("counterfactual_answer")
    return QAItem(
        id=str(qid).strip(),
        question=question.strip(),
        answer=answer,
        question_type=str(qtype),
        evidence=evidence,
        evidence_article_ids=ev_ids,
        alt_evidence_article_ids=_str_list(row.get("alt_evidence_article_ids"), "alt_evidence_article_ids"),
        distractor_article_ids=_str_list(row.get("distractor_article_ids"), "distractor_article_ids"),
        counterfactual_article_ids=_str_list(
            row.get("counterfactual_article_ids"), "counterfactual_article_ids"
        ),
        counterfactual_answer=cf_answer if isinstance(cf_answer, str) else None,
        line=line,
    )
