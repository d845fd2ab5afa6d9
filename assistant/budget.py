"""The LLM's context budget: count tokens offline with tiktoken and trim passages to fit the window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant import offline

DEFAULT_ENCODING = "cl100k_base"
# Chat templates wrap each message in a few special tokens (<|im_start|>role\n ... <|im_end|>\n).
TOKENS_PER_MESSAGE = 6
# tiktoken's cl100k_base is not the served model's tokenizer. Small-vocabulary models (SmolLM2: 49k,
# Llama-2: 32k) spend up to ~25% more tokens on English news text than cl100k's 100k vocabulary, so the
# passages may use only 1/1.25 = 80% of what cl100k says is left.
TOKENIZER_SAFETY = 0.8


@lru_cache(maxsize=4)
def _encoding(name: str, cache_dir: str) -> object:
    import tiktoken

    offline.install_tiktoken_files(Path(cache_dir))
    return tiktoken.get_encoding(name)


class TokenCounter:
    """Counts tokens with a tiktoken encoding whose BPE file comes from the offline package (no download)."""

    def __init__(self, encoding: str = DEFAULT_ENCODING, cache_dir: Path | None = None) -> None:
        if cache_dir is None:
            from assistant.settings import get_settings

            cache_dir = get_settings().cache_dir / "tiktoken"
        self.encoding_name = encoding
        self._enc = _encoding(encoding, str(cache_dir))

    def count(self, text: str) -> int:
        """Tokens in ``text``; special-token look-alikes in article text are counted as plain text."""
        return len(self._enc.encode(text, disallowed_special=()))  # type: ignore[attr-defined]

    def count_messages(self, messages: Sequence[tuple[str, str]]) -> int:
        """Tokens of a chat request: every message's content plus the template's per-message overhead."""
        return sum(self.count(content) + TOKENS_PER_MESSAGE for _, content in messages)


@dataclass(frozen=True)
class Budget:
    """How many tokens the passages may use: window - answer - prompt, scaled for tokenizer mismatch."""

    context_tokens: int
    max_answer_tokens: int
    prompt_tokens: int  # the rendered prompt with no passages in it
    safety: float = TOKENIZER_SAFETY

    @property
    def for_passages(self) -> int:
        left = self.context_tokens - self.max_answer_tokens - self.prompt_tokens
        return max(0, int(left * self.safety))


@dataclass
class Block:
    """One passage as the prompt shows it: a header line (title, date) and its numbered sentence lines."""

    header: str
    lines: list[str]


def fit_blocks(blocks: Sequence[Block], budget: int, counter: TokenCounter, footer: str = "") -> list[int]:
    """How many lines of each block fit in ``budget`` tokens, filling blocks in rank order.

    Blocks are passages best-first; the first line that does not fit ends the fill, so a lower-ranked
    passage never displaces a higher-ranked one. A block with no line kept costs nothing (header dropped).

    >>> fit_blocks([Block("<a>", ["x y z"])], budget=0, counter=TokenCounter())
    [0]
    """
    kept = [0] * len(blocks)
    used = 0
    for i, block in enumerate(blocks):
        header_cost = counter.count(block.header + "\n" + footer + "\n")
        for j, line in enumerate(block.lines):
            cost = counter.count(line + "\n") + (header_cost if j == 0 else 0)
            if used + cost > budget:
                return kept
            used += cost
            kept[i] = j + 1
    return kept
