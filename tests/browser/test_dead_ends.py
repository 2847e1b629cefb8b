"""The dead ends a new user met in the web client (issue 18, items 1-8), each walked in Chromium.

Each walk runs in English on a phone (375 px) and in French on a desktop (1280 px); every
screenshot is an axe-core audit too (tests/browser/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    SWITCH_TO,
    VIEWS,
    alert,
    assert_new_screen,
    log_in,
    main,
    open_account,
    opened,
    person,
)
from tests.browser.words import WORDS
from tests.local_runner import ROOT

pytestmark = pytest.mark.browser

SAMPLE_VIDEO = ROOT / "local" / "media" / "foreign-ministers-2025-04-04-sample-sd.mp4"


def sign_up_in_the_browser(portal, email: str, password: str) -> None:
    w = WORDS[portal.lang]
    portal.page.get_by_role("link", name=w["register_nav"], exact=True).click()
    assert_new_screen(portal, w["register_title"])
    portal.page.get_by_label(w["email"], exact=True).fill(email)
    portal.page.get_by_label(w["password"], exact=True).fill(password)
    main(portal).get_by_role("button", name=w["register_title"], exact=True).click()
    assert_new_screen(portal, w["verify_title"])


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_a_second_sign_up_points_to_the_code_and_holds_only_that_address(open_portal, lang, width):
    """Items 1-3: the whole address and "Change it" on the code screen; signing up again within
    the send limit offers the code already sent; another address is not held by that limit."""
    w = WORDS[lang]
    portal = opened(open_portal, lang, width)
    page = portal.page
    email, password, _ = person(f"again-{lang}")
    sign_up_in_the_browser(portal, email, password)

    # The person's own address, whole, and the way to correct it.
    expect(main(portal)).to_contain_text(email)
    expect(main(portal)).to_contain_text(w["wrong_address"])
    portal.shot("dead-end-3-code-screen-address")
    page.get_by_role("link", name=w["change_it"], exact=True).click()
    assert_new_screen(portal, w["register_title"])
    email_box = page.get_by_label(w["email"], exact=True)
    expect(email_box).to_have_value(email)
    expect(page.get_by_label(w["password"], exact=True)).to_have_value(password)

    # Again within the minute: not a bare "Too many requests", but the code already sent.
    submit = main(portal).get_by_role("button", name=w["register_title"], exact=True)
    submit.click()
    expect(alert(portal)).to_contain_text(w["code_sent_recently"])
    expect(alert(portal)).not_to_contain_text(w["too_many"])
    expect(submit).to_be_disabled()
    portal.shot("dead-end-2-code-sent-recently")

    # The limit is per address: another address may be sent at once, the same one still waits.
    email_box.fill(f"other-{email}")
    expect(submit).to_be_enabled()
    email_box.fill(email)
    expect(submit).to_be_disabled()
    portal.shot("dead-end-1-held-for-this-address-only")

    # "Enter the verification code" leads to the code already in the inbox.
    alert(portal).get_by_role("button", name=w["enter_code"], exact=True).click()
    assert_new_screen(portal, w["verify_title"])
    page.get_by_label(w["code"], exact=True).fill(portal.code(email, w["mail_code"]))
    page.get_by_role("button", name=w["verify"], exact=True).click()
    assert_new_screen(portal, w["welcome_title"])


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_a_dead_code_says_so_and_a_new_code_starts_clean(open_portal, lang, width):
    """Items 5-6: after the last wrong try the code is called dead and "Send new Code" is next;
    a new code clears the old input and its error; the code field takes digits only."""
    w = WORDS[lang]
    portal = opened(open_portal, lang, width)
    page = portal.page
    email, password, _ = person(f"dead-{lang}")
    sign_up_in_the_browser(portal, email, password)
    code = portal.code(email, w["mail_code"])

    code_box = page.get_by_label(w["code"], exact=True)
    expect(code_box).to_have_attribute("inputmode", "numeric")
    expect(code_box).to_have_attribute("autocomplete", "one-time-code")
    code_box.press_sequentially("12ab3-4")
    expect(code_box).to_have_value("1234")

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    verify = page.get_by_role("button", name=w["verify"], exact=True)
    for _ in range(4):
        code_box.fill(wrong)
        verify.click()
        expect(alert(portal)).to_contain_text(w["wrong_code"])
    expect(alert(portal)).to_contain_text(w["attempts_left_1"])
    code_box.fill(wrong)
    verify.click()
    expect(alert(portal)).to_contain_text(w["code_used_up"])
    expect(alert(portal)).not_to_contain_text("0")  # not "You have 0 attempts left."
    expect(verify).to_be_disabled()
    resend = page.get_by_role("button", name=w["send_new_code"], exact=True)
    expect(resend).to_be_focused()
    portal.shot("dead-end-5-code-used-up")

    # The API allows the next code a minute after the first: the button says when, then sends.
    resend.click(timeout=75_000)
    expect(page.get_by_role("status").filter(has_text=w["new_code_sent"])).to_be_visible()
    expect(code_box).to_have_value("")
    expect(code_box).not_to_have_attribute("aria-invalid", "true")
    expect(main(portal).locator("form [role=alert]")).to_have_text("")
    expect(verify).to_be_enabled()
    portal.shot("dead-end-6-new-code-clean")
    code_box.fill(portal.code(email, w["mail_code"], newer_than=code))
    verify.click()
    assert_new_screen(portal, w["welcome_title"])


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_the_header_switch_and_the_account_language_agree(open_portal, runner, lang, width):
    """Item 4: the header's language is the account's, both ways."""
    w = WORDS[lang]
    other = "fr" if lang == "en" else "en"
    email, password, _ = person(f"lang-{lang}", runner)
    portal = opened(open_portal, lang, width)
    page = portal.page
    log_in(portal, email, password)
    open_account(portal)
    select = page.get_by_label(w["account_language"], exact=True)
    expect(select).to_have_value(lang)

    # Switch in the header: the account follows (and its emails with it).
    with page.expect_response(lambda r: r.url.endswith("/v1/account") and r.request.method == "PATCH") as saved:
        page.get_by_role("button", name=SWITCH_TO[other], exact=True).click()
    assert saved.value.status == 200
    expect(page.locator("html")).to_have_attribute("lang", other)
    page.reload()
    expect(portal.heading()).to_have_text(WORDS[other]["account_title"])
    expect(page.get_by_label(WORDS[other]["account_language"], exact=True)).to_have_value(other)
    portal.lang = other
    portal.shot("dead-end-4-language-follows")
    token = runner.post("/v1/auth/login", {"email": email, "password": password}).json()["accessToken"]
    assert runner.get("/v1/account", token=token).json()["language"] == other


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_download_pressed_while_logged_out_starts_after_logging_in(open_portal, runner, lang, width):
    """Item 7: the download the person asked for starts by itself once they are logged in."""
    w = WORDS[lang]
    email, password, _ = person(f"later-{lang}", runner)
    portal = opened(open_portal, lang, width)
    page = portal.page
    page.get_by_role("button", name=w["download"]).first.click()
    assert_new_screen(portal, w["login_title"])
    expect(page.locator("#flash")).to_have_text(w["login_to_download"])
    page.get_by_label(w["email"], exact=True).fill(email)
    page.get_by_label(w["password"], exact=True).fill(password)
    with page.expect_download() as started:
        main(portal).get_by_role("button", name=w["login"], exact=True).click()
    download = started.value
    assert Path(download.path()).read_bytes() == SAMPLE_VIDEO.read_bytes()
    assert_new_screen(portal, w["videos"])
    expect(page.get_by_role("status").filter(has_text=w["download_started"])).to_be_visible()
    assert "download=" not in page.url  # a reload does not start it again
    portal.shot("dead-end-7-download-after-login")


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_password_forms_carry_what_password_managers_need(open_portal, runner, lang, width):
    """Item 8: every form that takes a password says whose (a username field) and which (tokens)."""
    w = WORDS[lang]
    email, password, _ = person(f"manager-{lang}", runner)
    portal = opened(open_portal, lang, width)
    page = portal.page
    log_in(portal, email, password)
    open_account(portal)
    delete_form = main(portal).locator("form").filter(has=page.locator("#delete-password"))
    expect(delete_form.locator("input[autocomplete=username][name=username]")).to_have_value(email)
    expect(page.locator("#delete-password")).to_have_attribute("autocomplete", "current-password")

    main(portal).get_by_role("link", name=w["change_password"], exact=True).click()
    assert_new_screen(portal, w["change_password"])
    form = main(portal).locator("form")
    expect(form.locator("input[autocomplete=username][name=username]")).to_have_value(email)
    expect(page.get_by_label(w["current_password"], exact=True)).to_have_attribute("autocomplete", "current-password")
    expect(page.get_by_label(w["new_password"], exact=True)).to_have_attribute("autocomplete", "new-password")
    portal.shot("dead-end-8-change-password-form")
