"""The values the use cases and the store exchange, with no AWS types: what a read returns, what a
write is conditional on, and how a lost race is reported.

The store (portal/dynamo/) builds and reads these; the use cases decide on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.codes import CodeRecord, Purpose
from portal.limits import SendLog
from portal.lockout import LoginFailures
from portal.users import User


class Conflict(Exception):
    """A conditional write lost to a concurrent one: read again and decide again.

    `parts`: for a transaction, the names of its items whose condition failed, or None when
    DynamoDB did not say (then any of them may have failed)."""

    def __init__(self, parts: frozenset[str] | None = None, *, race: bool = False) -> None:
        super().__init__(*sorted(parts or ()))
        self.parts = parts
        # True when no condition failed: the transaction only met a concurrent one on an item
        # (TransactionConflict), so the same write may succeed when sent again.
        self.race = race

    def only(self, part: str) -> bool:
        """True when exactly this part's condition failed (known, not guessed)."""
        return self.parts == frozenset({part})

    def maybe(self, part: str) -> bool:
        """True when this part's condition failed, or when nobody said which failed."""
        return self.parts is None or part in self.parts


@dataclass(frozen=True)
class AddressState:
    """Everything held under one address, read at once."""

    user: User | None = None
    codes: dict[Purpose, CodeRecord] = field(default_factory=dict)
    sends: SendLog = SendLog()
    # Kept per address, account or not, so that throttling does not tell which addresses exist.
    logins: LoginFailures = LoginFailures()
    # Codes for accounts moving to this address, by the sub of each account.
    email_changes: dict[str, CodeRecord] = field(default_factory=dict)
    # Devices that signed in to the account (devices.device_key) and when each last did.
    devices: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LoginsChange:
    """A change of an address's failure record, made only if the record is still `before`: the
    un-count of a right password (or the clearing after a reset) folded into the transaction of
    the success's own write."""

    username: str
    before: LoginFailures
    after: LoginFailures
