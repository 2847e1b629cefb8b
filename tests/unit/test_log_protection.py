"""The token patterns of the logs' data protection policy (infra/log_protection.py) match the real
secrets the runtime makes, and none of the ordinary fields of an audit line."""

from __future__ import annotations

import re

from infra.log_protection import TOKEN_PATTERNS

PATTERNS = {name: re.compile(regex) for name, regex in TOKEN_PATTERNS.items()}


def _matching(text: str) -> set[str]:
    return {name for name, pattern in PATTERNS.items() if pattern.search(text)}


def test_every_pattern_fits_cloudwatchs_limit():
    assert all(len(regex) <= 200 for regex in TOKEN_PATTERNS.values())


def test_real_tokens_and_hashes_are_caught():
    import json

    import bcrypt
    from argon2 import PasswordHasher

    from portal import tokens
    from portal.keys import Keyring, new_secret_document

    keyring = Keyring(json.loads(new_secret_document()))
    access = tokens.issue_access(
        keyring,
        "https://api.portal.test",
        sub="3f1c1b1e-1111-4a4a-8b8b-000000000001",
        username="ann@example.org",
        email_verified=True,
        session_id=tokens.new_session_id(),
        now=1_700_000_000,
        lifetime=900,
    )
    refresh, _ = tokens.new_refresh(tokens.new_session_id())
    argon = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Some-Long-Password-1")
    crypt = bcrypt.hashpw(b"Some-Long-Password-1", bcrypt.gensalt(rounds=4)).decode()
    for secret, name in (
        (access, "AccessToken"),
        (refresh, "SignedSecret"),
        (argon, "PasswordHash"),
        (crypt, "PasswordHash"),
    ):
        assert name in _matching(json.dumps({"message": "oops", "detail": secret})), name


def test_ordinary_audit_fields_are_left_alone():
    line = (
        '{"level":"INFO","location":"audit:108","message":"login_succeeded","timestamp":"2026-12-01 22:40:00,123+0000",'
        '"service":"portal","function_name":"Portal-prod-FunctionsAuthLogin8E4F2A1B-AbCdEfGhIjKlMnOpQrSt",'
        '"function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:Portal-prod-FunctionsAuthLogin8E4F2A1B-AbCdEfGh",'
        '"function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793",'
        '"event":"login_succeeded","sub":"3f1c1b1e-1111-4a4a-8b8b-000000000001","sessionId":"0f1e2d3c4b5a69788796a5b4c3d2e1f0",'
        '"email":"a***@e***.org","requestId":"c6af9ac6-7b61-11e6-9a41-93e812345678","sourceIp":"203.0.113.7"}'
    )
    assert _matching(line) == set()
