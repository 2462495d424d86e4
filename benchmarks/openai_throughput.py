"""Throughput of the ``openai`` adapter against a local server that answers after a fixed delay.

The server runs in its own process on 127.0.0.1 (a thread per connection, HTTP/1.1 keep-alive),
so its work does not compete with the adapter's threads for the interpreter lock. Requests are
driven as the runner drives them: a thread pool of ``concurrency`` workers calling ``summarize``.
Ideal throughput is ``concurrency / delay``; the target is 0.90 of it. A second measurement, on
an instant server, compares ``summarize`` with a bare ``httpx`` post of the same body: the
difference is the adapter's own cost per item (prompt building, parsing, bookkeeping).

    python benchmarks/openai_throughput.py            # exits 1 if a ratio is below the target
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection

import httpx

from bench.adapters.openai import OpenAIChat
from bench.request import RequestDocument, SummaryRequest

TARGET = 0.90
ANSWER = json.dumps(
    {
        "model": "bench",
        "choices": [{"message": {"content": "A summary."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 3},
    }
).encode()
REQUEST = SummaryRequest(
    task_id="bench",
    instructions="Summarize the article.",
    budget=100,
    documents=(
        RequestDocument(
            id="d1",
            title="A long article",
            outlet="Wire",
            date="2024-05-06",
            text="\n\n".join(
                " ".join(f"word{(p * 60 + w) % 997}" for w in range(60)) + "." for p in range(10)
            ),
        ),
    ),
)


def serve(delay: float, pipe: Connection) -> None:
    """Answer every POST with a fixed completion after ``delay`` seconds; send the port back."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(ANSWER)))
            self.end_headers()
            self.wfile.write(ANSWER)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    with Server(("127.0.0.1", 0), Handler) as server:
        pipe.send(server.server_address[1])
        server.serve_forever()


def start_server(delay: float) -> tuple[multiprocessing.Process, str]:
    """A server process and its base URL."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=serve, args=(delay, send), daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{receive.recv()}/v1"


def throughput(base_url: str, concurrency: int, requests: int) -> float:
    """Requests per second through ``summarize`` from a pool of ``concurrency`` threads."""
    adapter = OpenAIChat(
        base_url=base_url, model="bench", api_key_env=None, concurrency=concurrency
    )
    try:
        with ThreadPoolExecutor(concurrency) as pool:
            started = time.perf_counter()
            results = list(pool.map(adapter.summarize, [REQUEST] * requests))
            elapsed = time.perf_counter() - started
    finally:
        adapter.close()
    assert all(r.meta["attempts"] == 1 for r in results)
    return requests / elapsed


def overhead(base_url: str, items: int) -> tuple[float, float]:
    """Seconds per item for ``summarize`` and for a bare post of the same body (instant server)."""
    adapter = OpenAIChat(base_url=base_url, model="bench", api_key_env=None, concurrency=1)
    body, _ = adapter.payload(REQUEST)
    with httpx.Client() as client:
        url = f"{base_url}/chat/completions"
        for _ in range(20):  # warm up connections and caches
            adapter.summarize(REQUEST)
            client.post(url, json=body).json()
        started = time.perf_counter()
        for _ in range(items):
            adapter.summarize(REQUEST)
        through_adapter = (time.perf_counter() - started) / items
        started = time.perf_counter()
        for _ in range(items):
            client.post(url, json=body).json()
        bare = (time.perf_counter() - started) / items
    adapter.close()
    return through_adapter, bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.2, help="server delay in seconds")
    parser.add_argument("--requests", type=int, default=256, help="requests per concurrency > 1")
    parser.add_argument("--serial-requests", type=int, default=32, help="requests at concurrency 1")
    args = parser.parse_args()

    slow, base_url = start_server(args.delay)
    print(f"server delay {args.delay * 1000:.0f} ms; target >= {TARGET:.2f} of ideal")
    print(f"{'concurrency':>11} {'requests':>8} {'req/s':>8} {'ideal':>8} {'ratio':>6}")
    worst = 1.0
    try:
        for concurrency in (1, 8, 32):
            count = args.serial_requests if concurrency == 1 else args.requests
            achieved = throughput(base_url, concurrency, count)
            ideal = concurrency / args.delay
            worst = min(worst, achieved / ideal)
            ratio = achieved / ideal
            print(f"{concurrency:>11} {count:>8} {achieved:>8.1f} {ideal:>8.1f} {ratio:>6.3f}")
    finally:
        slow.terminate()

    instant, base_url = start_server(0.0)
    try:
        through_adapter, bare = overhead(base_url, 500)
    finally:
        instant.terminate()
    print(
        f"instant server, 500 sequential items: summarize {through_adapter * 1e6:.0f} us/item, "
        f"bare httpx post {bare * 1e6:.0f} us/item, "
        f"adapter overhead {(through_adapter - bare) * 1e6:.0f} us/item"
    )
    print("OK" if worst >= TARGET else f"BELOW TARGET: worst ratio {worst:.3f}")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
