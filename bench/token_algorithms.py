"""`python -m bench.token_algorithms`: sign and verify cost of ES256, EdDSA and HS256 access tokens
with PyJWT, and of the raw curves, in one run (docs/decisions/0005-tokens-others-can-verify.md: why ES256). Not a `make bench`
section: it compares libraries for a decision, it does not watch the product."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

N = 2000
CLAIMS = {
    "sub": "6f1c1f2e-9b0e-4a43-8f3e-2f0b7c3f9d11",
    "email": "ann@example.org",
    "email_verified": True,
    "token_use": "access",
    "iss": "https://api.multimedia.example.org",
    "iat": 1_750_000_000,
    "nbf": 1_750_000_000,
    "exp": 1_750_000_900,
    "jti": "0" * 32,
    "sid": "0" * 32,
}


def per_call_ms(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    for _ in range(N):
        fn()
    return (time.perf_counter() - started) / N * 1000


def main() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    edwards = ed25519.Ed25519PrivateKey.generate()
    secret = b"k" * 32
    print(f"{'':28} {'sign ms':>8} {'verify ms':>9} {'chars':>6}")
    for alg, key, public in (
        ("ES256", p256, p256.public_key()),
        ("EdDSA", edwards, edwards.public_key()),
        ("HS256", secret, secret),
    ):
        token = jwt.encode(CLAIMS, key, algorithm=alg, headers={"kid": "k"})
        sign = per_call_ms(lambda key=key, alg=alg: jwt.encode(CLAIMS, key, algorithm=alg, headers={"kid": "k"}))
        verify = per_call_ms(
            lambda token=token, public=public, alg=alg: jwt.decode(
                token, public, algorithms=[alg], options={"verify_exp": False}
            )
        )
        print(f"{'PyJWT ' + alg:28} {sign:8.3f} {verify:9.3f} {len(token):6}")
    message = b"x" * 300
    p256_signature = p256.sign(message, ec.ECDSA(hashes.SHA256()))
    edwards_signature = edwards.sign(message)
    for name, sign, verify in (
        (
            "raw P-256",
            lambda: p256.sign(message, ec.ECDSA(hashes.SHA256())),
            lambda: p256.public_key().verify(p256_signature, message, ec.ECDSA(hashes.SHA256())),
        ),
        ("raw Ed25519", lambda: edwards.sign(message), lambda: edwards.public_key().verify(edwards_signature, message)),
    ):
        print(f"{name:28} {per_call_ms(sign):8.3f} {per_call_ms(verify):9.3f}")


if __name__ == "__main__":
    main()
