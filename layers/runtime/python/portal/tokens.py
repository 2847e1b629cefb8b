"""Access tokens (JWT, ES256, PyJWT) and opaque refresh tokens.

Access tokens are signed with the private key whose time has come (signing_keys.py); the header's
`kid` names it, so any service can verify them with the public keys at GET /.well-known/jwks.json
and nobody who verifies can sign. Verification accepts ES256 only: the header's `alg` is checked
before any key is touched (no `none`, no HS256 "signed" with the public key), a header that
names its own key (`jku`, `x5u`, `jwk`, `x5c`) is refused rather than ignored, the `kid` must be
in the public set and not past its drop time. Every claim we rely on is required and time is
checked against the injected clock rather than PyJWT's own, so tests can move time.

Refresh tokens are `<sessionId>.<secret>` with 256 random bits of secret; only the SHA-256 of the
whole token is stored (a fast hash is enough for a secret that cannot be guessed). The session id
lets a refresh read exactly one session.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.signing_keys import PrivateKeySet, PublicKeySet

ALGORITHM = "ES256"
# Header members by which a token names its own key: we never follow them, and a token carrying one
# was not made by us.
KEY_HEADERS = ("jku", "x5u", "jwk", "x5c")
TOKEN_USE = "access"
# Tolerated clock difference between the function that signs and the one that checks.
LEEWAY_SECONDS = 5
REQUIRED_CLAIMS = ("sub", "email", "email_verified", "token_use", "iss", "iat", "exp", "jti", "sid")
REFRESH_SECRET_BYTES = 32
_SESSION_ID = re.compile(r"\A[0-9a-f]{32}\Z")
_REFRESH = re.compile(r"\A([0-9a-f]{32})\.([A-Za-z0-9_-]{43})\Z")


class TokenRejected(Exception):
    """The token is not one we accept; `reason` is for the audit line, never for the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    sub: str
    username: str
    email_verified: bool
    session_id: str
    jti: str
    issued_at: int
    expires_at: int


def preload() -> None:
    """Import PyJWT and its ECDSA support now: for the functions that sign or check tokens, at init
    (and so into a SnapStart snapshot) rather than on their first request. The others never load
    them (PyJWT imports `cryptography` when it is installed)."""
    import jwt  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: F401


def new_session_id() -> str:
    return secrets.token_hex(16)


def issue_access(
    keys: PrivateKeySet,
    issuer: str,
    *,
    sub: str,
    username: str,
    email_verified: bool,
    session_id: str,
    now: int,
    lifetime: int,
) -> str:
    kid, key = keys.signing_key(now)
    payload = {
        "sub": sub,
        "email": username,
        "email_verified": email_verified,
        "token_use": TOKEN_USE,
        "iss": issuer,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "sid": session_id,
    }
    import jwt  # only the routes that sign or check tokens load PyJWT (see `preload`)

    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid})


def verify_access(token: str, keys: PublicKeySet, issuer: str, now: int, max_lifetime: int = 900) -> AccessClaims:
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenRejected("malformed") from None
    # Checked before any key is touched: `none`, HS256 with the public key as its secret (key
    # confusion), RS256 and ES384/512 all stop here.
    if header.get("alg") != ALGORITHM:
        raise TokenRejected("algorithm")
    if any(name in header for name in KEY_HEADERS):
        raise TokenRejected("key_header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("unknown_key")
    key = keys.verifying_key(kid, now)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            # Time is judged below against our clock; signature, algorithm, iss and presence here.
            options={"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidIssuerError:
        raise TokenRejected("issuer") from None
    except jwt.InvalidSignatureError:
        raise TokenRejected("signature") from None
    except jwt.PyJWTError:
        raise TokenRejected("malformed") from None
    if claims["token_use"] != TOKEN_USE:
        raise TokenRejected("token_use")
    issued_at, expires_at, not_before = claims["iat"], claims["exp"], claims.get("nbf", claims["iat"])
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (issued_at, expires_at, not_before)):
        raise TokenRejected("malformed")
    if now >= expires_at + LEEWAY_SECONDS:
        raise TokenRejected("expired")
    if issued_at > now + LEEWAY_SECONDS or not_before > now + LEEWAY_SECONDS:
        raise TokenRejected("not_yet_valid")
    if expires_at - issued_at > max_lifetime:
        # Even a token signed by us is refused if it claims more life than we ever give.
        raise TokenRejected("lifetime")
    sub, username, sid, jti = claims["sub"], claims["email"], claims["sid"], claims["jti"]
    if not all(isinstance(v, str) and v for v in (sub, username, sid, jti)) or not _SESSION_ID.match(sid):
        raise TokenRejected("malformed")
    return AccessClaims(
        sub=sub,
        username=username,
        email_verified=claims["email_verified"] is True,
        session_id=sid,
        jti=jti,
        issued_at=issued_at,
        expires_at=expires_at,
    )


def new_refresh(session_id: str) -> tuple[str, str]:
    """A fresh refresh token for the session and the hash that is all we keep of it."""
    token = f"{session_id}.{secrets.token_urlsafe(REFRESH_SECRET_BYTES)}"
    return token, refresh_hash(token)


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_refresh(token: str) -> tuple[str, str]:
    """(session id, hash) of a well-formed refresh token; TokenRejected otherwise."""
    match = _REFRESH.match(token)
    if not match:
        raise TokenRejected("malformed")
    return match.group(1), refresh_hash(token)
