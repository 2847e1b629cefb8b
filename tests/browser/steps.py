"""Steps the browser walks share: the language switch, the screen's parts, a log-in."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests import secrets_watch
from tests.browser.conftest import Portal
from tests.browser.words import WORDS

# The header's switch names the other language in its own words.
SWITCH_TO = {"fr": "Français", "en": "English"}
# Each walk runs in English on a phone and in French on a desktop (the sign-up and reset walk,
# in tests/browser/test_walk.py, in all four).
VIEWS = [("en", 375), ("fr", 1280)]


def choose_language(portal: Portal) -> None:
    """The person picks their language with the switch in the header (English is the default)."""
    if portal.page.locator("html").get_attribute("lang") != portal.lang:
        portal.page.get_by_role("button", name=SWITCH_TO[portal.lang], exact=True).click()
    expect(portal.page.locator("html")).to_have_attribute("lang", portal.lang)


def main(portal: Portal):
    return portal.page.locator("main")


def alert(portal: Portal):
    return portal.page.get_by_role("alert")


def assert_labelled(portal: Portal) -> None:
    """Every visible input and select of the screen has a label."""
    unlabelled = portal.page.evaluate(
        """() => [...document.querySelectorAll('main input, main select')]
              .filter((e) => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
              .map((e) => e.id || e.name || e.type)"""
    )
    assert unlabelled == []


def assert_new_screen(portal: Portal, title: str) -> None:
    """The screen's heading says `title` and has the focus (so screen readers start there)."""
    expect(portal.heading()).to_have_text(title)
    expect(portal.heading()).to_be_focused()
    assert_labelled(portal)


def rule_state(portal: Portal, rule: str):
    return portal.page.locator(f".checklist [data-rule={rule}]")


def log_in(portal: Portal, email: str, password: str) -> None:
    """Log in from the header's link; back on the catalogue."""
    w = WORDS[portal.lang]
    portal.page.get_by_role("link", name=w["login_nav"], exact=True).click()
    assert_new_screen(portal, w["login_title"])
    portal.page.get_by_label(w["email"], exact=True).fill(email)
    portal.page.get_by_label(w["password"], exact=True).fill(password)
    main(portal).get_by_role("button", name=w["login"], exact=True).click()
    expect(portal.page.locator("#flash")).to_have_text(w["logged_in"])


def open_account(portal: Portal) -> None:
    w = WORDS[portal.lang]
    portal.page.get_by_role("link", name=w["account_nav"], exact=True).click()
    assert_new_screen(portal, w["account_title"])


def person(tag: str, runner=None) -> tuple[str, str, str]:
    """A new address and password (email, password, the address's first part); with `runner`,
    already signed up and confirmed through the API."""
    local = f"{tag}-{uuid.uuid4().hex[:8]}"
    email, password = f"{local}@example.org", f"Pewter-Ladle-{uuid.uuid4().hex[:6]}-7!"  # a digit whatever the hex
    secrets_watch.remember({"password": password, "email": email})
    if runner is not None:
        runner.signed_up(email, password)
    return email, password, local


def opened(open_portal, lang: str, width: int) -> Portal:
    """A fresh tab on the catalogue, in `lang`, `width` px wide."""
    portal = open_portal(lang, width=width)
    portal.open()
    choose_language(portal)
    return portal
