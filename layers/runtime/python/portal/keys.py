"""Key material: one Secrets Manager secret, one key per purpose derived from it.

The secret is JSON `{"kid": "...", "secret": "...", "previous": [{"kid", "secret"}, ...]}`.
The CDK app creates it with a random `secret`; rotation puts a new version whose `previous`
keeps the old key for as long as anything it signed may still be presented (README: rotation).
Purpose keys are HMAC(secret, purpose), so a code hash, a token signature and an unsubscribe
link never share a key. Functions read the secret through Powertools Parameters, cached.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from portal.errors import DependencyFailure

T = TypeVar("T")
SECRET_TEMPLATE = {"kid": "k1"}
SECRET_FIELD = "secret"
SECRET_LENGTH = 64


class Keyring:
    def __init__(self, document: dict[str, Any]) -> None:
        entries = [document, *document.get("previous", [])]
        self._secrets = {str(e["kid"]): str(e[SECRET_FIELD]).encode() for e in entries}
        self.current_kid = str(document["kid"])
        self._derived: dict[tuple[str, str], bytes] = {}

    def key(self, purpose: str, kid: str | None = None) -> bytes | None:
        """The key for `purpose` under `kid` (default: the current one); None for a retired kid."""
        kid = kid or self.current_kid
        derived = self._derived.get((purpose, kid))
        if derived is None:
            secret = self._secrets.get(kid)
            if secret is None:
                return None
            derived = self._derived[(purpose, kid)] = hmac.new(secret, purpose.encode(), hashlib.sha256).digest()
        return derived

    def current(self, purpose: str) -> tuple[str, bytes]:
        key = self.key(purpose)
        assert key is not None
        return self.current_kid, key


def new_secret_document(kid: str = "k1") -> str:
    """What the local runner and tests store; the CDK app has Secrets Manager generate the same shape."""
    return json.dumps({**SECRET_TEMPLATE, "kid": kid, SECRET_FIELD: secrets.token_urlsafe(48)[:SECRET_LENGTH]})


def secrets_manager_keyring(client: Any, secret_id: str, max_age: int) -> Callable[[], Keyring]:
    """A loader that returns the cached Keyring and asks Secrets Manager again after `max_age` s."""
    return cached_secret(client, secret_id, max_age, Keyring, "keys")


def cached_secret(
    client: Any, secret_id: str, max_age: int, parse: Callable[[dict[str, Any]], T], name: str
) -> Callable[[], T]:
    """A loader of a JSON secret, parsed once per version and asked again after `max_age` s
    (the keys here, the access-token signing keys in signing_keys.py).

    What Powertools' SecretsProvider did for us, in a dozen lines: its module imports boto3 (and
    with it s3transfer and urllib3) and every Parameters provider, which no function here needs
    (docs/decisions/0013-cold-start-floor.md). The cache's clock is the wall clock, as it was there."""
    held: dict[str, Any] = {}  # "raw", "parsed", "until"

    def load() -> T:
        now = time.time()
        if "until" in held and now <= held["until"]:
            return cast(T, held["parsed"])
        try:
            # Our secrets are SecretStrings (infra/data.py).
            raw = client.get_secret_value(SecretId=secret_id)["SecretString"]
        except Exception as exc:  # any failure to fetch it (AWS, network, shape) is the dependency's
            raise DependencyFailure(f"Secrets Manager: {name} unavailable") from exc
        if held.get("raw") != raw:  # parse once per secret version, not once per fetch
            held["parsed"], held["raw"] = parse(json.loads(raw)), raw
        held["until"] = now + max_age
        return cast(T, held["parsed"])

    return load
