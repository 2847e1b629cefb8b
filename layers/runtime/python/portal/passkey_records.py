"""Passkeys and WebAuthn challenges as the use case sees them (portal/dynamo/passkeys.py holds the items).

No AWS types and no WebAuthn library here: the store and the use case exchange these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# A challenge lives 5 minutes (the rule); the table's TTL removes it later, so every read
# checks `expires_at` in code.
CHALLENGE_SECONDS = 300


@dataclass(frozen=True)
class Passkey:
    """One registered credential of one account."""

    credential_id: str  # base64url, as the browser reports it
    sub: str
    user_handle: str  # base64url of the account's opaque WebAuthn user id
    # The attested credential data the authenticator gave at registration: AAGUID, credential id
    # and the COSE public key (fido2's AttestedCredentialData, kept as its bytes).
    credential_data: bytes
    sign_count: int
    name: str
    created_at: str
    last_used_at: str | None = None
    backed_up: bool = False


@dataclass(frozen=True)
class PasskeyUse:
    """A sign-in's use of a passkey: its new sign count, recorded in the transaction that opens the
    session, only if nobody recorded another use since `passkey` was read (else Conflict, part
    "passkey", and no session)."""

    passkey: Passkey
    sign_count: int
    used_at: str
    backed_up: bool


@dataclass(frozen=True)
class Challenge:
    """A single-use WebAuthn challenge: for adding a passkey, bound to the session that asked
    (`session_id`); for signing in, stored under the opaque `session` the client holds."""

    key: str
    challenge: bytes
    purpose: str  # "register" or "sign_in"
    expires_at: int
    sub: str | None = None
    session_id: str | None = None

    def live(self, now: int) -> bool:
        return now < self.expires_at


class PasskeyStore(Protocol):
    """Passkeys and challenges (portal/dynamo/passkeys.py). Conditional writes raise records.Conflict."""

    def passkeys_of(self, sub: str) -> list[Passkey]: ...
    def load_passkey(self, credential_id: str) -> Passkey | None: ...
    def add_passkey(self, passkey: Passkey) -> None: ...
    def rename_passkey(self, sub: str, credential_id: str, name: str) -> Passkey: ...
    def remove_passkey(self, sub: str, credential_id: str) -> None: ...
    def save_challenge(self, challenge: Challenge) -> None: ...
    def take_challenge(self, key: str) -> Challenge | None: ...
