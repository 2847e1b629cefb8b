"""Access tokens and refresh tokens: what is accepted, and every way a token must be refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from portal import tokens
from portal.signing_keys import PrivateKeySet, new_key
from portal.tokens import TokenRejected

NOW = 1_750_000_000
ISSUER = "portal"
# k1 signed until a rotation an hour ago and is dropped at NOW + 900; k2 signs now.
K1 = replace(new_key(NOW - 86400), drop_at=NOW + 900)
K2 = new_key(NOW - 3600)
KEYS = PrivateKeySet([K1, K2])
PUBLIC = KEYS.public()
SID = "0123456789abcdef0123456789abcdef"


def issue(keys: PrivateKeySet = KEYS, now: int = NOW, lifetime: int = 900, issuer: str = ISSUER) -> str:
    return tokens.issue_access(
        keys,
        issuer,
        sub="sub-1",
        username="ann@example.org",
        email_verified=True,
        session_id=SID,
        now=now,
        lifetime=lifetime,
    )


def private_key(kid: str = K2.kid):
    """Our private key `kid`: the one that signs at that key's own start time."""
    return KEYS.signing_key(next(k.sign_from for k in KEYS.keys if k.kid == kid))[1]


def forge(claims: dict, *, kid: str = K2.kid, headers: dict | None = None, key=None) -> str:
    """A token signed with our real private key (unless `key`), with whatever claims and header."""
    return jwt.encode(claims, key or private_key(kid), algorithm="ES256", headers={"kid": kid, **(headers or {})})


def claims(**changes: object) -> dict:
    base = {
        "sub": "sub-1",
        "email": "ann@example.org",
        "email_verified": True,
        "token_use": "access",
        "iss": ISSUER,
        "iat": NOW,
        "exp": NOW + 900,
        "jti": "j1",
        "sid": SID,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def reason(token: str, now: int = NOW, keys=PUBLIC) -> str:
    with pytest.raises(TokenRejected) as caught:
        tokens.verify_access(token, keys, ISSUER, now)
    return caught.value.reason


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hs256(header: dict, body: dict, secret: bytes) -> str:
    signing_input = f"{b64(header)}.{b64(body)}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def test_a_fresh_token_is_es256_with_the_current_kid_and_every_claim():
    token = issue()
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "ES256", "typ": "JWT", "kid": K2.kid}
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["token_use"] == "access" and payload["iss"] == ISSUER and payload["exp"] - payload["iat"] == 900
    assert set(tokens.REQUIRED_CLAIMS) <= set(payload)
    got = tokens.verify_access(token, PUBLIC, ISSUER, NOW + 899)
    assert (got.sub, got.username, got.session_id, got.email_verified) == ("sub-1", "ann@example.org", SID, True)


def test_anyone_verifies_with_the_public_jwk_alone():
    jwk = next(k for k in PUBLIC.jwks(NOW)["keys"] if k["kid"] == K2.kid)
    assert "d" not in jwk and jwk["alg"] == "ES256" and jwk["use"] == "sig"
    verified = jwt.decode(issue(), jwt.PyJWK(jwk).key, algorithms=["ES256"], options={"verify_exp": False})
    assert verified["sub"] == "sub-1"


def test_a_token_signed_by_the_previous_key_verifies_until_its_drop_time():
    old = forge(claims(), kid=K1.kid)
    assert tokens.verify_access(old, PUBLIC, ISSUER, NOW).sub == "sub-1"
    assert reason(old, now=NOW + 900) == "key_dropped"


def test_expired_and_not_yet_valid_are_refused():
    token = issue()
    assert reason(token, now=NOW + 900 + tokens.LEEWAY_SECONDS) == "expired"
    assert reason(token, now=NOW - tokens.LEEWAY_SECONDS - 1) == "not_yet_valid"
    assert reason(forge(claims(nbf=NOW + 60))) == "not_yet_valid"


def test_alg_none_is_refused():
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': K2.kid})}.{b64(claims())}."
    assert reason(unsigned) == "algorithm"


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(lambda jwk, pem: pem, id="PEM"),
        pytest.param(lambda jwk, pem: json.dumps(jwk).encode(), id="JWK JSON"),
        pytest.param(
            lambda jwk, pem: json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode(), id="JWK compact"
        ),
    ],
)
def test_hs256_signed_with_the_public_key_as_secret_is_refused(secret):
    # The key-confusion attack: a verifier that lets the header choose HMAC would check this
    # signature with the public key (which everyone has) as the HMAC secret, and accept it.
    jwk = next(k for k in PUBLIC.jwks(NOW)["keys"] if k["kid"] == K2.kid)
    pem = PUBLIC.verifying_key(K2.kid, NOW).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hs256({"alg": "HS256", "typ": "JWT", "kid": K2.kid}, claims(), secret(jwk, pem))
    assert reason(token) == "algorithm"


