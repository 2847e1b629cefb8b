"""End to end over real HTTP: the local runner (`python -m local`) as a subprocess, walked with requests.

register, verify, log in, read the account, forgot, code from the mailbox, reset, old password
refused, new one accepted, refresh, reuse of the old refresh token refused, logout, refresh
refused, delete. Protected routes go through the same authorizer API Gateway calls.

The reset code shares the address's send budget with the sign-up code (one a minute), so the
walk waits out the Retry-After the API gives before asking for it: about a minute.
"""

from __future__ import annotations

import time

EMAIL = "Walker.E2E@Example.org"
FIRST = "Correct-Horse-Battery-9"
SECOND = "Brand-New-Secret-42!"


def newest_mail(runner, subject: str) -> dict[str, str]:
    messages = runner.mailbox(EMAIL)
    assert messages and messages[0]["subject"] == subject, [m["subject"] for m in messages]
    return messages[0]


def log_in(runner, password: str):
    return runner.post("/v1/auth/login", {"email": EMAIL, "password": password})


def test_the_whole_account_walk(runner):
    c = runner

    # Register and verify with the code from the mailbox.
    assert c.post("/v1/account/register", {"email": EMAIL, "password": FIRST}).status_code == 202
    verified = c.post("/v1/account/verify", {"email": EMAIL, "code": c.code_for(EMAIL), "password": FIRST})
    assert verified.status_code == 200 and verified.json() == {"status": "CONFIRMED"}

    # Log in and read the account.
    login = log_in(c, FIRST)
    assert login.status_code == 200 and login.json()["tokenType"] == "Bearer"
    first = login.json()
    account = c.get("/v1/account", token=first["accessToken"])
    assert account.status_code == 200
    assert account.json()["email"] == "Walker.E2E@example.org" and account.json()["status"] == "CONFIRMED"
    assert c.get("/v1/account").status_code == 401
    assert c.get("/v1/account", token="not-a-jwt").json()["error"]["code"] == "NotAuthorized"

    # Forgot: the sign-up code used this minute's send; wait as told, then ask.
    forgot = c.post("/v1/password/forgot", {"email": EMAIL})
    if forgot.status_code == 429:
        time.sleep(int(forgot.headers["Retry-After"]) + 1)
        forgot = c.post("/v1/password/forgot", {"email": EMAIL})
    assert forgot.status_code == 202 and forgot.json()["codeExpiresIn"] == 1800

    # Reset with the code from the mailbox; the policy applies first.
    newest_mail(c, "Reset password")
    code = c.code_for(EMAIL)
    weak = c.post("/v1/password/reset", {"email": EMAIL, "code": code, "newPassword": "weak"})
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "InvalidPassword"
    reset = c.post("/v1/password/reset", {"email": EMAIL, "code": code, "newPassword": SECOND})
    assert reset.status_code == 200
    newest_mail(c, "Your password has been updated")
    assert c.get("/v1/account", token=first["accessToken"]).status_code == 401  # every session ended

    # Old password refused, new one accepted.
    assert log_in(c, FIRST).status_code == 401
    second = log_in(c, SECOND)
    assert second.status_code == 200

    # Refresh rotates; the old refresh token again is reuse, which ends the session.
    refreshed = c.post("/v1/auth/refresh", {"refreshToken": second.json()["refreshToken"]})
    assert refreshed.status_code == 200
    assert c.get("/v1/account", token=refreshed.json()["accessToken"]).status_code == 200
    reuse = c.post("/v1/auth/refresh", {"refreshToken": second.json()["refreshToken"]})
    assert reuse.status_code == 401 and reuse.json()["error"]["code"] == "NotAuthorized"
    assert c.post("/v1/auth/refresh", {"refreshToken": refreshed.json()["refreshToken"]}).status_code == 401

    # Log out; the refresh token is refused afterwards.
    third = log_in(c, SECOND).json()
    assert c.post("/v1/auth/logout", token=third["accessToken"]).status_code == 204
    assert c.post("/v1/auth/refresh", {"refreshToken": third["refreshToken"]}).status_code == 401
    assert c.get("/v1/account", token=third["accessToken"]).status_code == 401

    # Delete the account: it is gone, a mail confirms it.
    fourth = log_in(c, SECOND).json()
    deleted = c.delete("/v1/account", {"password": SECOND}, token=fourth["accessToken"])
    assert deleted.status_code == 204
    newest_mail(c, "Your account has been deleted")
    assert log_in(c, SECOND).status_code == 401
    assert c.get("/v1/account", token=fourth["accessToken"]).status_code == 401
