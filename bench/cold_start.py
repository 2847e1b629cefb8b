"""Cold start per handler: importing the handler module (and its module-level state) in fresh
interpreters, beside its floor: `import boto3` plus creating exactly the clients it uses."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from functions.routes import ROUTES, Access, Route

ROOT = Path(__file__).resolve().parents[1]
RUNS = 9
CLIENTS = {
    Access.TABLE_READ: "dynamodb",
    Access.TABLE_WRITE: "dynamodb",
    Access.MAIL_SEND: "sesv2",
    Access.KEYS_READ: "secretsmanager",
}
TIMER = "import time\nstarted = time.perf_counter()\n{code}\nprint((time.perf_counter() - started) * 1000)"


def clients_of(route: Route) -> list[str]:
    return sorted({CLIENTS[a] for a in route.access if a in CLIENTS})


def deployed_env(python_path: list[Path]) -> dict[str, str]:
    """What a deployed function's environment holds, with dummy credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_", "POWERTOOLS_", "PYTHON"))}
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_SESSION_TOKEN="bench",
        AWS_REGION="eu-west-1",
        AWS_DEFAULT_REGION="eu-west-1",
        POWERTOOLS_SERVICE_NAME="portal",
        POWERTOOLS_METRICS_NAMESPACE="Portal",
        POWERTOOLS_TRACE_DISABLED="true",
        PORTAL_TABLE_NAME="portal",
        PORTAL_KEYS_SECRET_ID="portal/keys",
        PORTAL_MAIL_SENDER="NATO Multimedia <no-reply@example.org>",
        PYTHONPATH=os.pathsep.join(str(p) for p in python_path),
    )
    return env


def _time(python: str, code: str, env: dict[str, str]) -> float:
    done = subprocess.run([python, "-c", TIMER.format(code=code)], env=env, capture_output=True, text=True, cwd="/")
    if done.returncode:
        raise RuntimeError(f"{code!r} failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def measure(python: str, python_path: list[Path]) -> list[dict[str, object]]:
    env = deployed_env([ROOT / "functions", *python_path])
    rows = []
    for route in ROUTES:
        floor_code = "import boto3\n" + "\n".join(f"boto3.client({c!r})" for c in clients_of(route))
        handler_times, floor_times = [], []
        for _ in range(RUNS):  # interleaved, so machine noise hits both alike
            floor_times.append(_time(python, floor_code, env))
            handler_times.append(_time(python, f"import {route.module}", env))
        handler, floor = statistics.median(handler_times), statistics.median(floor_times)
        rows.append(
            {
                "route": route.module,
                "clients": clients_of(route),
                "handler_ms": {"median": handler, "min": min(handler_times), "max": max(handler_times)},
                "floor_ms": {"median": floor, "min": min(floor_times), "max": max(floor_times)},
                "ratio": handler / floor,
                "runs": RUNS,
            }
        )
    return rows


if __name__ == "__main__":
    for row in measure(sys.executable, [ROOT / "layers" / "runtime" / "python"]):
        print(row)
