"""Bad input gets a 4xx in the one error shape and writes nothing; a crash never leaks a trace."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support import STRONG_PASSWORD, api_event, invoke

SECRET = "Do-Not-Echo-This-9!"


def register_event(**options):
    return api_event("POST", "/v1/account/register", **options)


@pytest.mark.parametrize(
    ("options", "status", "code"),
    [
        ({"raw_body": '{"email": "ann@example.org", "password": '}, 400, "InvalidParameter"),
        ({"raw_body": "[1, 2]"}, 400, "InvalidParameter"),
        ({"raw_body": ""}, 400, "InvalidParameter"),
        ({"body": {"email": 1, "password": SECRET}}, 400, "InvalidParameter"),
        ({"body": {"email": "ann@example.org"}}, 400, "InvalidParameter"),
        ({"body": {"email": "ann@example.org", "password": SECRET, "admin": True}}, 400, "InvalidParameter"),
        ({"body": {"email": "ann@example.org", "password": SECRET, "language": "de"}}, 400, "InvalidParameter"),
        ({"body": {"email": "not-an-address", "password": SECRET}}, 400, "InvalidParameter"),
        ({"body": {"email": "ann@example.org\r\nBcc: all@example.org", "password": SECRET}}, 400, "InvalidParameter"),
        ({"body": {"email": "ann@example.org", "password": SECRET + "x" * 9000}}, 413, "RequestTooLarge"),
        ({"raw_body": "[" * 5000 + "]" * 5000}, 413, "RequestTooLarge"),
        ({"raw_body": "[" * 3000 + "]" * 3000}, 400, "InvalidParameter"),
        (
            {"body": {"email": "ann@example.org", "password": SECRET}, "headers": {"Content-Type": "text/plain"}},
            415,
            "UnsupportedMediaType",
        ),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_written(api, aws, options, status, code):
    result = invoke(api.handlers["account_register"], register_event(**options))
    assert result.status == status and result.error["code"] == code
    assert result.headers["Content-Type"] == "application/json"
    assert SECRET not in json.dumps(result.body)
    assert aws.items() == [] and aws.mail() == []


def test_invalid_parameter_names_the_fields(api):
    result = api.call("account_verify", {"email": "ann@example.org", "code": "12345a", "password": "x", "extra": 1})
    assert {f["field"] for f in result.error["fields"]} == {"code", "extra"}


def test_base64_bodies_are_read_like_api_gateway_sends_them(api):
    event = register_event(body=None)
    event["body"] = base64.b64encode(
        json.dumps({"email": "ann@example.org", "password": STRONG_PASSWORD}).encode()
    ).decode()
    event["isBase64Encoded"] = True
    assert invoke(api.handlers["account_register"], event).status == 202


def test_an_unexpected_crash_is_a_plain_500(api, monkeypatch, audit_log):
    def explode(*_, **__):
        raise RuntimeError("secret internals at /var/task/x.py line 3")

    monkeypatch.setattr("portal.signup.Signup.register", explode)
    result = api.register("ann@example.org")
    assert result.status == 500 and result.error == {"code": "InternalError", "message": result.error["message"]}
    assert "internals" not in json.dumps(result.body)
    assert "unhandled_error" in audit_log.events()


def test_cors_headers_only_for_allowed_origins(api):
    allowed = api.call("account_verify_resend", {"email": "ann@example.org"}, headers={"Origin": "https://portal.test"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://portal.test"
    assert "Retry-After" in allowed.headers["Access-Control-Expose-Headers"]
    other = api.call("account_verify_resend", {"email": "bob@example.org"}, headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_responses_are_not_cached(api):
    assert api.resend("ann@example.org").headers["Cache-Control"] == "no-store"
