"""What the use cases need from the outside, as Protocols: the account store, the mailer, the clock.

portal/dynamo/ and portal/mailer.py implement them; tests hand in fakes. Nothing here imports boto3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from portal.codes import CodeRecord
from portal.emails import Mail
from portal.limits import SendLog
from portal.lockout import LoginFailures
from portal.mfa_records import Challenge, MfaState
from portal.records import AddressState, LoginsChange
from portal.sessions import RefreshRecord, Session
from portal.users import User

if TYPE_CHECKING:
    from portal.passkey_records import PasskeyUse

# Epoch seconds now (time.time in production, a fixed value in tests).
Clock = Callable[[], float]


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


class Accounts(Protocol):
    """The one read every protected use case starts with (see principal.active_account), and the
    session, read only when the account says it may have ended since the authorizer's answer."""

    def load_address(self, username: str) -> AddressState: ...
    def load_session(self, session_id: str) -> Session | None: ...


class AccountStore(Accounts, Protocol):
    """Accounts, their codes, send logs, failure records and sessions (portal/dynamo/accounts.py).

    Every write that must not race is conditional and raises records.Conflict when it lost."""

    # codes and sign-up
    def save_code(self, username: str, code: CodeRecord, sends_before: SendLog, sends_after: SendLog) -> None: ...
    def save_codes(
        self, username: str, codes: list[CodeRecord], sends_before: SendLog, sends_after: SendLog
    ) -> None: ...
    def save_signup(
        self, user: User, previous: User | None, code: CodeRecord, sends_before: SendLog, sends_after: SendLog
    ) -> None: ...
    def refund_send(self, username: str, sends_after: SendLog, sent_at: int) -> None: ...
    def count_failed_attempt(self, username: str, code: CodeRecord, owner: str | None = None) -> int: ...
    def confirm(self, user: User, code: CodeRecord, now_iso: str, password_hash: str) -> None: ...

    # sign-in throttling and the account
    def save_logins(self, username: str, before: LoginFailures, after: LoginFailures) -> None: ...
    def set_language(self, user: User, language: str, now_iso: str) -> User: ...
    def set_password(
        self,
        user: User,
        password_hash: str,
        now_iso: str,
        *,
        spend: CodeRecord | None = None,
        confirm: bool = False,
        logins: LoginsChange | None = None,
        restamp: str | None = None,
    ) -> int: ...
    def upgrade_password_hash(self, user: User, password_hash: str, now_iso: str) -> None: ...
    def delete_account(
        self, user: User, session_ids: Sequence[str] = (), logins: LoginsChange | None = None
    ) -> None: ...

    # change of email
    def save_email_change(
        self,
        user: User,
        new_email: str,
        new_username: str,
        code: CodeRecord,
        sends_before: SendLog,
        sends_after: SendLog,
        logins: LoginsChange | None = None,
        target_sub: str | None = None,
    ) -> None: ...
    def move_account(self, user: User, moved: User, code: CodeRecord, session_id: str) -> None: ...

    # sessions
    def create_session(
        self,
        session: Session,
        refresh: RefreshRecord,
        logins: LoginsChange | None = None,
        device: str | None = None,
        passkey_use: PasskeyUse | None = None,
    ) -> None: ...
    def claim_device_notice(self, username: str, device: str, now: int) -> bool: ...
    def load_session(self, session_id: str) -> Session | None: ...
    def load_access(self, session_id: str, username: str) -> tuple[Session | None, User | None]: ...
    def load_refresh(self, session_id: str, digest: str) -> tuple[Session | None, RefreshRecord | None]: ...
    def rotate_refresh(self, session: Session, used: RefreshRecord, new: RefreshRecord) -> None: ...
    def revoke_session(self, session_id: str) -> None: ...
    def end_sessions(self, username: str, sub: str, session_id: str | None) -> None: ...
    def bump_session_epoch(self, user: User) -> int: ...
    def sessions_of(self, sub: str) -> list[Session]: ...
    def end_session(self, session_id: str, sub: str) -> bool: ...


class SecondFactorStore(Protocol):
    """Two-step sign-in's state: the factor on the account item, the challenges (portal/dynamo/mfa.py)."""

    def save(self, user: User, after: MfaState, logins: LoginsChange | None = None) -> None: ...
    def create_challenge(self, challenge: Challenge, logins: LoginsChange | None = None) -> None: ...
    def load_challenge(self, digest: str) -> Challenge | None: ...
    def count_challenge_failure(self, challenge: Challenge) -> None: ...
    def delete_challenge(self, digest: str) -> None: ...
    def pass_challenge(
        self,
        challenge: Challenge,
        user: User,
        after: MfaState,
        session: Session,
        refresh: RefreshRecord,
        logins: LoginsChange | None = None,
        device: str | None = None,
    ) -> None: ...
