"""Where one is signed in: list one's live sessions, end one of them.

A session is listed while it can still be used: not revoked, not expired, and not older than the
account's session epoch (log out everywhere, a password change or reset). Ending a session revokes
it: its refresh token is refused at once, and its access token as soon as the authorizer reads the
session again (API Gateway may serve a cached "allow" for up to the stage's
`authorizer_cache_seconds`, at most 300 s). Someone else's session id, or one that does not exist,
is 404 NotFound: the same answer, so an id tells nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Protocol

from portal import devices
from portal.audit import audit
from portal.errors import NotFound
from portal.ports import Accounts, Clock
from portal.principal import Principal, active_account
from portal.sessions import Session
from portal.users import iso

_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
METHODS = ("password", "password + app code", "passkey")


class SessionRecords(Protocol):
    def sessions_of(self, sub: str) -> list[Session]: ...

    def end_session(self, session_id: str, sub: str) -> bool:
        """Revoke the session if it is this sub's; False when there is no such session of theirs."""
        ...


@dataclass(frozen=True)
class SessionView:
    id: str
    created_at: str
    last_used_at: str
    device: str
    ip: str
    method: str
    current: bool


class AccountSessions:
    def __init__(self, accounts: Accounts, records: SessionRecords, clock: Clock = time.time) -> None:
        self._accounts = accounts
        self._records = records
        self._clock = clock

    def list(self, principal: Principal) -> list[SessionView]:
        user = active_account(self._accounts, principal)
        now = int(self._clock())
        live = [
            s
            for s in self._records.sessions_of(user.sub)
            if s.usable(now) and s.epoch >= user.session_epoch and s.sub == user.sub
        ]
        current = principal.session_id
        live.sort(key=lambda s: (s.session_id != current, -(s.last_used_at or s.created_at)))
        return [
            SessionView(
                id=s.session_id,
                created_at=iso(s.created_at),
                last_used_at=iso(s.last_used_at or s.created_at),
                device=devices.device_name(s.user_agent, user.language),
                ip=s.ip,
                method=s.method,
                current=s.session_id == current,
            )
            for s in live
        ]

    def end(self, principal: Principal, session_id: str) -> None:
        """One conditional write: the authorizer has just checked the caller's session and account,
        and the write itself names the owner, so no read of the account is needed."""
        if not _SESSION_ID.match(session_id) or not self._records.end_session(session_id, principal.sub):
            raise NotFound("No such session.")
        audit(
            "session_ended",
            address=principal.username,
            sub=principal.sub,
            sessionId=session_id,
            by=principal.session_id,
            current=session_id == principal.session_id,
        )
