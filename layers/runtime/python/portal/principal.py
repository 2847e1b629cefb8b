"""Who is calling a protected route, and the one rule for whether their account may act.

The authorizer has checked the access token and hands API Gateway a `Principal` (its context);
the route function rebuilds it with `Principal.of`. The account may still have changed since the
token was issued (disabled, deleted, replaced under the same address), so every protected use
case that reads or writes the account starts with `active_state` / `active_account`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from portal.audit import audit
from portal.errors import NotAuthorized, UserNotConfirmed
from portal.ports import Accounts
from portal.records import AddressState
from portal.users import Status, User

SESSION_ENDED = "Your session has ended. Please log in again."


@dataclass(frozen=True)
class Principal:
    """Who the authorizer let in: the context API Gateway hands to the route function."""

    sub: str
    session_id: str
    username: str
    email_verified: bool = False
    # The session's epoch when the authorizer let it in. API Gateway caches that answer (up to
    # 300 s): `active_state` compares it with the account's epoch.
    session_epoch: int = 0

    def context(self) -> dict[str, str]:
        return {
            "sub": self.sub,
            "sessionId": self.session_id,
            "username": self.username,
            "emailVerified": "true" if self.email_verified else "false",
            "sessionEpoch": str(self.session_epoch),
        }

    @classmethod
    def of(cls, context: Mapping[str, str]) -> Principal:
        """From web.Request.principal; a route marked auth=True always has these keys."""
        try:
            return cls(
                context["sub"],
                context["sessionId"],
                context["username"],
                context.get("emailVerified") == "true",
                int(context.get("sessionEpoch", "0")),
            )
        except (KeyError, ValueError):
            raise NotAuthorized(SESSION_ENDED) from None


def session_ended(accounts: Accounts, user: User, principal: Principal, now: int) -> bool:
    """Whether the caller's session ended after the authorizer let it in (its answer is cached up
    to 300 s). The account read anyway tells at no extra call whether its epoch went up (signed
    out everywhere, password changed or reset, operator sign-out); only then is the session read,
    as a password change carries the caller's own session over to the new epoch. A session ended
    alone (log out on this device) is not seen here: it stops at the authorizer's next check."""
    if user.session_epoch <= principal.session_epoch:
        return False
    session = accounts.load_session(principal.session_id)
    return session is None or not session.usable(now) or session.epoch < user.session_epoch


def active_state(accounts: Accounts, principal: Principal) -> AddressState:
    """Everything under the caller's address (the account, its failure record), one Query, once
    the account is known usable: still this sub's (not deleted, perhaps signed up again), enabled
    (401 NotAuthorized otherwise) and confirmed (403 UserNotConfirmed otherwise)."""
    state = accounts.load_address(principal.username)
    user = state.user
    if user is None or user.sub != principal.sub or not user.enabled:
        raise NotAuthorized(SESSION_ENDED)
    if session_ended(accounts, user, principal, int(time.time())):
        audit("access_denied", address=user.username, sub=user.sub, reason="session_ended")
        raise NotAuthorized(SESSION_ENDED)
    if user.status != Status.CONFIRMED:
        raise UserNotConfirmed()
    return state


def active_account(accounts: Accounts, principal: Principal) -> User:
    user = active_state(accounts, principal).user
    assert user is not None
    return user
