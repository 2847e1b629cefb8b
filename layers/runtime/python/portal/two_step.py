"""Two-step sign-in with an authenticator app (TOTP) and recovery codes: the use cases.

Who must hold what:
- turning it on: a live session and the password (enrol), then a code from the app (confirm);
- turning it off or getting new recovery codes: a live session, the password and a code (from the
  app or a recovery code), so a stolen session alone cannot remove or read the second factor;
- signing in: the password (login, which answers a challenge instead of tokens), then within
  5 minutes a code or a recovery code with the challenge's opaque session.

Every code tried counts as a sign-in attempt of the account (lockout.py: counted before it is
checked, un-counted in the success's own write), so guesses at codes share the password's bound:
5 free in a row, then waits, and at most 100 failures in any hour (docs/adversarial.md). A
challenge also dies after 5 wrong codes. An app code is accepted once: the step it belongs to is
stored, and only a later step is accepted after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from portal import devices, emails, recovery_codes, sealing, totp
from portal.audit import audit
from portal.code_steps import RACE_RETRIES
from portal.errors import CodeMismatch, ExpiredCode, InternalError, InvalidParameter, ServiceUnavailable
from portal.keys import Keyring
from portal.lockout import FREE_FAILURES, LoginFailures
from portal.mfa_records import MfaState, TotpFactor, challenge_digest
from portal.passwords import PasswordHasher
from portal.passwords import normalize as normalize_password
from portal.ports import AccountStore, Clock, Mailer, SecondFactorStore
from portal.principal import Principal, active_state
from portal.records import Conflict, LoginsChange
from portal.signin import SignIn, TokenPair
from portal.use_case import AccountUseCase
from portal.users import Status, User, iso

# The name authenticator apps show above the code.
ISSUER = "NATO Multimedia"
ALREADY_ON = "Two-step verification is already on. Turn it off first to set up another app."


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into the app by hand
    uri: str  # otpauth://totp/...
    qr_svg: str


@dataclass(frozen=True)
class Accepted:
    """A right code: the account's two-step state after it, and which kind of code it was."""

    after: MfaState
    method: str  # "totp" or "recovery"


def uncount(username: str, counted: LoginFailures) -> LoginsChange:
    return LoginsChange(username, counted, counted.with_success(counted.last_failed_at))


def free_left(counted: LoginFailures) -> int:
    """Tries left before the account must wait (what CodeMismatch.attemptsRemaining says)."""
    return max(0, FREE_FAILURES - counted.consecutive)


