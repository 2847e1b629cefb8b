"""Two-step verification in Chromium (issue 15), in English on a phone (375 px) and in French on
a desktop (1280 px): set up an authenticator app from the account page (codes computed from the
key the page shows, as an app computes them), the recovery codes shown once (copied and
downloaded), signing in with the app's code and with a recovery code, new recovery codes, and
turning it off; the sign-in's dead ends (a reload, the last try spent). Keyboard only where a
person using one would be: fields typed, forms sent with Enter, the switch pressed with Enter.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal import totp
from tests import secrets_watch
from tests.browser.steps import VIEWS, alert, assert_new_screen, log_in, main, open_account, opened, person
from tests.browser.words import WORDS

pytestmark = pytest.mark.browser

# The words of these screens (web/i18n.js, block "two-step verification").
TWO_STEP = {
    "en": {
        "title": "Two-step verification",
        "off": "Two-step verification is off.",
        "on": "Two-step verification is on:",
        "start": "Set up two-step verification",
        "setup_title": "Add your account to the app",
        "qr_alt": "QR code that adds your NATO Multimedia account to an authenticator app",
        "app_code": "Code from the app",
        "confirm": "Turn on",
        "wrong_code": "The code is not correct.",
        "attempts_4": "You have 4 attempts left.",
        "codes_title": "Your recovery codes",
        "turned_on": "Two-step verification is on.",
        "copy": "Copy",
        "copied": "The recovery codes have been copied.",
        "download": "Download",
        "file": "nato-multimedia-recovery-codes.txt",
        "saved": "I have saved them",
        "left_10": "You have 10 recovery codes left.",
        "left_9": "You have 9 recovery codes left.",
        "either": "Code from the app, or a recovery code",
        "new_codes": "Get new recovery codes",
        "turn_off": "Turn off two-step verification",
        "turned_off": "Two-step verification is off.",
        "use_recovery": "Use a recovery code",
        "recovery_code": "Recovery code",
        "expired": "This sign-in has expired. Enter your password again.",
        "last_try": "That was the last try for this sign-in. Enter your password again.",
    },
    "fr": {
        "title": "Validation en deux étapes",
        "off": "La validation en deux étapes est désactivée.",
        "on": "La validation en deux étapes est activée\u00a0:",
        "start": "Configurer la validation en deux étapes",
        "setup_title": "Ajoutez votre compte à l'application",
        "qr_alt": "Code QR qui ajoute votre compte multimédia de l'OTAN à une application d'authentification",
        "app_code": "Code de l'application",
        "confirm": "Activer",
        "wrong_code": "Le code est incorrect.",
        "attempts_4": "Il vous reste 4 essais.",
        "codes_title": "Vos codes de secours",
        "turned_on": "La validation en deux étapes est activée.",
        "copy": "Copier",
        "copied": "Les codes de secours ont été copiés.",
        "download": "Télécharger",
        "file": "codes-de-secours-multimedia-otan.txt",
        "saved": "Je les ai conservés",
        "left_10": "Il vous reste 10\u00a0codes de secours.",
        "left_9": "Il vous reste 9\u00a0codes de secours.",
        "either": "Code de l'application ou code de secours",
        "new_codes": "Obtenir de nouveaux codes de secours",
        "turn_off": "Désactiver la validation en deux étapes",
        "turned_off": "La validation en deux étapes est désactivée.",
        "use_recovery": "Utiliser un code de secours",
        "recovery_code": "Code de secours",
        "expired": "Cette connexion a expiré. Saisissez de nouveau votre mot de passe.",
        "last_try": "C'était le dernier essai pour cette connexion. Saisissez de nouveau votre mot de passe.",
    },
}
RECOVERY_CODE = re.compile(r"^[0-9a-z]{5}-[0-9a-z]{5}$")


def app_code(secret: str, after_step: int | None = None) -> tuple[str, int]:
    """What the app shows now, as an app computes it; a step after `after_step` (a code works once,
    and the next step's code is accepted a step early)."""
    step = totp.step_of(time.time())
    if after_step is not None:
        step = max(step, after_step + 1)
    code = totp.code_at(secret, step)
    secrets_watch.remember_secret(code)
    return code, step


def wrong_code(secret: str) -> str:
    now = totp.step_of(time.time())
    near = {totp.code_at(secret, s) for s in range(now - 2, now + 4)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in near)


def section(portal):
    return main(portal).get_by_role("region", name=TWO_STEP[portal.lang]["title"], exact=True)


def type_and_enter(portal, selector: str, text: str) -> None:
    """Focus a field, type into it and send its form with Enter, as a keyboard user does."""
    portal.page.locator(selector).focus()
    portal.page.keyboard.type(text)
    portal.page.keyboard.press("Enter")


def second_step_screen(portal, lang: str, email: str, password: str) -> None:
    w, s = WORDS[lang], TWO_STEP[lang]
    portal.page.get_by_role("link", name=w["login_nav"], exact=True).click()
    assert_new_screen(portal, w["login_title"])
    portal.page.get_by_label(w["email"], exact=True).fill(email)
    type_and_enter(portal, "#login-password", password)
    assert_new_screen(portal, s["title"])


def log_out(portal, lang: str) -> None:
    w = WORDS[lang]
    portal.page.locator("#site-nav").get_by_role("button", name=w["logout"], exact=True).click()
    expect(portal.page.locator("#flash")).to_have_text(w["logged_out"])


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_set_up_sign_in_with_both_kinds_of_code_and_turn_off(open_portal, runner, lang, width):
    w, s = WORDS[lang], TWO_STEP[lang]
    email, password, _ = person(f"twostep-{lang}", runner)
    portal = opened(open_portal, lang, width)
    page = portal.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.url)
    log_in(portal, email, password)
    open_account(portal)
    box = section(portal)
    expect(box).to_contain_text(s["off"])
    portal.shot("two-step-off")

    # Set up: the password, then the QR code and the key to type by hand.
    type_and_enter(portal, "#two-step-password", password)
    setup_title = box.get_by_role("heading", name=s["setup_title"], exact=True)
    expect(setup_title).to_be_focused()
    qr = box.get_by_role("img", name=s["qr_alt"], exact=True)
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # drawn under the site's CSP
    shown_key = box.locator(".two-step__key code").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", shown_key), shown_key  # groups of four
    secret = shown_key.replace(" ", "")
    secrets_watch.remember_secret(secret)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # fits the screen
    portal.shot("two-step-setup")

    # A wrong code is said beside the field, with the tries left; the app's code turns it on.
    type_and_enter(portal, "#two-step-code", wrong_code(secret))
    expect(box.get_by_role("alert").first).to_have_text(f"{s['wrong_code']} {s['attempts_4']}")
    expect(page.locator("#two-step-code")).to_have_attribute("aria-invalid", "true")
    page.locator("#two-step-code").fill("")
    code, step = app_code(secret)
    type_and_enter(portal, "#two-step-code", code)

    # The ten recovery codes, this once: copied, and downloaded as a .txt.
    codes_title = box.get_by_role("heading", name=s["codes_title"], exact=True)
    expect(codes_title).to_be_focused()
    expect(box.get_by_role("status").first).to_have_text(s["turned_on"])
    items = box.locator(".two-step__codes li")
    expect(items).to_have_count(10)
    codes = [c.strip() for c in items.all_inner_texts()]
    secrets_watch.remember({"codes": " ".join(codes)})
    for c in codes:
        secrets_watch.remember_secret(c)
    assert all(RECOVERY_CODE.match(c) for c in codes) and len(set(codes)) == 10
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    portal.shot("two-step-recovery-codes")
    box.get_by_role("button", name=s["copy"], exact=True).click()
    expect(box.get_by_role("status").first).to_have_text(s["copied"])
    assert page.evaluate("() => navigator.clipboard.readText()").split("\n") == codes
    with page.expect_download() as saved:
        box.get_by_role("button", name=s["download"], exact=True).click()
    assert saved.value.suggested_filename == s["file"]
    text = Path(saved.value.path()).read_text(encoding="utf-8")
    assert email in text and [line for line in text.splitlines() if RECOVERY_CODE.match(line)] == codes
    box.get_by_role("button", name=s["saved"], exact=True).click()
    expect(page.locator("#account-two-step-title")).to_be_focused()
    expect(box).to_contain_text(s["on"])
    expect(box).to_contain_text(s["left_10"])
    expect(box).not_to_contain_text(codes[0])  # shown once
    portal.shot("two-step-on")

    # Sign out; signing in now asks for the app's code after the password.
    log_out(portal, lang)
    second_step_screen(portal, lang, email, password)
    expect(page.get_by_label(s["app_code"], exact=True)).to_have_attribute("autocomplete", "one-time-code")
    portal.shot("two-step-sign-in")
    type_and_enter(portal, "#two-step-app-code", wrong_code(secret))
    expect(alert(portal)).to_have_text(f"{s['wrong_code']} {s['attempts_4']}")
    portal.shot("two-step-sign-in-wrong-code")
    page.locator("#two-step-app-code").fill("")
    code, step = app_code(secret, after_step=step)
    type_and_enter(portal, "#two-step-app-code", code)
    expect(page.locator("#flash")).to_have_text(w["logged_in"])
    assert_new_screen(portal, w["videos"])

    # Again with a recovery code: the switch, pressed from the keyboard, changes the field.
    log_out(portal, lang)
    second_step_screen(portal, lang, email, password)
    switch = page.get_by_role("button", name=s["use_recovery"], exact=True)
    switch.focus()
    page.keyboard.press("Enter")
    recovery_field = page.get_by_label(s["recovery_code"], exact=True)
    expect(recovery_field).to_be_focused()
    portal.shot("two-step-sign-in-recovery")
    page.keyboard.type(codes[0].upper())  # typed loosely: any case
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_have_text(w["logged_in"])

    # New recovery codes (the password and a recovery code); the old ones die.
    open_account(portal)
    box = section(portal)
    expect(box).to_contain_text(s["left_9"])
    page.locator("#two-step-renew-password").fill(password)
    type_and_enter(portal, "#two-step-renew-code", codes[1])
    expect(box.get_by_role("heading", name=s["codes_title"], exact=True)).to_be_focused()
    fresh = [c.strip() for c in box.locator(".two-step__codes li").all_inner_texts()]
    for c in fresh:
        secrets_watch.remember_secret(c)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    box.get_by_role("button", name=s["saved"], exact=True).click()
    expect(box).to_contain_text(s["left_10"])

    # Turning it off: a wrong code is refused; the password and a fresh recovery code turn it off.
    page.locator("#two-step-off-password").fill(password)
    type_and_enter(portal, "#two-step-off-code", codes[2])  # an old code: dead
    expect(box.locator("form").filter(has=page.locator("#two-step-off-code")).get_by_role("alert")).to_contain_text(
        s["wrong_code"]
    )
    page.locator("#two-step-off-code").fill("")
    page.locator("#two-step-off-password").fill(password)
    type_and_enter(portal, "#two-step-off-code", fresh[0])
    expect(page.locator("#account-two-step-title")).to_be_focused()
    expect(box.get_by_role("status").first).to_have_text(s["turned_off"])
    expect(box).to_contain_text(s["off"])
    portal.shot("two-step-turned-off")

    # Signing in is the password alone again.
    log_out(portal, lang)
    log_in(portal, email, password)


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_the_second_step_sends_back_to_the_password_when_the_sign_in_is_over(open_portal, runner, lang, width):
    w, s = WORDS[lang], TWO_STEP[lang]
    email, password, _ = person(f"twostep-end-{lang}", runner)
    # Two-step turned on through the API, as the first walk does through the page.
    token = runner.post("/v1/auth/login", {"email": email, "password": password}).json()["accessToken"]
    secret = runner.post("/v1/account/mfa/totp", {"password": password}, token=token).json()["secret"]
    secrets_watch.remember_secret(secret)
    code, _ = app_code(secret)
    assert runner.post("/v1/account/mfa/totp/confirm", {"code": code}, token=token).status_code == 200
    portal = opened(open_portal, lang, width)
    page = portal.page

    # A reload forgets the challenge (kept in memory only): back to the password, saying why.
    second_step_screen(portal, lang, email, password)
    page.reload()
    assert_new_screen(portal, w["login_title"])
    expect(page.locator("#flash")).to_have_text(s["expired"])
    portal.shot("two-step-sign-in-expired")

    # Five wrong codes spend the challenge: the fifth sends the person back to the password.
    second_step_screen(portal, lang, email, password)
    for tries_left in (4, 3, 2, 1):
        page.locator("#two-step-app-code").fill("")
        type_and_enter(portal, "#two-step-app-code", wrong_code(secret))
        expect(alert(portal)).to_contain_text(s["wrong_code"])
        expect(alert(portal)).to_contain_text(str(tries_left))
    page.locator("#two-step-app-code").fill("")
    type_and_enter(portal, "#two-step-app-code", wrong_code(secret))
    assert_new_screen(portal, w["login_title"])
    expect(page.locator("#flash")).to_have_text(s["last_try"])
    portal.shot("two-step-sign-in-last-try")
