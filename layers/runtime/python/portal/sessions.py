"""Sign-in sessions and their refresh tokens, as the logic sees them (portal/dynamo/ holds the items).

A session is what one sign-in on one device created; its refresh tokens rotate on every use.
Each refresh token ever issued is kept (as a hash, until its TTL) with a `used` flag, so any
earlier token presented again is recognised as reuse, however many rotations ago it was issued.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Session:
    session_id: str
    sub: str
    username: str
    email_verified: bool
    # The account's session epoch when this session was made (or last re-stamped); a lower value
    # than the account's means "log out everywhere" (or a password change) happened since.
    epoch: int
    created_at: int
    expires_at: int
    revoked: bool = False
    # For "where you're signed in": the sign-in's User-Agent (devices.clean) and source IP, how it
    # signed in (account_sessions.METHODS), and when its refresh token was last used.
    user_agent: str = ""
    ip: str = ""
    method: str = "password"
    last_used_at: int | None = None

    def usable(self, now: int) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass(frozen=True)
class RefreshRecord:
    digest: str
    created_at: int
    expires_at: int
    used: bool = False
