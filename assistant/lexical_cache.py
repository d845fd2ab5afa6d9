"""The BM25 index on disk: built once per index generation, then loaded by every later process.

Building BM25 means reading every chunk back from Chroma and stemming it (about 30 s at 100k chunks on two
cores); loading the pickled index takes a small fraction of that. The file is keyed by the store and its
generation token, which changes on every write, so a stale index is never loaded. Files live under
``BYLINE_HOME/cache/bm25`` (the user's own data directory); only the few newest are kept.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import bm25s

from assistant.lexical import LexicalIndex
from assistant.types import Passage

__all__ = ["load_or_build", "cache_path"]

LAYOUT = 2  # bump when LexicalIndex's attributes change: old files are then ignored
KEEP = 2  # newest cache files kept: the current generation and the one before (100k chunks ~ 200 MB each)
log = logging.getLogger("byline.lexical")


class Source(Protocol):
    """What the cache reads from a store."""

    def iter_passages(self, batch_size: int = 2000) -> Iterator[Passage]: ...


def cache_path(cache_dir: Path, store_key: str, generation: str) -> Path:
    """Where the BM25 index of ``store_key`` at ``generation`` is kept."""
    versions = f"{LAYOUT}/{bm25s.__version__}/{sys.version_info[:2]}"  # another bm25s or Python: rebuild
    digest = hashlib.sha1(f"{versions}\0{store_key}\0{generation}".encode()).hexdigest()[:24]
    return cache_dir / "bm25" / f"{digest}.pkl"


def load_or_build(store: Source, cache_dir: Path | None, store_key: str, generation: str) -> LexicalIndex:
    """The cached index of ``store`` at ``generation`` (read by the caller before this call), else a build."""
    if cache_dir is None:
        return LexicalIndex(store.iter_passages())
    path = cache_path(cache_dir, store_key, generation)
    try:
        with path.open("rb") as f:
            index = pickle.load(f)  # noqa: S301 - our own file, in the user's own data directory
        if isinstance(index, LexicalIndex):
            return index
    except FileNotFoundError:
        pass
    except Exception as err:  # a truncated or foreign file: rebuild and overwrite it
        log.warning("Ignoring unreadable BM25 cache %s (%s); rebuilding.", path, err)
    index = LexicalIndex(store.iter_passages())
    _save(index, path)
    return index


def _save(index: LexicalIndex, path: Path) -> None:
    """Write atomically (temp file + rename), then drop all but the newest KEEP files. Never fatal."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        files = sorted(path.parent.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as err:  # a read-only or full disk costs a rebuild next time, nothing else
        log.warning("Could not save the BM25 cache to %s (%s).", path, err)
