"""Password policy and storage.

The policy is the portal's own ("at least 12 characters long, no spaces, include upper/lowercase
letters, numbers and symbols") plus OWASP ASVS: at most 128 characters, not one of the 10,000 most
common passwords, not containing the address's local part. Every rule has a stable id that the API
returns in `failedRules` and the web client's checklist uses.

Passwords are compared and hashed in Unicode NFKC, so the same password typed on two keyboards
(composed or decomposed accents, full-width digits) is the same password.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
# A local part shorter than this is too common a substring to forbid ("al", "jo").
MIN_LOCAL_PART_CHECKED = 3


def normalize(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def _common_passwords() -> frozenset[str]:
    # Royce Williams' list as Django ships it (lowercased, most frequent first); the first 10,000.
    path = Path(__file__).with_name("common-passwords.txt.gz")
    return frozenset(gzip.decompress(path.read_bytes()).decode().split())


def _is_control(ch: str) -> bool:
    # Invisible or control characters other than whitespace (which has its own rule): NUL,
    # bidi overrides and marks, unassigned code points. They make a password untypeable.
    return not ch.isspace() and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


# Order is the order a person reads the checklist in.
RULES: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
    ("minLength", lambda pw, _: len(pw) >= MIN_LENGTH),
    ("maxLength", lambda pw, _: len(pw) <= MAX_LENGTH),
    ("noWhitespace", lambda pw, _: not any(ch.isspace() for ch in pw)),
    ("noControlCharacters", lambda pw, _: not any(_is_control(ch) for ch in pw)),
    ("uppercase", lambda pw, _: any(ch.isupper() for ch in pw)),
    ("lowercase", lambda pw, _: any(ch.islower() for ch in pw)),
    ("digit", lambda pw, _: any(ch.isdigit() for ch in pw)),
    ("symbol", lambda pw, _: any(not ch.isalnum() and not ch.isspace() and not _is_control(ch) for ch in pw)),
    ("common", lambda pw, _: pw.casefold() not in _common_passwords()),
    (
        "containsEmail",
        lambda pw, local: len(local) < MIN_LOCAL_PART_CHECKED or local.casefold() not in pw.casefold(),
    ),
)
RULE_IDS = tuple(rule_id for rule_id, _ in RULES)


def failed_rules(password: str, email: str) -> list[str]:
    """Every rule the (normalized) password breaks, all at once, in checklist order."""
    local_part = email.rpartition("@")[0]
    return [rule_id for rule_id, holds in RULES if not holds(password, local_part)]


class PasswordHasher:
    """argon2id via argon2-cffi, with the parameters from settings (never below OWASP's floor).

    `verify_dummy` spends the same work as a real verification, so an answer for an address
    without an account takes as long as one for an address with an account.
    """

    def __init__(self, memory_kib: int, time_cost: int, parallelism: int) -> None:
        from argon2 import PasswordHasher as Argon2
        from argon2 import Type

        self._argon2 = Argon2(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        if is_bcrypt(stored_hash):
            return _verify_bcrypt(stored_hash, password)
        try:
            return self._argon2.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True for a hash that is not argon2id with the configured parameters (an imported bcrypt
        hash, or argon2 from before the parameters changed): rewrite it at the next good login."""
        from argon2.exceptions import InvalidHashError

        if is_bcrypt(stored_hash):
            return True
        try:
            return self._argon2.check_needs_rehash(stored_hash)
        except (InvalidHashError, ValueError):
            return True

    def verify_dummy(self, password: str) -> None:
        if self._dummy_hash is None:
            # Made on first use, not at import: it costs a full hash.
            self._dummy_hash = self._argon2.hash("not a password of anybody")
        self.verify(self._dummy_hash, password)


BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


def is_bcrypt(stored_hash: str) -> bool:
    return stored_hash.startswith(BCRYPT_PREFIXES)


def is_argon2(stored_hash: str) -> bool:
    return stored_hash.startswith(("$argon2id$", "$argon2i$", "$argon2d$"))


# A whole bcrypt hash: variant, cost 04-31, then 22 characters of salt and 31 of hash.
_BCRYPT_HASH = re.compile(r"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$")


def usable_hash(stored_hash: str | None) -> bool:
    """A hash this service can verify: a well-formed argon2 or bcrypt hash (what imports may keep).
    A hash with the right prefix and a broken body could never match any password."""
    if not stored_hash:
        return False
    if is_bcrypt(stored_hash):
        return _BCRYPT_HASH.match(stored_hash) is not None
    if is_argon2(stored_hash):
        from argon2 import extract_parameters
        from argon2.exceptions import InvalidHashError

        try:
            extract_parameters(stored_hash)
        except (InvalidHashError, ValueError):
            return False
        # extract_parameters reads the parameters only: salt and hash must be there too.
        return len(stored_hash.split("$")) == 6 and all(stored_hash.split("$")[4:])
    return False


def _verify_bcrypt(stored_hash: str, password: str) -> bool:
    # Imported lazily: only accounts migrated with bcrypt hashes ever need it, once each.
    import bcrypt

    try:
        # bcrypt looks at 72 bytes at most; bcrypt 5 refuses longer input rather than truncating it.
        return bcrypt.checkpw(password.encode()[:72], stored_hash.encode())
    except ValueError:
        return False
