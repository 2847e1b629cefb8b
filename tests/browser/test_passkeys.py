"""Passkeys in a real browser (issue 16): Debian's Chromium with the DevTools virtual authenticator
(CDP `WebAuthn.enable` + `WebAuthn.addVirtualAuthenticator`: ctap2, internal transport, resident
keys, user verification), against the session's local runner at http://localhost:<port>/ (a
WebAuthn relying party is a domain: the runner's RP ID is `localhost`, its origin
http://localhost:<port>).

The walk: log in with the password, add a passkey (named after the device), rename it, log out,
log in with it without typing anything (Chromium's virtual environment answers the address field's
autofill request, conditional mediation, with the one passkey it holds), remove it, and the same
sign-in then fails with the API's one refusal in the person's words. Around it: the button when the
browser has no passkey autofill, the browsers without WebAuthn's JSON helpers, the password asked
again for an old session, a cancelled prompt, no WebAuthn at all, and the autofill request ended
when the person logs in with the password.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WAIT_SECONDS, Portal
from tests.browser.steps import VIEWS, alert, assert_new_screen, choose_language, log_in, main, open_account, person
from tests.browser.words import WORDS

pytestmark = pytest.mark.browser

# What a person reads, in both languages (web/i18n.js "passkeys").
PASSKEY_WORDS = {
    "en": {
        "section": "Passkeys",
        "add": "Add a passkey",
        "name": "Name of the new passkey",
        "device": "Chrome on Linux",
        "added": "Your passkey “{name}” has been added. You can now sign in with it.",
        "not_used": "not used yet",
        "last_used": "last used",
        "rename": "Rename “{name}”",
        "new_name": "New name for “{name}”",
        "save": "Save",
        "renamed": "The passkey is now called “{name}”.",
        "remove": "Remove “{name}”",
        "remove_confirm": "Remove “{name}”? You will no longer be able to sign in with it.",
        "remove_yes": "Remove the passkey",
        "removed": "The passkey “{name}” has been removed.",
        "none": "You have no passkeys yet.",
        "sign_in": "Sign in with a passkey",
        "refused": "This passkey could not be used to sign in. It may have been removed from your account: log in with your email address and password.",
        "password_again": "For your security, enter your password again to add a passkey.",
        "unsupported": "This browser cannot add passkeys on this page. You can still rename and remove the ones you have.",
        "mail_added": "A passkey has been added to your account",
        "mail_removed": "A passkey has been removed from your account",
    },
    "fr": {
        "section": "Clés d'accès",
        "add": "Ajouter une clé d'accès",
        "name": "Nom de la nouvelle clé d'accès",
        "device": "Chrome sur Linux",
        "added": "Votre clé d'accès «\u00a0{name}\u00a0» a été ajoutée. Vous pouvez maintenant vous connecter avec elle.",
        "not_used": "pas encore utilisée",
        "last_used": "dernière utilisation le",
        "rename": "Renommer «\u00a0{name}\u00a0»",
        "new_name": "Nouveau nom de «\u00a0{name}\u00a0»",
        "save": "Enregistrer",
        "renamed": "La clé d'accès s'appelle désormais «\u00a0{name}\u00a0».",
        "remove": "Supprimer «\u00a0{name}\u00a0»",
        "remove_confirm": "Supprimer «\u00a0{name}\u00a0»\u00a0? Vous ne pourrez plus vous connecter avec elle.",
        "remove_yes": "Supprimer la clé d'accès",
        "removed": "La clé d'accès «\u00a0{name}\u00a0» a été supprimée.",
        "none": "Vous n'avez pas encore de clé d'accès.",
        "sign_in": "Se connecter avec une clé d'accès",
        "refused": "Cette clé d'accès n'a pas pu être utilisée pour vous connecter. Elle a peut-être été supprimée de votre compte\u00a0: connectez-vous avec votre adresse e-mail et votre mot de passe.",
        "password_again": "Par sécurité, saisissez à nouveau votre mot de passe pour ajouter une clé d'accès.",
        "unsupported": "Ce navigateur ne peut pas ajouter de clé d'accès sur cette page. Vous pouvez toujours renommer et supprimer celles que vous avez.",
        "mail_added": "Une clé d'accès a été ajoutée à votre compte",
        "mail_removed": "Une clé d'accès a été supprimée de votre compte",
    },
}

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}
# A browser without passkeys in its autofill (conditional mediation), as several still are.
NO_AUTOFILL = "PublicKeyCredential.isConditionalMediationAvailable = async () => false;"
# A browser without WebAuthn Level 3's JSON helpers: the client converts base64url itself.
NO_JSON_HELPERS = """
  delete PublicKeyCredential.parseCreationOptionsFromJSON;
  delete PublicKeyCredential.parseRequestOptionsFromJSON;
  delete PublicKeyCredential.prototype.toJSON;
