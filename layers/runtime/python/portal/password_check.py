"""Checking a password under sign-in throttling: every use case that asks for one (sign-in, and
the current password before a change of password or email, or a deletion) goes through here.

The attempt is counted with a conditional write before the password is verified (lockout.py); a
right password's un-count rides in the transaction of the success's own write (the session, the
new hash, the deletion), conditional on the failure record being the one this attempt counted.
When a failure was counted in between, the success stands and the failure stays counted (the
safe side).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from portal.audit import audit
from portal.errors import LimitExceeded, ServiceUnavailable, WrongPassword
from portal.lockout import LoginFailures
from portal.passwords import PasswordHasher
from portal.ports import AccountStore, Clock
from portal.records import Conflict, LoginsChange
from portal.users import User, iso

# Concurrent attempts at one address each need their turn to be counted; one turn per free
# failure plus one to be refused is enough for any burst (each round counts exactly one).
COUNT_RETRIES = 8


class PasswordCheck:
    def __init__(self, store: AccountStore, hasher: Callable[[], PasswordHasher], clock: Clock = time.time) -> None:
        self._store = store
        self._hasher = hasher
        self._clock = clock

    def _count_attempt(self, username: str, sub: str | None, purpose: str, logins: LoginFailures) -> LoginFailures:
        """Count this attempt as a failure before checking it (see lockout.py), or refuse it with
        429 while the address must wait. `logins` is the failure record read with the account;
        returns the record as counted, which a right password's un-count is conditional on."""
        for attempt in range(COUNT_RETRIES):
            if attempt:
                logins = self._store.load_address(username).logins
            now = int(self._clock())
            wait = logins.wait_before_next(now)
            if wait > 0:
                audit("login_throttled", address=username, sub=sub, retryAfter=wait, purpose=purpose)
                raise LimitExceeded(wait, "Too many failed sign-in attempts. Please wait before trying again.")
            counted = logins.with_failure(now)
            try:
                self._store.save_logins(username, logins, counted)
            except Conflict:
                continue
            return counted
        raise ServiceUnavailable()

    def count(self, username: str, sub: str | None, purpose: str, logins: LoginFailures) -> LoginFailures:
        """Count an attempt that is not a password (a second-factor code) the same way."""
        return self._count_attempt(username, sub, purpose, logins)

    def check(
        self, username: str, user: User | None, logins: LoginFailures, password: str, purpose: str
    ) -> LoginsChange | None:
        """Throttle, count, then verify (a dummy verification without an account). None when the
        password is wrong; when right, the un-count for the caller to fold into its success's write
        (it holds only if nothing was counted since this attempt)."""
        counted = self._count_attempt(username, user.sub if user else None, purpose, logins)
        if user is None:
            self._hasher().verify_dummy(password)
            return None
        if not self._hasher().verify(user.password_hash, password):
            return None
        return LoginsChange(username, counted, counted.with_success(counted.last_failed_at))

    def check_current(self, user: User, logins: LoginFailures, password: str, purpose: str) -> LoginsChange:
        """The signed-in caller's current password, before a change or a deletion: the un-count
        when right, 403 WrongPassword when wrong (not 401: the session is fine)."""
        uncount = self.check(user.username, user, logins, password, purpose)
        if uncount is None:
            audit("login_failed", address=user.username, sub=user.sub, reason="wrong_password", purpose=purpose)
            raise WrongPassword()
        return uncount

    def uncount(self, change: LoginsChange) -> None:
        """The un-count alone, where a right password leads to no write of its own."""
        try:
            self._store.save_logins(change.username, change.before, change.after)
        except Conflict:
            pass  # a failure was counted since: this one stays counted too (the safe side)

    def upgrade_hash(self, user: User, password: str) -> None:
        """After a good password: an imported bcrypt hash, or argon2 with parameters other than the
        configured ones, is rewritten with the current parameters (conditional on the old hash)."""
        hasher = self._hasher()
        if not hasher.needs_rehash(user.password_hash):
            return
        try:
            self._store.upgrade_password_hash(user, hasher.hash(password), iso(self._clock()))
        except Conflict:
            return  # the password changed meanwhile: nothing left to upgrade
        audit("password_hash_upgraded", address=user.username, sub=user.sub)
