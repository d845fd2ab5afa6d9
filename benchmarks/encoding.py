"""What makes encoding faster on 2 CPU cores: batch size, batching by length, int8 weights; and what it costs.

Used by benchmarks/ingest.py on a sample of the chunk texts Byline embeds. Quality is measured against the
fp32 model: mean cosine between the two embeddings of each text, and how often the nearest chunk of a query
(each chunk's first sentence) is the same chunk under both.
"""

from __future__ import annotations

import copy
import random
import time
import warnings

import numpy as np
import torch

from assistant import offline  # noqa: F401

SAMPLE = 768


def _encode(model, texts: list[str], batch_size: int, sort_by_length: bool) -> tuple[np.ndarray, float]:
    t = time.perf_counter()
    if sort_by_length:  # sentence-transformers sorts each call's texts by length before batching
        vecs = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    else:  # one call per batch in corpus order: every batch pads to its longest text
        parts = [
            model.encode(
                texts[i : i + batch_size],
                batch_size=batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            for i in range(0, len(texts), batch_size)
        ]
        vecs = np.concatenate(parts)
    return np.asarray(vecs), time.perf_counter() - t


def _agreement(
    ref: np.ndarray, other: np.ndarray, queries_ref: np.ndarray, queries_other: np.ndarray
) -> tuple[float, float]:
    cos = float(np.mean(np.sum(ref * other, axis=1)))
    top_ref = np.argmax(queries_ref @ ref.T, axis=1)
    top_other = np.argmax(queries_other @ other.T, axis=1)
    return cos, float(np.mean(top_ref == top_other))


def compare_backends(texts: list[str]) -> list[str]:
    """Markdown lines comparing encoding set-ups on a sample of ``texts``."""
    from sentence_transformers import SentenceTransformer

    from assistant.settings import Settings

    rng = random.Random(7)
    sample = rng.sample(texts, min(SAMPLE, len(texts)))
    queries = [t.split("\n\n", 1)[-1].split(". ")[0] for t in sample[:200]]
    model = SentenceTransformer(Settings().resolved_embedding_model(), device="cpu")
    ref, ref_s = _encode(model, sample, 64, True)
    q_ref = model.encode(queries, normalize_embeddings=True, show_progress_bar=False)
    rows = [("fp32, batch 64, sorted by length (Byline's default)", ref_s, 1.0, 1.0)]
    for label, bs, sort in (
        ("fp32, batch 64, corpus order", 64, False),
        ("fp32, batch 16, sorted", 16, True),
        ("fp32, batch 128, sorted", 128, True),
    ):
        vecs, secs = _encode(model, sample, bs, sort)
        rows.append((label, secs, *_agreement(ref, vecs, q_ref, q_ref)))
    int8 = copy.deepcopy(model)
    warnings.filterwarnings("ignore", category=UserWarning, module="torch")  # quantize_per_tensor deprecation
    int8 = torch.ao.quantization.quantize_dynamic(int8, {torch.nn.Linear}, dtype=torch.qint8)
    vecs, secs = _encode(int8, sample, 64, True)
    q_int8 = int8.encode(queries, normalize_embeddings=True, show_progress_bar=False)
    rows.append(
        ("int8 dynamic quantization (torch), batch 64, sorted", secs, *_agreement(ref, vecs, q_ref, q_int8))
    )
    lines = [
        "### Encoding on 2 CPU cores",
        "",
        f"{len(sample)} of the chunk texts above, {torch.get_num_threads()} torch threads. Speed is relative to "
        "the first row, measured in the same run; quality compares each set-up with the first row.",
        "",
        "| set-up | time (s) | speed vs default | mean cosine to fp32 | same nearest chunk |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, secs, cos, same in rows:
        lines.append(f"| {label} | {secs:.1f} | {ref_s / secs:.2f}× | {cos:.4f} | {same * 100:.1f}% |")
    lines += [
        "",
        "ONNX Runtime through sentence-transformers needs `optimum-onnx`, whose current release requires "
        "transformers < 4.58 while sentence-transformers 6 needs transformers 5; it is not measured here.",
    ]
    return lines
