"""Sign-in, sessions, password recovery and the account itself.

Like sign-up (signup.py), nothing here tells whether an address has an account: a login for an
unknown address spends one password verification and is throttled like any other; "forgot" and
"reset" answer alike; a reset guess at an address without a reset code meets a decoy code.

Sessions: a sign-in makes one session (store: SESSION#<id>) and a refresh token that rotates on
every use. A refresh token presented a second time is reuse (it was stolen, or the client is
broken): the whole session is revoked. "Log out everywhere", a reset and a password change end
sessions by raising the account's session epoch: the authorizer reads the session and the
account in one strongly consistent BatchGetItem and refuses a session older than the epoch, and
refresh refuses it too, so every session ends at once, even one the eventually consistent GSI1
would not list yet. A deleted account's sessions are deleted with it; a change of email and the
operator's sign-out also mark each session found through GSI1 revoked (see `_end_sessions`).

Sign-in throttling (lockout.py): the attempt is counted with a conditional write before the
password is verified; a right password's un-count rides in the transaction of the success's own
write (the session, the new hash, the deletion), conditional on the failure record being the one
this attempt counted. When a failure was counted in between, the success stands and the failure
stays counted (the safe side).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from portal import devices, emails, tokens
from portal.addresses import mask, normalize
from portal.audit import audit, logger
from portal.codes import Outcome, Purpose
from portal.errors import (
    AliasExists,
    DependencyFailure,
    ExpiredCode,
    InvalidParameter,
    InvalidPassword,
    LimitExceeded,
    NotAuthorized,
    PasswordResetRequired,
    ServiceUnavailable,
    UserNotConfirmed,
)
from portal.keys import Keyring
from portal.lockout import LoginFailures
from portal.passwords import PasswordHasher, failed_rules
from portal.passwords import normalize as normalize_password
from portal.sessions import RefreshRecord, Session
from portal.signing_keys import TokenKeys
from portal.signup import Delivery
from portal.steps import RACE_RETRIES, CodeSteps, Mailer
from portal.store import DEVICE_MEMORY, AddressState, Conflict, LoginsChange, Store
from portal.users import Status, User, iso

WRONG_CURRENT_PASSWORD = "The current password is not correct."
# Concurrent attempts at one address each need their turn to be counted; one turn per free
# failure plus one to be refused is enough for any burst (each round counts exactly one).
COUNT_RETRIES = 8
SESSION_ENDED = "Your session has ended. Please log in again."


def bound(username: str, sub: str) -> str:
    """What a change-of-email code's digest is bound to: the new address and the account."""
    return f"{username}\x1f{sub}"


@dataclass(frozen=True)
class TokenSettings:
    issuer: str = "portal"
    access_seconds: int = 900
    refresh_seconds: int = 30 * 86400


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


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
    def of(cls, context: dict[str, str]) -> Principal:
        """From web.Request.principal; a route marked auth=True always has these keys."""
        try:
            return cls(
                context["sub"], context["sessionId"], context["username"], context.get("emailVerified") == "true"
            )
        except KeyError:
            raise NotAuthorized(SESSION_ENDED) from None