@pytest.mark.parametrize("alg", ["ES384", "ES512", "RS256", "EdDSA", "HS256", "es256"])
def test_any_other_algorithm_header_is_refused_before_any_key_is_used(alg):
    header = b64({"alg": alg, "typ": "JWT", "kid": K2.kid})
    good_signature = issue().split(".")[2]
    assert reason(f"{header}.{b64(claims())}.{good_signature}") == "algorithm"


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"jwk": {"kty": "EC", "crv": "P-256", "x": K2.x, "y": K2.y}},
        {"x5c": ["MIIB"]},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_a_header_naming_its_own_key_is_refused_even_when_the_signature_is_ours(extra):
    assert reason(forge(claims(), headers=extra)) == "key_header"


def test_wrong_issuer_and_wrong_token_use_are_refused():
    assert reason(forge(claims(iss="someone-else"))) == "issuer"
    assert reason(forge(claims(token_use="id"))) == "token_use"
    assert reason(issue(issuer="someone-else")) == "issuer"


def test_a_tampered_payload_is_refused():
    header, _, signature = issue().split(".")
    tampered = f"{header}.{b64(claims(sub='sub-2'))}.{signature}"
    assert reason(tampered) == "signature"


def test_another_key_under_our_kid_or_an_unknown_kid_is_refused():
    stranger = new_key(0)
    stranger_key = PrivateKeySet([stranger]).signing_key(NOW)[1]
    assert reason(forge(claims(), kid=K2.kid, key=stranger_key)) == "signature"
    assert reason(forge(claims(), kid=stranger.kid, key=stranger_key)) == "unknown_key"
    assert reason(forge(claims(), kid="", key=stranger_key)) == "unknown_key"
    no_kid = jwt.encode(claims(), private_key(), algorithm="ES256")
    assert reason(no_kid) == "unknown_key"


@pytest.mark.parametrize("missing", ["sub", "exp", "iat", "iss", "token_use", "sid", "jti", "email"])
def test_every_required_claim_is_required(missing):
    assert reason(forge(claims(**{missing: None}))) == "malformed"


def test_a_lifetime_longer_than_we_ever_give_is_refused():
    assert reason(forge(claims(exp=NOW + 3600))) == "lifetime"


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x.y.z"])
def test_garbage_is_refused(garbage):
    assert reason(garbage) == "malformed"


def test_refresh_tokens_are_long_random_and_kept_only_as_a_hash():
    token, digest = tokens.new_refresh(SID)
    other, _ = tokens.new_refresh(SID)
    session_id, secret = token.split(".")
    assert session_id == SID and len(base64.urlsafe_b64decode(secret + "=")) * 8 >= 256
    assert token != other and digest == tokens.refresh_hash(token) and secret not in digest
    assert tokens.parse_refresh(token) == (SID, digest)
    for bad in ("", SID, f"{SID}.short", f"{SID[:-1]}g.{secret}", f"{token}x", issue()):
        with pytest.raises(TokenRejected):
            tokens.parse_refresh(bad)


def test_the_jwks_route_never_loads_pyjwt_or_cryptography():
    # Only the functions that sign or check tokens pay for those imports (docs/decisions/0005-tokens-others-can-verify.md).
    import subprocess
    import sys

    script = (
        "import sys, json\n"
        "import functions.well_known_jwks, functions.well_known_openid_configuration\n"
        "from portal.signing_keys import PublicKeySet\n"
        f"keys = PublicKeySet.of({json.dumps(PUBLIC.document())})\n"
        f"assert len(keys.jwks({NOW})['keys']) == 2\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "assert not loaded & {'jwt', 'cryptography'}, loaded & {'jwt', 'cryptography'}\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_the_public_document_never_carries_a_private_part():
    assert all("d" not in entry for entry in PUBLIC.document()["keys"])
    # Even a set built from private entries by mistake writes public fields only.
    from portal.signing_keys import PublicKeySet

    assert all(set(e) <= {"kid", "x", "y", "signFrom", "dropAt"} for e in PublicKeySet(KEYS.keys).document()["keys"])
