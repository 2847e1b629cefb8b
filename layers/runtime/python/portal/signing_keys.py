"""Access-token signing keys (ES256: ECDSA on P-256), their public half, and rotation.

Two documents hold them, both `{"keys": [...]}`, one entry per key:
- the private set, in its own Secrets Manager secret (Settings.signing_keys_secret_id), which only
  the functions that sign access tokens may read: `{"kid", "x", "y", "d", "signFrom", "dropAt"?}`;
- the public set, the same entries without `d`, in the table (dynamo/signing_keys.py), which the
  authorizer and GET /.well-known/jwks.json read. Verifiers never hold anything that can sign.
The private set is the source of truth; the public set is derived from it on every write.

Each key says when it starts signing (`signFrom`) and, once a successor exists, when it stops being
accepted (`dropAt`). Time decides, so rotation is one write (`portal-admin keys rotate`): the next
key is published `delay` seconds before it signs (long enough for every cache of the public set
to hold it), and the current one is dropped when nothing it signed can still be valid (its last
signature + the longest access-token life + the clock leeway). Nobody is logged out.

The `kid` is the key's RFC 7638 thumbprint. `cryptography` is imported only where a key is
generated, parsed or used, so the routes that merely publish the public set never load it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from portal.errors import DependencyFailure
from portal.tokens import LEEWAY_SECONDS, TokenRejected

ALGORITHM = "ES256"
CURVE = "P-256"
# Settings.access_token_seconds' upper bound: a key is kept this long after its last signature.
LONGEST_ACCESS_SECONDS = 900
# How long verifiers may cache the public set: the functions (Settings.keys_cache_seconds, 300 by
# default) and other services (the JWKS route's Cache-Control max-age). A rotation delay below
# this could let a token signed by the new key meet a verifier that does not know it yet.
JWKS_MAX_AGE_SECONDS = 300
MIN_ROTATION_DELAY_SECONDS = 2 * JWKS_MAX_AGE_SECONDS
_COORDINATE_BYTES = 32


class RotationRefused(Exception):
    """The key set cannot be rotated as asked; the message says why."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def thumbprint(x: str, y: str) -> str:
    """RFC 7638: SHA-256 of the required members in lexicographic order, without spaces."""
    canonical = json.dumps({"crv": CURVE, "kty": "EC", "x": x, "y": y}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True, kw_only=True)
