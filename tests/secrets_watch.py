"""Every secret the suite handles, and every log line the code writes, to check they never meet.

Test helpers register what they send or receive (passwords, codes, tokens, hashes, addresses); a
session fixture in conftest.py captures every line the portal's logger writes (and reads what the
local runner printed) and fails the session if any secret, or any full address, is in a line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

SECRET_FIELDS = {
    "password",
    "newPassword",
    "currentPassword",
    "code",
    "refreshToken",
    "accessToken",
    "token",
    # Two-step sign-in: the challenge session, the app's secret (alone and in its URI), recovery codes.
    "session",
    "secret",
    "otpauthUri",
    "recoveryCode",
}
# Fields holding a list of secrets.
SECRET_LISTS = {"recoveryCodes"}
# A recovery code (11 characters) is a secret although shorter than a password.
RECOVERY_CODE = re.compile(r"^[0-9a-z]{5}-[0-9a-z]{5}$")
ADDRESS_FIELDS = {"email", "newEmail"}

secrets: set[str] = set()
addresses: set[str] = set()
recovery_forms: set[str] = set()
log = io.StringIO()


def remember(values: dict | None) -> None:
    if not isinstance(values, dict):
        return
    for name, value in values.items():
        if name in SECRET_LISTS and isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    remember_secret(item)
        elif isinstance(value, str) and value:
            if name in SECRET_FIELDS:
                remember_secret(value)
            elif name in ADDRESS_FIELDS and "@" in value:
                addresses.add(value.strip())
                addresses.add(value.strip().casefold())


def remember_secret(value: str) -> None:
    secrets.add(value)
    if RECOVERY_CODE.match(value):
        # As stored before hashing, and as typed without the dash.
        secrets.add(value.replace("-", ""))
        recovery_forms.add(value.replace("-", ""))


def leaks(lines: Iterable[str]) -> list[str]:
    lines = list(lines)
    # A whole suite holds thousands of secrets and a hundred thousand lines: one regex search per
    # pair took minutes (most of the suite's last one on a loaded machine). A plain substring test
    # over the whole text keeps only the values that occur at all; the exact patterns run on those.
    text = "\n".join(lines)
    folded = text.casefold()
    # Codes are six digits; anything else shorter than a valid password (12) is a test's deliberately
    # bad input ("weak", "password"), which also occurs as a word in ordinary log text.
    real = [
        s
        for s in secrets
        if ((len(s) == 6 and s.isdigit()) or len(s) >= 12 or RECOVERY_CODE.match(s) or s in recovery_forms)
        and s in text
    ]
    patterns = [re.compile(rf"(?<![\w-]){re.escape(s)}(?![\w-])") for s in real]
    # casefold() is per character, so an address found ignoring case is found in the folded text.
    patterns += [re.compile(re.escape(a), re.IGNORECASE) for a in addresses if a.casefold() in folded]
    found = []
    for line in lines:
        for pattern in patterns:
            match = pattern.search(line)
            if match:
                found.append(f"...{line[max(0, match.start() - 120) : match.end() + 40]}...")
                break
    return found
