"""Local throughput: complete sign-up -> verify -> login -> download walks per second through the
local runner (`python -m local`, moto in-process) with 1, 4 and 16 concurrent clients."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"Portal API listening on (http://[^\s]+)")
CODE_LINE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
PASSWORD = "Correct-Horse-Battery-9"
VIDEO, RENDITION = "foreign-ministers-2025-04-04", "sd"
STEPS = ("register", "verify", "login", "download")
_ids = itertools.count()


@contextmanager
def runner() -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_", "POWERTOOLS_"))}
    env.update({"PORT": "0", "PYTHONUNBUFFERED": "1"})
    process = subprocess.Popen(
        [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    try:
        # It says what it is doing first (starting the emulation...), then where it listens.
        seen = [process.stdout.readline() for _ in range(1)]
        while not (match := LISTENING.search(seen[-1])) and seen[-1] and len(seen) < 50:
            seen.append(process.stdout.readline())
        if not match:
            raise RuntimeError(f"the local runner did not start: {''.join(seen)!r}")
        # Drain its output (every mail is printed) so a full pipe never blocks it.
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # type: ignore[union-attr]
        yield match.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def walk(url: str, run: str) -> dict[str, float]:
    """One person's walk; milliseconds per step. Each walk has its own address and client IP."""
    import requests

    http = requests.Session()
    email = f"walker-{run}-{next(_ids)}@example.org"
    timings = {}

    def step(name: str, method: str, path: str, expected: int, **options: object) -> requests.Response:
        started = time.perf_counter()
        response = http.request(method, url + path, timeout=60, **options)  # type: ignore[arg-type]
        timings[name] = (time.perf_counter() - started) * 1000
        if response.status_code != expected:
            raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
        return response

    step("register", "POST", "/v1/account/register", 202, json={"email": email, "password": PASSWORD})
    mail = http.get(f"{url}/_local/mailbox", params={"to": email}, timeout=60).json()["messages"][0]
    code = CODE_LINE.search(mail["text"]).group(1)  # type: ignore[union-attr]
    step("verify", "POST", "/v1/account/verify", 200, json={"email": email, "code": code, "password": PASSWORD})
    token = step("login", "POST", "/v1/auth/login", 200, json={"email": email, "password": PASSWORD}).json()[
        "accessToken"
    ]
    step(
        "download",
        "POST",
        f"/v1/videos/{VIDEO}/download",
        200,
        json={"rendition": RENDITION},
        headers={"Authorization": f"Bearer {token}"},
    )
    return timings


def _attempt(url: str, run: str) -> dict[str, float] | str:
    """A walk, or why it failed: a failed walk is counted and reported, not the end of the section."""
    try:
        return walk(url, run)
    except Exception as exc:  # noqa: BLE001 - reported in the table and results.json
        return f"{type(exc).__name__}: {exc}"[:300]


def measure(walks: dict[int, int]) -> list[dict[str, object]]:
    """`walks`: concurrent clients -> how many walks they make together."""
    from bench.harness import percentile

    rows = []
    with runner() as url:
        walk(url, "warm-up")  # the runner imports each route's handler on first use
        for clients, total in walks.items():
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                outcomes = list(pool.map(lambda _i, label=f"c{clients}": _attempt(url, label), range(total)))
            elapsed = time.perf_counter() - started
            results = [o for o in outcomes if isinstance(o, dict)]
            failures = [o for o in outcomes if isinstance(o, str)]
            steps = {
                s: {"p50": percentile([r[s] for r in results], 0.5), "p99": percentile([r[s] for r in results], 0.99)}
                for s in STEPS
            }
            rows.append(
                {
                    "clients": clients,
                    "walks": len(results),
                    "failed": len(failures),
                    "failures": failures[:3],
                    "seconds": elapsed,
                    "walks_per_second": len(results) / elapsed,
                    "steps_ms": steps,
                }
            )
    return rows
