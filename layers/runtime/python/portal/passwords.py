"""Password policy and storage.

The policy is the portal's own ("at least 12 characters long, no spaces, include upper/lowercase
letters, numbers and symbols") plus OWASP ASVS: at most 128 characters, not a commonly used
password, not containing the address's local part, not built on the portal's or the address's
name. Every rule has a stable id that the API returns in `failedRules` and the web client's
checklist uses.

"Commonly used" is judged on the password's base word, not only on the whole: composition rules
push people to decorate a common word ("Password123!", "P@ssw0rd1234", "Summer2025!!"), so the
word is taken out of its case, leet substitutions, leading and trailing digits and symbols, years,
and the portal's and the address's names, and looked up in the 100,000 most used passwords.

Passwords are compared and hashed in Unicode NFKC, so the same password typed on two keyboards
(composed or decomposed accents, full-width digits) is the same password.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Callable
from functools import cache, cached_property
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
# A local part shorter than this is too common a substring to forbid ("al", "jo").
MIN_LOCAL_PART_CHECKED = 3


def normalize(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def _common_passwords() -> frozenset[str]:
    # The 100,000 most used passwords, lowercased (common-passwords.NOTICE.md says where from).
    # Loaded on first use, so only the routes that set a password pay for it (docs/performance.md).
    path = Path(__file__).with_name("common-passwords.txt.gz")
    return frozenset(gzip.decompress(path.read_bytes()).decode().split())


# The portal's own name: "NatoMultimedia2025!" is the first guess against this site.
PORTAL_NAMES = ("nato", "multimedia")
# A base word shorter than this is no word: its lookup would refuse random passwords by chance.
MIN_BASE_WORD = 4
# Names (address parts) shorter than this are too common a substring to take out ("al", "jo").
MIN_NAME = 3
# Leading or trailing digits and symbols; years anywhere.
_LEADING = re.compile(r"\A[\W\d_]+")
_TRAILING = re.compile(r"[\W\d_]+\Z")
_SYMBOLS = re.compile(r"\A[\W_]+|[\W_]+\Z")
_YEARS = re.compile(r"(?:19|20)\d\d")
# Leet substitutions; "1", "!" and "|" read as "i" or as "l".
_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                         "@": "a", "$": "s", "!": "i", "|": "i", "+": "t", "€": "e"})  # fmt: skip
_LEET_L = str.maketrans({"1": "l", "!": "l", "|": "l"})


def _names(local_part: str, domain: str) -> tuple[str, ...]:
    """The words a person would take from the portal and the address: the local part's words
    ("ann.smith" -> ann, smith) and the domain's labels but the top-level one (example)."""
    words = re.split(r"[\W\d_]+", local_part.casefold()) + domain.casefold().split(".")[:-1]
    return tuple(sorted({w for w in (*words, *PORTAL_NAMES) if len(w) >= MIN_NAME}, key=len, reverse=True))


def _unleet(word: str) -> set[str]:
    return {word.translate(_LEET_I), word.translate(_LEET_L).translate(_LEET_I)}


def _strip(word: str) -> str:
    return _TRAILING.sub("", _LEADING.sub("", word))


def base_words(password: str) -> set[str]:
    """The words a guesser starts from: the password without its case, affixes, years and leet."""
    whole = password.casefold()
    stripped = set()
    for variant in (whole, _YEARS.sub("", whole)):
        # Trailing only as well: in "$ummer2025!!" the leading "$" is a letter in disguise; and
        # symbols only: in "F00tba11-!" the "11" is.
        stripped |= {_strip(variant), _TRAILING.sub("", variant), _SYMBOLS.sub("", variant)}
    words = set(stripped)
    for word in stripped:
        words |= {_strip(plain) for plain in _unleet(word)}
    return {word for word in words if len(word) >= MIN_BASE_WORD}


def _without_names(word: str, names: tuple[str, ...]) -> str:
    for name in names:
        word = word.replace(name, "")
    return _strip(word)


def _is_common(password: str, words: set[str]) -> bool:
    common = _common_passwords()
    return password.casefold() in common or any(word in common for word in words)


def _is_names(words: set[str], email: str) -> tuple[bool, bool]:
    """(built on names: nothing of a word left once they are taken out, common once they are)."""
    local_part, _, domain = email.rpartition("@")
    names = _names(local_part, domain)
    common = _common_passwords()
    only_names = common_rest = False
    for word in words:
        if not any(name in word for name in names):
            continue
        rest = _without_names(word, names)
        only_names |= sum(ch.isalpha() for ch in rest) < MIN_BASE_WORD
        common_rest |= rest in common or any(plain in common for plain in _unleet(rest))
    return only_names, common_rest


def _is_control(ch: str) -> bool:
    # Invisible or control characters other than whitespace (which has its own rule): NUL,
    # bidi overrides and marks, unassigned code points. They make a password untypeable.
    return not ch.isspace() and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _contains_local_part(password: str, email: str) -> bool:
    local_part = email.rpartition("@")[0]
    return len(local_part) >= MIN_LOCAL_PART_CHECKED and local_part.casefold() in password.casefold()


class _Judged:
    """One password under the rules: its base words and the names verdict are worked out once for
    all of them (two rules read each), and live only as long as this one judgement."""

    def __init__(self, password: str, email: str) -> None:
        self.text = password
        self.email = email

    @cached_property
    def words(self) -> set[str]:
        return base_words(self.text)

    @cached_property
    def names(self) -> tuple[bool, bool]:
        return _is_names(self.words, self.email)


# Order is the order a person reads the checklist in.
RULES: tuple[tuple[str, Callable[[_Judged], bool]], ...] = (
    ("minLength", lambda pw: len(pw.text) >= MIN_LENGTH),
    ("maxLength", lambda pw: len(pw.text) <= MAX_LENGTH),
    ("noWhitespace", lambda pw: not any(ch.isspace() for ch in pw.text)),
    ("noControlCharacters", lambda pw: not any(_is_control(ch) for ch in pw.text)),
    ("uppercase", lambda pw: any(ch.isupper() for ch in pw.text)),
    ("lowercase", lambda pw: any(ch.islower() for ch in pw.text)),
    ("digit", lambda pw: any(ch.isdigit() for ch in pw.text)),
    ("symbol", lambda pw: any(not ch.isalnum() and not ch.isspace() and not _is_control(ch) for ch in pw.text)),
    ("common", lambda pw: not _is_common(pw.text, pw.words) and not pw.names[1]),
    ("containsEmail", lambda pw: not _contains_local_part(pw.text, pw.email)),
    ("containsName", lambda pw: not pw.names[0]),
)
RULE_IDS = tuple(rule_id for rule_id, _ in RULES)


def failed_rules(password: str, email: str) -> list[str]:
    """Every rule the (normalized) password breaks, all at once, in checklist order."""
    judged = _Judged(password, email)
    return [rule_id for rule_id, holds in RULES if not holds(judged)]


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
