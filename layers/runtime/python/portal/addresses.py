"""Email addresses: the account's username, so normalized, validated and never logged whole.

Normalization is trim + Unicode NFC + casefold of the whole address: "Ann@Example.org " and
"ann@example.ORG" are one account (a top complaint about Cognito is case-sensitive addresses).
The display form the person typed is kept on the account for greetings and mail.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 254


class AddressError(ValueError):
    """The text is not an email address we accept."""


def clean(raw: str) -> str:
    """Trimmed, NFC, and free of the characters no address may carry (controls, spaces, bidi marks)."""
    address = unicodedata.normalize("NFC", raw.strip())
    if not address or len(address) > MAX_LENGTH:
        raise AddressError("must be an email address of at most 254 characters")
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in address):
        raise AddressError("must not contain spaces or control characters")
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        raise AddressError("must be an email address such as name@example.org")
    return address


def normalize(address: str) -> str:
    return address.casefold()


def validate_new(raw: str) -> str:
    """Full RFC check for an address that is about to own an account; returns its display form.

    email-validator compiles large patterns when first imported, so only the routes that accept
    a new address pay for it, and only when they are first used.
    """
    address = clean(raw)
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from None


def mask(address: str) -> str:
    """What the client shows ("a***@e***.org") and what logs may carry: never the whole address."""
    local, _, domain = address.rpartition("@")
    host, dot, tld = domain.rpartition(".")
    if not host:
        host, dot, tld = tld, "", ""
    return f"{local[:1]}***@{host[:1]}***{dot}{tld}"
