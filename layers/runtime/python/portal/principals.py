"""Who is calling a protected route: the account behind the authorizer's principal.

The authorizer has checked the access token; the account may still have changed since it was
issued (disabled, or replaced under the same address), so every protected use case loads it and
decides here, in one place.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Protocol

from portal.errors import NotAuthorized, UserNotConfirmed
from portal.sessions import Session
from portal.store import AddressState
from portal.users import Status, User


class Accounts(Protocol):
    def load_address(self, username: str) -> AddressState: ...

    def load_session(self, session_id: str) -> Session | None: ...


def session_ended(accounts: Accounts, user: User, session_id: str, session_epoch: int, now: int) -> bool:
    """Whether the caller's session ended after the authorizer let it in (its answer is cached up
    to 300 s). The account read anyway tells at no extra call whether its epoch went up (signed
    out everywhere, password changed or reset, operator sign-out); only then is the session read,
    as a password change carries the caller's own session over to the new epoch. A session ended
    alone (log out on this device) is not seen here: it stops at the authorizer's next check."""
    if user.session_epoch <= session_epoch:
        return False
    session = accounts.load_session(session_id)
    return session is None or not session.usable(now) or session.epoch < user.session_epoch


def active_account(accounts: Accounts, principal: Mapping[str, str]) -> User:
    """The confirmed, enabled account of this principal; 401 NotAuthorized or 403 UserNotConfirmed otherwise."""
    username, sub = principal.get("username"), principal.get("sub")
    if not username or not sub:
        raise NotAuthorized("Sign in first.")
    user = accounts.load_address(username).user
    if user is None or user.sub != sub or not user.enabled:
        raise NotAuthorized("This account cannot be used.")
    epoch = principal.get("sessionEpoch", "0")
    if session_ended(
        accounts, user, principal.get("sessionId", ""), int(epoch) if epoch.isdigit() else 0, int(time.time())
    ):
        raise NotAuthorized("Your session has ended. Please log in again.")
    if user.status != Status.CONFIRMED:
        raise UserNotConfirmed()
    return user
