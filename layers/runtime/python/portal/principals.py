"""Who is calling a protected route: the account behind the authorizer's principal.

The authorizer has checked the access token; the account may still have changed since it was
issued (disabled, or replaced under the same address), so every protected use case loads it and
decides here, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.errors import NotAuthorized, UserNotConfirmed
from portal.ports import Accounts
from portal.users import Status, User


def active_account(accounts: Accounts, principal: Mapping[str, str]) -> User:
    """The confirmed, enabled account of this principal; 401 NotAuthorized or 403 UserNotConfirmed otherwise."""
    username, sub = principal.get("username"), principal.get("sub")
    if not username or not sub:
        raise NotAuthorized("Sign in first.")
    user = accounts.load_address(username).user
    if user is None or user.sub != sub or not user.enabled:
        raise NotAuthorized("This account cannot be used.")
    if user.status != Status.CONFIRMED:
        raise UserNotConfirmed()
    return user
