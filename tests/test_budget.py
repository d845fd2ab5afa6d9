"""Token counting (tiktoken, offline) and fitting passages into the LLM's window."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.budget import Block, Budget, TokenCounter, fit_blocks


@pytest.fixture(scope="module")
def counter(tmp_path_factory) -> TokenCounter:
    return TokenCounter(cache_dir=tmp_path_factory.mktemp("tiktoken"))


def test_counts_cl100k_tokens_offline(counter: TokenCounter) -> None:
    assert counter.count("hello world") == 2
    # Special-token look-alikes in article text are plain text, not an error.
    assert counter.count("<|endoftext|>") > 1
    assert counter.count_messages([("system", "hello world"), ("user", "hello world")]) == 2 * (2 + 6)


def test_budget_subtracts_answer_and_prompt_then_scales() -> None:
    assert Budget(4096, 400, 696, safety=0.8).for_passages == int((4096 - 400 - 696) * 0.8)
    assert Budget(512, 400, 696).for_passages == 0


def test_fit_fills_in_rank_order(counter: TokenCounter) -> None:
    blocks = [Block("<a>", ["one two three"] * 3), Block("<b>", ["four five six"] * 3)]
    assert fit_blocks(blocks, 10_000, counter) == [3, 3]
    assert fit_blocks(blocks, 0, counter) == [0, 0]
    one_block = counter.count("<a>\n\n") + 3 * counter.count("one two three\n")
    assert fit_blocks(blocks, one_block, counter) == [3, 0]
    assert fit_blocks(blocks, one_block - 1, counter) == [2, 0]


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(st.lists(st.text(min_size=1, max_size=40), max_size=5), max_size=5),
    budget=st.integers(min_value=0, max_value=200),
)
def test_fit_never_exceeds_budget_and_keeps_a_prefix(lines: list[list[str]], budget: int) -> None:
    counter = TokenCounter()
    blocks = [Block(f"<h{i}>", group) for i, group in enumerate(lines)]
    kept = fit_blocks(blocks, budget, counter)
    cost = sum(
        counter.count(b.header + "\n\n") + sum(counter.count(line + "\n") for line in b.lines[:k])
        for b, k in zip(blocks, kept, strict=True)
        if k
    )
    assert cost <= budget
    # A later block only gets lines once every earlier block is complete.
    for i, k in enumerate(kept):
        if k:
            assert all(kept[j] == len(blocks[j].lines) for j in range(i))
    assert fit_blocks(blocks, budget + 50, counter) >= kept  # more room never keeps less
