"""What a sign-in's User-Agent says about the device: a stable key and a readable name.

The key is computed without any parser, so sign-in never loads one: the User-Agent lower-cased
with its version numbers taken out, then hashed. A browser or system update keeps the key (no
"new device" notice after every update); another browser on the same computer is another device,
as its readable name says ("Firefox on Windows" vs "Chrome on Windows").

The readable name comes from `ua-parser` (ua-parser.github.io, the Browserscope rules), which
costs hundreds of milliseconds to load and warm: the session list loads it at init (`preload`),
sign-in only when it mails a new-device notice; no other route ever does.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

# Longer User-Agents are cut: nothing useful is that long, and the session item stays small.
MAX_USER_AGENT = 512
_VERSIONS = re.compile(r"\d+(?:[._]\d+)*")
_SPACES = re.compile(r"\s+")
# A device not seen on the account for this long is new again (its record's TTL, too).
DEVICE_MEMORY = 90 * 86400
UNKNOWN = {"en": "Unknown device", "fr": "Appareil inconnu"}
ON = {"en": "{browser} on {system}", "fr": "{browser} sous {system}"}


def preload() -> None:
    """Import and warm the parser at init, for the route that lists devices: in a SnapStart
    snapshot its compiled rules come back with every restore instead of costing the first request."""
    device_name("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0")


def clean(user_agent: str | None) -> str:
    """The User-Agent as stored: printable ASCII only, at most MAX_USER_AGENT characters."""
    text = "".join(c for c in (user_agent or "") if 32 <= ord(c) < 127)
    return _SPACES.sub(" ", text).strip()[:MAX_USER_AGENT]


def device_key(user_agent: str | None) -> str:
    shape = _VERSIONS.sub("", clean(user_agent).lower())
    return hashlib.sha256(shape.encode()).hexdigest()[:32]


def device_name(user_agent: str | None, language: str = "en") -> str:
    """ "Firefox on Windows", "Mobile Safari on iOS", or "Unknown device"."""
    language = language if language in UNKNOWN else "en"
    text = clean(user_agent)
    if not text:
        return UNKNOWN[language]
    from ua_parser import parse_os, parse_user_agent

    browser, system = parse_user_agent(text), parse_os(text)
    browser_name = browser.family if browser and browser.family != "Other" else None
    system_name = system.family if system and system.family != "Other" else None
    if browser_name and system_name:
        return ON[language].format(browser=browser_name, system=system_name)
    return browser_name or system_name or UNKNOWN[language]


def is_new(seen: dict[str, int], key: str, now: int) -> bool:
    """Not seen on the account within DEVICE_MEMORY."""
    last = seen.get(key)
    return last is None or last <= now - DEVICE_MEMORY


def new_sign_in_notice(language: str, to: str, user_agent: str, ip: str, now: int) -> Any:
    """The new-device notice (emails "new_sign_in"): device, time (UTC) and IP, in the account's language."""
    from portal import emails

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now))
    details = {"device": device_name(user_agent, language), "time": when, "ip": ip or "?"}
    return emails.render("new_sign_in", language, to, details=details)
