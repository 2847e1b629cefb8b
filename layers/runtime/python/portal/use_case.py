"""What every account use case (sign-up, the account, change of email, recovery) is given.

Wiring only: the store, mailer, keys, hasher and clock, and the two collaborators built from them
that hold the shared steps (CodeSteps: send limits, codes, mail; PasswordCheck: the throttled
password check). The use cases call those collaborators; they inherit no behaviour from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from portal.code_steps import CodeSteps
from portal.keys import Keyring
from portal.password_check import PasswordCheck
from portal.passwords import PasswordHasher
from portal.ports import AccountStore, Clock, Mailer


class AccountUseCase:
    def __init__(
        self,
        store: AccountStore,
        mailer: Callable[[], Mailer],
        keyring: Callable[[], Keyring],
        hasher: Callable[[], PasswordHasher],
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._clock = clock
        self._codes = CodeSteps(store, mailer, keyring, clock)
        self._passwords = PasswordCheck(store, hasher, clock)
