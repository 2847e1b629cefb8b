"""The signed-in person's account: read it, change its language or password, delete it; and the
operator's sign-out and deletion, which end sessions and delete the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal import emails
from portal.audit import audit
from portal.code_steps import RACE_RETRIES
from portal.errors import InvalidPassword, NotAuthorized, ServiceUnavailable, WrongPassword
from portal.passwords import failed_rules
from portal.passwords import normalize as normalize_password
from portal.ports import AccountStore
from portal.principal import SESSION_ENDED, Principal, active_account, active_state
from portal.records import Conflict, LoginsChange
from portal.use_case import AccountUseCase
from portal.users import User, iso


def end_sessions(store: AccountStore, user: User, keep: str | None, bump: bool = True) -> None:
    """Mark every session GSI1 lists revoked (but `keep`), after raising the epoch if `bump`:
    the operator's sign-out and the change of email. The epoch alone already ends them."""
    if bump:
        store.bump_session_epoch(user)
    for session_id in (s.session_id for s in store.sessions_of(user.sub)):
        if session_id != keep:
            store.revoke_session(session_id)


class Account(AccountUseCase):
    def __init__(
        self,
        *args: Any,
        erase_downloads: Callable[[str], object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Deletes the account's download history and daily counters (by sub) when it goes.
        self._erase_downloads = erase_downloads

    def account(self, principal: Principal) -> User:
        return active_account(self._store, principal)

    def update_account(self, principal: Principal, language: str) -> User:
        for _ in range(RACE_RETRIES):
            user = active_account(self._store, principal)
            try:
                updated = self._store.set_language(user, language, iso(self._clock()))
            except Conflict:
                continue
            audit("account_updated", address=user.username, sub=user.sub, fields=["language"])
            return updated
        raise ServiceUnavailable()

    def delete_account(self, principal: Principal, password: str) -> None:
        password = normalize_password(password)
        state = active_state(self._store, principal)
        user = state.user
        assert user is not None
        uncount = self._passwords.check_current(user, state.logins, password, "delete_account")
        try:
            self.remove_account(user, also_session=principal.session_id, logins=uncount)
        except Conflict:
            raise NotAuthorized(SESSION_ENDED) from None

    def remove_account(self, user: User, also_session: str | None = None, logins: LoginsChange | None = None) -> None:
        """Delete the account's download records, then the account, its codes and its sessions in
        one transaction (with `logins`, the un-count of the password that allowed it), and tell its
        owner: self-service deletion and the operator's `delete` alike. Conflict if the account
        changed meanwhile."""
        sessions = [
            *([also_session] if also_session else []),
            *(s.session_id for s in self._store.sessions_of(user.sub)),
        ]
        if self._erase_downloads is not None:
            # First: if it fails, the account is still there and the deletion can be asked again.
            self._erase_downloads(user.sub)
        try:
            self._store.delete_account(user, sessions, logins=logins)
        except Conflict as lost:
            if logins is None or not lost.maybe("logins"):
                raise
            # A failure was counted since the password was checked: the deletion stands without
            # the un-count (the safe side). Conflict again means the account itself changed.
            self._store.delete_account(user, sessions)
        audit("account_deleted", address=user.username, sub=user.sub)
        self._codes.notify(emails.render("account_deleted", user.language, user.email), user.username, user.sub)

    def end_all_sessions(self, user: User, bump: bool = True) -> None:
        """Sign the account out everywhere (operator: sign-out, disable, require-reset)."""
        end_sessions(self._store, user, keep=None, bump=bump)

    def change_password(self, principal: Principal, current_password: str, new_password: str) -> None:
        current_password = normalize_password(current_password)
        new_password = normalize_password(new_password)
        state = active_state(self._store, principal)
        user = state.user
        assert user is not None
        failed = failed_rules(new_password, user.email)
        if failed:
            raise InvalidPassword(failed)
        uncount: LoginsChange | None = self._passwords.check_current(
            user, state.logins, current_password, "change_password"
        )
        password_hash = self._hasher().hash(new_password)
        # One transaction: the un-count, the new hash with the session epoch + 1 (every other
        # session ends), and this session carried over to the new epoch.
        restamp: str | None = principal.session_id
        for _ in range(RACE_RETRIES):
            try:
                self._store.set_password(user, password_hash, iso(self._clock()), logins=uncount, restamp=restamp)
                break
            except Conflict as lost:
                if lost.maybe("user"):
                    fresh = self._store.load_address(user.username).user
                    if fresh is None or fresh.sub != user.sub or fresh.password_hash != user.password_hash:
                        # The password changed under us (another change or a reset): this one is void.
                        raise WrongPassword() from None
                    if fresh.session_epoch != user.session_epoch:
                        restamp = None  # signed out everywhere meanwhile: this session stays ended
                    user = fresh
                if lost.maybe("logins"):
                    uncount = None  # a failure was counted since: it stays counted (the safe side)
                if lost.parts is not None and "session" in lost.parts:
                    restamp = None  # this session was ended meanwhile (log out elsewhere): it stays ended
        else:
            raise ServiceUnavailable()
        audit("password_changed", address=user.username, sub=user.sub, sessionId=principal.session_id)
        self._codes.notify(emails.render("password_changed", user.language, user.email), user.username, user.sub)
