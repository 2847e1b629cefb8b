"""Email addresses: the account's username, so normalized, validated and never logged whole.

Normalization (the account's key) is trim + Unicode NFC, then the local part lowercased and the
domain in its IDNA 2008 / UTS 46 form: "Ann@Example.org " and "ann@example.ORG" are one account (a
top complaint about Cognito is case-sensitive addresses). Lowercasing, not case folding: folding
maps "ß" to "ss" and "ς" to "σ", and `ann@straße.de` and `ann@strasse.de` are different
registrable domains, as "straße@" and "strasse@" may be different mailboxes; UTS 46 keeps such
letters apart in domains too, and reads a punycode domain (xn--) as the letters it stands for.
The display form the person typed is kept on the account for greetings and mail.

SES takes a domain only as ASCII (punycode) and a local part only in ASCII: `for_ses` gives the
form it takes, and a new address whose local part is not ASCII is refused at once (400).
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
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    return f"{local.lower()}@{_domain(domain, ascii_form=False)}"


def _domain(domain: str, *, ascii_form: bool) -> str:
    """The domain's UTS 46 form: U-labels (the key) or A-labels (what SES takes)."""
    if domain.isascii() and "xn--" not in domain.lower():
        return domain.lower()  # the common case, without loading idna's tables
    import idna

    try:
        encoded = idna.encode(domain, uts46=True)
        return encoded.decode() if ascii_form else idna.decode(encoded)
    except (idna.IDNAError, UnicodeError):
        if ascii_form:
            raise AddressError("must have a domain name that mail can be sent to") from None
        return domain.lower()  # not a domain anybody can own: a key that finds nothing


def for_ses(address: str) -> str:
    """The address as SES takes it: the local part as is (ASCII), the domain in punycode."""
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise AddressError("must have a part before the @ in plain letters, digits and .-_+ (mail cannot reach it)")
    return f"{local}@{_domain(domain, ascii_form=True)}"


def preload() -> None:
    """For the functions that accept a new address (sign-up, change of address): email-validator
    at init, so that a SnapStart snapshot holds its compiled patterns. No other function loads it."""
    import email_validator  # noqa: F401


def validate_new(raw: str) -> str:
    """Full RFC check for an address that is about to own an account; returns its display form.

    email-validator compiles large patterns when first imported, so only the routes that accept
    a new address pay for it, and only when they are first used.
    """
    address = clean(raw)
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from None
    for_ses(valid.normalized)  # an address SES cannot take would hold an account nobody can confirm
    return valid.normalized


def mask(address: str) -> str:
    """What the client shows ("a***@e***.org") and what logs may carry: never the whole address."""
    local, _, domain = address.rpartition("@")
    host, dot, tld = domain.rpartition(".")
    if not host:
        host, dot, tld = tld, "", ""
    return f"{local[:1]}***@{host[:1]}***{dot}{tld}"
