"""The local runner as a person starts it (`python -m local`), on a free port, for real HTTP.

Shared by the end-to-end walks (tests/e2e) and the adversarial suite (tests/adversarial), which
both reach it through the `runner` fixture in tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests import secrets_watch

ROOT = Path(__file__).resolve().parents[1]


class LocalRunner:
    def __init__(self, url: str, process: subprocess.Popen[str], log: Path, aws_endpoint: str | None = None) -> None:
        self.url = url
        # The embedded emulation's endpoint, for ops commands (--endpoint-url) run against the runner.
        self.aws_endpoint = aws_endpoint
        self.process = process
        self.log = log

    def printed(self, text: str, timeout: float = 10) -> bool:
        """Whether the runner prints `text` (its output reaches the log file a moment later)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log.read_text():
                return True
            time.sleep(0.05)
        return False

    def request(
        self, method: str, path: str, body: object = None, token: str | None = None, **kwargs
    ) -> requests.Response:
        """One call as a web client makes it; with `token`, as a signed-in one."""
        secrets_watch.remember(body if isinstance(body, dict) else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.request(method, self.url + path, json=body, headers=headers, timeout=30, **kwargs)
        if response.headers.get("Content-Type", "").startswith("application/json") and response.content:
            secrets_watch.remember(response.json() if isinstance(response.json(), dict) else None)
        return response

    def post(self, path: str, body: object = None, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("POST", path, body, token, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("GET", path, None, token, **kwargs)

    def delete(self, path: str, body: object = None, token: str | None = None) -> requests.Response:
        return self.request("DELETE", path, body, token)

    def signed_up(self, email: str, password: str) -> dict[str, str]:
        """Register, confirm with the mailed code and log in: the token pair."""
        assert self.post("/v1/account/register", {"email": email, "password": password}).status_code == 202
        assert self.post("/v1/account/verify", {"email": email, "code": self.code_for(email)}).status_code == 200
        login = self.post("/v1/auth/login", {"email": email, "password": password})
        assert login.status_code == 200
        return login.json()

    def mailbox(self, to: str) -> list[dict[str, str]]:
        response = self.get("/_local/mailbox", params={"to": to})
        assert response.status_code == 200
        return response.json()["messages"]

    def code_for(self, to: str) -> str:
        import re

        newest = self.mailbox(to)[0]
        code = re.search(r"^\s+(\d{6})\s*$", newest["text"], re.MULTILINE).group(1)
        secrets_watch.remember_secret(code)
        return code


def start_runner() -> Iterator[LocalRunner]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_", "POWERTOOLS_"))}
    env["PORT"] = "0"
    process = subprocess.Popen(
        [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    # It says what it is doing while it starts, then where it listens.
    started = []
    first = ""
    while line := process.stdout.readline():
        started.append(line)
        if "listening on http://" in line:
            first = line
            break
    if not first:
        first = "".join(started)
        process.kill()
        pytest.fail(f"the local runner did not start: {first}{process.stdout.read()[-3000:]}")
    url = first.split("listening on ")[1].split()[0]
    # Keep draining the runner's output so it never blocks on a full pipe.
    log = ROOT / "test-artifacts" / "local-runner.log"
    log.parent.mkdir(exist_ok=True)
    import threading

    def drain() -> None:
        with log.open("w") as out:
            for line in process.stdout:
                out.write(line)
                out.flush()

    threading.Thread(target=drain, daemon=True).start()
    endpoint = first.split("embedded moto at ")[1].split(")")[0] if "embedded moto at " in first else None
    yield LocalRunner(url, process, log, endpoint)
    process.terminate()
    process.wait(timeout=20)
