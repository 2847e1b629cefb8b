"""End to end over real HTTP: the local runner (`python -m local`) as a subprocess, walked with requests.

register, verify, log in, read the account, forgot, code from the mailbox, reset, old password
refused, new one accepted, refresh, reuse of the old refresh token refused, logout, refresh
refused, delete. Protected routes go through the same authorizer API Gateway calls.

The reset code shares the address's send budget with the sign-up code (one a minute), so the
walk waits out the Retry-After the API gives before asking for it: about a minute.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Portal API listening on (http://[^\s]+)")
CODE_LINE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
EMAIL = "Walker.E2E@Example.org"
FIRST = "Correct-Horse-Battery-9"
SECOND = "Brand-New-Secret-42!"


def _drain(stream: Iterator[str]) -> None:
    for _ in stream:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    # A clean environment: the runner provisions and configures its own emulation.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_", "POWERTOOLS_"))}
    env.update({"PORT": "0", "PYTHONUNBUFFERED": "1"})
    process = subprocess.Popen(
        [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    try:
        first = process.stdout.readline()
        match = LISTENING.search(first)
        assert match, f"the runner did not start: {first!r}"
        # Keep draining its output (mails, access lines) so a full pipe never blocks it.
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        yield match.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


class Client:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def post(self, path: str, body: object = None, token: str | None = None) -> requests.Response:
        return self.http.post(self.url + path, json=body, headers=self._auth(token), timeout=30)

    def get(self, path: str, token: str | None = None) -> requests.Response:
        return self.http.get(self.url + path, headers=self._auth(token), timeout=30)

    def delete(self, path: str, body: object, token: str) -> requests.Response:
        return self.http.delete(self.url + path, json=body, headers=self._auth(token), timeout=30)

    @staticmethod
    def _auth(token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    def newest_mail(self, subject: str) -> dict[str, str]:
        messages = self.get(f"/_local/mailbox?to={EMAIL}").json()["messages"]
        assert messages and messages[0]["subject"] == subject, [m["subject"] for m in messages]
        return messages[0]

    def code(self, subject: str) -> str:
        match = CODE_LINE.search(self.newest_mail(subject)["text"])
        assert match, "no code in the mail"
        return match.group(1)

    def login(self, password: str) -> requests.Response:
        return self.post("/v1/auth/login", {"email": EMAIL, "password": password})


def test_the_whole_account_walk(base_url):
    c = Client(base_url)

    # Register and verify with the code from the mailbox.
    assert c.post("/v1/account/register", {"email": EMAIL, "password": FIRST}).status_code == 202
    verified = c.post("/v1/account/verify", {"email": EMAIL, "code": c.code("Your verification code")})
    assert verified.status_code == 200 and verified.json() == {"status": "CONFIRMED"}

    # Log in and read the account.
    login = c.login(FIRST)
    assert login.status_code == 200 and login.json()["tokenType"] == "Bearer"
    first = login.json()
    account = c.get("/v1/account", first["accessToken"])
    assert account.status_code == 200
    assert account.json()["email"] == "Walker.E2E@example.org" and account.json()["status"] == "CONFIRMED"
    assert c.get("/v1/account").status_code == 401
    assert c.get("/v1/account", "not-a-jwt").json()["error"]["code"] == "NotAuthorized"

    # Forgot: the sign-up code used this minute's send; wait as told, then ask.
    forgot = c.post("/v1/password/forgot", {"email": EMAIL})
    if forgot.status_code == 429:
        time.sleep(int(forgot.headers["Retry-After"]) + 1)
        forgot = c.post("/v1/password/forgot", {"email": EMAIL})
    assert forgot.status_code == 202 and forgot.json()["codeExpiresIn"] == 1800

    # Reset with the code from the mailbox; the policy applies first.
    code = c.code("Reset password")
    weak = c.post("/v1/password/reset", {"email": EMAIL, "code": code, "newPassword": "weak"})
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "InvalidPassword"
    reset = c.post("/v1/password/reset", {"email": EMAIL, "code": code, "newPassword": SECOND})
    assert reset.status_code == 200
    c.newest_mail("Your password has been updated")
    assert c.get("/v1/account", first["accessToken"]).status_code == 401  # every session ended

    # Old password refused, new one accepted.
    assert c.login(FIRST).status_code == 401
    second = c.login(SECOND)
    assert second.status_code == 200

    # Refresh rotates; the old refresh token again is reuse, which ends the session.
    refreshed = c.post("/v1/auth/refresh", {"refreshToken": second.json()["refreshToken"]})
    assert refreshed.status_code == 200
    assert c.get("/v1/account", refreshed.json()["accessToken"]).status_code == 200
    reuse = c.post("/v1/auth/refresh", {"refreshToken": second.json()["refreshToken"]})
    assert reuse.status_code == 401 and reuse.json()["error"]["code"] == "NotAuthorized"
    assert c.post("/v1/auth/refresh", {"refreshToken": refreshed.json()["refreshToken"]}).status_code == 401

    # Log out; the refresh token is refused afterwards.
    third = c.login(SECOND).json()
    assert c.post("/v1/auth/logout", token=third["accessToken"]).status_code == 204
    assert c.post("/v1/auth/refresh", {"refreshToken": third["refreshToken"]}).status_code == 401
    assert c.get("/v1/account", third["accessToken"]).status_code == 401

    # Delete the account: it is gone, a mail confirms it.
    fourth = c.login(SECOND).json()
    deleted = c.delete("/v1/account", {"password": SECOND}, fourth["accessToken"])
    assert deleted.status_code == 204
    c.newest_mail("Your account has been deleted")
    assert c.login(SECOND).status_code == 401
    assert c.get("/v1/account", fourth["accessToken"]).status_code == 401
