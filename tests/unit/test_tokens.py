"""Access tokens and refresh tokens: what is accepted, and every way a token must be refused."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from portal import tokens
from portal.keys import Keyring
from portal.tokens import TokenRejected

NOW = 1_750_000_000
ISSUER = "portal"
KEYRING = Keyring({"kid": "k2", "secret": "s" * 64, "previous": [{"kid": "k1", "secret": "o" * 64}]})
SID = "0123456789abcdef0123456789abcdef"


def issue(keyring: Keyring = KEYRING, now: int = NOW, lifetime: int = 900, issuer: str = ISSUER) -> str:
    return tokens.issue_access(
        keyring,
        issuer,
        sub="sub-1",
        username="ann@example.org",
        email_verified=True,
        session_id=SID,
        now=now,
        lifetime=lifetime,
    )


def forge(claims: dict, *, alg: str = "HS256", kid: str = "k2", key: bytes | None = None) -> str:
    """A token signed with our real purpose key (unless `key`), with whatever claims and header."""
    return jwt.encode(claims, key or KEYRING.key(tokens.ACCESS_KEY_PURPOSE, kid), algorithm=alg, headers={"kid": kid})


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


def reason(token: str, now: int = NOW, keyring: Keyring = KEYRING) -> str:
    with pytest.raises(TokenRejected) as caught:
        tokens.verify_access(token, keyring, ISSUER, now)
    return caught.value.reason


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_fresh_token_verifies_with_every_claim():
    token = issue()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256" and header["kid"] == "k2"
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["token_use"] == "access" and payload["iss"] == ISSUER and payload["exp"] - payload["iat"] == 900
    assert set(tokens.REQUIRED_CLAIMS) <= set(payload)
    got = tokens.verify_access(token, KEYRING, ISSUER, NOW + 899)
    assert (got.sub, got.username, got.session_id, got.email_verified) == ("sub-1", "ann@example.org", SID, True)


def test_a_token_signed_before_a_key_rotation_still_verifies():
    old = Keyring({"kid": "k1", "secret": "o" * 64})
    assert tokens.verify_access(issue(old), KEYRING, ISSUER, NOW).sub == "sub-1"


def test_expired_and_not_yet_valid_are_refused():
    token = issue()
    assert reason(token, now=NOW + 900 + tokens.LEEWAY_SECONDS) == "expired"
    assert reason(token, now=NOW - tokens.LEEWAY_SECONDS - 1) == "not_yet_valid"
    assert reason(forge(claims(nbf=NOW + 60))) == "not_yet_valid"


def test_alg_none_is_refused():
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': 'k2'})}.{b64(claims())}."
    assert reason(unsigned) == "algorithm"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the attacker's choice, on purpose
@pytest.mark.parametrize("alg", ["HS512", "HS384"])
def test_other_hmac_algorithms_are_refused_even_with_our_key(alg):
    assert reason(forge(claims(), alg=alg)) == "algorithm"


def test_algorithm_confusion_rs256_header_is_refused():
    # An RS256 header with an HMAC signature by our key: the classic confusion attack.
    header = b64({"alg": "RS256", "typ": "JWT", "kid": "k2"})
    body = b64(claims())
    import hashlib
    import hmac

    signature = hmac.new(
        KEYRING.key(tokens.ACCESS_KEY_PURPOSE, "k2"), f"{header}.{body}".encode(), hashlib.sha256
    ).digest()
    token = f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    assert reason(token) == "algorithm"


def test_wrong_issuer_and_wrong_token_use_are_refused():
    assert reason(forge(claims(iss="someone-else"))) == "issuer"
    assert reason(forge(claims(token_use="id"))) == "token_use"
    assert reason(issue(issuer="someone-else")) == "issuer"


def test_a_tampered_payload_is_refused():
    header, _, signature = issue().split(".")
    tampered = f"{header}.{b64(claims(sub='sub-2'))}.{signature}"
    assert reason(tampered) == "signature"


def test_another_key_or_an_unknown_kid_is_refused():
    stranger = Keyring({"kid": "k2", "secret": "x" * 64})
    assert reason(issue(stranger)) == "signature"
    assert reason(forge(claims(), kid="k9", key=b"k" * 32)) == "unknown_key"
    assert reason(forge(claims(), kid="", key=b"k" * 32)) == "unknown_key"


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


def test_tokens_work_without_the_cryptography_package():
    # The Lambda layer has no `cryptography`; PyJWT must still sign and verify HS256 there.
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from portal import tokens; from portal.keys import Keyring\n"
        "k = Keyring({'kid': 'k1', 'secret': 's' * 64})\n"
        "t = tokens.issue_access(k, 'portal', sub='s', username='a@b.org', email_verified=False,"
        " session_id='0' * 32, now=1000, lifetime=900)\n"
        "assert tokens.verify_access(t, k, 'portal', 1000).sub == 's'\n"
        "assert 'cryptography' not in [m.split('.')[0] for m in sys.modules if sys.modules[m] is not None]\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