class PublicKey:
    kid: str
    x: str
    y: str
    sign_from: int
    drop_at: int | None = None

    def accepted(self, now: int) -> bool:
        return self.drop_at is None or now < self.drop_at

    def jwk(self) -> dict[str, str]:
        return {"kty": "EC", "crv": CURVE, "x": self.x, "y": self.y, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def document(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"kid": self.kid, "x": self.x, "y": self.y, "signFrom": self.sign_from}
        if self.drop_at is not None:
            entry["dropAt"] = self.drop_at
        return entry

    @classmethod
    def of(cls, entry: dict[str, Any]) -> PublicKey:
        drop_at = entry.get("dropAt")
        return cls(
            kid=str(entry["kid"]),
            x=str(entry["x"]),
            y=str(entry["y"]),
            sign_from=int(entry["signFrom"]),
            drop_at=None if drop_at is None else int(drop_at),
        )


@dataclass(frozen=True, kw_only=True)
class PrivateKey(PublicKey):
    d: str

    def public(self) -> PublicKey:
        return PublicKey(kid=self.kid, x=self.x, y=self.y, sign_from=self.sign_from, drop_at=self.drop_at)

    def document(self) -> dict[str, Any]:
        return {**super().document(), "d": self.d}

    @classmethod
    def of(cls, entry: dict[str, Any]) -> PrivateKey:
        return cls(**vars(PublicKey.of(entry)), d=str(entry["d"]))


def new_key(sign_from: int) -> PrivateKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.private_numbers()
    x, y = (_b64(n.to_bytes(_COORDINATE_BYTES, "big")) for n in (numbers.public_numbers.x, numbers.public_numbers.y))
    return PrivateKey(
        kid=thumbprint(x, y),
        x=x,
        y=y,
        d=_b64(numbers.private_value.to_bytes(_COORDINATE_BYTES, "big")),
        sign_from=sign_from,
    )


K = TypeVar("K", bound=PublicKey)


class _KeySet(Generic[K]):
    """Keys in the order they sign, the document they are stored as, and the `cryptography` key
    objects built from them (once each)."""

    def __init__(self, keys: Iterable[K]) -> None:
        self.keys = tuple(sorted(keys, key=lambda k: k.sign_from))
        self._objects: dict[str, Any] = {}

    def document(self) -> dict[str, Any]:
        return {"keys": [key.document() for key in self.keys]}


class PublicKeySet(_KeySet[PublicKey]):
    """What verifiers hold: the keys that may have signed a token, with when each stops counting."""

    @classmethod
    def of(cls, document: dict[str, Any]) -> PublicKeySet:
        return cls(PublicKey.of(entry) for entry in document.get("keys", []))

    def document(self) -> dict[str, Any]:
        # The public fields only, whatever the entries are: this document is what verifiers read.
        return {"keys": [PublicKey.document(key) for key in self.keys]}

    def jwks(self, now: int) -> dict[str, list[dict[str, str]]]:
        """The keys a token may be signed with now or soon: published ahead, not yet dropped."""
        return {"keys": [key.jwk() for key in self.keys if key.accepted(now)]}

    def verifying_key(self, kid: str, now: int) -> Any:
        """The public key named `kid`, as `cryptography` wants it; TokenRejected if none counts now."""
        key = next((k for k in self.keys if k.kid == kid), None)
        if key is None:
            raise TokenRejected("unknown_key")
        if not key.accepted(now):
            raise TokenRejected("key_dropped")
        loaded = self._objects.get(kid)
        if loaded is None:
            from cryptography.hazmat.primitives.asymmetric import ec

            numbers = ec.EllipticCurvePublicNumbers(_int(key.x), _int(key.y), ec.SECP256R1())
            loaded = self._objects[kid] = numbers.public_key()
        return loaded


class PrivateKeySet(_KeySet[PrivateKey]):
    """What the signing functions hold (and the rotation command edits)."""

    @classmethod
    def of(cls, document: dict[str, Any]) -> PrivateKeySet:
        return cls(PrivateKey.of(entry) for entry in document.get("keys", []))

    def public(self) -> PublicKeySet:
        return PublicKeySet(key.public() for key in self.keys)

    def signing_key(self, now: int) -> tuple[str, Any]:
        """(kid, private key) of the newest key whose time to sign has come."""
        live = [k for k in self.keys if k.sign_from <= now and k.accepted(now)]
        if not live:
            # Nothing to sign with: an unprovisioned stage (docs/operations.md: access-token keys).
            raise DependencyFailure("no access-token signing key is live: run `portal-admin keys rotate`")
        key = live[-1]
        loaded = self._objects.get(key.kid)
        if loaded is None:
            from cryptography.hazmat.primitives.asymmetric import ec

            loaded = self._objects[key.kid] = ec.derive_private_key(_int(key.d), ec.SECP256R1())
        return key.kid, loaded

    def rotated(self, now: int, delay: int, *, compromised: bool = False) -> PrivateKeySet:
        """The set after one rotation at `now`: dropped keys pruned, the next key published.

        An empty set gets a key that signs at once. Otherwise the next key
        signs `delay` seconds from now and every key still signing is dropped once its last token
        has expired. `compromised`: the new key signs at once and the others are dropped now,
        which ends every session's access token (refresh gets a new one).
        """
        kept = [k for k in self.keys if k.accepted(now)]
        if not kept:
            # The first key: no token can exist yet, so it counts from any time.
            return PrivateKeySet([new_key(0)])
        if compromised:
            fresh = new_key(now)
            return PrivateKeySet([*(replace(k, drop_at=now) for k in kept), fresh])
        if delay < MIN_ROTATION_DELAY_SECONDS:
            raise RotationRefused(f"the delay must be at least {MIN_ROTATION_DELAY_SECONDS} s (public-key caches)")
        pending = [k for k in kept if k.sign_from > now]
        if pending:
            raise RotationRefused(f"a rotation is under way: key {pending[-1].kid} signs from {pending[-1].sign_from}")
        fresh = new_key(now + delay)
        drop_at = fresh.sign_from + LONGEST_ACCESS_SECONDS + LEEWAY_SECONDS
        return PrivateKeySet([*(k if k.drop_at is not None else replace(k, drop_at=drop_at) for k in kept), fresh])


def secrets_manager_signing_keys(client: Any, secret_id: str, max_age: int) -> Callable[[], PrivateKeySet]:
    """A loader of the cached private set; Secrets Manager is asked again after `max_age` s."""
    from portal.keys import cached_secret

    return cached_secret(client, secret_id, max_age, PrivateKeySet.of, "signing keys")


@dataclass(frozen=True)
class TokenKeys:
    """Where the access-token keys come from. Each function loads only the half it uses (its role
    can read only that half): the signing functions the private set, the authorizer the public one."""

    private: Callable[[], PrivateKeySet]
    public: Callable[[], PublicKeySet]
