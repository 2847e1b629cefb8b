"""Access-token keys end to end on moto: the JWKS and discovery routes, `portal-admin keys rotate`
keeping earlier tokens valid until they expire and then refusing them, and who can sign."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import jwt
import pytest
import time_machine

from ops import admin
from portal.signing_keys import JWKS_MAX_AGE_SECONDS, LONGEST_ACCESS_SECONDS, PrivateKeySet
from portal.tokens import LEEWAY_SECONDS
from tests.conftest import load_handlers, reset_runtime

ANN = "ann@example.org"
OPTIONS = ["--table", "portal-test", "--region", "eu-west-1", "--signing-keys-secret", "portal/test/signing-keys"]
T0 = 1_800_000_000
DELAY = 900


@pytest.fixture
def ann(api):
    api.confirmed_account(ANN)
    return ANN


def keys_cli(*argv: str, answer: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main([*OPTIONS, *argv], out=out, err=err, ask=lambda _prompt: answer)
    return code, out.getvalue(), err.getvalue()


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def stored_private_set(aws) -> PrivateKeySet:
    import boto3

    raw = boto3.client("secretsmanager").get_secret_value(SecretId="portal/test/signing-keys")["SecretString"]
    return PrivateKeySet.of(json.loads(raw))


def caches_expired(api) -> None:
    """What `keys_cache_seconds` does in production (the rotation delay is longer than it): here,
    a cold start of every function."""
    reset_runtime()
    api.handlers.update(load_handlers())


def test_jwks_lists_the_public_keys_only_and_is_cacheable(api, aws):
    answer = api.call("well_known_jwks")
    assert answer.status == 200 and answer.headers["Cache-Control"] == f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    [key] = answer.body["keys"]
    assert set(key) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig")
    assert key["kid"] == stored_private_set(aws).keys[0].kid


def test_openid_configuration_names_the_issuer_and_the_jwks(api):
    answer = api.call("well_known_openid_configuration")
    assert answer.status == 200 and "no-store" not in answer.headers["Cache-Control"]
    assert answer.body == {
        "issuer": "portal",
        "jwks_uri": "https://api.portal.test/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": ["ES256"],
        "subject_types_supported": ["public"],
    }


def test_a_token_verifies_with_the_published_jwk(api, ann):
    token = api.tokens(ann)["accessToken"]
    [key] = api.call("well_known_jwks").body["keys"]
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["ES256"], issuer="portal")
    assert claims["email"] == ANN and kid(token) == key["kid"]


def test_rotation_publishes_first_signs_after_the_delay_and_drops_the_old_key_after_its_last_token(
    api, aws, ann, audit_log
):
    with time_machine.travel(T0, tick=False) as clock:
        first = api.tokens(ann)["accessToken"]
        old_kid = kid(first)
        code, _, err = keys_cli("keys", "rotate", "--reason", "yearly rotation", "--delay-seconds", str(DELAY))
        assert code == 0, err
        [line] = [entry for entry in audit_log.lines() if entry.get("action") == "keys-rotate"]
        assert line["reason"] == "yearly rotation" and line["kid"] != old_kid and line["signFrom"] == T0 + DELAY
        new_kid = line["kid"]
        caches_expired(api)

        # Published before it signs: the JWKS shows both, tokens are still signed by the old key.
        clock.move_to(T0 + DELAY - 1)
        assert {k["kid"] for k in api.call("well_known_jwks").body["keys"]} == {old_kid, new_kid}
        last_old = api.tokens(ann)["accessToken"]
        assert kid(last_old) == old_kid and api.authorize(first) is not None  # issued before the rotation

        clock.move_to(T0 + DELAY)
        fresh = api.tokens(ann)["accessToken"]
        assert kid(fresh) == new_kid and api.authorize(fresh) is not None
        # Nobody is logged out: the old key's last token lives its full life.
        clock.move_to(T0 + DELAY - 1 + LONGEST_ACCESS_SECONDS - 1)
        assert api.authorize(last_old) is not None

        # Past the drop time, even a token freshly signed with the old private key is refused.
        drop_at = T0 + DELAY + LONGEST_ACCESS_SECONDS + LEEWAY_SECONDS
        clock.move_to(drop_at)
        # The earlier tokens are refused now (expired, and their key dropped).
        assert api.authorize(last_old) is None and api.authorize(first) is None
        from portal import tokens

        [old_key] = [k for k in stored_private_set(aws).keys if k.kid == old_kid]
        claims = jwt.decode(fresh, options={"verify_signature": False})
        forged = tokens.issue_access(
            PrivateKeySet([replace(old_key, drop_at=None)]),
            "portal",
            sub=claims["sub"],
            username=ANN,
            email_verified=True,
            session_id=claims["sid"],
            now=drop_at,
            lifetime=900,
        )
        assert kid(forged) == old_kid and api.authorize(forged) is None
        assert [k["kid"] for k in api.call("well_known_jwks").body["keys"]] == [new_kid]
        assert api.authorize(api.tokens(ann)["accessToken"]) is not None

        # The next rotation prunes the dropped key from both sets.
        assert keys_cli("keys", "rotate", "--reason", "next year", "--delay-seconds", str(DELAY))[0] == 0
        assert old_kid not in {k.kid for k in stored_private_set(aws).keys}
        assert old_kid not in aws.item("KEYS#ACCESS_TOKENS", "PUBLIC")["keys"]["S"]


def test_a_second_rotation_while_one_is_under_way_is_refused(api, aws):
    with time_machine.travel(T0, tick=False):
        assert keys_cli("keys", "rotate", "--reason", "r1", "--delay-seconds", "900")[0] == 0
        code, _, err = keys_cli("keys", "rotate", "--reason", "r2", "--delay-seconds", "900")
        assert code == 1 and "under way" in err and len(stored_private_set(aws).keys) == 2
        code, _, err = keys_cli("keys", "rotate", "--reason", "r3", "--delay-seconds", "60")
        assert code == 1 and "at least" in err


def test_a_compromised_key_is_dropped_at_once_after_confirmation(api, aws, ann):
    token = api.tokens(ann)["accessToken"]
    assert keys_cli("keys", "rotate", "--reason", "leak", "--compromised", answer="no")[0] == 1
    assert api.authorize(token) is not None
    assert keys_cli("keys", "rotate", "--reason", "leak", "--compromised", answer="yes")[0] == 0
    caches_expired(api)
    assert api.authorize(token) is None
    assert api.authorize(api.tokens(ann)["accessToken"]) is not None


def test_keys_list_shows_no_private_part(api, aws):
    code, out, _ = keys_cli("--json", "keys", "list")
    [row] = json.loads(out)
    assert code == 0 and row["state"] == "signing" and set(row) == {"kid", "signFrom", "dropAt", "state"}
    assert stored_private_set(aws).keys[0].d not in out


def test_the_authorizer_and_jwks_route_never_touch_the_signing_secret(api, aws, ann):
    """Their roles cannot read it (tests/infra); here: they work with no secret at all."""
    import boto3

    token = api.tokens(ann)["accessToken"]
    boto3.client("secretsmanager").delete_secret(SecretId="portal/test/signing-keys", ForceDeleteWithoutRecovery=True)
    caches_expired(api)
    assert api.authorize(token) is not None
    assert api.call("well_known_jwks").status == 200
    sessions_before = [item for item in aws.items() if item["sk"]["S"] == "SESSION"]
    assert api.login(ANN).status == 503  # signing needs the secret: a clear 5xx, no session written
    assert [item for item in aws.items() if item["sk"]["S"] == "SESSION"] == sessions_before


def test_tokens_are_refused_when_no_key_was_ever_published(api, ann):
    token = api.tokens(ann)["accessToken"]
    import boto3

    boto3.client("dynamodb").delete_item(
        TableName="portal-test", Key={"pk": {"S": "KEYS#ACCESS_TOKENS"}, "sk": {"S": "PUBLIC"}}
    )
    caches_expired(api)
    assert api.authorize(token) is None
