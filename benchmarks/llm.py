"""The LLM path: Byline's overhead over a direct call, and answer quality of the local model on BBC qa-dev.

    .venv/bin/python -m benchmarks.llm [--data ../shared/data] [--runs 7] [--url URL] [--skip-qa]

Starts the bundled SmolLM2-135M server (llama.cpp) unless --url names one. Part 1 sends the same prompt
(built by Byline) straight to the server with httpx and through ``LLMAnswerer.stream``, alternating, and
compares time to first token and total time. Part 2 runs `byline eval` on the BBC dev questions with the
LLM answerer and with the extractive one (same scratch index as benchmarks/eval_sets.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from assistant import offline  # noqa: F401
from assistant.answerer import AnswerEvent, Turn
from assistant.generative import STOP, LLMAnswerer
from assistant.llm_server import LLMServer, ServerConfig, free_port
from assistant.settings import REPO_ROOT, Settings
from assistant.types import Answer, Passage
from benchmarks.report import write_section

OUT = REPO_ROOT / "benchmarks" / "out"
MAX_TOKENS = 64
# One client for the whole run (creating one costs ~40 ms of SSL setup, which the OpenAI client inside
# LangChain also pays only once); a new localhost connection per request (~0.1 ms), as llama.cpp may close
# idle keep-alive connections between the slow runs.
CLIENT = httpx.Client(timeout=120, limits=httpx.Limits(max_keepalive_connections=0))
QUESTION = "Which Japanese businessman was arrested, and what was he accused of?"


class NoFallback:
    """Fails loudly: a benchmark run that fell back would measure the wrong thing."""

    name, version = "none", "0"

    def answer(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer:
        raise RuntimeError("the LLM failed during the benchmark")

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[AnswerEvent]:
        raise RuntimeError("the LLM failed during the benchmark")


def bbc_passages(data: Path, n: int = 4) -> list[Passage]:
    """The first two paragraphs of the evidence articles of the first BBC dev questions (offset 0)."""
    articles = {}
    with open(data / "bbc-news" / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            articles[record["id"]] = record
    ids: list[str] = []
    with open(data / "bbc-news" / "qa-dev.jsonl", encoding="utf-8") as f:
        for line in f:
            ids += [i for i in json.loads(line)["evidence_article_ids"] if i not in ids]
    out = []
    for article_id in ids[:n]:
        body = articles[article_id]["body"]
        end = body.find("\n\n", body.find("\n\n") + 2)
        end = len(body) if end < 0 else end
        out.append(Passage(chunk_id=f"{article_id}::0", article_id=article_id, title=articles[article_id]["title"],
                           source="BBC News", start=0, end=end, text=body[:end]))  # fmt: skip
    return out


def payload(messages: list[tuple[str, str]]) -> dict[str, Any]:
    """The request body langchain-openai sends for Byline (same fields, same caps)."""
    return {
        "messages": [{"role": r, "content": c} for r, c in messages],
        "model": "local",
        "stream": True,
        "max_completion_tokens": MAX_TOKENS,
        "temperature": 0.0,
        "max_tokens": MAX_TOKENS,
        "stop": list(STOP),
    }


def record_stream(url: str, messages: list[tuple[str, str]]) -> bytes:
    """The raw SSE bytes the real server streams for this prompt (replayed to isolate client overhead)."""
    with CLIENT.stream("POST", f"{url}/chat/completions", json=payload(messages)) as response:
        return response.read()


class _Replay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real server: both clients reuse their connection
    body = b""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        for event in self.body.split(b"\n\n"):  # one write per event, as a streaming server sends them
            if event:
                self.wfile.write(event + b"\n\n")
                self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@contextmanager
def replay_server(body: bytes) -> Iterator[str]:
    """A local server that answers every chat request with ``body`` instantly; yields its …/v1 URL."""
    handler = type("Replay", (_Replay,), {"body": body})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def direct(url: str, messages: list[tuple[str, str]]) -> tuple[float, float]:
    """(time to first token, total) in ms of a plain streamed request with the same prompt and caps."""
    t0 = time.perf_counter()
    first = None
    with CLIENT.stream("POST", f"{url}/chat/completions", json=payload(messages)) as response:
        for line in response.iter_lines():
            if first is None and line.startswith("data: {") and '"content":"' in line.replace(" ", ""):
                if json.loads(line[6:])["choices"][0]["delta"].get("content"):
                    first = time.perf_counter()
    end = time.perf_counter()
    return ((first or end) - t0) * 1000, (end - t0) * 1000


def through_byline(answerer: LLMAnswerer, passages: list[Passage]) -> tuple[float, float]:
    """(time to first token event, time to done) in ms of ``LLMAnswerer.stream``, prompt building included."""
    t0 = time.perf_counter()
    first = None
    for event in answerer.stream(QUESTION, passages):
        if first is None and event.kind == "token":
            first = time.perf_counter()
    end = time.perf_counter()
    return ((first or end) - t0) * 1000, (end - t0) * 1000


def compare(
    url: str, messages: list[tuple[str, str]], answerer: LLMAnswerer, passages: list[Passage], runs: int
) -> dict[str, float]:
    """Medians of TTFT/total for both paths and of their paired differences (runs alternate order)."""
    direct(url, messages), through_byline(answerer, passages)  # warm up: server prompt cache, client setup
    rows: dict[str, list[tuple[float, float]]] = {"direct": [], "byline": []}
    for i in range(runs):  # alternate which goes first, so drift on this shared machine hits both
        order = ("direct", "byline") if i % 2 == 0 else ("byline", "direct")
        for name in order:
            rows[name].append(
                direct(url, messages) if name == "direct" else through_byline(answerer, passages)
            )
    pairs = list(zip(rows["byline"], rows["direct"], strict=True))
    return {
        "direct_first": statistics.median(t for t, _ in rows["direct"]),
        "direct_total": statistics.median(t for _, t in rows["direct"]),
        "byline_first": statistics.median(t for t, _ in rows["byline"]),
        "byline_total": statistics.median(t for _, t in rows["byline"]),
        "d_first": statistics.median(b[0] - d[0] for b, d in pairs),
        "d_total": statistics.median(b[1] - d[1] for b, d in pairs),
    }  # fmt: skip


def overhead(url: str, data: Path, runs: int) -> str:
    """Markdown: TTFT/total direct vs Byline, on the real server and on a replay of its recorded stream."""
    settings = Settings(
        llm_base_url=url, llm_max_tokens=MAX_TOKENS, llm_context_tokens=4096, llm_temperature=0.0
    )
    answerer = LLMAnswerer(settings, NoFallback())
    passages = bbc_passages(data)
    messages, _ = answerer.prompt_messages(QUESTION, passages)
    t0 = time.perf_counter()
    for _ in range(20):
        answerer.prompt_messages(QUESTION, passages)
    build_ms = (time.perf_counter() - t0) * 1000 / 20
    real = compare(url, messages, answerer, passages, runs)
    recorded = record_stream(url, messages)
    n_events = recorded.count(b"data: ")
    with replay_server(recorded) as replay_url:
        replay_settings = settings.model_copy(update={"llm_base_url": replay_url})
        replayed = compare(
            replay_url, messages, LLMAnswerer(replay_settings, NoFallback()), passages, runs * 4
        )
    prompt_tokens = answerer.counter.count_messages(messages)

    def row(label: str, m: dict[str, float]) -> list[str]:
        return [
            f"| {label} | direct httpx stream | {m['direct_first']:.1f} | {m['direct_total']:.1f} |",
            f"| {label} | Byline `LLMAnswerer.stream` | {m['byline_first']:.1f} | {m['byline_total']:.1f} |",
            f"| {label} | **Byline overhead** (median paired difference) | **{m['d_first']:+.1f}** | "
            f"**{m['d_total']:+.1f}** |",
        ]

    return "\n".join([
        f"Same prompt ({len(passages)} BBC passages, ~{prompt_tokens} cl100k tokens), max_tokens={MAX_TOKENS}, "
        "temperature 0; runs alternate direct/Byline after one warm-up each; medians in ms. *Real server*: "
        f"the local SmolLM2 server, {runs} runs each. *Replay*: the real server's recorded stream "
        f"({n_events} SSE events) served back instantly by a local stub, {runs * 4} runs each, which removes "
        "the model's timing noise and leaves only the client side.",
        "",
        "| server | path | time to first token | total |",
        "|---|---|---:|---:|",
        *row("real", real),
        *row("replay", replayed),
        "",
        f"Building the prompt (sentence split, tiktoken budget, render) takes {build_ms:.1f} ms of that; the rest "
        "is LangChain/OpenAI-client streaming and marker parsing. Target: < 50 ms. Both paths send the same "
        "stop sequences, so the model writes the same tokens on each.",
    ])  # fmt: skip


def answers_all_verified(records: list[dict[str, Any]]) -> tuple[float | None, int, int]:
    """Share of answered (not refused) questions with ≥1 citation whose every citation is verified."""
    answered = [r for r in records if not r.get("refused") and r.get("citations")]
    ok = sum(1 for r in answered if all(c.get("verified") for c in r["citations"]))
    return (ok / len(answered) if answered else None), ok, len(answered)


def qa_run(
    name: str, url: str, data: Path, reuse: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(metrics, records) of `byline eval` on BBC qa-dev with answerer ``name``; an extractive run already
    written by benchmarks/eval_sets.py (or, with ``reuse``, any earlier run) is read back, not repeated."""
    from assistant.evaluation.evaluate import evaluate

    out = OUT / "eval" / f"bbc-news-{name}"
    if (
        (reuse or name == "extractive")
        and (out / "metrics.json").exists()
        and (out / "results.jsonl").exists()
    ):
        records = [
            json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        return json.loads((out / "metrics.json").read_text(encoding="utf-8")), records

    def progress(done: int, total: int) -> None:
        print(f"  {name} {done}/{total}", end="\r", flush=True)

    # A generous timeout: on this shared 2-core machine a 1.5k-token prompt can take a minute to read.
    settings = Settings(llm_base_url=url, llm_context_tokens=4096, llm_max_tokens=120, llm_timeout_s=240)
    run = evaluate(
        data / "bbc-news" / "qa-dev.jsonl", settings, out, articles=[str(data / "bbc-news" / "articles.jsonl")],
        answerer=name, workers=1, scratch=OUT / "eval-index" / "bbc-news", progress=progress,
    )  # fmt: skip
    return run.metrics, run.records


def qa_dev(url: str, data: Path, reuse: bool = False) -> str:
    """BBC qa-dev with the LLM and the extractive answerer: verified answers, refusal F1, fallbacks."""
    rows, notes = [], []
    for name in ("llm", "extractive"):
        metrics, records = qa_run(name, url, data, reuse)
        share, ok, answered = answers_all_verified(records)
        if name == "llm" and answered < len(records) / 4:
            notes.append(
                f"The LLM answered only {answered} of {len(records)} questions with a citation. On these "
                "1-2k-token prompts the 135M model writes its answer without sentence ids (or says the articles "
                "don't say), and an uncited answer is refused by design: refusing everything gives recall 1.0 "
                "and a precision equal to the share of unanswerable questions. **The tiny local model is worse than "
                "the extractive answerer**; it is there to test the LLM path for real, not to answer readers."
            )
        refusal = metrics["refusal"]
        fallbacks = sum(1 for r in records if any("could not answer" in w for w in r.get("warnings") or []))
        refused = sum(1 for r in records if r.get("refused"))
        rows.append(
            f"| {name} | {len(records)} | {refused} | {answered} | {ok} ({_pct(share)}) | "
            f"{_f(refusal['precision'])} / {_f(refusal['recall'])} / {_f(refusal['f1'])} | "
            f"{_f(metrics['answer'].get('correct'))} | {fallbacks} | {_f(metrics['latency_ms']['p50'], 0)} |"
        )
    return "\n".join([
        "BBC News dev set (61 questions, report-only), local SmolLM2-135M-Instruct (Q4_1) vs the extractive "
        "answerer, same index and retrieval. *Every quote verified*: answers (not refusals) with at least one "
        "citation whose citations all passed the verifier.",
        "",
        "| answerer | questions | refused | answered with citations | every quote verified | "
        "refusal P / R / F1 | correct | fell back | p50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        *(["", *notes] if notes else []),
    ])  # fmt: skip


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--url", default=None, help="an already running OpenAI-compatible server (…/v1)")
    parser.add_argument("--skip-qa", action="store_true", help="only the overhead measurement")
    parser.add_argument(
        "--reuse-qa", action="store_true", help="read the last qa-dev results back, don't re-ask"
    )
    args = parser.parse_args()
    server = None if args.url else LLMServer(ServerConfig(port=free_port(), n_ctx=4096))
    url = args.url or server.start(timeout=180)  # type: ignore[union-attr]
    try:
        parts = ["## LLM answerer (`python -m benchmarks.llm`)", "", overhead(url, args.data, args.runs)]
        if not args.skip_qa:
            parts += ["", qa_dev(url, args.data, args.reuse_qa)]
    finally:
        if server:
            server.stop()
    markdown = "\n".join(parts)
    print(markdown)
    write_section("llm", markdown)


if __name__ == "__main__":
    main()
