"""What other services need to verify our access tokens: the public keys as a JWK Set (RFC 7517)
and an OpenID Connect discovery document naming the issuer and where the keys are.

Both answers are public and cacheable for signing_keys.JWKS_MAX_AGE_SECONDS, the bound the
rotation delay is built on: a new key is published at least that long before it signs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from portal.signing_keys import ALGORITHM, JWKS_MAX_AGE_SECONDS

JWKS_PATH = "/.well-known/jwks.json"
CACHEABLE = f"public, max-age={JWKS_MAX_AGE_SECONDS}"


class Jwk(BaseModel):
    kty: Literal["EC"] = Field(description="Key type")
    crv: Literal["P-256"] = Field(description="Curve")
    x: str = Field(description="x coordinate, base64url")
    y: str = Field(description="y coordinate, base64url")
    kid: str = Field(description="Key id (RFC 7638 thumbprint); the `kid` of the tokens it signed")
    alg: Literal["ES256"] = Field(description="The one algorithm this key is used with")
    use: Literal["sig"] = Field(description="Signatures only")


class JwkSet(BaseModel):
    keys: list[Jwk] = Field(description="Keys that sign now, will sign soon, or signed tokens still valid")


class OpenIdConfiguration(BaseModel):
    issuer: str = Field(description="The `iss` of every access token")
    jwks_uri: str = Field(description="Where the public keys are")
    id_token_signing_alg_values_supported: list[str] = Field(description="Signature algorithms of our tokens")
    subject_types_supported: list[str] = Field(description="`sub` is the same for every client")


def base_url(public_api_url: str | None, host: str | None) -> str:
    """Where clients reach this API: the stage's public URL, else the request's own host
    (the local runner, plain HTTP on loopback)."""
    if public_api_url:
        return public_api_url
    return f"http://{host or 'localhost'}"


def configuration(issuer: str, base: str) -> OpenIdConfiguration:
    return OpenIdConfiguration(
        issuer=issuer,
        jwks_uri=base + JWKS_PATH,
        id_token_signing_alg_values_supported=[ALGORITHM],
        subject_types_supported=["public"],
    )
