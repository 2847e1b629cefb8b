"""The whole product through the web client, in Chromium, in English and in French.

A person signs up (a weak password and a wrong code show their messages on the way), reads the
code from the local mailbox, confirms, subscribes to the newsletter, looks at the account and
logs out; later forgets the password, resets it, logs in and downloads a video, whose bytes are
compared with the file the runner serves. Every screen is saved as a screenshot.

Timing: the API sends one code a minute per address, so the reset walks come last in this module
(after the catalogue, keyboard and phone-width tests) to let most of that minute pass doing useful
work. If the minute is not over yet, the portal shows the API's Retry-After as a countdown, the
walk checks it, and the person asks again as soon as the button lets them: that path is tested
for real, not waited out blindly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import secrets_watch
from tests.browser.steps import alert, assert_new_screen, choose_language, main, rule_state
from tests.browser.words import WORDS
from tests.local_runner import ROOT

pytestmark = pytest.mark.browser

LANGS = ["en", "fr"]
# The sign-up and reset walks: each language on a phone and on a desktop.
WALKS = [(lang, width) for lang in LANGS for width in (375, 1280)]
# Passes every rule a browser can check, but its base word ("password": case, digits and symbol
# taken off) is among the most used passwords: only the API's `failedRules` can mark it.
COMMON = "Password123!"
SAMPLE_VIDEO = ROOT / "local" / "media" / "foreign-ministers-2025-04-04-sample-sd.mp4"
LOCAL_RULES = ["minLength", "noWhitespace", "uppercase", "lowercase", "digit", "symbol", "containsEmail"]


@dataclass
class Person:
    email: str
    password: str


# Filled by the sign-up walks, read by the reset walks at the end of this module.
SIGNED_UP: dict[tuple[str, int], Person] = {}


@pytest.mark.parametrize(("lang", "width"), WALKS)
def test_sign_up_confirm_subscribe_and_log_out(open_portal, lang, width):
    w = WORDS[lang]
    portal = open_portal(lang, width=width)
    page = portal.page
    portal.open()
    choose_language(portal)
    if lang != "en":
        page.reload()  # the choice is remembered
        expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(portal.heading()).to_have_text(w["videos"])
    portal.shot("01-videos")

    # Create an account: the checklist follows the typing, with the API's rule ids.
    page.get_by_role("link", name=w["register_nav"], exact=True).click()
    assert_new_screen(portal, w["register_title"])
    email = f"walker-{lang}-{width}-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label(w["email"], exact=True).fill(email)
    password_box = page.get_by_label(w["password"], exact=True)
    password_box.fill("weak")
    expect(rule_state(portal, "minLength")).to_have_attribute("data-state", "unmet")
    expect(rule_state(portal, "lowercase")).to_have_attribute("data-state", "met")
    expect(rule_state(portal, "common")).to_have_attribute("data-state", "unknown")
    portal.shot("02-register-checklist")

    # A weak password: the API's message, the field marked, the checklist from failedRules.
    submit = main(portal).get_by_role("button", name=w["register_title"], exact=True)
    submit.click()
    # The rules it broke, once, next to the field (not the whole policy again), and the focus there.
    expect(page.locator("#register-password-error")).to_contain_text(w["rules_not_met"])
    expect(main(portal).locator("form [role=alert]")).to_have_text("")
    expect(password_box).to_have_attribute("aria-invalid", "true")
    expect(password_box).to_be_focused()
    for rule in ("minLength", "uppercase", "digit", "symbol"):
        expect(rule_state(portal, rule)).to_have_attribute("data-state", "unmet")
    portal.shot("03-register-weak-password")

    # A common password only the API knows: its failedRules mark "common" alone.
    password_box.fill(COMMON)
    for rule in LOCAL_RULES:
        expect(rule_state(portal, rule)).to_have_attribute("data-state", "met")
    submit.click()
    expect(rule_state(portal, "common")).to_have_attribute("data-state", "unmet")
    expect(rule_state(portal, "minLength")).to_have_attribute("data-state", "met")
    portal.shot("04-register-common-password")

    password = f"Brass-Lantern-{uuid.uuid4().hex[:6]}-{lang}!"
    secrets_watch.remember({"password": password, "email": email})
    password_box.fill(password)
    expect(rule_state(portal, "common")).to_have_attribute("data-state", "unknown")
    submit.click()

    # Check your inbox: the portal's words, and "Send new Code" waits out the resend limit.
    assert_new_screen(portal, w["verify_title"])
    expect(main(portal)).to_contain_text(w["expires"])
    expect(main(portal)).to_contain_text(w["no_code"])
    resend = page.get_by_role("button", name=w["send_new_code"], exact=True)
    expect(resend).to_be_disabled()
    expect(page.get_by_role("timer").filter(has_text=w["new_code_in"])).to_be_visible()
    portal.shot("05-verify")

    # A wrong code, then the right one from the mailbox.
    code = portal.code(email, w["mail_code"])
    code_box = page.get_by_label(w["code"], exact=True)
    code_box.fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name=w["verify"], exact=True).click()
    expect(alert(portal)).to_contain_text(w["wrong_code"])
    expect(alert(portal)).to_contain_text(w["attempts_left"])
    expect(code_box).to_have_attribute("aria-invalid", "true")
    portal.shot("06-verify-wrong-code")
    code_box.fill(code)
    page.get_by_role("button", name=w["verify"], exact=True).click()

    # You have successfully created your account; the newsletter button works at once.
    assert_new_screen(portal, w["welcome_title"])
    expect(main(portal)).to_contain_text(w["welcome_text"])
    expect(page.get_by_role("heading", name=w["newsletter_title"])).to_be_visible()
    portal.shot("07-welcome")
    page.get_by_role("button", name=w["subscribe"], exact=True).click()
    expect(page.get_by_role("status").filter(has_text=w["subscribed"])).to_be_visible()
    portal.mail(email, w["mail_newsletter"])
    portal.shot("08-subscribed")

    # The account page, then log out.
    page.get_by_role("link", name=w["account_nav"], exact=True).click()
    assert_new_screen(portal, w["account_title"])
    expect(main(portal)).to_contain_text(email)
    expect(main(portal)).to_contain_text(w["newsletter_on"])
    portal.shot("09-account")
    main(portal).get_by_role("button", name=w["logout"], exact=True).click()
    expect(page.locator("#flash")).to_have_text(w["logged_out"])
    expect(page.get_by_role("link", name=w["login_nav"], exact=True)).to_be_visible()
    portal.shot("10-logged-out")
    SIGNED_UP[lang, width] = Person(email, password)


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_search_paging_and_download_needs_login(open_portal, lang):
    w = WORDS[lang]
    portal = open_portal(lang)
    page = portal.page
    portal.open()
    choose_language(portal)
    videos = page.locator("main .video")
    expect(videos).to_have_count(3)
    # Posters: a frame of each video, lazy-loaded, sized, with alt text; the duration on it.
    first = videos.first
    poster = first.locator("img.video__thumbnail")
    expect(poster).to_have_attribute("loading", "lazy")
    expect(poster).to_have_attribute("width", "640")
    expect(poster).to_have_attribute("height", "360")
    expect(poster).to_have_attribute("alt", re.compile("NATO Foreign Ministers"))
    expect(poster).to_have_attribute("src", re.compile(r"/posters/foreign-ministers-2025-04-04\.jpg$"))
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 640", arg=poster.element_handle())
    expect(first.locator(".video__duration")).to_have_text("0:08")
    # Rendition labels: what a journalist needs (resolution, codec, size).
    expect(first.get_by_role("button", name=w["download"]).first).to_contain_text(
        re.compile(r"SD 180p · H\.264 · 83[.,]9")
    )

    page.get_by_label(w["per_page"], exact=True).select_option("2")
    expect(videos).to_have_count(2)
    expect(page.locator(".pager")).to_contain_text("Page 1")
    portal.shot("catalogue-page-1")
    page.get_by_role("button", name=w["next_page"], exact=True).click()
    expect(videos).to_have_count(1)
    expect(page.locator(".pager")).to_contain_text("Page 2")
    expect(page.get_by_role("button", name=w["next_page"], exact=True)).to_be_disabled()
    portal.shot("catalogue-page-2")
    page.get_by_role("button", name=w["previous_page"], exact=True).click()
    expect(videos).to_have_count(2)

    page.get_by_label(w["search"], exact=True).fill("foreign ministers")
    page.get_by_role("button", name=w["search_button"], exact=True).click()
    expect(videos).to_have_count(1)
    expect(videos.first.get_by_role("heading")).to_contain_text("NATO Foreign Ministers")
    portal.shot("catalogue-search")
    page.get_by_label(w["search"], exact=True).fill("no such words anywhere")
    page.get_by_role("button", name=w["search_button"], exact=True).click()
    expect(main(portal)).to_contain_text(w["no_videos"])
    expect(videos).to_have_count(0)

    # Downloading needs an account: the person is sent to log in, and told why.
    portal.open()
    page.get_by_role("button", name=w["download"]).first.click()
    assert_new_screen(portal, w["login_title"])
    expect(page.locator("#flash")).to_have_text(w["login_to_download"])
    portal.shot("catalogue-login-to-download")


def test_keyboard_alone_reaches_log_in_and_hears_the_error(open_portal):
    w = WORDS["en"]
    portal = open_portal("en")
    page = portal.page
    portal.open()
    expected = ["Skip to content", "NATO MULTIMEDIA ACCOUNT", "Français", "Videos", "Log in"]
    for text in expected:
        page.keyboard.press("Tab")
        assert portal.focused()["text"] == text
    page.keyboard.press("Enter")
    assert_new_screen(portal, w["login_title"])
    page.keyboard.press("Tab")
    assert portal.focused()["id"] == "login-email"
    page.keyboard.type("nobody-here@example.org")
    page.keyboard.press("Tab")
    assert portal.focused()["id"] == "login-password"
    page.keyboard.type("Not-The-Password-1")
    page.keyboard.press("Tab")
    assert portal.focused()["text"] == "Show password"
    page.keyboard.press("Space")
    expect(page.locator("#login-password")).to_have_attribute("type", "text")
    page.keyboard.press("Tab")
    assert portal.focused()["text"] == w["login"]
    page.keyboard.press("Enter")
    expect(alert(portal)).to_have_text(w["incorrect_login"])
    portal.shot("keyboard-login-error")

    # An empty field is caught before anything is sent, and the focus goes to it.
    page.locator("#login-email").fill("")
    page.locator("#login-email").press("Enter")
    expect(page.locator("#login-email")).to_be_focused()
    expect(page.locator("#login-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#login-email-error")).to_have_text("Enter a valid email address.")


@pytest.mark.parametrize("lang", LANGS)
def test_every_screen_fits_a_phone(open_portal, lang):
    portal = open_portal(lang, width=360, height=740)
    page = portal.page
    portal.open()
    choose_language(portal)
    for route in ("/videos", "/register", "/login", "/reset", "/verify"):
        page.goto(f"{portal.url}/#{route}")
        page.locator("main h1").wait_for()
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= 360, f"{route} is {overflow}px wide on a 360px screen"
        portal.shot(f"phone{route.replace('/', '-')}")


def test_an_account_the_operator_marked_for_reset_is_sent_to_reset_password(open_portal, runner):
    """portal-admin require-reset (after a breach, say): logging in says why and offers the way out."""
    w = WORDS["en"]
    email = f"reset-required-{uuid.uuid4().hex[:8]}@example.org"
    password = f"Tin-Whistle-{uuid.uuid4().hex[:6]}-7!"
    assert runner.post("/v1/account/register", {"email": email, "password": password}).status_code == 202
    assert (
        runner.post(
            "/v1/account/verify", {"email": email, "code": runner.code_for(email), "password": password}
        ).status_code
        == 200
    )
    assert runner.aws_endpoint, "the runner did not print its emulation's endpoint"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_"))}
    env.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    admin = [str(Path(sys.executable).with_name("portal-admin")), "--endpoint-url", runner.aws_endpoint]
    admin += [
        "--region",
        "eu-west-1",
        "--stage",
        "dev",
        "require-reset",
        "--email",
        email,
        "--reason",
        "browser test",
        "--yes",
    ]
    marked = subprocess.run(admin, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert marked.returncode == 0, marked.stderr

    portal = open_portal("en")
    page = portal.page
    portal.open("/login")
    page.get_by_label(w["email"], exact=True).fill(email)
    page.get_by_label(w["password"], exact=True).fill(password)
    main(portal).get_by_role("button", name=w["login"], exact=True).click()
    expect(alert(portal)).to_contain_text(w["reset_required"])
    portal.shot("login-reset-required")
    alert(portal).get_by_role("link", name=w["reset"], exact=True).click()
    assert_new_screen(portal, w["reset_title"])
    expect(page.get_by_label(w["email"], exact=True)).to_have_value(email)


@pytest.mark.parametrize(("lang", "width"), WALKS)
def test_forget_reset_log_in_and_download(open_portal, lang, width):
    person = SIGNED_UP.get((lang, width))
    if person is None:
        pytest.fail("the sign-up walk did not finish (it failed above)")
    w = WORDS[lang]
    portal = open_portal(lang, width=width)
    page = portal.page
    portal.open()
    choose_language(portal)

    # Log in -> Forgot your password? -> Reset password.
    page.get_by_role("link", name=w["login_nav"], exact=True).click()
    assert_new_screen(portal, w["login_title"])
    page.get_by_role("link", name=w["forgot"], exact=True).click()
    assert_new_screen(portal, w["reset_title"])
    expect(main(portal)).to_contain_text(w["reset_text"])
    page.get_by_label(w["email"], exact=True).fill(person.email)
    submit = main(portal).get_by_role("button", name=w["reset"], exact=True)
    submit.click()

    # Within a minute of the sign-up code the API says 429 + Retry-After: a countdown, the
    # button waits, and pressing it once the countdown is over sends the code.
    code_screen = page.get_by_role("heading", name=w["verify_title"])
    refused = page.get_by_role("alert").filter(has_text=w["code_sent_recently"])
    expect(code_screen.or_(refused)).to_be_visible()
    if refused.is_visible():
        expect(page.get_by_role("timer").filter(has_text=w["try_again_in"])).to_be_visible()
        expect(submit).to_be_disabled()
        portal.shot("11-reset-retry-after")
        submit.click(timeout=75_000)
    assert_new_screen(portal, w["verify_title"])
    portal.shot("12-reset-code")

    # The API judges the code with the new password: a wrong one brings the person back here.
    code = portal.code(person.email, w["mail_reset"])
    new_password = f"Copper-Kettle-{uuid.uuid4().hex[:6]}-{lang}?"
    secrets_watch.remember({"password": new_password})
    page.get_by_label(w["code"], exact=True).fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name=w["continue"], exact=True).click()
    assert_new_screen(portal, w["new_password_title"])
    page.get_by_label(w["new_password"], exact=True).fill(new_password)
    page.get_by_role("button", name=w["save_password"], exact=True).click()
    assert_new_screen(portal, w["verify_title"])
    expect(alert(portal)).to_contain_text(w["wrong_code"])
    expect(alert(portal)).to_contain_text(w["attempts_left"])
    expect(page.get_by_label(w["code"], exact=True)).to_have_attribute("aria-invalid", "true")
    portal.shot("13-reset-wrong-code")

    page.get_by_label(w["code"], exact=True).fill(code)
    page.get_by_role("button", name=w["continue"], exact=True).click()
    assert_new_screen(portal, w["new_password_title"])
    # Password managers file the new password under the address (a hidden username field).
    expect(main(portal).locator("form input[autocomplete=username][name=username]")).to_have_value(person.email)
    new_box = page.get_by_label(w["new_password"], exact=True)
    expect(new_box).to_have_attribute("autocomplete", "new-password")
    new_box.fill("short")
    page.get_by_role("button", name=w["save_password"], exact=True).click()
    expect(page.locator("#new-password-error")).to_contain_text(w["rules_not_met"])
    expect(rule_state(portal, "minLength")).to_have_attribute("data-state", "unmet")
    portal.shot("14-new-password-weak")
    new_box.fill(new_password)
    page.get_by_role("button", name=w["save_password"], exact=True).click()

    # Your password has been updated -> back to the page the person came from, to log in.
    assert_new_screen(portal, w["updated_title"])
    expect(main(portal)).to_contain_text(w["updated_text"])
    portal.mail(person.email, w["mail_updated"])
    portal.shot("15-password-updated")
    page.get_by_role("button", name=w["return"], exact=True).click()
    assert_new_screen(portal, w["login_title"])
    expect(page.get_by_label(w["email"], exact=True)).to_have_value(person.email)
    page.get_by_label(w["password"], exact=True).fill(person.password)
    main(portal).get_by_role("button", name=w["login"], exact=True).click()
    expect(alert(portal)).to_have_text(w["incorrect_login"])  # the old password is gone
    page.get_by_label(w["password"], exact=True).fill(new_password)
    main(portal).get_by_role("button", name=w["login"], exact=True).click()
    assert_new_screen(portal, w["videos"])
    assert page.url.endswith("#/videos")
    expect(page.locator("#flash")).to_have_text(w["logged_in"])
    portal.shot("16-logged-in")

    # Download a video: the file arrives, byte for byte the one the runner serves.
    with page.expect_download() as started:
        page.get_by_role("button", name=w["download"]).first.click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".mp4")
    assert Path(download.path()).read_bytes() == SAMPLE_VIDEO.read_bytes()
    expect(page.get_by_role("status").filter(has_text=w["download_started"])).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=download.suggested_filename)).to_be_visible()
    portal.shot("17-download")

    page.get_by_role("link", name=w["account_nav"], exact=True).click()
    assert_new_screen(portal, w["account_title"])
    if lang == "en":
        main(portal).get_by_role("button", name=w["logout_everywhere"], exact=True).click()
        expect(page.locator("#flash")).to_have_text(w["logged_out_everywhere"])
        portal.shot("18-logged-out-everywhere")
    else:
        # Delete the account: the password is asked for, a wrong one is refused.
        # The account page asks for the password in more than one form (two-step set-up, delete):
        # this one is the form of the delete button.
        delete_form = page.locator("form").filter(has=page.get_by_role("button", name=w["delete"], exact=True))
        delete_box = delete_form.get_by_label(w["delete_password"], exact=True)
        delete_box.fill("Not-My-Password-123")
        page.get_by_role("button", name=w["delete"], exact=True).click()
        expect(alert(portal)).to_have_text(w["wrong_password"])
        expect(delete_box).to_have_attribute("aria-invalid", "true")
        portal.shot("18-delete-wrong-password")
        delete_box.fill(new_password)
        page.get_by_role("button", name=w["delete"], exact=True).click()
        expect(page.locator("#flash")).to_have_text(w["deleted"])
        portal.mail(person.email, w["mail_deleted"])
        portal.shot("19-deleted")
    expect(page.get_by_role("link", name=w["login_nav"], exact=True)).to_be_visible()
    assert re.search(r"#/videos$", page.url)
