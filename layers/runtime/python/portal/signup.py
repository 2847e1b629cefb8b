"""Sign-up: create an account, confirm its address with an emailed code, send a new code.

The answers never tell whether an address has an account: register, verify and resend give the
same status and body shape either way. Where there is no account (or it is already confirmed) a
decoy code is stored in its place, so that guessing at it behaves exactly like guessing at a real
one (tries counted, lock after five, expiry), and the same send limits apply.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal import codes, emails
from portal.addresses import mask, normalize
from portal.audit import audit
from portal.code_steps import RACE_RETRIES
from portal.codes import Outcome, Purpose
from portal.emails import Mail
from portal.errors import (
    ExpiredCode,
    InvalidPassword,
    ServiceUnavailable,
)
from portal.passwords import failed_rules
from portal.passwords import normalize as normalize_password
from portal.records import Conflict
from portal.use_case import AccountUseCase
from portal.users import Status, User, iso


@dataclass(frozen=True)
class Delivery:
    """What the client learns about a sent code: where (masked) and for how long."""

    destination: str
    code_expires_in: int = codes.LIFETIME_SECONDS


class Signup(AccountUseCase):
    def register(self, email: str, password: str, language: str) -> Delivery:
        username = normalize(email)
        password = normalize_password(password)
        failed = failed_rules(password, email)
        if failed:
            raise InvalidPassword(failed)
        for _ in range(RACE_RETRIES):
            state = self._store.load_address(username)
            now = int(self._clock())
            sends = self._codes.reserve_send(username, state.sends, now)
            # Hash in every branch: an existing account must not answer faster than a new one.
            password_hash = self._hasher().hash(password)
            existing = state.user
            sub = existing.sub if existing else str(uuid.uuid4())
            try:
                if existing is not None and existing.status != Status.UNCONFIRMED:
                    self._store.save_code(username, self._codes.decoy(username, now), state.sends, sends)
                    audit("duplicate_signup", address=username, sub=sub)
                    mail = emails.render("signup_attempt", existing.language, existing.email)
                else:
                    code, record = self._codes.issue(Purpose.VERIFY_EMAIL, username, now)
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
            self._codes.send(mail, username, sends, now, sub=sub)
            return Delivery(mask(email))
        raise ServiceUnavailable()

    def verify(self, email: str, code: str) -> Status:
        username = normalize(email)
        for _ in range(RACE_RETRIES):
            try:
                state, record, outcome = self._codes.judge_at(username, Purpose.VERIFY_EMAIL, code)
            except Conflict:
                continue
            user = state.user
            sub = user.sub if user else None
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
            sends = self._codes.reserve_send(username, state.sends, now)
            user = state.user
            try:
                if user is not None and user.status == Status.UNCONFIRMED:
                    code, record = self._codes.issue(Purpose.VERIFY_EMAIL, username, now)
                    self._store.save_code(username, record, state.sends, sends)
                    mail: Mail | None = emails.render("verify_email", user.language, user.email, code)
                else:
                    self._store.save_code(username, self._codes.decoy(username, now), state.sends, sends)
                    mail = None
            except Conflict:
                continue
            if mail is None:
                audit("resend_without_account", address=username, sub=user.sub if user else None)
                self._codes.as_long_as_a_send()
            else:
                assert user is not None
                self._codes.send(mail, username, sends, now, sub=user.sub)
            return Delivery(mask(email))
        raise ServiceUnavailable()
