"""Every secret the suite handles, and every log line the code writes, to check they never meet.

Test helpers register what they send or receive (passwords, codes, tokens, hashes, addresses); a
session fixture in conftest.py captures every line the portal's logger writes (and reads what the
local runner printed) and fails the session if any secret, or any full address, is in a line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

SECRET_FIELDS = {"password", "newPassword", "currentPassword", "code", "refreshToken", "accessToken", "token"}
ADDRESS_FIELDS = {"email", "newEmail"}

secrets: set[str] = set()
addresses: set[str] = set()
log = io.StringIO()


def remember(values: dict | None) -> None:
    if not isinstance(values, dict):
        return
    for name, value in values.items():
        if isinstance(value, str) and value:
            if name in SECRET_FIELDS:
                secrets.add(value)
            elif name in ADDRESS_FIELDS and "@" in value:
                addresses.add(value.strip())
                addresses.add(value.strip().casefold())


def remember_secret(value: str) -> None:
    secrets.add(value)


def leaks(lines: Iterable[str]) -> list[str]:
    # Codes are six digits; anything else shorter than a valid password (12) is a test's deliberately
    # bad input ("weak", "password"), which also occurs as a word in ordinary log text.
    real = [s for s in secrets if (len(s) == 6 and s.isdigit()) or len(s) >= 12]
    patterns = [re.compile(rf"(?<![\w-]){re.escape(s)}(?![\w-])") for s in real]
    patterns += [re.compile(re.escape(a), re.IGNORECASE) for a in addresses]
    found = []
    for line in lines:
        for pattern in patterns:
            match = pattern.search(line)
            if match:
                found.append(f"...{line[max(0, match.start() - 120) : match.end() + 40]}...")
                break
    return found
