"""The steps every code-sending flow shares: sign-up, recovery, the change of email and notices.

One place for the send limits, issuing and judging one-time codes, decoy codes and mailing, so
that sign-up codes and reset codes obey exactly the same rules (one send budget per address,
five tries, 30 minutes) and an unknown address behaves like a known one. The use cases hold one
`CodeSteps` each (a collaborator, not a base class).
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable

from portal import codes
from portal.audit import audit
from portal.codes import CodeRecord, Outcome, Purpose
from portal.emails import Mail
from portal.errors import CodeMismatch, DependencyFailure, LimitExceeded, TooManyFailedAttempts
from portal.keys import Keyring
from portal.limits import SendLog
from portal.ports import AccountStore, Clock, Mailer
from portal.records import AddressState, Conflict

CODE_KEY_PURPOSE = "one-time-codes"
# Reads and decisions are repeated this often when a concurrent request changed the address first.
RACE_RETRIES = 3
# Mails that carry a code (audited as code_sent); the others are notices.
CODE_MAILS = frozenset({"verify_email", "reset_password"})


class SendTimes:
    """How long this process's recent mail sends took. A branch that sends nothing (resend or
    "forgot" for an address without an account) waits one of these durations, drawn at random,
    so that both answers take equally long: their timing distributions match, not only a mean."""

    # Until this process has sent a mail: a guess at building the message and SES answering.
    FIRST_GUESS_SECONDS = 0.05

    def __init__(self, window: int = 32) -> None:
        self._recent: deque[float] = deque(maxlen=window)

    def record(self, seconds: float) -> None:
        self._recent.append(seconds)

    def draw(self) -> float:
        return secrets.choice(self._recent) if self._recent else self.FIRST_GUESS_SECONDS


# One per process: every route of a function shares what its sends took.
SEND_TIMES = SendTimes()


class CodeSteps:
    def __init__(
        self,
        store: AccountStore,
        mailer: Callable[[], Mailer],
        keyring: Callable[[], Keyring],
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._mailer = mailer
        self._keyring = keyring
        self._clock = clock

    def reserve_send(self, username: str, sends: SendLog, now: int) -> SendLog:
        wait = sends.wait_before_next(now)
        if wait > 0:
            audit("send_throttled", address=username, retryAfter=wait)
            raise LimitExceeded(wait, sends.refusal(now))
        return sends.with_send(now)

    def issue(self, purpose: Purpose, username: str, now: int) -> tuple[str, CodeRecord]:
        kid, key = self._keyring().current(CODE_KEY_PURPOSE)
        return codes.issue(kid, key, purpose, username, now)

    def decoy(self, username: str, now: int, purpose: Purpose = Purpose.VERIFY_EMAIL) -> CodeRecord:
        """A code nobody is sent: guesses at it meet the same rules as guesses at a real one."""
        return self.issue(purpose, username, now)[1]

    def refuse_bad_code(
        self,
        outcome: Outcome,
        record: CodeRecord | None,
        username: str,
        purpose: Purpose,
        sub: str | None,
        *,
        owner: str | None = None,
        audit_address: str | None = None,
    ) -> None:
        """Answer a wrong or dead code: count the try and refuse, or refuse. Returns for the rest.

        `username` is where the code is stored (`owner`: the account it is bound to, for codes
        sent to an address the account is moving to); `audit_address` the address audited.
        Raises Conflict when the try could not be counted on exactly the judged code (it changed
        meanwhile): the caller reads and judges again.
        """
        audited = audit_address or username
        if outcome is Outcome.MISMATCH:
            assert record is not None
            attempts = self._store.count_failed_attempt(username, record, owner=owner)
            audit("code_mismatch", address=audited, sub=sub, purpose=purpose, attempts=attempts)
            raise CodeMismatch(max(0, codes.MAX_ATTEMPTS - attempts))
        if outcome is Outcome.LOCKED:
            audit("code_locked", address=audited, sub=sub, purpose=purpose)
            raise TooManyFailedAttempts()

    def judge_at(
        self, username: str, purpose: Purpose, submitted: str
    ) -> tuple[AddressState, CodeRecord | None, Outcome]:
        """Read the address, judge the submitted code of `purpose` stored there, and refuse a wrong
        or dead one (counting the try). Returns the state read, the record and the outcome for the
        rest; Conflict when the try could not be counted (read and judge again)."""
        state = self._store.load_address(username)
        record = state.codes.get(purpose)
        outcome = self.judge(record, username, submitted)
        self.refuse_bad_code(outcome, record, username, purpose, state.user.sub if state.user else None)
        return state, record, outcome

    def judge(self, record: CodeRecord | None, username: str, submitted: str) -> Outcome:
        key = self._keyring().key(CODE_KEY_PURPOSE, record.key_id) if record else None
        return codes.check(record, key, username, submitted, int(self._clock()))

    def _deliver(self, mail: Mail) -> None:
        started = time.perf_counter()
        self._mailer().send(mail)
        SEND_TIMES.record(time.perf_counter() - started)

    def as_long_as_a_send(self) -> None:
        """In place of a mail that is not sent: the answer must not come sooner (no enumeration)."""
        time.sleep(SEND_TIMES.draw())

    def send(self, mail: Mail, username: str, sends: SendLog, now: int, sub: str | None) -> None:
        try:
            self._deliver(mail)
        except DependencyFailure:
            audit("mail_failed", address=username, sub=sub, kind=mail.kind)
            try:
                self._store.refund_send(username, sends, now)
            except (Conflict, DependencyFailure):
                pass  # best effort: at worst the person waits out one minute
            raise
        audit("code_sent" if mail.kind in CODE_MAILS else "notice_sent", address=username, sub=sub, kind=mail.kind)

    def notify(self, mail: Mail, username: str, sub: str | None) -> None:
        """A notice after a change that already happened: a mail failure must not undo or fail it."""
        try:
            self._deliver(mail)
        except DependencyFailure:
            audit("mail_failed", address=username, sub=sub, kind=mail.kind)
            return
        audit("notice_sent", address=username, sub=sub, kind=mail.kind)
