"""Blind-written question sets: split a corpus into disjoint article pools for writers, and check what they wrote.

    .venv/bin/python -m benchmarks.blind_sets pools ARTICLES.jsonl --exclude qa-dev.jsonl --writers 8 --out DIR
    .venv/bin/python -m benchmarks.blind_sets check ARTICLES.jsonl QA.jsonl [--pool DIR/pool-3.jsonl]

Questions written by sessions that never read Byline's code or results are the only clean measure of the read
path (docs/evaluation.md). Sets quoting licensed text (BBC) cannot enter the repo, so they are lost with the
machine that holds them; these two commands (and the brief in docs/blind-sets.md) make a new batch cheap.
``pools`` leaves out every article a question file already uses and every near-duplicate article (a fact
found in two copies of one story would be ambiguous), and deals the rest out by topic. ``check`` reports each
problem of a set on its own line and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.qa import QAItem, load_qa
from benchmarks.retrieval_metrics import load_jsonl

TYPES = ("factoid", "numeric", "attribution", "comparison", "multi_hop", "unanswerable")
SHINGLE = 5  # words per shingle
NEAR_COPY = 0.3  # share of the shorter article's shingles shared: a near-copy (the BBC README's rule)
COMMON_SHINGLE = 50  # shingles in more articles than this are boilerplate, not copying
MIN_BODY = 600  # characters: shorter articles hold too little to ask about


def add_held_out_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--held-out QA.jsonl`` (repeatable) for a benchmark that also runs blind-written sets; a missing file
    is a usage error."""

    def existing(value: str) -> Path:
        path = Path(value)
        if not path.is_file():
            raise argparse.ArgumentTypeError(f"{value}: no such file")
        return path

    parser.add_argument(
        "--held-out", type=existing, action="append", default=[], metavar="QA.jsonl", help=help
    )


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def near_copies(articles: Sequence[dict[str, Any]]) -> set[str]:
    """Ids of articles sharing more than NEAR_COPY of the shorter one's 5-word shingles with another article."""
    shingles = {a["id"]: _shingles(a["body"]) for a in articles}
    holders: dict[str, list[str]] = defaultdict(list)
    for aid, found in shingles.items():
        for s in found:
            holders[s].append(aid)
    shared: Counter[tuple[str, str]] = Counter()
    for ids in holders.values():
        if 1 < len(ids) <= COMMON_SHINGLE:
            shared.update((a, b) for a in ids for b in ids if a < b)
    out: set[str] = set()
    for (a, b), n in shared.items():
        if n > NEAR_COPY * min(len(shingles[a]), len(shingles[b])):
            out |= {a, b}
    return out


def used_articles(qa_files: Iterable[Path]) -> set[str]:
    """Every article a question file names as evidence, alternative evidence or distractor."""
    used: set[str] = set()
    for row in (row for path in qa_files for row in load_jsonl(path)):
        for key in ("evidence_article_ids", "alt_evidence_article_ids", "distractor_article_ids"):
            used.update(row.get(key) or [])
    return used


def pools(
    articles: Sequence[dict[str, Any]], exclude: set[str], writers: int, seed: int = 0
) -> list[list[dict]]:
    """``writers`` disjoint pools of the usable articles, each with its share of every topic."""
    skip = exclude | near_copies(articles)
    usable = [a for a in articles if a["id"] not in skip and len(a["body"]) >= MIN_BODY]
    random.Random(seed).shuffle(usable)
    out: list[list[dict]] = [[] for _ in range(writers)]
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for a in usable:
        by_topic[a.get("category") or ""].append(a)
    dealt = 0  # one deal across topics, so a topic's remainder goes to the next writers, not always the first
    for topic in sorted(by_topic):
        for a in by_topic[topic]:
            out[dealt % writers].append(a)
            dealt += 1
    return out