"""
NO_WEBAUTHN = "delete window.PublicKeyCredential;"
# Every navigator.credentials.get the page makes, with its mediation and signal, for the abort test.
RECORD_GETS = """
  window.__gets = [];
  const get = navigator.credentials.get.bind(navigator.credentials);
  navigator.credentials.get = (options) => {
    window.__gets.push({ mediation: options.mediation || "", signal: options.signal || null });
    return get(options);
  };
"""


@dataclass
class PasskeyPortal(Portal):
    """A tab at http://localhost:<port> (the runner's passkey origin), with a virtual authenticator."""

    cdp: object = None
    authenticator: str = ""

    @property
    def url(self) -> str:
        return self.runner.url.replace("//127.0.0.1:", "//localhost:")

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})["credentials"]


@pytest.fixture
def passkey_portal(open_portal) -> object:
    """passkey_portal(lang, width, scripts=(), authenticator=True) -> a PasskeyPortal in a fresh
    context on the catalogue, in `lang`; `scripts` run before the page's own (browser variants)."""

    def make(lang: str, width: int, scripts: tuple[str, ...] = (), authenticator: bool = True) -> PasskeyPortal:
        portal = open_portal(lang, width, height=900, kind=PasskeyPortal, scripts=scripts)
        portal.cdp = portal.page.context.new_cdp_session(portal.page)
        portal.cdp.send("WebAuthn.enable")
        if authenticator:
            portal.authenticator = portal.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})[
                "authenticatorId"
            ]
        portal.open()
        choose_language(portal)
        return portal

    return make


