"""Recovery ("Reset password"): a code to the address, then a new password with it.

Nothing here tells whether an address has an account: "forgot" and "reset" answer alike, and a
reset guess at an address without a reset code meets a decoy code.
"""

from __future__ import annotations

from portal import emails
from portal.addresses import mask, normalize
from portal.audit import audit
from portal.code_steps import RACE_RETRIES
from portal.codes import Outcome, Purpose
from portal.errors import ExpiredCode, InvalidPassword, ServiceUnavailable
from portal.lockout import LoginFailures
from portal.passwords import failed_rules
from portal.passwords import normalize as normalize_password
from portal.records import AddressState, Conflict, LoginsChange
from portal.signup import Delivery
from portal.use_case import AccountUseCase
from portal.users import Status, User, iso


class Recovery(AccountUseCase):
    def forgot(self, email: str) -> Delivery:
        username = normalize(email)
        for _ in range(RACE_RETRIES):
            state = self._store.load_address(username)
            now = int(self._clock())
            sends = self._codes.reserve_send(username, state.sends, now)
            user = state.user
            # Every branch stores a reset code (real or decoy), so guesses at /password/reset
            # meet the same rules for every address.
            if user is not None and user.enabled and user.status != Status.UNCONFIRMED:
                code, record = self._codes.issue(Purpose.RESET_PASSWORD, username, now)
                records, mail = [record], emails.render("reset_password", user.language, user.email, code)
                kind = "reset"
            elif user is not None and user.status == Status.UNCONFIRMED:
                # Nothing to reset before the address is confirmed: a new verification code instead.
                code, record = self._codes.issue(Purpose.VERIFY_EMAIL, username, now)
                records = [record, self._codes.decoy(username, now, Purpose.RESET_PASSWORD)]
                mail = emails.render("verify_email", user.language, user.email, code)
                kind = "verify"
            else:
                records, mail, kind = [self._codes.decoy(username, now, Purpose.RESET_PASSWORD)], None, "none"
            try:
                self._store.save_codes(username, records, state.sends, sends)
            except Conflict:
                continue
            audit("reset_requested", address=username, sub=user.sub if user else None, sent=kind)
            if mail is None:
                self._codes.as_long_as_a_send()
            else:
                assert user is not None
                self._codes.send(mail, username, sends, now, sub=user.sub)
            return Delivery(mask(email))
        raise ServiceUnavailable()

    def reset(self, email: str, code: str, new_password: str) -> None:
        username = normalize(email)
        new_password = normalize_password(new_password)
        failed = failed_rules(new_password, email)
        if failed:
            raise InvalidPassword(failed)
        for _ in range(RACE_RETRIES):
            try:
                state, record, outcome = self._codes.judge_at(username, Purpose.RESET_PASSWORD, code)
            except Conflict:
                continue
            user = state.user
            sub = user.sub if user else None
            if outcome is Outcome.MATCH and user is not None and user.status != Status.UNCONFIRMED:
                assert record is not None
                password_hash = self._hasher().hash(new_password)
                try:
                    # One transaction: the code spent, the new hash, the session epoch raised (every
                    # session ends: the authorizer and refresh compare epochs), RESET_REQUIRED ended
                    # (operator request or import without a hash), and earlier failures forgotten.
                    self._store.set_password(
                        user, password_hash, iso(self._clock()), spend=record, confirm=True, logins=self._cleared(state)
                    )
                except Conflict:
                    continue
                self._finish_reset(user)
                return
            if (
                outcome is Outcome.SPENT_MATCH
                and user is not None
                and user.status != Status.UNCONFIRMED
                and self._hasher().verify(user.password_hash, new_password)
            ):
                # The same reset again (a retry after a failure once the password was set): finish it.
                self._finish_reset(user)
                return
            audit("code_expired", address=username, sub=sub, purpose=Purpose.RESET_PASSWORD)
            raise ExpiredCode()
        raise ServiceUnavailable()

    def _finish_reset(self, user: User) -> None:
        """After the new password is stored (with the epoch and the failures): tell the owner."""
        audit("reset_completed", address=user.username, sub=user.sub)
        self._codes.notify(emails.render("password_changed", user.language, user.email), user.username, user.sub)

    @staticmethod
    def _cleared(state: AddressState) -> LoginsChange | None:
        """Whoever read the reset code owns the mailbox: earlier guesses at the password no longer
        count (the run of failures ends; the hourly window keeps them). None: nothing to clear."""
        logins = state.logins
        if logins.consecutive == 0:
            return None
        assert state.user is not None
        after = LoginFailures(0, logins.last_failed_at, logins.recent, logins.version + 1)
        return LoginsChange(state.user.username, logins, after)
