"""Sign-in and sessions: log in, refresh, log out, and the authorizer's decision.

Like sign-up (signup.py), nothing here tells whether an address has an account: a login for an
unknown address spends one password verification and is throttled like any other
(password_check.py).

Sessions: a sign-in makes one session (SESSION#<id>) and a refresh token that rotates on every
use. A refresh token presented a second time is reuse (it was stolen, or the client is broken):
the whole session is revoked. "Log out everywhere", a reset and a password change end sessions by
raising the account's session epoch: the authorizer reads the session and the account in one
strongly consistent BatchGetItem and refuses a session older than the epoch, and refresh refuses
it too, so every session ends at once, even one the eventually consistent GSI1 would not list yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portal import devices, tokens
from portal.addresses import normalize
from portal.audit import audit
from portal.code_steps import RACE_RETRIES, CodeSteps
from portal.errors import (
    DependencyFailure,
    InternalError,
    NotAuthorized,
    PasswordResetRequired,
    ServiceUnavailable,
    UserNotConfirmed,
)
from portal.keys import Keyring
from portal.password_check import PasswordCheck
from portal.passwords import PasswordHasher
from portal.passwords import normalize as normalize_password
from portal.ports import AccountStore, Clock, Mailer
from portal.principal import SESSION_ENDED, Principal
from portal.records import Conflict, LoginsChange
from portal.sessions import RefreshRecord, Session
from portal.signing_keys import TokenKeys
from portal.users import Status, User

if TYPE_CHECKING:
    from portal.challenges import ChallengeIssued, Challenges
    from portal.passkey_records import PasskeyUse


@dataclass(frozen=True)
class TokenSettings:
    issuer: str = "portal"
    access_seconds: int = 900
    refresh_seconds: int = 30 * 86400
    # Absolute: refreshing never keeps a session past this long after its sign-in.
    session_seconds: int = 30 * 86400


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


class SignIn:
    def __init__(
        self,
        store: AccountStore,
        keyring: Callable[[], Keyring],
        hasher: Callable[[], PasswordHasher],
        settings: Callable[[], TokenSettings] = TokenSettings,
        clock: Clock = time.time,
        challenges: Callable[[], Challenges] | None = None,
        *,
        token_keys: TokenKeys | None = None,
        mailer: Callable[[], Mailer] | None = None,
    ) -> None:
        self._store = store
        self._keyring = keyring
        self._settings = settings
        self._clock = clock
        self._passwords = PasswordCheck(store, hasher, clock)
        # Two-step sign-in's first half (challenges.py), built on the first account that needs it.
        self._challenges = challenges
        self._token_keys = token_keys
        # The new-device notice (sign-in's only mail): a notice after the fact, as CodeSteps sends them.
        self._notices = CodeSteps(store, mailer, keyring, clock) if mailer is not None else None

    def _keys(self) -> TokenKeys:
        if self._token_keys is None:
            raise RuntimeError("this SignIn was built without access-token keys")
        return self._token_keys

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
        return Principal(claims.sub, claims.session_id, claims.username, claims.email_verified, session.epoch)

    def pair(self, session: Session, refresh_token: str, now: int) -> TokenPair:
        """The token pair of a session just created (login, or the second step of one)."""
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

    def _new_refresh(self, session_id: str, now: int, signed_in_at: int) -> tuple[str, RefreshRecord]:
        token, digest = tokens.new_refresh(session_id)
        settings = self._settings()
        ends = min(now + settings.refresh_seconds, signed_in_at + settings.session_seconds)
        return token, RefreshRecord(digest, now, ends)

    def new_session(
        self, user: User, now: int, user_agent: str = "", ip: str = "", method: str = "password"
    ) -> tuple[Session, str, RefreshRecord]:
        """A session for `user` (not stored yet), its refresh token and the record kept of it."""
        session_id = tokens.new_session_id()
        refresh_token, record = self._new_refresh(session_id, now, now)
        session = Session(
            session_id=session_id,
            sub=user.sub,
            username=user.username,
            email_verified=user.email_verified,
            epoch=user.session_epoch,
            created_at=now,
            expires_at=record.expires_at,
            user_agent=devices.clean(user_agent),
            ip=ip,
            method=method,
        )
        return session, refresh_token, record

    def login(self, email: str, password: str, user_agent: str = "", ip: str = "") -> TokenPair | ChallengeIssued:
        username = normalize(email)
        password = normalize_password(password)
        state = self._store.load_address(username)  # the account and the failure record at once
        user = state.user
        uncount = self._passwords.check(username, user, state.logins, password, "login")
        if uncount is not None and user is not None:
            self._passwords.upgrade_hash(user, password)
        if uncount is None or user is None or not user.enabled:
            reason = "no_account" if user is None else ("wrong_password" if uncount is None else "disabled")
            if uncount is not None:
                self._passwords.uncount(uncount)
            audit("login_failed", address=username, sub=user.sub if user else None, reason=reason)
            raise NotAuthorized()
        if user.status in (Status.UNCONFIRMED, Status.RESET_REQUIRED):
            if user.status == Status.UNCONFIRMED:
                # Counted all the same: an unconfirmed account's password is whoever signed up
                # last, not its owner's (verification sets it), and an uncounted right answer
                # would let anyone check theirs is the one pending, without limit.
                audit("login_failed", address=username, sub=user.sub, reason="unconfirmed")
                raise UserNotConfirmed()
            self._passwords.uncount(uncount)  # the password was right: no session, but no failure either
            audit("login_failed", address=username, sub=user.sub, reason="reset_required")
            raise PasswordResetRequired()
        if user.mfa.on:
            # Two-step on: no tokens yet, a challenge that a code answers (two_step.py).
            if self._challenges is None:
                raise InternalError()  # wired by services.py; never sign in without the second step
            return self._challenges().issue(user, uncount)
        return self.open_session(user, logins=uncount, user_agent=user_agent, ip=ip, seen_devices=state.devices)

    def open_session(
        self,
        user: User,
        logins: LoginsChange | None = None,
        method: str = "password",
        user_agent: str = "",
        ip: str = "",
        seen_devices: dict[str, int] | None = None,
        passkey_use: PasskeyUse | None = None,
    ) -> TokenPair:
        """A new session for an account whose owner has just proved who they are (a password, or a
        passkey, which counts as both steps), with the password's un-count (`logins`) or the
        passkey's new sign count (`passkey_use`) in the same transaction. With the devices seen on
        the account, a new one gets its notice. A passkey used by another sign-in since it was read
        raises Conflict (part "passkey"): no session is written."""
        now = int(self._clock())
        session, refresh_token, record = self.new_session(user, now, user_agent, ip, method)
        device = devices.device_key(user_agent)
        pair = self.pair(session, refresh_token, now)  # signed first: no keys, no session written
        try:
            self._store.create_session(session, record, logins=logins, device=device, passkey_use=passkey_use)
        except Conflict as lost:
            if passkey_use is not None and lost.maybe("passkey"):
                raise
            if logins is None or not lost.maybe("logins"):
                raise ServiceUnavailable() from None
            # A failure was counted since this attempt: the sign-in stands without the un-count,
            # and the failures stay counted (the safe side).
            try:
                self._store.create_session(session, record, device=device)
            except Conflict:
                raise ServiceUnavailable() from None
        audit("login_succeeded", address=user.username, sub=user.sub, sessionId=session.session_id, method=method)
        if seen_devices is not None:
            self.new_device_notice(user, seen_devices, device, session, now)
        return pair

    def new_device_notice(self, user: User, seen: dict[str, int], device: str, session: Session, now: int) -> None:
        """A device not seen on the account for 90 days: a notice, at most one per device per day
        (after a password, a passkey or the second step of a two-step sign-in).
        A courtesy after the sign-in happened: a failure to claim or send it does not fail the sign-in."""
        if self._notices is None or not devices.is_new(seen, device, now):
            return
        try:
            if not self._store.claim_device_notice(user.username, device, now):
                return
        except DependencyFailure:
            audit("notice_skipped", address=user.username, sub=user.sub, kind="new_sign_in")
            return
        mail = devices.new_sign_in_notice(user.language, user.email, session.user_agent, session.ip, now)
        self._notices.notify(mail, user.username, user.sub)

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
        if now >= session.created_at + self._settings().session_seconds:
            # The session's absolute lifetime since its sign-in: the person signs in again.
            audit("refresh_refused", address=session.username, sub=session.sub, sessionId=session_id, reason="lifetime")
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
        new_token, new_record = self._new_refresh(session_id, now, session.created_at)
        # Sign before rotating: once the old token is spent, failing to hand out the new pair
        # (the signing key unavailable) would turn the client's retry into "reuse".
        pair = self.pair(session, new_token, now)
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
