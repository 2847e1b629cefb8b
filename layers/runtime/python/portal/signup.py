"""Sign-up: create an account, confirm its address with an emailed code, send a new code.

The answers never tell whether an address has an account: register, verify and resend give the
same status and body shape either way. Where there is no account (or it is already confirmed) a
decoy code is stored in its place, so that guessing at it behaves exactly like guessing at a real
one (tries counted, lock after five, expiry), and the same send limits apply.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from portal import codes, emails
from portal.addresses import mask, normalize
from portal.audit import audit
from portal.codes import CodeRecord, Outcome, Purpose
from portal.emails import Mail
from portal.errors import (
    CodeMismatch,
    DependencyFailure,
    ExpiredCode,
    InvalidPassword,
    LimitExceeded,
    ServiceUnavailable,
    TooManyFailedAttempts,
)
from portal.keys import Keyring
from portal.limits import SendLog
from portal.passwords import PasswordHasher, failed_rules
from portal.passwords import normalize as normalize_password
from portal.store import Conflict, Store
from portal.users import Status, User, iso

CODE_KEY_PURPOSE = "one-time-codes"
# Reads and decisions are repeated this often when a concurrent request changed the address first.
RACE_RETRIES = 3


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


@dataclass(frozen=True)
class Delivery:
    """What the client learns about a sent code: where (masked) and for how long."""

    destination: str
    code_expires_in: int = codes.LIFETIME_SECONDS


class Signup:
    def __init__(
        self,
        store: Store,
        mailer: Callable[[], Mailer],
        keyring: Callable[[], Keyring],
        hasher: Callable[[], PasswordHasher],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._mailer = mailer
        self._keyring = keyring
        self._hasher = hasher
        self._clock = clock

    # -- routes ------------------------------------------------------------------------------

    def register(self, email: str, password: str, language: str) -> Delivery:
        username = normalize(email)
        password = normalize_password(password)
        failed = failed_rules(password, email)
        if failed:
            raise InvalidPassword(failed)
        for _ in range(RACE_RETRIES):
            state = self._store.load_address(username)
            now = int(self._clock())
            sends = self._reserve_send(username, state.sends, now)
            # Hash in every branch: an existing account must not answer faster than a new one.
            password_hash = self._hasher().hash(password)
            existing = state.user
            sub = existing.sub if existing else str(uuid.uuid4())
            try:
                if existing is not None and existing.status != Status.UNCONFIRMED:
                    self._store.save_code(username, self._decoy(username, now), state.sends, sends)
                    audit("duplicate_signup", address=username, sub=sub)
                    mail = emails.render("signup_attempt", existing.language, existing.email)
                else:
                    code, record = self._issue(Purpose.VERIFY_EMAIL, username, now)
                    user = User(
                        sub=sub,
                        username=username,
                        email=email,
                        status=Status.UNCONFIRMED,
                        password_hash=password_hash,
                        language=language,
                        created_at=existing.created_at if existing else iso(now),
                        updated_at=iso(now),
                    )
                    self._store.save_signup(user, existing, record, state.sends, sends)
                    audit("registered" if existing is None else "registration_replaced", address=username, sub=sub)
                    mail = emails.render("verify_email", language, email, code)
            except Conflict:
                continue
            self._send(mail, username, sends, now, sub=sub)
            return Delivery(mask(email))
        raise ServiceUnavailable()

    def verify(self, email: str, code: str) -> Status:
        username = normalize(email)
        for _ in range(RACE_RETRIES):
            state = self._store.load_address(username)
            record = state.codes.get(Purpose.VERIFY_EMAIL)
            outcome = self._judge(record, username, code)
            user = state.user
            sub = user.sub if user else None
            if outcome is Outcome.MISMATCH:
                assert record is not None
                try:
                    attempts = self._store.count_failed_attempt(username, record)
                except Conflict:
                    continue
                audit("code_mismatch", address=username, sub=sub, purpose=Purpose.VERIFY_EMAIL, attempts=attempts)
                raise CodeMismatch(max(0, codes.MAX_ATTEMPTS - attempts))
            if outcome is Outcome.LOCKED:
                audit("code_locked", address=username, sub=sub, purpose=Purpose.VERIFY_EMAIL)
                raise TooManyFailedAttempts()
            if outcome is Outcome.SPENT_MATCH and user is not None and user.status == Status.CONFIRMED:
                # The same right code again (a retry, a double click): the same answer, no new transition.
                audit("verify_repeated", address=username, sub=sub)
                return Status.CONFIRMED
            if outcome is Outcome.MATCH and user is not None and user.status == Status.UNCONFIRMED:
                assert record is not None
                try:
                    self._store.confirm(user, record, iso(self._clock()))
                except Conflict:
                    continue
                audit("verified", address=username, sub=sub)
                return Status.CONFIRMED
            audit("code_expired", address=username, sub=sub, purpose=Purpose.VERIFY_EMAIL)
            raise ExpiredCode()
        raise ServiceUnavailable()

    def resend(self, email: str) -> Delivery:
        username = normalize(email)
        for _ in range(RACE_RETRIES):
            state = self._store.load_address(username)
            now = int(self._clock())
            sends = self._reserve_send(username, state.sends, now)
            user = state.user
            try:
                if user is not None and user.status == Status.UNCONFIRMED:
                    code, record = self._issue(Purpose.VERIFY_EMAIL, username, now)
                    self._store.save_code(username, record, state.sends, sends)
                    mail: Mail | None = emails.render("verify_email", user.language, user.email, code)
                else:
                    self._store.save_code(username, self._decoy(username, now), state.sends, sends)
                    mail = None
            except Conflict:
                continue
            if mail is None:
                audit("resend_without_account", address=username, sub=user.sub if user else None)
            else:
                assert user is not None
                self._send(mail, username, sends, now, sub=user.sub)
            return Delivery(mask(email))
        raise ServiceUnavailable()

    # -- shared steps ------------------------------------------------------------------------

    def _reserve_send(self, username: str, sends: SendLog, now: int) -> SendLog:
        wait = sends.wait_before_next(now)
        if wait > 0:
            audit("send_throttled", address=username, retryAfter=wait)
            raise LimitExceeded(wait, "A code was sent recently. Please wait before asking for a new one.")
        return sends.with_send(now)

    def _issue(self, purpose: Purpose, username: str, now: int) -> tuple[str, CodeRecord]:
        kid, key = self._keyring().current(CODE_KEY_PURPOSE)
        return codes.issue(kid, key, purpose, username, now)

    def _decoy(self, username: str, now: int) -> CodeRecord:
        """A code nobody is sent: guesses at it meet the same rules as guesses at a real one."""
        return self._issue(Purpose.VERIFY_EMAIL, username, now)[1]

    def _judge(self, record: CodeRecord | None, username: str, submitted: str) -> Outcome:
        key = self._keyring().key(CODE_KEY_PURPOSE, record.key_id) if record else None
        return codes.check(record, key, username, submitted, int(self._clock()))

    def _send(self, mail: Mail, username: str, sends: SendLog, now: int, sub: str | None) -> None:
        try:
            self._mailer().send(mail)
        except DependencyFailure:
            audit("mail_failed", address=username, sub=sub, kind=mail.kind)
            try:
                self._store.refund_send(username, sends, now)
            except (Conflict, DependencyFailure):
                pass  # best effort: at worst the person waits out one minute
            raise
        audit("code_sent" if mail.kind == "verify_email" else "notice_sent", address=username, sub=sub, kind=mail.kind)