class TwoStep(AccountUseCase):
    def __init__(
        self,
        store: AccountStore,
        mailer: Callable[[], Mailer],
        keyring: Callable[[], Keyring],
        hasher: Callable[[], PasswordHasher],
        sign_in: SignIn,
        factors: SecondFactorStore,
        clock: Clock = time.time,
        issuer: str = ISSUER,
    ) -> None:
        super().__init__(store, mailer, keyring, hasher, clock)
        self._keyring = keyring
        self._sign_in = sign_in
        self._factors = factors
        self._issuer = issuer

    # -- judging codes --------------------------------------------------------------------------

    def _secret(self, user: User, sealed: str) -> sealing.Opened:
        try:
            return sealing.open_sealed(self._keyring(), sealed, user.sub)
        except sealing.Unsealable as exc:
            # Only a keys secret that lost the kid (or a tampered table) gets here: say so to ops.
            audit("mfa_secret_unreadable", address=user.username, sub=user.sub, reason=str(exc))
            raise InternalError() from None

    def _accept(self, user: User, code: str) -> Accepted | None:
        """The state after accepting `code` (an app code, or else a recovery code); None if wrong."""
        factor = user.mfa.totp
        assert factor is not None
        if totp.CODE_PATTERN.match(code):
            opened = self._secret(user, factor.sealed_secret)
            match = totp.verify(opened.plaintext, code, self._clock(), factor.last_step)
            if match is None:
                return None
            sealed = sealing.seal(self._keyring(), opened.plaintext, user.sub) if opened.stale else factor.sealed_secret
            changed = replace(factor, sealed_secret=sealed, last_step=match.step)
            return Accepted(user.mfa.changed(totp=changed, pending=user.mfa.pending), "totp")
        digest = recovery_codes.match(self._keyring(), factor.recovery, code)
        if digest is None:
            return None
        changed = replace(factor, recovery=factor.recovery.without(digest))
        return Accepted(user.mfa.changed(totp=changed, pending=user.mfa.pending), "recovery")

    def _save(self, user: User, after: MfaState, logins: LoginsChange | None) -> None:
        """Write the new state; a failure counted meanwhile keeps this attempt counted (the safe
        side). Any other lost condition (a concurrent change of two-step) answers 503: retry."""
        try:
            self._factors.save(user, after, logins)
        except Conflict as lost:
            if logins is None or not lost.only("logins"):
                raise ServiceUnavailable() from None
            try:
                self._factors.save(user, after)
            except Conflict:
                raise ServiceUnavailable() from None

    def _used_recovery(self, user: User, accepted: Accepted) -> None:
        if accepted.method == "recovery" and accepted.after.totp is not None:
            audit("recovery_code_used", address=user.username, sub=user.sub, left=accepted.after.totp.recovery.left)

    def _password_and_code(
        self, principal: Principal, password: str, code: str, purpose: str
    ) -> tuple[User, Accepted, LoginsChange]:
        """The password and a code, judged as one sign-in attempt (counted once, before either)."""
        state = active_state(self._store, principal)
        user = state.user
        assert user is not None
        if not user.mfa.on:
            raise InvalidParameter("Two-step verification is not on.")
        change = self._passwords.check_current(user, state.logins, normalize_password(password), purpose)
        accepted = self._accept(user, code)
        if accepted is None:
            # The attempt stays counted: a right password with a wrong code is a failure.
            audit("mfa_code_refused", address=user.username, sub=user.sub, purpose=purpose)
            raise CodeMismatch(free_left(change.before))
        return user, accepted, change

    # -- the account: turning it on and off ------------------------------------------------------

    def enrol(self, principal: Principal, password: str) -> Enrolment:
        """Starts (or starts again) an enrolment: a new secret, sealed, pending until confirmed."""
        state = active_state(self._store, principal)
        user = state.user
        assert user is not None
        if user.mfa.on:
            raise InvalidParameter(ALREADY_ON)
        change = self._passwords.check_current(user, state.logins, normalize_password(password), "mfa_enrol")
        secret = totp.new_secret()
        sealed = sealing.seal(self._keyring(), secret, user.sub)
        self._save(user, user.mfa.changed(totp=None, pending=sealed), change)
        audit("mfa_enrolment_started", address=user.username, sub=user.sub)
        uri = totp.provisioning_uri(secret, user.email, self._issuer)
        return Enrolment(secret, uri, totp.qr_svg(uri))

    def confirm(self, principal: Principal, code: str) -> list[str]:
        """The first code from the app turns two-step on; answers the ten recovery codes (shown once)."""
        state = active_state(self._store, principal)
        user = state.user
        assert user is not None
        if user.mfa.on:
            raise InvalidParameter(ALREADY_ON)
        if user.mfa.pending is None:
            raise ExpiredCode("No set-up of two-step verification is waiting. Start again.")
        counted = self._passwords.count(user.username, user.sub, "mfa_confirm", state.logins)
        opened = self._secret(user, user.mfa.pending)
        match = totp.verify(opened.plaintext, code, self._clock(), None)
        if match is None:
            audit("mfa_code_refused", address=user.username, sub=user.sub, purpose="mfa_confirm")
            raise CodeMismatch(free_left(counted))
        shown, stored = recovery_codes.generate(self._keyring())
        factor = TotpFactor(user.mfa.pending, match.step, stored, iso(self._clock()))
        self._save(user, user.mfa.changed(totp=factor, pending=None), uncount(user.username, counted))
        audit("mfa_enabled", address=user.username, sub=user.sub, method="totp")
        self._codes.notify(emails.render("mfa_enabled", user.language, user.email), user.username, user.sub)
        return shown

    def disable(self, principal: Principal, password: str, code: str) -> None:
        user, accepted, change = self._password_and_code(principal, password, code, "mfa_disable")
        self._used_recovery(user, accepted)
        self._save(user, user.mfa.changed(totp=None, pending=None), change)
        audit("mfa_disabled", address=user.username, sub=user.sub, method=accepted.method)
        self._codes.notify(emails.render("mfa_disabled", user.language, user.email), user.username, user.sub)

    def new_recovery_codes(self, principal: Principal, password: str, code: str) -> list[str]:
        """Ten new recovery codes; the old ones (and the one just typed, if it was one) die."""
        user, accepted, change = self._password_and_code(principal, password, code, "mfa_recovery_codes")
        self._used_recovery(user, accepted)
        factor = accepted.after.totp
        assert factor is not None
        shown, stored = recovery_codes.generate(self._keyring())
        self._save(user, user.mfa.changed(totp=replace(factor, recovery=stored), pending=None), change)
        audit("recovery_codes_renewed", address=user.username, sub=user.sub)
        return shown

    def reset_by_operator(self, user: User, operator: str, reason: str) -> bool:
        """portal-admin mfa-reset: two-step off for someone who lost both phone and codes. False
        when it was not on (nothing written). Challenges already issued die with it (sign-in
        checks that two-step is still on)."""
        if not user.mfa.on and user.mfa.pending is None:
            return False
        try:
            self._factors.save(user, user.mfa.changed(totp=None, pending=None))
        except Conflict:
            raise ServiceUnavailable() from None
        audit("mfa_reset_by_operator", address=user.username, sub=user.sub, operator=operator, reason=reason)
        self._codes.notify(emails.render("mfa_disabled", user.language, user.email), user.username, user.sub)
        return True

    # -- sign-in: the second step -----------------------------------------------------------------

    def _count_challenge_failure(self, digest: str, now: int) -> int:
        """Count a wrong code on the challenge (over the attempts read; again on a lost race).
        Returns the attempts left."""
        for _ in range(RACE_RETRIES * 3):
            challenge = self._factors.load_challenge(digest)
            if challenge is None or not challenge.live(now):
                return 0
            try:
                self._factors.count_challenge_failure(challenge)
            except Conflict:
                continue
            return challenge.attempts_left - 1
        raise ServiceUnavailable()

    def answer(self, token: str, code: str, user_agent: str = "", ip: str = "") -> TokenPair:
        """The challenge's session and a code (app or recovery): the usual token pair."""
        digest = challenge_digest(token)
        for _ in range(RACE_RETRIES):
            challenge = self._factors.load_challenge(digest)
            now = int(self._clock())
            if challenge is None or not challenge.live(now):
                audit(
                    "mfa_challenge_failed",
                    address=challenge.username if challenge else None,
                    sub=challenge.sub if challenge else None,
                    reason="expired",
                )
                raise ExpiredCode("This sign-in has expired. Log in again.")
            state = self._store.load_address(challenge.username)
            user = state.user
            if (
                user is None
                or user.sub != challenge.sub
                or not user.enabled
                or user.status != Status.CONFIRMED
                or user.session_epoch != challenge.epoch
                or not user.mfa.on
            ):
                # Deleted, moved, disabled, reset, signed out everywhere or two-step reset since.
                self._factors.delete_challenge(digest)
                audit("mfa_challenge_failed", address=challenge.username, sub=challenge.sub, reason="account_changed")
                raise ExpiredCode("This sign-in has expired. Log in again.")
            counted = self._passwords.count(user.username, user.sub, "mfa_challenge", state.logins)
            accepted = self._accept(user, code)
            if accepted is None:
                left = self._count_challenge_failure(digest, now)
                audit(
                    "mfa_challenge_failed",
                    address=user.username,
                    sub=user.sub,
                    reason="wrong_code",
                    attemptsRemaining=left,
                )
                raise CodeMismatch(left)
            session, refresh_token, record = self._sign_in.new_session(
                user, now, user_agent, ip, method="password + app code"
            )
            # Signed before anything is written: if the signing keys cannot be read, the challenge
            # is not spent and the same code can be tried again (as login signs before it writes).
            pair = self._sign_in.pair(session, refresh_token, now)
            change: LoginsChange | None = uncount(user.username, counted)
            device = devices.device_key(user_agent)
            try:
                self._factors.pass_challenge(challenge, user, accepted.after, session, record, change, device)
            except Conflict as lost:
                if not lost.only("logins"):
                    continue  # the challenge or two-step changed meanwhile: read and judge again
                try:  # a failure counted meanwhile: the sign-in stands, the failures stay counted
                    self._factors.pass_challenge(challenge, user, accepted.after, session, record, device=device)
                except Conflict:
                    continue
            self._used_recovery(user, accepted)
            audit("mfa_challenge_passed", address=user.username, sub=user.sub, method=accepted.method)
            audit(
                "login_succeeded",
                address=user.username,
                sub=user.sub,
                sessionId=session.session_id,
                mfa=accepted.method,
            )
            # A device new to the account gets its notice here, as after a password alone (signin.py).
            self._sign_in.new_device_notice(user, state.devices, device, session, now)
            return pair
        raise ServiceUnavailable()