def check(
    items: Sequence[QAItem],
    bodies: dict[str, str],
    pool: set[str] | None = None,
) -> list[str]:
    """Problems of a blind set, one message each (empty when the set is sound).

    Every fact must occur exactly once in its article and in no other (else a retriever finding the copy is
    scored wrong); evidence ids must match the facts; comparisons need two articles and multi-hop questions
    two facts; a question is unanswerable exactly when its answer is null, and then has no evidence. With
    ``pool``, evidence comes from it. ``distractor_article_ids`` must name articles of the corpus, and of the
    pool when one is given.
    """
    problems: list[str] = []
    for q in items:
        where = f"line {q.line} ({q.id})"
        for aid in q.distractor_article_ids:
            if aid not in bodies:
                problems.append(f"{where}: distractor {aid!r} is not in the corpus")
            elif pool is not None and aid not in pool:
                problems.append(f"{where}: distractor {aid} is not in the writer's pool")
        if q.question_type not in TYPES:
            problems.append(f"{where}: question_type {q.question_type!r} is not one of {', '.join(TYPES)}")
        if (q.question_type == "unanswerable") == q.answerable:
            problems.append(f"{where}: only an unanswerable question has answer null, and it must have it")
        if not q.answerable:
            if q.evidence:
                problems.append(f"{where}: an unanswerable question (answer null) has evidence")
            continue
        if not q.evidence:
            problems.append(f"{where}: no evidence")
        for e in q.evidence:
            if e.article_id not in bodies:
                problems.append(f"{where}: article {e.article_id!r} is not in the corpus")
                continue
            if pool is not None and e.article_id not in pool:
                problems.append(f"{where}: article {e.article_id} is not in the writer's pool")
            n = bodies[e.article_id].count(e.fact)
            if n != 1:
                problems.append(f"{where}: fact occurs {n} times in {e.article_id}: {e.fact[:60]!r}")
            others = sorted(aid for aid, body in bodies.items() if aid != e.article_id and e.fact in body)
            if others:
                problems.append(
                    f"{where}: fact also in {', '.join(others[:3])} (use another fact, or another story)"
                )
        facts_in = {e.article_id for e in q.evidence}
        if set(q.evidence_article_ids) != facts_in:
            problems.append(
                f"{where}: evidence_article_ids {sorted(q.evidence_article_ids)} != the facts' articles"
            )
        if q.question_type == "comparison" and len(facts_in) < 2:
            problems.append(f"{where}: a comparison needs facts from two articles")
        if q.question_type == "multi_hop" and len(q.evidence) < 2:
            problems.append(f"{where}: a multi_hop question needs at least two facts")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pools", help="split the articles into disjoint pools, one per writer")
    p.add_argument("articles", type=Path, help="the corpus (JSON lines: id, title, category, body)")
    p.add_argument("--exclude", type=Path, action="append", default=[], metavar="QA.jsonl",
                   help="question files whose articles no pool may hold (repeatable)")  # fmt: skip
    p.add_argument("--writers", type=int, default=8, help="number of pools (default 8)")
    p.add_argument("--seed", type=int, default=0, help="shuffle seed: the same seed deals the same pools")
    p.add_argument("--out", type=Path, required=True, help="folder for pool-1.jsonl … pool-N.jsonl")
    c = sub.add_parser("check", help="check a written set against the corpus")
    c.add_argument("articles", type=Path)
    c.add_argument("qa", type=Path, nargs="+")
    c.add_argument("--pool", type=Path, help="the writer's pool: evidence must come from it")
    args = parser.parse_args(argv)
    articles = load_jsonl(args.articles)
    if args.command == "pools":
        args.out.mkdir(parents=True, exist_ok=True)
        for i, pool in enumerate(
            pools(articles, used_articles(args.exclude), args.writers, args.seed), start=1
        ):
            path = args.out / f"pool-{i}.jsonl"
            path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in pool), encoding="utf-8")
            topics = Counter(a.get("category") or "-" for a in pool)
            print(
                f"{path}: {len(pool)} articles ({', '.join(f'{t} {n}' for t, n in sorted(topics.items()))})"
            )
        return 0
    bodies = {a["id"]: a["body"] for a in articles}
    pool = {a["id"] for a in load_jsonl(args.pool)} if args.pool else None
    bad = False
    for path in args.qa:
        qa = load_qa(path)
        problems = qa.errors + check(qa.items, bodies, pool)
        types = Counter(q.question_type for q in qa.items)
        print(
            f"{path}: {len(qa.items)} questions ({', '.join(f'{t} {types[t]}' for t in TYPES if types[t])})"
        )
        for problem in problems:
            print(f"  {problem}")
        bad |= bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
