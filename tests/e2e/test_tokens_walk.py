"""Over real HTTP (loopback): a token issued by the local runner verifies with PyJWT's
`PyJWKClient`, found the way another service would find it: openid-configuration -> jwks_uri."""

from __future__ import annotations

import jwt
import pytest

EMAIL = "verifier.e2e@example.org"
PASSWORD = "Correct-Horse-Battery-9"


def test_another_service_verifies_our_token_with_the_published_keys_only(runner):
    token = runner.signed_up(EMAIL, PASSWORD)["accessToken"]
    discovery = runner.get("/.well-known/openid-configuration")
    assert discovery.status_code == 200 and "max-age" in discovery.headers["Cache-Control"]
    config = discovery.json()
    assert config["jwks_uri"] == f"{runner.url}/.well-known/jwks.json"
    assert config["id_token_signing_alg_values_supported"] == ["ES256"]

    client = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False)
    signing_key = client.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["ES256"], issuer=config["issuer"])
    assert claims["email"] == EMAIL and claims["token_use"] == "access"

    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, client.get_signing_key_from_jwt(forged).key, algorithms=["ES256"])
