"""Thumbs up/down on answers, stored in SQLite (``settings.feedback_path``) for the evaluation scripts to read.

Each row keeps the question, the answer text, its citations (JSON, as in ``Answer.to_json()``), the rating and
where it came from, so a disliked answer can be replayed and inspected later.

    >>> from assistant.feedback import read_feedback
    >>> rows = read_feedback(settings.feedback_path)      # list[FeedbackRecord], oldest first
    >>> [r.question for r in rows if r.rating < 0]        # the questions people disliked
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import BylineError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    refused INTEGER NOT NULL DEFAULT 0,
    standalone_question TEXT,
    filters TEXT NOT NULL DEFAULT '{}',
    version TEXT NOT NULL DEFAULT '{}',
    session TEXT,
    comment TEXT
)
"""
_LOCK = threading.Lock()  # SQLite serialises writers itself; the lock avoids "database is locked" retries


class FeedbackError(BylineError):
    hint = "Check that BYLINE_HOME is writable (feedback is stored in BYLINE_HOME/feedback.sqlite3)."


@dataclass
class FeedbackRecord:
    """One rating of one answer."""

    rating: int  # +1 thumbs up, -1 thumbs down
    question: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    refused: bool = False
    standalone_question: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    version: dict[str, str] = field(default_factory=dict)
    session: str | None = None
    comment: str | None = None
    created_at: str = ""
    id: int | None = None

    @classmethod
    def from_answer(cls, answer_json: dict[str, Any], rating: int, **extra: Any) -> FeedbackRecord:
        """Build a record from ``Answer.to_json()`` output and a rating."""
        return cls(
            rating=rating,
            question=answer_json.get("question", ""),
            answer=answer_json.get("answer", ""),
            citations=list(answer_json.get("citations", [])),
            refused=bool(answer_json.get("refused", False)),
            standalone_question=answer_json.get("standalone_question"),
            version=dict(answer_json.get("version", {})),
            **extra,
        )


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10)
        conn.execute(_SCHEMA)
    except (OSError, sqlite3.Error) as exc:
        raise FeedbackError(f"Cannot open the feedback database {path}: {exc}") from exc
    return conn


def record_feedback(path: Path, record: FeedbackRecord) -> int:
    """Append one rating; returns its row id."""
    if record.rating not in (-1, 1):
        raise FeedbackError(
            f"Rating must be +1 or -1, got {record.rating!r}.", hint="Send 1 (up) or -1 (down)."
        )
    created = record.created_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    row = (
        created,
        record.rating,
        record.question,
        record.answer,
        json.dumps(record.citations, ensure_ascii=False),
        int(record.refused),
        record.standalone_question,
        json.dumps(record.filters, ensure_ascii=False),
        json.dumps(record.version, ensure_ascii=False),
        record.session,
        record.comment,
    )
    with _LOCK:
        conn = _connect(path)
        try:
            with conn:
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, citations, refused,"
                    " standalone_question, filters, version, session, comment) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    row,
                )
            return int(cur.lastrowid or 0)
        except sqlite3.Error as exc:
            raise FeedbackError(f"Cannot write feedback to {path}: {exc}") from exc
        finally:
            conn.close()


def read_feedback(path: Path, rating: int | None = None) -> list[FeedbackRecord]:
    """Every stored rating, oldest first (only ups or downs with ``rating=1`` / ``-1``); [] if none yet."""
    if not Path(path).exists():
        return []
    conn = _connect(Path(path))
    try:
        sql = (
            "SELECT id, created_at, rating, question, answer, citations, refused, standalone_question, filters,"
            " version, session, comment FROM feedback"
        )
        args: tuple[Any, ...] = ()
        if rating is not None:
            sql, args = sql + " WHERE rating = ?", (rating,)
        rows = conn.execute(sql + " ORDER BY id", args).fetchall()
    finally:
        conn.close()
    return [
        FeedbackRecord(
            id=r[0],
            created_at=r[1],
            rating=r[2],
            question=r[3],
            answer=r[4],
            citations=json.loads(r[5]),
            refused=bool(r[6]),
            standalone_question=r[7],
            filters=json.loads(r[8]),
            version=json.loads(r[9]),
            session=r[10],
            comment=r[11],
        )
        for r in rows
    ]
