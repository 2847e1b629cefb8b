"""The account's own screens (issue 18): change password, change email with its code, and
"Your downloads", in English on a phone (375 px) and in French on a desktop (1280 px)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import secrets_watch
from tests.browser.steps import VIEWS, alert, assert_new_screen, log_in, main, open_account, opened, person
from tests.browser.words import WORDS
from tests.local_runner import ROOT

pytestmark = pytest.mark.browser

SAMPLE_VIDEO = ROOT / "local" / "media" / "foreign-ministers-2025-04-04-sample-sd.mp4"


def signed_up_and_logged_in(open_portal, runner, lang: str, width: int, tag: str):
    email, password, local = person(tag, runner)
    portal = opened(open_portal, lang, width)
    log_in(portal, email, password)
    return portal, email, password, local


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_change_password(open_portal, runner, lang, width):
    w = WORDS[lang]
    portal, email, password, local = signed_up_and_logged_in(open_portal, runner, lang, width, "changepw")
    page = portal.page
    open_account(portal)
    main(portal).get_by_role("link", name=w["change_password"], exact=True).click()
    assert_new_screen(portal, w["change_password"])
    current = page.get_by_label(w["current_password"], exact=True)
    fresh = page.get_by_label(w["new_password"], exact=True)
    submit = main(portal).get_by_role("button", name=w["change_password"], exact=True)

    # A wrong current password is that, not an ended session: the person stays logged in.
    current.fill("Not-The-Password-42")
    fresh.fill(f"Iron-Bucket-{uuid.uuid4().hex[:6]}-7!")
    submit.click()
    expect(alert(portal)).to_have_text(w["wrong_password"])
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("link", name=w["account_nav"], exact=True)).to_be_visible()
    portal.shot("change-password-wrong-current")

    # A new password holding the address's first part: that rule, once, next to the field.
    current.fill(password)
    fresh.fill(f"{local.capitalize()}-Zinc-9!")
    submit.click()
    error = page.locator("#changed-password-error")
    expect(error).to_contain_text(w["rule_contains_email"])
    expect(error).not_to_contain_text(w["invalid_password"])
    expect(main(portal).locator("form [role=alert]")).to_have_text("")
    portal.shot("change-password-contains-email")

    new_password = f"Iron-Bucket-{uuid.uuid4().hex[:6]}-7!"
    secrets_watch.remember({"password": new_password})
    fresh.fill(new_password)
    submit.click()
    assert_new_screen(portal, w["account_title"])
    expect(page.locator("#flash")).to_contain_text(w["password_changed"])
    portal.shot("change-password-done")
    assert runner.post("/v1/auth/login", {"email": email, "password": password}).status_code != 200
    assert runner.post("/v1/auth/login", {"email": email, "password": new_password}).status_code == 200


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_change_email_with_its_code(open_portal, runner, lang, width):
    w = WORDS[lang]
    portal, email, password, _ = signed_up_and_logged_in(open_portal, runner, lang, width, "move")
    page = portal.page
    open_account(portal)
    main(portal).get_by_role("link", name=w["change_email"], exact=True).click()
    assert_new_screen(portal, w["change_email"])
    new_email = f"moved-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label(w["new_email"], exact=True).fill(new_email)
    page.get_by_label(w["password"], exact=True).fill("Not-The-Password-42")
    submit = main(portal).get_by_role("button", name=w["send_code"], exact=True)
    submit.click()
    expect(alert(portal)).to_have_text(w["wrong_password"])
    expect(page.get_by_role("link", name=w["account_nav"], exact=True)).to_be_visible()
    portal.shot("change-email-wrong-password")

    page.get_by_label(w["password"], exact=True).fill(password)
    submit.click()
    assert_new_screen(portal, w["verify_title"])
    expect(main(portal)).to_contain_text(new_email)
    portal.shot("change-email-code")
    code = portal.code(new_email, w["mail_email_code"])
    page.get_by_label(w["code"], exact=True).fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name=w["verify"], exact=True).click()
    expect(alert(portal)).to_contain_text(w["wrong_code"])
    page.get_by_label(w["code"], exact=True).fill(code)
    page.get_by_role("button", name=w["verify"], exact=True).click()

    assert_new_screen(portal, w["account_title"])
    expect(page.locator("#flash")).to_contain_text(w["email_changed"])
    expect(main(portal).locator(".facts__email")).to_have_text(new_email)
    portal.shot("change-email-done")
    assert runner.post("/v1/auth/login", {"email": new_email, "password": password}).status_code == 200


@pytest.mark.parametrize(("lang", "width"), VIEWS)
def test_your_downloads_lists_and_downloads_again(open_portal, runner, lang, width):
    w = WORDS[lang]
    portal, _, _, _ = signed_up_and_logged_in(open_portal, runner, lang, width, "history")
    page = portal.page
    open_account(portal)
    main(portal).get_by_role("link", name=w["your_downloads"], exact=True).click()
    assert_new_screen(portal, w["your_downloads"])
    expect(main(portal).locator(".history__item")).to_have_count(0)

    page.get_by_role("link", name=w["videos"], exact=True).click()
    with page.expect_download():
        page.get_by_role("button", name=w["download"]).first.click()
    open_account(portal)
    main(portal).get_by_role("link", name=w["your_downloads"], exact=True).click()
    assert_new_screen(portal, w["your_downloads"])
    rows = main(portal).locator(".history__item")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("heading")).to_contain_text("NATO Foreign Ministers")
    expect(rows.first).to_contain_text("SD 180p · H.264")
    expect(rows.first).to_contain_text(re.compile(r"20\d\d"))  # the day it was downloaded
    portal.shot("your-downloads")
    with page.expect_download() as again:
        again_button = rows.first.get_by_role("button")
        expect(again_button).to_have_text(w["download_again"])
        again_button.click()
    assert Path(again.value.path()).read_bytes() == SAMPLE_VIDEO.read_bytes()
