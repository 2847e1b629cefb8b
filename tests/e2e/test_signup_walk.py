"""A new user's sign-up over real HTTP through the local runner, as the issue's curl walk does."""

from __future__ import annotations

import requests

ADDRESS = "walker@example.org"
PASSWORD = "Walk-The-Walk-2025!"


def test_signup_walk(runner):
    weak = runner.post("/v1/account/register", {"email": ADDRESS, "password": "weak"})
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "InvalidPassword"

    registered = runner.post("/v1/account/register", {"email": ADDRESS, "password": PASSWORD})
    assert registered.status_code == 202
    assert registered.json() == {"destination": "w***@e***.org", "codeExpiresIn": 1800}

    [mail] = runner.mailbox(ADDRESS)
    assert mail["to"] == ADDRESS and mail["subject"] == "Your verification code" and mail["sentAt"].endswith("Z")
    code = runner.code_for(ADDRESS)
    assert runner.printed(f"MAIL to {ADDRESS}") and runner.printed(f"    {code}")

    wrong = runner.post(
        "/v1/account/verify", {"email": ADDRESS, "code": f"{(int(code) + 1) % 10**6:06d}", "password": PASSWORD}
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == {
        "code": "CodeMismatch",
        "message": "The verification code is not correct.",
        "attemptsRemaining": 4,
    }

    resend = runner.post("/v1/account/verify/resend", {"email": ADDRESS})
    assert resend.status_code == 429 and resend.json()["error"]["code"] == "LimitExceeded"
    assert 1 <= int(resend.headers["Retry-After"]) <= 60

    verified = runner.post("/v1/account/verify", {"email": ADDRESS.upper(), "code": code, "password": PASSWORD})
    assert verified.status_code == 200 and verified.json() == {"status": "CONFIRMED"}


def test_the_runner_speaks_the_error_shape_for_what_it_does_not_serve(runner):
    missing = runner.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NotFound"
    wrong_method = runner.get("/v1/account/register")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == "MethodNotAllowed"
    huge = requests.post(
        runner.url + "/v1/account/register",
        data=b"x" * (1024 * 1024),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "RequestTooLarge"


def test_the_runner_serves_its_documentation(runner):
    document = runner.get("/openapi.json").json()
    assert "/v1/account/register" in document["paths"]
    docs = runner.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    assert runner.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    preflight = requests.options(
        runner.url + "/v1/account/register",
        headers={"Origin": "http://127.0.0.1:3000", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
