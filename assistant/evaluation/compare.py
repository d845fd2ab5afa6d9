"""`byline eval compare A B`: two runs' metrics side by side, with the settings that differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import BylineError
from assistant.evaluation.report import METRICS, RESULTS, fmt
from assistant.evaluation.scoring import flatten


class EvalDirError(BylineError):
    hint = "Give two output folders of `byline eval --out DIR` (each holds a metrics.json)."


def load_metrics(run_dir: str | Path) -> dict[str, Any]:
    """Read DIR/metrics.json (or a metrics.json path given directly)."""
    p = Path(run_dir)
    path = p if p.is_file() else p / METRICS
    if not path.is_file():
        raise EvalDirError(f"No metrics.json in {p}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EvalDirError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EvalDirError(f"{path} does not hold a metrics object")
    return data


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(metric, A, B, B - A) for every metric either run has; settings and versions only where they differ."""
    rows: list[tuple[str, str, str, str]] = []
    meta = ("settings", "versions", "answerer", "k", "qa_errors")
    fa = flatten({k: v for k, v in a.items() if k not in meta})
    fb = flatten({k: v for k, v in b.items() if k not in meta})
    for key in sorted(set(fa) | set(fb), key=_order):
        va, vb = fa.get(key), fb.get(key)
        if va is None and vb is None:  # not measurable in either run (e.g. MRR of unanswerable questions)
            continue
        delta = ""
        if isinstance(va, int | float) and isinstance(vb, int | float) and not isinstance(va, bool):
            d = vb - va
            delta = "0" if d == 0 else (f"{d:+.0f}" if abs(d) >= 100 else f"{d:+.2f}")
        rows.append((key, fmt(va), fmt(vb), delta))
    ma = flatten({k: a.get(k) for k in meta if k != "qa_errors"})
    mb = flatten({k: b.get(k) for k in meta if k != "qa_errors"})
    for key in sorted(set(ma) | set(mb)):
        if ma.get(key) != mb.get(key):
            rows.append((key, fmt(ma.get(key)), fmt(mb.get(key)), "differs"))
    return rows


def _order(key: str) -> tuple[int, str]:
    # Overall figures first, then the per-question-type breakdown.
    return (1 if key.startswith("by_question_type.") else 0, key)


def render(rows: list[tuple[str, str, str, str]], name_a: str, name_b: str) -> str:
    """A fixed-width text table."""
    header = ("metric", name_a, name_b, "B - A")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    widths = [min(w, 60) for w in widths]

    def line(r: tuple[str, str, str, str]) -> str:
        return f"{r[0][:60]:<{widths[0]}}  {r[1][:60]:>{widths[1]}}  {r[2][:60]:>{widths[2]}}  {r[3]:>{widths[3]}}"

    return "\n".join([line(header), "-" * (sum(widths) + 6), *(line(r) for r in rows)])


def load_scores(run_dir: str | Path) -> dict[str, dict[str, Any]]:
    """id -> per-question scores from DIR/results.jsonl ({} when absent)."""
    path = Path(run_dir) / RESULTS
    if not path.is_file():
        return {}
    out: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "id" in record:
            out[str(record["id"])] = record.get("scores") or {}
    return out


def changed_questions(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[str]:
    """One line per question both runs asked whose correctness or refusal differs."""
    lines = []
    for qid in a.keys() & b.keys():
        sa, sb = a[qid], b[qid]
        if (sa.get("correct"), sa.get("refused")) != (sb.get("correct"), sb.get("refused")):
            lines.append(f"{qid}: {_outcome(sa)} -> {_outcome(sb)}")
    return sorted(lines)


def _outcome(score: dict[str, Any]) -> str:
    return ("correct" if score.get("correct") else "wrong") + (" (refused)" if score.get("refused") else "")


def compare_dirs(dir_a: str | Path, dir_b: str | Path) -> str:
    """The printed comparison of two eval output folders: metrics, then questions whose outcome changed."""
    rows = compare_rows(load_metrics(dir_a), load_metrics(dir_b))
    text = render(rows, f"A: {Path(dir_a).name}", f"B: {Path(dir_b).name}")
    changed = changed_questions(load_scores(dir_a), load_scores(dir_b))
    if changed:
        text += f"\n\nQuestions whose outcome changed (A -> B), {len(changed)}:\n" + "\n".join(changed)
    return text
