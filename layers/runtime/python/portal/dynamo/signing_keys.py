"""The public access-token keys in the table: what the authorizer and the JWKS route read.

  KEYS#ACCESS_TOKENS / PUBLIC   keys = the public set's JSON (signing_keys.PublicKeySet.document)
Written only by the rotation command (and the local runner's provisioning), always derived from
the private set. Readers cache it for Settings.keys_cache_seconds: one GetItem per cold start and
per cache period, never one per request, so the authorizer stays at one call per request.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from portal.dynamo.calls import dynamo_call
from portal.dynamo.keys import PUBLIC_KEYS_PK, PUBLIC_KEYS_SK, key
from portal.signing_keys import PrivateKeySet, PublicKeySet

PUBLIC_KEYS_KEY = key(PUBLIC_KEYS_PK, PUBLIC_KEYS_SK)
KEYS_ATTRIBUTE = "keys"


class DynamoPublicKeys:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def read(self) -> PublicKeySet:
        with dynamo_call():
            item = self._db.get_item(TableName=self._table, Key=PUBLIC_KEYS_KEY, ConsistentRead=True).get("Item")
        return PublicKeySet.of(json.loads(item[KEYS_ATTRIBUTE]["S"]) if item else {})

    def write(self, keys: PublicKeySet) -> None:
        with dynamo_call():
            self._db.put_item(
                TableName=self._table,
                Item={**PUBLIC_KEYS_KEY, KEYS_ATTRIBUTE: {"S": json.dumps(keys.document(), separators=(",", ":"))}},
            )


def cached(
    read: Callable[[], PublicKeySet], max_age: int, clock: Callable[[], float] = time.monotonic
) -> Callable[[], PublicKeySet]:
    """`read` at most once per `max_age` seconds; a failed read is not cached (the next call retries)."""
    held: list[tuple[float, PublicKeySet]] = []

    def load() -> PublicKeySet:
        now = clock()
        if not held or now >= held[0][0]:
            keys = read()
            held[:] = [(now + max_age, keys)]
        return held[0][1]

    return load


def publish(keys: PrivateKeySet, public: DynamoPublicKeys, secrets: Any, secret_id: str) -> None:
    """Write a new key set: the public half first, so no verifier can meet a token signed by a key
    it was never shown (the new key's signFrom delay covers the caches in between)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from portal.errors import DependencyFailure

    public.write(keys.public())
    try:
        secrets.put_secret_value(SecretId=secret_id, SecretString=json.dumps(keys.document()))
    except (BotoCoreError, ClientError) as exc:
        raise DependencyFailure(f"Secrets Manager: {type(exc).__name__}") from exc
