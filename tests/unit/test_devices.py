"""Devices from User-Agents: a readable name, and a key that survives updates but not another browser."""

from __future__ import annotations

import pytest

from portal import devices, emails

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_WINDOWS_NEXT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("user_agent", "language", "name"),
    [
        (FIREFOX_WINDOWS, "en", "Firefox on Windows"),
        (FIREFOX_WINDOWS, "fr", "Firefox sous Windows"),
        (CHROME_WINDOWS, "en", "Chrome on Windows"),
        (SAFARI_IPHONE, "en", "Mobile Safari on iOS"),
        ("python-requests/2.32.3", "en", "Python Requests"),
        ("", "en", "Unknown device"),
        (None, "fr", "Appareil inconnu"),
        ("\x00\x01", "en", "Unknown device"),
    ],
)
def test_a_readable_device_name(user_agent, language, name):
    assert devices.device_name(user_agent, language) == name


def test_the_key_survives_an_update_but_not_another_browser():
    assert devices.device_key(FIREFOX_WINDOWS) == devices.device_key(FIREFOX_WINDOWS_NEXT)
    assert devices.device_key(FIREFOX_WINDOWS) != devices.device_key(CHROME_WINDOWS)
    assert devices.device_key(SAFARI_IPHONE) != devices.device_key(CHROME_WINDOWS)
    assert devices.device_key(None) == devices.device_key("")


def test_a_user_agent_is_stored_short_and_printable():
    stored = devices.clean("A\r\nB\x00C" + "x" * 2000)
    assert stored.startswith("ABCx") and len(stored) == devices.MAX_USER_AGENT


def test_the_new_sign_in_notice_fills_its_fields_as_text():
    mail = emails.render(
        "new_sign_in",
        "en",
        "ann@example.org",
        details={"device": "Firefox on Windows <script>", "time": "2026-12-01 22:30 UTC", "ip": "203.0.113.7"},
    )
    assert mail.subject == "New sign-in to your NATO Multimedia account"
    assert "Firefox on Windows <script>, 2026-12-01 22:30 UTC, 203.0.113.7" in mail.text
    assert "&lt;script&gt;" in mail.html and "<script>" not in mail.html
    assert "Reset your password" in mail.text
    french = emails.render("new_sign_in", "fr", "ann@example.org", details={"device": "d", "time": "t", "ip": "i"})
    assert "Nouvelle connexion" in french.subject and "Réinitialisez votre mot de passe" in french.text