def words(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    return WORDS[lang], PASSKEY_WORDS[lang]


def section(portal: Portal):
    return main(portal).locator("section[aria-labelledby=account-passkeys-title]")


def log_out(portal: Portal) -> None:
    w = WORDS[portal.lang]
    portal.page.locator("header").get_by_role("button", name=w["logout"], exact=True).click()
    expect(portal.page.locator("#flash")).to_have_text(w["logged_out"])


def open_login(portal: Portal) -> None:
    portal.page.get_by_role("link", name=WORDS[portal.lang]["login_nav"], exact=True).click()
    expect(portal.heading()).to_have_text(WORDS[portal.lang]["login_title"])


def add_passkey(portal: Portal, name: str | None = None) -> str:
    """On the account page: add a passkey (named `name`, or after the device); its name."""
    w, p = words(portal.lang)
    field = portal.page.get_by_label(p["name"], exact=True)
    expect(field).to_have_value(p["device"])  # named after this device unless the person says otherwise
    if name:
        field.fill(name)
    section(portal).get_by_role("button", name=p["add"], exact=True).click()
    name = name or p["device"]
    expect(section(portal).get_by_role("status").filter(has_text=p["added"].format(name=name))).to_be_visible()
    expect(section(portal).get_by_role("heading", name=name, exact=True)).to_be_visible()
    return name


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_add_sign_in_without_typing_remove_and_then_refused(passkey_portal, runner, lang, width):
    w, p = words(lang)
    email, password, _ = person("passkey", runner)
    portal = passkey_portal(lang, width)
    page = portal.page

    # The log-in screen offers passkeys: the button, and the address field's autofill.
    open_login(portal)
    expect(main(portal).get_by_role("button", name=p["sign_in"], exact=True)).to_be_visible()
    expect(page.get_by_label(w["email"], exact=True)).to_have_attribute("autocomplete", "username webauthn")
    portal.shot("passkey-login")
    page.get_by_role("link", name=w["videos"], exact=True).click()
    log_in(portal, email, password)

    # Add one, named after the device; the browser's authenticator now holds it for localhost.
    open_account(portal)
    expect(section(portal).get_by_text(p["none"])).to_be_visible()
    name = add_passkey(portal)
    item = section(portal).locator("li.passkey")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(p["not_used"])
    [held] = portal.credentials()
    assert held["rpId"] == "localhost" and held["isResidentCredential"] is True
    portal.mail(email, p["mail_added"])
    portal.shot("passkeys-added")

    # Rename it.
    section(portal).get_by_role("button", name=p["rename"].format(name=name), exact=True).click()
    new_name = "Laptop" if lang == "en" else "Portable"
    renaming = page.get_by_label(p["new_name"].format(name=name), exact=True)
    expect(renaming).to_be_focused()
    portal.shot("passkey-rename")
    renaming.fill(new_name)
    section(portal).get_by_role("button", name=p["save"], exact=True).click()
    expect(section(portal).get_by_role("status").filter(has_text=p["renamed"].format(name=new_name))).to_be_visible()
    expect(section(portal).get_by_role("heading", name=new_name, exact=True)).to_be_visible()

    # Log out, and back in with the passkey: nothing typed, nothing clicked but the "Log in" link.
    log_out(portal)
    open_login(portal)
    expect(page.locator("#flash")).to_have_text(w["logged_in"])
    assert_new_screen(portal, WORDS[lang]["videos"])
    open_account(portal)
    expect(section(portal).locator("li.passkey")).to_contain_text(p["last_used"])
    expect(main(portal).locator(".facts__email")).to_have_text(email)

    # Remove it, after saying yes.
    section(portal).get_by_role("button", name=p["remove"].format(name=new_name), exact=True).click()
    expect(section(portal).get_by_text(p["remove_confirm"].format(name=new_name))).to_be_visible()
    expect(section(portal).get_by_role("button", name=p["remove_yes"], exact=True)).to_be_focused()
    portal.shot("passkey-remove-confirm")
    section(portal).get_by_role("button", name=p["remove_yes"], exact=True).click()
    expect(section(portal).get_by_role("status").filter(has_text=p["removed"].format(name=new_name))).to_be_visible()
    expect(section(portal).get_by_text(p["none"])).to_be_visible()
    portal.mail(email, p["mail_removed"])
    portal.shot("passkeys-removed")

    # The device still holds it, but the account no longer knows it: the same sign-in is refused,
    # in the person's words, and they stay on the log-in screen (nothing typed this time either).
    assert len(portal.credentials()) == 1
    log_out(portal)
    open_login(portal)
    expect(alert(portal)).to_have_text(p["refused"])
    expect(page.get_by_role("link", name=w["login_nav"], exact=True)).to_be_visible()
    portal.shot("passkey-refused")
    # The button says the same.
    main(portal).get_by_role("button", name=p["sign_in"], exact=True).click()
    expect(alert(portal)).to_have_text(p["refused"])
    assert page.evaluate("sessionStorage.getItem('portal.refreshToken')") is None


def make_session_old(runner, email: str) -> None:
    """Ten minutes pass for the account's sessions: their sign-in time moves 11 minutes back in the
    runner's table (the API then asks for the password again before adding a passkey)."""
    import boto3

    from local.emulation import LOCAL_REGION

    table = boto3.resource(
        "dynamodb",
        endpoint_url=runner.aws_endpoint,
        region_name=LOCAL_REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).Table("portal-dev")  # the runner serves the dev stage
    sessions = [item for item in table.scan()["Items"] if item["sk"] == "SESSION" and item.get("username") == email]
    assert sessions, "no session to age"
    for item in sessions:
        table.update_item(
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET createdAt = :then",
            ExpressionAttributeValues={":then": int(time.time()) - 660},
        )


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_an_old_session_adds_a_passkey_with_the_password_and_the_button_signs_in(passkey_portal, runner, lang, width):
    """Here the browser has neither passkey autofill nor the JSON helpers (the client's base64url
    conversion runs), and the sign-in happens with the button."""
    w, p = words(lang)
    email, password, _ = person("oldsession", runner)
    portal = passkey_portal(lang, width, scripts=(NO_AUTOFILL, NO_JSON_HELPERS))
    page = portal.page
    helpers = "[PublicKeyCredential.parseCreationOptionsFromJSON, PublicKeyCredential.parseRequestOptionsFromJSON, PublicKeyCredential.prototype.toJSON].map((f) => typeof f)"
    assert page.evaluate(helpers) == ["undefined"] * 3  # the client's base64url conversion does it all
    log_in(portal, email, password)
    open_account(portal)
    make_session_old(runner, email)

    section(portal).get_by_role("button", name=p["add"], exact=True).click()
    expect(section(portal).get_by_role("alert")).to_have_text(p["password_again"])
    password_field = section(portal).get_by_label(w["password"], exact=True)
    expect(password_field).to_be_focused()
    assert portal.credentials() == []  # nothing was created without the password
    portal.shot("passkey-password-again")
    password_field.fill("Not-The-Password-42")
    section(portal).get_by_role("button", name=p["add"], exact=True).click()
    expect(section(portal).get_by_role("alert")).to_have_text(w["wrong_password"])
    expect(password_field).to_have_attribute("aria-invalid", "true")
    password_field.fill(password)
    name = add_passkey(portal)
    expect(password_field).to_be_hidden()
    assert len(portal.credentials()) == 1

    log_out(portal)
    open_login(portal)
    page.wait_for_timeout(500)  # no autofill here: nothing happens until the person asks
    expect(portal.heading()).to_have_text(w["login_title"])
    main(portal).get_by_role("button", name=p["sign_in"], exact=True).click()
    expect(page.locator("#flash")).to_have_text(w["logged_in"])
    open_account(portal)
    expect(section(portal).get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(section(portal).locator("li.passkey")).to_contain_text(p["last_used"])


def test_a_cancelled_prompt_is_not_an_error(passkey_portal, runner):
    """A device without a passkey for this site answers as a person closing the prompt does
    (NotAllowedError, by design indistinguishable): no message, still on the log-in screen."""
    w, p = words("en")
    portal = passkey_portal("en", 375, scripts=(NO_AUTOFILL,))
    open_login(portal)
    button = main(portal).get_by_role("button", name=p["sign_in"], exact=True)
    with portal.page.expect_response(re.compile(r"/v1/auth/passkey/options$")):
        button.click()
    expect(button).not_to_have_class(re.compile("is-busy"))
    expect(main(portal).locator("[role=alert]")).to_have_text("")
    expect(portal.page.locator("#flash")).to_have_text("")
    expect(button).to_be_enabled()
    expect(portal.heading()).to_have_text(w["login_title"])


def test_without_webauthn_no_passkey_ui_but_the_list_stays(passkey_portal, open_portal, runner):
    w, p = words("en")
    email, password, _ = person("nowebauthn", runner)
    portal = passkey_portal("en", 375, scripts=(NO_WEBAUTHN,), authenticator=False)
    open_login(portal)
    expect(main(portal).get_by_role("button", name=p["sign_in"])).to_have_count(0)
    expect(main(portal).get_by_text(p["sign_in"])).to_have_count(0)
    portal.page.get_by_role("link", name=w["videos"], exact=True).click()
    log_in(portal, email, password)
    open_account(portal)
    expect(section(portal).get_by_text(p["unsupported"])).to_be_visible()
    expect(section(portal).get_by_role("button", name=p["add"])).to_have_count(0)
    expect(section(portal).get_by_text(p["none"])).to_be_visible()
    portal.shot("passkeys-unsupported")

    # At an IP address (http://127.0.0.1) a WebAuthn relying party cannot exist: no passkey UI either.
    at_ip = open_portal("en", width=375)
    at_ip.open("/login")
    expect(main(at_ip).get_by_role("button", name=p["sign_in"])).to_have_count(0)


def test_the_autofill_request_ends_when_the_person_logs_in_with_the_password(passkey_portal, runner):
    w, _ = words("en")
    email, password, _ = person("abort", runner)
    portal = passkey_portal("en", 1280, scripts=(RECORD_GETS,))
    page = portal.page
    open_login(portal)
    pending = "window.__gets.filter((g) => g.mediation === 'conditional' && !g.signal.aborted).length"
    deadline = time.monotonic() + WAIT_SECONDS  # (wait_for_function evaluates a string: the site's CSP forbids it)
    while page.evaluate(pending) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page.evaluate(pending) == 1  # the address field's autofill offers passkeys
    page.get_by_label(w["email"], exact=True).fill(email)
    page.get_by_label(w["password"], exact=True).fill(password)
    main(portal).get_by_role("button", name=w["login"], exact=True).click()
    expect(page.locator("#flash")).to_have_text(w["logged_in"])
    # Every request the screen made was aborted, and no other was made; no script error either
    # (the fixture checks the console).
    gets = page.evaluate("window.__gets.map((g) => ({mediation: g.mediation, aborted: g.signal && g.signal.aborted}))")
    assert gets and all(g == {"mediation": "conditional", "aborted": True} for g in gets), gets