class Auth(CodeSteps):
    def __init__(
        self,
        store: Store,
        mailer: Callable[[], Mailer],
        keyring: Callable[[], Keyring],
        hasher: Callable[[], PasswordHasher],
        settings: Callable[[], TokenSettings] = TokenSettings,
        clock: Callable[[], float] = time.time,
        token_keys: TokenKeys | None = None,
    ) -> None:
        super().__init__(store, mailer, keyring, hasher, clock)
        self._settings = settings
        self._token_keys = token_keys

    def _keys(self) -> TokenKeys:
        if self._token_keys is None:
            raise RuntimeError("this Auth was built without access-token keys (operator commands sign no token)")
        return self._token_keys

    # -- tokens ------------------------------------------------------------------------------

    def authorize(self, access_token: str) -> Principal:
        """The authorizer's decision: a valid access token of a live session, or TokenRejected."""
        settings = self._settings()
        claims = tokens.verify_access(
            access_token, self._keys().public(), settings.issuer, int(self._clock()), settings.access_seconds
        )
        # One call: the session and the account its token names (the epoch ends other sessions).
        session, user = self._store.load_access(claims.session_id, claims.username)
        if session is None or session.sub != claims.sub:
            raise tokens.TokenRejected("no_session")
        if not session.usable(int(self._clock())):
            raise tokens.TokenRejected("session_revoked" if session.revoked else "session_expired")
        if user is not None and (user.sub != session.sub or not user.enabled or session.epoch < user.session_epoch):
            # Signed out everywhere, password changed or reset, disabled, or deleted and signed up again.
            raise tokens.TokenRejected("session_ended")
        # No account at the token's address (deleted, or moved by a change of email): the session
        # decides, as those flows end sessions by their own writes, and every route that returns
        # anything loads the account at the principal's address and refuses (the change of email
        # finishes a retry for the session that moved with the account).
        return Principal(claims.sub, claims.session_id, claims.username, claims.email_verified)

    def _pair(self, session: Session, refresh_token: str, now: int) -> TokenPair:
        settings = self._settings()
        access = tokens.issue_access(
            self._keys().private(),
            settings.issuer,
            sub=session.sub,
            username=session.username,
            email_verified=session.email_verified,
            session_id=session.session_id,
            now=now,
            lifetime=settings.access_seconds,
        )
        return TokenPair(access, refresh_token, settings.access_seconds)

    def _new_refresh(self, session_id: str, now: int) -> tuple[str, RefreshRecord]:
        token, digest = tokens.new_refresh(session_id)
        return token, RefreshRecord(digest, now, now + self._settings().refresh_seconds)

    # -- sign-in throttling --------------------------------------------------------------------

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

    def _check_password(
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

    def _uncount(self, change: LoginsChange) -> None:
        """The un-count alone, where a right password leads to no write of its own."""
        try:
            self._store.save_logins(change.username, change.before, change.after)
        except Conflict:
            pass  # a failure was counted since: this one stays counted too (the safe side)

    def _upgrade_hash(self, user: User, password: str) -> None:
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

    # -- routes: sign-in and sessions ----------------------------------------------------------

    def login(self, email: str, password: str, user_agent: str = "", ip: str = "") -> TokenPair:
        username = normalize(email)
        password = normalize_password(password)
        state = self._store.load_address(username)  # the account and the failure record at once
        user = state.user
        uncount = self._check_password(username, user, state.logins, password, "login")
        if uncount is not None and user is not None:
            self._upgrade_hash(user, password)
        if uncount is None or user is None or not user.enabled:
            reason = "no_account" if user is None else ("wrong_password" if uncount is None else "disabled")
            if uncount is not None:
                self._uncount(uncount)
            audit("login_failed", address=username, sub=user.sub if user else None, reason=reason)
            raise NotAuthorized()
        if user.status in (Status.UNCONFIRMED, Status.RESET_REQUIRED):
            self._uncount(uncount)  # the password was right: no session, but no failure either
            if user.status == Status.UNCONFIRMED:
                audit("login_failed", address=username, sub=user.sub, reason="unconfirmed")
                raise UserNotConfirmed()
            audit("login_failed", address=username, sub=user.sub, reason="reset_required")
            raise PasswordResetRequired()
        now = int(self._clock())
        session_id = tokens.new_session_id()
        refresh_token, record = self._new_refresh(session_id, now)
        session = Session(
            session_id=session_id,
            sub=user.sub,
            username=username,
            email_verified=user.email_verified,
            epoch=user.session_epoch,
            created_at=now,
            expires_at=record.expires_at,
            user_agent=devices.clean(user_agent),
            ip=ip,
        )
        device = devices.device_key(user_agent)
        pair = self._pair(session, refresh_token, now)  # signed first: no keys, no session written
        try:
            self._store.create_session(session, record, logins=uncount, device=device)
        except Conflict as lost:
            if not lost.maybe("logins"):
                raise ServiceUnavailable() from None
            # A failure was counted since this attempt: the sign-in stands without the un-count,
            # and the failures stay counted (the safe side).
            try:
                self._store.create_session(session, record, device=device)
            except Conflict:
                raise ServiceUnavailable() from None
        audit("login_succeeded", address=username, sub=user.sub, sessionId=session_id)
        self._new_device_notice(user, state.devices, device, session, now)
        return pair

    def _new_device_notice(self, user: User, seen: dict[str, int], device: str, session: Session, now: int) -> None:
        """A device not seen on the account for 90 days: a notice, at most one per device per day.
        A courtesy after the sign-in happened: a failure to claim or send it does not fail the sign-in."""
        if not devices.is_new(seen, device, now, DEVICE_MEMORY):
            return
        try:
            if not self._store.claim_device_notice(user.username, device, now):
                return
        except DependencyFailure:
            logger.warning("notice_skipped", extra={"event": "notice_skipped", "kind": "new_sign_in"})
            return
        mail = devices.new_sign_in_notice(user.language, user.email, session.user_agent, session.ip, now)
        self._notify(mail, user.username, user.sub)

    def refresh(self, refresh_token: str) -> TokenPair:
        try:
            session_id, digest = tokens.parse_refresh(refresh_token)
        except tokens.TokenRejected:
            audit("refresh_refused", reason="malformed")
            raise NotAuthorized(SESSION_ENDED) from None
        session, record = self._store.load_refresh(session_id, digest)
        now = int(self._clock())
        if session is None or record is None:
            audit("refresh_refused", sessionId=session_id, reason="unknown")
            raise NotAuthorized(SESSION_ENDED)
        if record.used:
            self._store.revoke_session(session_id)
            audit("refresh_reuse_detected", address=session.username, sub=session.sub, sessionId=session_id)
            raise NotAuthorized(SESSION_ENDED)
        if not session.usable(now) or now >= record.expires_at:
            audit(
                "refresh_refused",
                address=session.username,
                sub=session.sub,
                sessionId=session_id,
                reason="revoked" if session.revoked else "expired",
            )
            raise NotAuthorized(SESSION_ENDED)
        new_token, new_record = self._new_refresh(session_id, now)
        # Sign before rotating: once the old token is spent, failing to hand out the new pair
        # (the signing key unavailable) would turn the client's retry into "reuse".
        pair = self._pair(session, new_token, now)
        try:
            # The account (sub, enabled, session epoch) is checked inside the rotation itself.
            self._store.rotate_refresh(session, record, new_record)
        except Conflict as lost:
            self._store.revoke_session(session_id)
            if lost.parts is not None and "account" in lost.parts and "refresh" not in lost.parts:
                # Deleted, disabled, moved or signed out everywhere since this session was made.
                audit(
                    "refresh_refused", address=session.username, sub=session.sub, sessionId=session_id, reason="account"
                )
            else:
                # Another request used this very token between our read and our write: that is reuse.
                audit("refresh_reuse_detected", address=session.username, sub=session.sub, sessionId=session_id)
            raise NotAuthorized(SESSION_ENDED) from None
        audit("token_refreshed", address=session.username, sub=session.sub, sessionId=session_id)
        return pair

    def logout(self, principal: Principal, all_devices: bool) -> None:
        if all_devices:
            self._log_out_everywhere(principal)
        else:
            self._store.revoke_session(principal.session_id)
        audit(
            "logout",
            address=principal.username,
            sub=principal.sub,
            sessionId=principal.session_id,
            allDevices=all_devices,
        )

    def _log_out_everywhere(self, principal: Principal) -> None:
        """This session revoked and the account's epoch raised in one transaction: the authorizer and
        refresh refuse every session of the account from now on, listed by GSI1 or not."""
        session_id: str | None = principal.session_id
        for _ in range(RACE_RETRIES):
            try:
                self._store.end_sessions(principal.username, principal.sub, session_id)
                return
            except Conflict as lost:
                if lost.parts is None:
                    continue  # not told which: try the same again
                if "session" in lost.parts:
                    session_id = None  # already gone: only the epoch is left to raise
                if "user" in lost.parts:
                    # The account is not at this address any more (deleted, or moved by a change of
                    # email, which ended its other sessions): only this session is left to end.
                    self._store.revoke_session(principal.session_id)
                    return
        raise ServiceUnavailable()

    def _end_sessions(self, user: User, keep: str | None, bump: bool = True) -> None:
        """Mark every session GSI1 lists revoked (but `keep`), after raising the epoch if `bump`:
        the operator's sign-out and the change of email. The epoch alone already ends them."""
        if bump:
            self._store.bump_session_epoch(user)
        for session_id in self._store.session_ids(user.sub):
            if session_id != keep:
                self._store.revoke_session(session_id)

    # -- routes: the account -------------------------------------------------------------------

    def _current_state(self, principal: Principal) -> AddressState:
        """Everything under the caller's address (the account, its failure record), one Query."""
        state = self._store.load_address(principal.username)
        if state.user is None or state.user.sub != principal.sub:
            # Deleted (and perhaps signed up again) since the token was issued.
            raise NotAuthorized(SESSION_ENDED)
        return state

    def _current_user(self, principal: Principal) -> User:
        user = self._current_state(principal).user
        assert user is not None
        return user

    def account(self, principal: Principal) -> User:
        return self._current_user(principal)

    def update_account(self, principal: Principal, language: str) -> User:
        for _ in range(RACE_RETRIES):
            user = self._current_user(principal)
            try:
                updated = self._store.set_language(user, language, iso(self._clock()))
            except Conflict:
                continue
            audit("account_updated", address=user.username, sub=user.sub, fields=["language"])
            return updated
        raise ServiceUnavailable()

    def delete_account(self, principal: Principal, password: str) -> None:
        password = normalize_password(password)
        state = self._current_state(principal)
        user = state.user
        assert user is not None
        uncount = self._check_password(user.username, user, state.logins, password, "delete_account")
        if uncount is None:
            audit(
                "login_failed", address=user.username, sub=user.sub, reason="wrong_password", purpose="delete_account"
            )
            raise NotAuthorized(WRONG_CURRENT_PASSWORD)
        try:
            self.remove_account(user, also_session=principal.session_id, logins=uncount)
        except Conflict:
            raise NotAuthorized(SESSION_ENDED) from None

    def remove_account(self, user: User, also_session: str | None = None, logins: LoginsChange | None = None) -> None:
        """Delete the account, its codes and its sessions in one transaction (with `logins`, the
        un-count of the password that allowed it), and tell its owner: self-service deletion and
        the operator's `delete` alike. Conflict if the account changed meanwhile."""
        sessions = [*([also_session] if also_session else []), *self._store.session_ids(user.sub)]
        try:
            self._store.delete_account(user, sessions, logins=logins)
        except Conflict as lost:
            if logins is None or not lost.maybe("logins"):
                raise
            # A failure was counted since the password was checked: the deletion stands without
            # the un-count (the safe side). Conflict again means the account itself changed.
            self._store.delete_account(user, sessions)
        audit("account_deleted", address=user.username, sub=user.sub)
        self._notify(emails.render("account_deleted", user.language, user.email), user.username, user.sub)

    def end_all_sessions(self, user: User, bump: bool = True) -> None:
        """Sign the account out everywhere (operator: sign-out, disable, require-reset)."""
        self._end_sessions(user, keep=None, bump=bump)

    # -- routes: change of email -------------------------------------------------------------

    def request_email_change(self, principal: Principal, new_email: str, password: str) -> Delivery:
        """Check the password, then send a code to the new address (which must be free). Until the
        code comes back the old address stays the login; a new request replaces the pending one."""
        password = normalize_password(password)
        state = self._current_state(principal)
        user = state.user
        assert user is not None
        new_username = normalize(new_email)
        if new_username == user.username:
            raise InvalidParameter(fields=[{"field": "newEmail", "problem": "is already the account's address"}])
        uncount = self._check_password(user.username, user, state.logins, password, "change_email")
        if uncount is None:
            audit("login_failed", address=user.username, sub=user.sub, reason="wrong_password", purpose="change_email")
            raise NotAuthorized(WRONG_CURRENT_PASSWORD)
        for attempt in range(RACE_RETRIES):
            if attempt:
                user = self._current_user(principal)
            target = self._store.load_address(new_username)
            now = int(self._clock())
            try:
                if target.user is not None:
                    audit("email_change_refused", address=user.username, sub=user.sub, reason="taken")
                    raise AliasExists()
                sends = self._reserve_send(new_username, target.sends, now)
            except (AliasExists, LimitExceeded):
                if uncount is not None:
                    self._uncount(uncount)  # the password was right, the request refused for another reason
                raise
            code, record = self._issue(Purpose.CHANGE_EMAIL, bound(new_username, user.sub), now)
            try:
                self._store.save_email_change(
                    user, new_email, new_username, record, target.sends, sends, logins=uncount
                )
            except Conflict as lost:
                if lost.maybe("logins"):
                    uncount = None  # a failure was counted since: this one stays counted (the safe side)
                continue
            audit("email_change_requested", address=user.username, sub=user.sub, newEmail=mask(new_email))
            self._send(
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
            outcome = self._judge(record, bound(new_username, user.sub), code)
            try:
                self._refuse_bad_code(
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
            self._notify(emails.render("email_changed", user.language, user.email), user.username, user.sub)
            self._end_sessions(moved, keep=principal.session_id, bump=False)
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
            or self._judge(record, bound(user.username, user.sub), code) is not Outcome.SPENT_MATCH
        ):
            raise NotAuthorized(SESSION_ENDED)
        self._end_sessions(user, keep=principal.session_id, bump=False)
        return user

    # -- routes: passwords ---------------------------------------------------------------------

    def forgot(self, email: str) -> Delivery:
        username = normalize(email)
        for _ in range(RACE_RETRIES):
            state = self._store.load_address(username)
            now = int(self._clock())
            sends = self._reserve_send(username, state.sends, now)
            user = state.user
            # Every branch stores a reset code (real or decoy), so guesses at /password/reset
            # meet the same rules for every address.
            if user is not None and user.enabled and user.status != Status.UNCONFIRMED:
                code, record = self._issue(Purpose.RESET_PASSWORD, username, now)
                records, mail = [record], emails.render("reset_password", user.language, user.email, code)
                kind = "reset"
            elif user is not None and user.status == Status.UNCONFIRMED:
                # Nothing to reset before the address is confirmed: a new verification code instead.
                code, record = self._issue(Purpose.VERIFY_EMAIL, username, now)
                records = [record, self._decoy(username, now, Purpose.RESET_PASSWORD)]
                mail = emails.render("verify_email", user.language, user.email, code)
                kind = "verify"
            else:
                records, mail, kind = [self._decoy(username, now, Purpose.RESET_PASSWORD)], None, "none"
            try:
                self._store.save_codes(username, records, state.sends, sends)
            except Conflict:
                continue
            audit("reset_requested", address=username, sub=user.sub if user else None, sent=kind)
            if mail is None:
                self._as_long_as_a_send()
            else:
                assert user is not None
                self._send(mail, username, sends, now, sub=user.sub)
            return Delivery(mask(email))
        raise ServiceUnavailable()

    def reset(self, email: str, code: str, new_password: str) -> None:
        username = normalize(email)
        new_password = normalize_password(new_password)
        failed = failed_rules(new_password, email)
        if failed:
            raise InvalidPassword(failed)
        for _ in range(RACE_RETRIES):
            state = self._store.load_address(username)
            record = state.codes.get(Purpose.RESET_PASSWORD)
            outcome = self._judge(record, username, code)
            user = state.user
            sub = user.sub if user else None
            try:
                self._refuse_bad_code(outcome, record, username, Purpose.RESET_PASSWORD, sub)
            except Conflict:
                continue
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
        self._notify(emails.render("password_changed", user.language, user.email), user.username, user.sub)

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

    def change_password(self, principal: Principal, current_password: str, new_password: str) -> None:
        current_password = normalize_password(current_password)
        new_password = normalize_password(new_password)
        state = self._current_state(principal)
        user = state.user
        assert user is not None
        failed = failed_rules(new_password, user.email)
        if failed:
            raise InvalidPassword(failed)
        uncount = self._check_password(user.username, user, state.logins, current_password, "change_password")
        if uncount is None:
            audit(
                "login_failed", address=user.username, sub=user.sub, reason="wrong_password", purpose="change_password"
            )
            raise NotAuthorized(WRONG_CURRENT_PASSWORD)
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
                        raise NotAuthorized(WRONG_CURRENT_PASSWORD) from None
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
        self._notify(emails.render("password_changed", user.language, user.email), user.username, user.sub)
