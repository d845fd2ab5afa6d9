"""Ingest end to end: real model, real Chroma; idempotent, incremental, bad input skipped, crash-safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.store import open_store
from ingest.pipeline import ingest
from tests.conftest import SAMPLE_DIR


class ExplodingEmbedder:
    """Passed where no embedding should happen: any use fails the test."""

    model_id = "unused"

    def __getattr__(self, name):
        raise AssertionError(f"the embedder was used ({name}) although nothing changed")


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_sample_corpus_then_rerun_is_a_no_op(tmp_path, embedder):
    settings = Settings(home=tmp_path / "home")
    store = open_store(settings)
    first = ingest([str(SAMPLE_DIR)], settings, store=store, embedder=embedder)
    assert first.ok, first.summary()
    assert len(first.added) == 24 and first.chunks > 24
    stats = store.stats()
    assert stats["articles"] == 24 and stats["chunks"] == first.chunks == store.chunks.count()
    assert stats["sources"] == {"Wikinews": 23, "AP": 1}

    again = ingest([str(SAMPLE_DIR)], settings, store=store, embedder=ExplodingEmbedder())
    assert again.ok and len(again.unchanged) == 24 and not again.added and not again.updated
    assert store.chunks.count() == first.chunks


def test_changed_article_is_replaced_and_new_one_added(tmp_path, embedder):
    settings = Settings(home=tmp_path / "home")
    store = open_store(settings)
    records = _records(SAMPLE_DIR / "wikinews.jsonl")[:3]
    src = _write_jsonl(tmp_path / "a.jsonl", records)
    ingest([str(src)], settings, store=store, embedder=embedder)
    records[0]["body"] += "\n\nCorrection: the ministry revised its figure to 402 on Tuesday."
    records.append({**records[1], "id": "brand-new", "title": "A new story"})
    _write_jsonl(src, records)
    report = ingest([str(src)], settings, store=store, embedder=embedder)
    assert report.updated == [records[0]["id"]] and report.added == ["brand-new"]
    assert sorted(report.unchanged) == sorted([records[1]["id"], records[2]["id"]])
    texts = [p.text for p in store.iter_passages() if p.article_id == records[0]["id"]]
    assert any("revised its figure to 402" in t for t in texts)
    assert store.chunks.count() == store.stats()["chunks"]  # the old version's chunks are gone


def test_bad_inputs_are_reported_and_the_rest_lands(tmp_path, embedder):
    settings = Settings(home=tmp_path / "home")
    good = _records(SAMPLE_DIR / "wikinews.jsonl")[:2]
    folder = tmp_path / "in"
    folder.mkdir()
    _write_jsonl(folder / "good.jsonl", good)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (folder / "truncated.jsonl").write_text(json.dumps(good[0])[:-40] + "\n", encoding="utf-8")
    clash = {**good[1], "body": "Completely different text under the same id."}
    _write_jsonl(folder / "zz-clash.jsonl", [clash])
    store = open_store(settings)
    report = ingest([str(folder)], settings, store=store, embedder=embedder)
    reasons = " | ".join(f"{o}: {r}" for o, r in report.skipped)
    assert not report.ok
    assert sorted(report.added) == sorted(r["id"] for r in good)
    assert "empty.txt" in reasons and "binary.txt" in reasons and "truncated.jsonl:1" in reasons
    assert "duplicate id" in reasons and "zz-clash.jsonl" in reasons
    # The clashing record did not overwrite the first one.
    body = store.get_articles([good[1]["id"]])[good[1]["id"]].body
    assert "Completely different" not in body


def test_cli_exit_status_and_summary(tmp_path):
    env = {**os.environ, "BYLINE_HOME": str(tmp_path / "home")}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "title": "t"}\n', encoding="utf-8")
    byline = [sys.executable, "-m", "assistant.cli"]
    out = subprocess.run(
        [*byline, "ingest", "-q", str(SAMPLE_DIR / "ap-aleppo.jsonl"), str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1, out.stderr
    assert "added 1" in out.stdout and "bad.jsonl:1" in out.stdout
    stats = subprocess.run([*byline, "stats", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(stats.stdout)["articles"] == 1


def _many_articles(tmp_path: Path, copies: int = 3) -> tuple[Path, int]:
    base = _records(SAMPLE_DIR / "wikinews.jsonl")
    records = [  # short bodies (about one chunk each) keep the embedding work small
        {**r, "id": f"{r['id']}-copy{i}", "body": f"Copy {i} of the story. " + r["body"][:500]}
        for i in range(copies)
        for r in base
    ]
    return _write_jsonl(tmp_path / "many.jsonl", records), len(records)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_mid_ingest_then_rerun_ends_consistent_and_complete(tmp_path, chroma_server, sig):
    source, total = _many_articles(tmp_path)
    collection = f"kill{sig.value}{int(time.time() * 1000) % 100000}"
    env = {
        **os.environ,
        "BYLINE_HOME": str(tmp_path / "home"),
        "BYLINE_CHROMA_URL": chroma_server,
        "BYLINE_COLLECTION": collection,
        "BYLINE_INGEST_BATCH_ARTICLES": "4",
    }
    settings = Settings(home=tmp_path / "home", chroma_url=chroma_server, collection=collection)
    cmd = [sys.executable, "-m", "assistant.cli", "ingest", "-q", str(source)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = open_store(settings)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if store.stats()["articles"] >= 8:  # at least two batches landed; more are on their way
            break
        time.sleep(0.1)
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    proc.send_signal(sig)
    proc.wait(timeout=60)
    partial = store.stats()["articles"]
    assert 0 < partial < total
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "run the same command again" in proc.stdout.read()
    # Whatever was visible is whole: every visible article has all its chunks and nothing else shows.
    visible = store.versions()
    passages = list(store.iter_passages())
    assert {p.article_id for p in passages} == set(visible)

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    final = store.stats()
    assert final["articles"] == total
    # Consistent: no orphan or duplicate chunks remain, every chunk belongs to a current version.
    assert store.chunks.count() == final["chunks"] == len(list(store.iter_passages()))
