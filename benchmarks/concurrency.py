"""20 simultaneous chat sessions against the running web app through gradio_client: errors and latency.

    python -m benchmarks.concurrency [--sessions 20] [--turns 3] [--url http://127.0.0.1:7860]

Without --url it indexes the bundled sample corpus in a temp dir and serves the real app (real Assistant,
answerer from the settings: extractive unless BYLINE_LLM_BASE_URL is set) in this process. Each session is
its own gradio_client Client (its own Gradio session) and asks ``--turns`` questions, each a follow-up carrying
the session's history. A single session asking the same questions one at a time, measured in the same run,
is the baseline the concurrent figures are compared with. Writes the "concurrency" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

from assistant import offline  # noqa: F401  (first)
from benchmarks.report import write_section

REPO = Path(__file__).resolve().parent.parent
QA = REPO / "data" / "sample" / "qa.jsonl"


def questions() -> list[str]:
    """The sample corpus's evaluation questions."""
    return [
        json.loads(line)["question"] for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def start_app() -> tuple[str, object, str]:
    """Index the sample corpus in a temp home and serve the real app on a free port: (url, server, answerer)."""
    import socket

    import uvicorn

    from assistant.chain import Assistant
    from assistant.embedder import get_embedder
    from assistant.settings import Settings
    from assistant.store import open_store
    from assistant.web.api import build_server
    from ingest.pipeline import ingest

    settings = Settings(home=Path(tempfile.mkdtemp(prefix="byline-bench-web-")), rate_limit_per_minute=0)
    embedder = get_embedder(settings)
    store = open_store(settings, embedder)
    ingest([str(REPO / "data" / "sample" / "articles")], settings, store=store, embedder=embedder)
    assistant = Assistant(store, embedder, settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            build_server(settings, assistant=assistant), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}/", server, assistant.default_answerer.name


def session(
    url: str, qs: list[str], latencies: list[float], errors: list[str], start: threading.Barrier | None
) -> None:
    """One chat session: follow-up questions with history, each timed end to end."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    history: list[list[str]] = []
    if start is not None:
        start.wait()
    for q in qs:
        t0 = time.perf_counter()
        try:
            result = client.predict(question=q, history=history, api_name="/ask")
            if not isinstance(result, dict) or "citations" not in result:
                raise ValueError(f"unexpected result {str(result)[:80]}")
            history.append([q, result["answer"]])
            latencies.append((time.perf_counter() - t0) * 1000)
        except Exception as err:  # noqa: BLE001 - counted and reported
            errors.append(f"{type(err).__name__}: {err}"[:200])


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=3, help="Questions per session (follow-ups).")
    parser.add_argument(
        "--url", default=None, help="A running Byline app (default: start one over the sample)."
    )
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    args = parser.parse_args()

    answerer = "(as configured on the server)"
    url = args.url
    if url is None:
        url, _server, answerer = start_app()
    qs = questions()
    plan = [[qs[(i * args.turns + t) % len(qs)] for t in range(args.turns)] for i in range(args.sessions)]

    base_lat: list[float] = []
    base_err: list[str] = []
    session(url, qs[: args.turns], [], [], None)  # warm-up: caches, lexical index, first-call costs
    t0 = time.perf_counter()
    session(url, [q for turns in plan[:3] for q in turns], base_lat, base_err, None)
    base_wall = time.perf_counter() - t0

    lat: list[float] = []
    errs: list[str] = []
    barrier = threading.Barrier(args.sessions)
    threads = [threading.Thread(target=session, args=(url, turns, lat, errs, barrier)) for turns in plan]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0

    n = args.sessions * args.turns
    from assistant.web.chat import CONCURRENCY_LIMIT

    md = (
        "## Web app under 20 simultaneous chat sessions (`python -m benchmarks.concurrency`)\n\n"
        f"{args.sessions} gradio_client sessions started together, {args.turns} questions each (each a follow-up "
        f"carrying the session's history) against the Gradio `/ask` endpoint of the real app over the sample "
        f"corpus; answerer: {answerer}; the app runs at most {CONCURRENCY_LIMIT} answers at once and queues the "
        "rest. Baseline: one session asking the same kind of questions one at a time, in the same run. "
        "Latencies in ms, end to end at the client.\n\n"
        "| run | questions | errors | p50 | p95 | max | throughput (q/s) |\n|---|---:|---:|---:|---:|---:|---:|\n"
        f"| 1 session, sequential | {len(base_lat) + len(base_err)} | {len(base_err)} | {pct(base_lat, 50):.0f} | "
        f"{pct(base_lat, 95):.0f} | {max(base_lat):.0f} | {len(base_lat) / base_wall:.2f} |\n"
        f"| {args.sessions} sessions at once | {n} | {len(errs)} | {pct(lat, 50):.0f} | {pct(lat, 95):.0f} | "
        f"{max(lat):.0f} | {len(lat) / wall:.2f} |\n\n"
        f"p50 under load is {pct(lat, 50) / pct(base_lat, 50):.1f}× the single-session p50 (queueing on 2 cores); "
        f"throughput is {(len(lat) / wall) / (len(base_lat) / base_wall):.2f}× the sequential rate.\n"
    )
    if errs:
        md += "\nErrors:\n" + "".join(f"- {e}\n" for e in sorted(set(errs))[:10])
    print(md)
    if not args.no_write:
        write_section("concurrency", md)
    if errs:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
