"""Change of email: the current password, then a code sent to the new address, which moves the
account there (if still free) with the caller's session; the old address gets a notice and the
account's other sessions end.
"""

from __future__ import annotations

from dataclasses import replace

from portal import emails
from portal.account import end_sessions
from portal.addresses import mask, normalize
from portal.audit import audit
from portal.code_steps import RACE_RETRIES
from portal.codes import Outcome, Purpose
from portal.errors import AliasExists, ExpiredCode, InvalidParameter, LimitExceeded, NotAuthorized, ServiceUnavailable
from portal.passwords import normalize as normalize_password
from portal.principal import SESSION_ENDED, Principal, active_account, active_state
from portal.records import Conflict, LoginsChange
from portal.signup import Delivery
from portal.use_case import AccountUseCase
from portal.users import User, iso


def bound(username: str, sub: str) -> str:
    """What a change-of-email code's digest is bound to: the new address and the account."""
    return f"{username}\x1f{sub}"


class EmailChange(AccountUseCase):
    def request_email_change(self, principal: Principal, new_email: str, password: str) -> Delivery:
        """Check the password, then send a code to the new address (which must be free). Until the
        code comes back the old address stays the login; a new request replaces the pending one."""
        password = normalize_password(password)
        state = active_state(self._store, principal)
        user = state.user
        assert user is not None
        new_username = normalize(new_email)
        if new_username == user.username:
            raise InvalidParameter(fields=[{"field": "newEmail", "problem": "is already the account's address"}])
        uncount: LoginsChange | None = self._passwords.check_current(user, state.logins, password, "change_email")
        for attempt in range(RACE_RETRIES):
            if attempt:
                user = active_account(self._store, principal)
            target = self._store.load_address(new_username)
            now = int(self._clock())
            try:
                if target.user is not None:
                    audit("email_change_refused", address=user.username, sub=user.sub, reason="taken")
                    raise AliasExists()
                sends = self._codes.reserve_send(new_username, target.sends, now)
            except (AliasExists, LimitExceeded):
                if uncount is not None:
                    self._passwords.uncount(uncount)  # the password was right, the request refused for another reason
                raise
            code, record = self._codes.issue(Purpose.CHANGE_EMAIL, bound(new_username, user.sub), now)
            try:
                self._store.save_email_change(
                    user, new_email, new_username, record, target.sends, sends, logins=uncount
                )
            except Conflict as lost:
                if lost.maybe("logins"):
                    uncount = None  # a failure was counted since: this one stays counted (the safe side)
                continue
            audit("email_change_requested", address=user.username, sub=user.sub, newEmail=mask(new_email))
            self._codes.send(
                emails.render("verify_email", user.language, new_email, code), new_username, sends, now, sub=user.sub
            )
            return Delivery(mask(new_email))
        raise ServiceUnavailable()

    def verify_email_change(self, principal: Principal, code: str) -> User:
        """The code from the new address moves the account there (if still free) with this
        session; the old address gets a notice and the account's other sessions end."""
        for _ in range(RACE_RETRIES):
            user = self._store.load_address(principal.username).user
            if user is None or user.sub != principal.sub:
                return self._finish_email_change(principal, code)
            if not user.pending_email:
                audit("code_expired", address=user.username, sub=user.sub, purpose=Purpose.CHANGE_EMAIL)
                raise ExpiredCode()
            new_username = normalize(user.pending_email)
            state = self._store.load_address(new_username)
            record = state.email_changes.get(user.sub)
            outcome = self._codes.judge(record, bound(new_username, user.sub), code)
            try:
                self._codes.refuse_bad_code(
                    outcome,
                    record,
                    new_username,
                    Purpose.CHANGE_EMAIL,
                    user.sub,
                    owner=user.sub,
                    audit_address=user.username,
                )
            except Conflict:
                continue
            if outcome is not Outcome.MATCH or record is None:
                audit("code_expired", address=user.username, sub=user.sub, purpose=Purpose.CHANGE_EMAIL)
                raise ExpiredCode()
            if state.user is not None:
                audit("email_change_refused", address=user.username, sub=user.sub, reason="taken")
                raise AliasExists()
            moved = replace(
                user,
                username=new_username,
                email=user.pending_email,
                email_verified=True,
                pending_email=None,
                updated_at=iso(self._clock()),
                session_epoch=user.session_epoch + 1,
            )
            try:
                self._store.move_account(user, moved, record, principal.session_id)
            except Conflict:
                if self._store.load_address(new_username).user is not None:
                    audit("email_change_refused", address=user.username, sub=user.sub, reason="taken")
                    raise AliasExists() from None
                session = self._store.load_session(principal.session_id)
                if session is None or not session.usable(int(self._clock())):
                    raise NotAuthorized(SESSION_ENDED) from None
                continue  # the account changed meanwhile: judge again
            audit("email_changed", address=new_username, sub=user.sub, previous=mask(user.email))
            self._codes.notify(emails.render("email_changed", user.language, user.email), user.username, user.sub)
            end_sessions(self._store, moved, keep=principal.session_id, bump=False)
            return moved
        raise ServiceUnavailable()

    def _finish_email_change(self, principal: Principal, code: str) -> User:
        """No account at the token's address any more. If it moved with this session (the same
        code, now spent, says this is a retry after a failure that followed the move), end the
        other sessions, which the failed attempt may not have done; otherwise the session is over."""
        session = self._store.load_session(principal.session_id)
        if session is None or session.sub != principal.sub or not session.usable(int(self._clock())):
            raise NotAuthorized(SESSION_ENDED)
        state = self._store.load_address(session.username)
        user = state.user
        record = state.email_changes.get(principal.sub)
        if (
            user is None
            or user.sub != principal.sub
            or session.username == principal.username
            or self._codes.judge(record, bound(user.username, user.sub), code) is not Outcome.SPENT_MATCH
        ):
            raise NotAuthorized(SESSION_ENDED)
        end_sessions(self._store, user, keep=principal.session_id, bump=False)
        return user
