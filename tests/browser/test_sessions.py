"""Where you're signed in (issue 17): two browsers with different User-Agents sign in to one
account, each sees both sessions with its own marked "This device", one ends the other, and the
other's next action lands on "session ended, log in again". English on a phone (375 px) and
French on a desktop (1280 px), each screen audited by axe."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from portal.account_sessions import METHODS
from tests.browser.conftest import Portal
from tests.browser.steps import VIEWS, assert_new_screen, choose_language, log_in, main, open_account, person
from tests.browser.words import WORDS

pytestmark = pytest.mark.browser

LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
DESKTOP = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
# What the section says, and the device names the API gives in the account's language.
SAY = {
    "en": {
        "title": "Where you’re signed in",
        "this_device": "This device",
        "end": "Sign out",
        "signed_in": "Signed in",
        "last_used": "Last used",
        "ip": "IP address",
        "method": "Signed in with",
        "password": "Password",
        "laptop": "Firefox on Windows",
        "desktop": "Chrome on Mac OS X",
        "ended": "Chrome on Mac OS X is signed out.",
        "session_ended": "Your session has ended. Please log in again.",
        "save": "Save",
    },
    "fr": {
        "title": "Où vous êtes connecté(e)",
        "this_device": "Cet appareil",
        "end": "Déconnecter",
        "signed_in": "Connexion",
        "last_used": "Dernière utilisation",
        "ip": "Adresse IP",
        "method": "Connecté(e) avec",
        "password": "Mot de passe",
        "laptop": "Firefox sous Windows",
        "desktop": "Chrome sous Mac OS X",
        "ended": "Appareil déconnecté\u00a0: Chrome sous Mac OS X.",
        "session_ended": "Votre session a pris fin. Veuillez vous reconnecter.",
        "save": "Enregistrer",
    },
}


SERVICE_BUSY = "The service is busy or unavailable. Please try again shortly."


@pytest.fixture
def open_device(open_portal):
    """open_device(user_agent, lang, width) -> a tab on the catalogue in a fresh context that sends that User-Agent."""

    def make(user_agent: str, lang: str, width: int) -> Portal:
        portal = open_portal(lang, width=width, height=900, user_agent=user_agent)
        portal.open()
        choose_language(portal)
        return portal

    return make


def account_in(runner, lang: str) -> tuple[str, str]:
    """A confirmed account whose language is `lang`, never signed in (so only the browsers' sessions exist)."""
    email, password, _ = person("sessions")
    assert (
        runner.post("/v1/account/register", {"email": email, "password": password, "language": lang}).status_code == 202
    )
    verify = runner.post("/v1/account/verify", {"email": email, "code": runner.code_for(email), "password": password})
    assert verify.status_code == 200
    return email, password


def sessions_section(portal: Portal):
    return main(portal).get_by_role("region", name=SAY[portal.lang]["title"])


def rows(portal: Portal):
    return sessions_section(portal).get_by_role("listitem")


def row_of(portal: Portal, device: str):
    return rows(portal).filter(has=portal.page.get_by_role("heading", name=device))


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_two_browsers_see_both_sessions_and_one_ends_the_other(open_device, runner, lang, width):
    w, say = WORDS[lang], SAY[lang]
    email, password = account_in(runner, lang)
    laptop = open_device(LAPTOP, lang, width)
    log_in(laptop, email, password)
    desktop = open_device(DESKTOP, lang, width)
    log_in(desktop, email, password)

    # The laptop's list: both sessions, the laptop first and marked, each with its facts.
    open_account(laptop)
    expect(rows(laptop)).to_have_count(2)
    here = rows(laptop).first
    expect(here.get_by_role("heading")).to_have_text(f"{say['laptop']} {say['this_device']}")
    expect(here.get_by_role("button")).to_have_text(w["logout"])  # this device: a plain log out
    other = row_of(laptop, say["desktop"])
    expect(other).not_to_contain_text(say["this_device"])
    for term in ("signed_in", "last_used", "ip", "method"):
        expect(other.locator("dt")).to_contain_text([say[term]])
    expect(other.locator("dd").nth(2)).to_have_text("127.0.0.1")
    expect(other.locator("dd").nth(3)).to_have_text(say["password"])
    expect(other.locator("dd").first).to_contain_text("UTC")
    expect(sessions_section(laptop).get_by_role("button", name=w["logout_everywhere"], exact=True)).to_be_visible()
    laptop.shot("sessions-two-devices")

    # The desktop sees the same two, with itself marked.
    open_account(desktop)
    expect(rows(desktop)).to_have_count(2)
    expect(rows(desktop).first.get_by_role("heading")).to_have_text(f"{say['desktop']} {say['this_device']}")
    expect(row_of(desktop, say["laptop"]).get_by_role("button")).to_have_text(say["end"])

    # The laptop signs the desktop out, with the keyboard.
    end = other.get_by_role("button", name=say["end"], exact=True)
    end.focus()
    laptop.page.keyboard.press("Enter")
    expect(rows(laptop)).to_have_count(1)
    expect(sessions_section(laptop).get_by_role("status")).to_have_text(say["ended"])
    expect(sessions_section(laptop).get_by_role("heading", name=say["title"])).to_be_focused()
    laptop.shot("sessions-other-ended")

    # The desktop, still showing its account page, acts next: the session is over, log in again.
    desktop.page.get_by_role("button", name=say["save"], exact=True).click()
    assert_new_screen(desktop, w["login_title"])
    expect(desktop.page.locator("#flash")).to_have_text(say["session_ended"])
    expect(desktop.page.get_by_role("link", name=w["account_nav"], exact=True)).to_have_count(0)
    desktop.shot("sessions-ended-elsewhere")

    # The laptop, reloaded, lists itself only; its own "Log out" logs out here.
    laptop.page.reload()
    expect(laptop.heading()).to_have_text(w["account_title"])  # a page load leaves the focus at the top
    expect(rows(laptop)).to_have_count(1)
    rows(laptop).first.get_by_role("button", name=w["logout"], exact=True).click()
    expect(laptop.page.locator("#flash")).to_have_text(w["logged_out"])
    assert runner.post("/v1/auth/login", {"email": email, "password": password}).status_code == 200


def account_page_with_list_answer(open_device, runner, status: int, body: dict):
    """Signed in, on the account page, with GET /v1/account/sessions answering `status` and `body`."""
    email, password = account_in(runner, "en")
    portal = open_device(LAPTOP, "en", 1024)
    log_in(portal, email, password)
    portal.page.route(
        "**/v1/account/sessions",
        lambda route: route.fulfill(status=status, content_type="application/json", body=json.dumps(body)),
    )
    open_account(portal)
    return portal, sessions_section(portal)


def test_without_the_list_both_ways_to_log_out_remain(open_device, runner):
    w = WORDS["en"]
    portal, section = account_page_with_list_answer(
        open_device, runner, 503, {"error": {"code": "ServiceUnavailable", "message": "busy"}}
    )
    expect(section.get_by_role("alert")).to_have_text(SERVICE_BUSY)
    expect(section.get_by_role("list")).to_have_count(0)
    expect(section.get_by_role("button", name=w["logout_everywhere"], exact=True)).to_be_visible()
    section.get_by_role("button", name=w["logout"], exact=True).click()
    expect(portal.page.locator("#flash")).to_have_text(w["logged_out"])


def test_every_sign_in_method_the_api_names_has_words_in_both_languages(open_device):
    portal = open_device(LAPTOP, "en", 1024)
    labels = portal.page.evaluate(
        """async (methods) => {
          const i18n = await import('/i18n.js');
          const out = {};
          for (const lang of ['en', 'fr']) {
            i18n.setLanguage(lang);
            out[lang] = methods.map((m) => i18n.t('sessions.methods.' + m));
          }
          i18n.setLanguage('en');
          return out;
        }""",
        list(METHODS),
    )
    for lang in ("en", "fr"):
        assert all(not label.startswith("sessions.methods.") for label in labels[lang]), labels
    assert len(set(labels["en"])) == len(METHODS) and set(labels["en"]).isdisjoint(labels["fr"])


def test_when_this_session_is_not_listed_yet_log_out_is_still_there(open_device, runner):
    """The list reads an index that may lag a brand-new session by a moment."""
    w = WORDS["en"]
    _, section = account_page_with_list_answer(open_device, runner, 200, {"items": []})
    expect(section.get_by_role("list")).to_be_attached()
    expect(section.get_by_role("listitem")).to_have_count(0)
    expect(section.get_by_role("button", name=w["logout"], exact=True)).to_have_count(1)
    expect(section.get_by_role("button", name=w["logout_everywhere"], exact=True)).to_be_visible()
