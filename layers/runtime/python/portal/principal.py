"""Who is calling a protected route, and the one rule for whether their account may act.

The authorizer has checked the access token and hands API Gateway a `Principal` (its context);
the route function rebuilds it with `Principal.of`. The account may still have changed since the
token was issued (disabled, deleted, replaced under the same address), so every protected use
case that reads or writes the account starts with `active_state` / `active_account`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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

    def context(self) -> dict[str, str]:
        return {
            "sub": self.sub,
            "sessionId": self.session_id,
            "username": self.username,
            "emailVerified": "true" if self.email_verified else "false",
        }

    @classmethod
    def of(cls, context: Mapping[str, str]) -> Principal:
        """From web.Request.principal; a route marked auth=True always has these keys."""
        try:
            return cls(
                context["sub"], context["sessionId"], context["username"], context.get("emailVerified") == "true"
            )
        except KeyError:
            raise NotAuthorized(SESSION_ENDED) from None


def active_state(accounts: Accounts, principal: Principal) -> AddressState:
    """Everything under the caller's address (the account, its failure record), one Query, once
    the account is known usable: still this sub's (not deleted, perhaps signed up again), enabled
    (401 NotAuthorized otherwise) and confirmed (403 UserNotConfirmed otherwise)."""
    state = accounts.load_address(principal.username)
    user = state.user
    if user is None or user.sub != principal.sub or not user.enabled:
        raise NotAuthorized(SESSION_ENDED)
    if user.status != Status.CONFIRMED:
        raise UserNotConfirmed()
    return state


def active_account(accounts: Accounts, principal: Principal) -> User:
    user = active_state(accounts, principal).user
    assert user is not None
    return user
