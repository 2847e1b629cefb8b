"""End to end over real HTTP (the local runner): two-step sign-in with codes computed as an
authenticator app computes them (RFC 6238 from the secret the enrolment answered, at real time).

A code works once, and only a later step works after it; the walk uses the next step's code (one
step of skew is accepted) and recovery codes where a wait for the next step would otherwise come.
"""

from __future__ import annotations

import time

from portal import totp
from tests import secrets_watch

EMAIL = "two.step@example.org"
PASSWORD = "Correct-Horse-Battery-9"


def app_code(secret: str, offset_steps: int = 0) -> str:
    code = totp.code_at(secret, totp.step_of(time.time()) + offset_steps)
    secrets_watch.remember_secret(code)
    return code


def test_the_two_step_walk(runner):
    c = runner
    token = c.signed_up(EMAIL, PASSWORD)["accessToken"]

    # Set up the app: the secret, its URI and QR code; then the app's first code.
    enrolled = c.post("/v1/account/mfa/totp", {"password": PASSWORD}, token=token)
    assert enrolled.status_code == 200
    secret = enrolled.json()["secret"]
    assert enrolled.json()["otpauthUri"].startswith("otpauth://totp/NATO%20Multimedia:two.step%40example.org?")
    assert enrolled.json()["qrSvg"].startswith("<svg")
    step = totp.step_of(time.time())
    confirmed = c.post("/v1/account/mfa/totp/confirm", {"code": app_code(secret)}, token=token)
    assert confirmed.status_code == 200
    recovery = confirmed.json()["recoveryCodes"]
    assert len(recovery) == 10
    assert c.mailbox(EMAIL)[0]["subject"] == "Two-step verification is on"
    assert c.get("/v1/account", token=token).json()["mfa"] == {"totp": True, "recoveryCodesLeft": 10}

    # Log in: a challenge, not tokens; the challenge is no bearer token; a wrong code is counted.
    login = c.post("/v1/auth/login", {"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 200 and login.json()["challenge"] == "TOTP" and login.json()["expiresIn"] == 300
    assert "accessToken" not in login.json()
    session = login.json()["session"]
    assert c.get("/v1/account", token=session).status_code == 401
    near = {totp.code_at(secret, s) for s in range(step - 2, step + 4)}
    wrong = next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in near)
    refused = c.post("/v1/auth/login/mfa", {"session": session, "code": wrong})
    assert refused.status_code == 400 and refused.json()["error"] == {
        "code": "CodeMismatch",
        "message": "The verification code is not correct.",
        "attemptsRemaining": 4,
    }
    # The code used to confirm is spent; the next step's code (one step ahead) is accepted.
    next_code = totp.code_at(secret, step + 1)
    secrets_watch.remember_secret(next_code)
    passed = c.post("/v1/auth/login/mfa", {"session": session, "code": next_code})
    assert passed.status_code == 200 and passed.json()["tokenType"] == "Bearer"
    token = passed.json()["accessToken"]
    assert c.get("/v1/account", token=token).status_code == 200

    # A recovery code instead of the app, once.
    session = c.post("/v1/auth/login", {"email": EMAIL, "password": PASSWORD}).json()["session"]
    used = c.post("/v1/auth/login/mfa", {"session": session, "recoveryCode": recovery[0]})
    assert used.status_code == 200
    session = c.post("/v1/auth/login", {"email": EMAIL, "password": PASSWORD}).json()["session"]
    again = c.post("/v1/auth/login/mfa", {"session": session, "recoveryCode": recovery[0]})
    assert again.status_code == 400 and again.json()["error"]["code"] == "CodeMismatch"
    assert c.get("/v1/account", token=token).json()["mfa"]["recoveryCodesLeft"] == 9

    # Turn it off with the password and another recovery code; the next login gives tokens.
    off = c.delete("/v1/account/mfa/totp", {"password": PASSWORD, "code": recovery[1]}, token=token)
    assert off.status_code == 204
    assert c.mailbox(EMAIL)[0]["subject"] == "Two-step verification is off"
    assert "accessToken" in c.post("/v1/auth/login", {"email": EMAIL, "password": PASSWORD}).json()
