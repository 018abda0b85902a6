"""Benchmark /assess: latency (p50, p99) and throughput for 1, 5 and 20 claims.

Measured in process (Runtime.assess on a temporary store) and over HTTP on loopback (a real
`grasp serve`), beside a bare FastAPI JSON echo endpoint served the same way in the same
run: the floor no Python HTTP service goes under. Run: ``.venv/bin/python bench/assess.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GOLD = json.loads((ROOT / "tests" / "cases" / "gold-en.json").read_text(encoding="utf-8"))

ECHO_APP = textwrap.dedent('''
    from fastapi import FastAPI
    from pydantic import BaseModel

    class Claim(BaseModel):
        text: str | None = None
        lang: str | None = None
        concept: str | None = None
        stance: str | None = None

    class Request(BaseModel):
        subject: str
        claims: list[Claim]

    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> Request:
        return request
''')


def request_with(claims: int) -> dict:
    """A request of ``claims`` claims, cycling through the gold case's texts."""
    texts = GOLD["claims"]
    return {"subject": "bench", "claims": [texts[i % len(texts)] for i in range(claims)]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def summarise(name: str, claims: int, seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {
        "where": name,
        "claims": claims,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "req_s": len(ordered) / sum(ordered),
    }


def measure_http(url: str, body: dict, requests: int, expected: int) -> list[float]:
    payload = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    with httpx.Client(timeout=30) as client:
        for _ in range(20):
            client.post(url, content=payload, headers=headers)
        seconds = []
        for _ in range(requests):
            start = time.perf_counter()
            answer = client.post(url, content=payload, headers=headers)
            seconds.append(time.perf_counter() - start)
            if answer.status_code != expected:
                raise SystemExit(f"{url}: {answer.status_code} {answer.text[:300]}")
    return seconds


def measure_in_process(requests: int, sizes: list[int], store: Path) -> list[dict]:
    from grasp.claims import InputFormat, read_claims
    from grasp.config import Settings
    from grasp.runtime import Runtime

    settings = Settings(store=store)
    runtime = Runtime.open(settings)
    rows = []
    try:
        for size in sizes:
            body = json.dumps(request_with(size)).encode()
            for _ in range(20):
                runtime.assess(read_claims(body, InputFormat.JSON, base_iri=settings.base_iri))
            seconds = []
            for _ in range(requests):
                start = time.perf_counter()
                claims = read_claims(body, InputFormat.JSON, base_iri=settings.base_iri)
                assessment = runtime.assess(claims)
                json.dumps(assessment.to_json(runtime.ontology))
                seconds.append(time.perf_counter() - start)
            rows.append(summarise("in process", size, seconds))
    finally:
        runtime.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--claims", type=int, nargs="+", default=[1, 5, 20],
                        help="claims per request, one measurement each")
    parser.add_argument("--sync", action="store_true",
                        help="also measure a server with synchronous writes (its background "
                             "work then slows the floor too: compare such runs among themselves)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="blocks per HTTP measurement, alternating floor and /assess")
    args = parser.parse_args()
    sizes = args.claims
    workdir = Path(tempfile.mkdtemp(prefix="grasp-bench-"))
    (workdir / "echo_app.py").write_text(ECHO_APP)

    rows = measure_in_process(args.requests, sizes, workdir / "store-in-process")

    # Grasp as configured by default (and with --sync, with GRASP_WRITE_BEHIND=false), like
    # the echo server without an access log: the floor does the same HTTP work.
    # Output goes to files: a pipe nobody reads would stall a server once its buffer is full.
    servers = {"HTTP /assess": {}}
    if args.sync:
        servers["HTTP /assess sync"] = {"GRASP_WRITE_BEHIND": "false"}
    echo_port, echo_log = free_port(), workdir / "echo.log"
    processes = [(subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "echo_app:app", "--port", str(echo_port),
         "--log-level", "warning"],
        cwd=workdir, stdout=echo_log.open("w"), stderr=subprocess.STDOUT),
        echo_log, f"http://127.0.0.1:{echo_port}/docs")]
    urls = {"HTTP echo floor": (f"http://127.0.0.1:{echo_port}/echo", 200)}
    for number, (name, settings) in enumerate(servers.items()):
        port, log = free_port(), workdir / f"grasp-{number}.log"
        env = {**os.environ, "GRASP_STORE": str(workdir / f"store-http-{number}"),
               "GRASP_PORT": str(port), "GRASP_ACCESS_LOG": "false", **settings}
        processes.append((subprocess.Popen(
            [sys.executable, "-m", "grasp.cli", "serve"], cwd=ROOT, env=env,
            stdout=log.open("w"), stderr=subprocess.STDOUT), log, f"http://127.0.0.1:{port}/health"))
        urls[name] = (f"http://127.0.0.1:{port}/assess", 201)
    try:
        for process, log, ready_url in processes:
            wait_until_up(ready_url, process, log)
        for size in sizes:
            # Blocks of back-to-back requests, taking turns: a noisy minute of the machine
            # then weighs on the floor and on /assess alike.
            seconds: dict[str, list[float]] = {name: [] for name in urls}
            for _ in range(args.rounds):
                for name, (url, status) in urls.items():
                    seconds[name] += measure_http(url, request_with(size),
                                                  args.requests // args.rounds, status)
            rows += [summarise(name, size, measured) for name, measured in seconds.items()]
    finally:
        for process, _, _ in processes:
            process.terminate()
            process.wait(timeout=30)

    print(f"{'where':<18} {'claims':>6} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p50 / floor':>11}")
    floors = {row["claims"]: row["p50_ms"] for row in rows if row["where"] == "HTTP echo floor"}
    for row in rows:
        ratio = (f"{row['p50_ms'] / floors[row['claims']]:.1f}x"
                 if row["where"].startswith("HTTP /assess") else "")
        print(f"{row['where']:<18} {row['claims']:>6} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
              f"{row['req_s']:>8.0f} {ratio:>11}")


if __name__ == "__main__":
    main()
