from __future__ import annotations

import pytest

from portal import addresses, emails
from portal.settings import Settings, SettingsError


def test_addresses_are_trimmed_and_compared_case_insensitively():
    assert addresses.normalize(addresses.clean("  Ann.Smith@Example.ORG ")) == "ann.smith@example.org"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ann",
        "ann@",
        "@example.org",
        "ann@example",
        "a b@example.org",
        "ann@example.org\r\nBcc: x@y.z",
        "ann\x00@example.org",
        "ann\u202e@example.org",
        "a" * 250 + "@example.org",
    ],
)
def test_what_is_not_an_address_is_refused(raw):
    with pytest.raises(addresses.AddressError):
        addresses.clean(raw)


def test_new_addresses_get_the_full_check():
    assert addresses.validate_new("Ann@Example.org") == "Ann@example.org"
    with pytest.raises(addresses.AddressError):
        addresses.validate_new("ann..smith@example.org")


def test_masking_never_shows_the_whole_address():
    assert addresses.mask("ann.smith@example.org") == "a***@e***.org"
    assert addresses.mask("x@localhost") == "x***@l***"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_code_emails_carry_the_code_and_its_lifetime_in_both_bodies(language):
    mail = emails.render("verify_email", language, "ann@example.org", "042917")
    assert "042917" in mail.text and "042917" in mail.html
    assert "30 minutes" in mail.text and "30 minutes" in mail.html
    assert mail.subject == {"en": "Your verification code", "fr": "Votre code de vérification"}[language]
    assert f'lang="{language}"' in mail.html


@pytest.mark.parametrize("kind", ["verify_email", "reset_password"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_code_email_hands_over_the_code_rather_than_saying_it_was_sent(kind, language):
    """Read inside the email itself, "we have sent a code" describes the email it is in."""
    text = emails.render(kind, language, "ann@example.org", "042917").text
    assert not any(said in text for said in ("We have sent", "Nous vous avons envoyé"))
    assert {"en": "Here is your", "fr": "Voici votre"}[language] in text


def test_html_bodies_are_escaped():
    mail = emails.render("verify_email", "en", "ann@example.org", "<b>1</b>")
    assert "<b>1</b>" not in mail.html and "&lt;b&gt;1&lt;/b&gt;" in mail.html


def test_unknown_languages_fall_back_to_english():
    assert emails.render("signup_attempt", "de", "ann@example.org").subject.startswith("Someone tried")


def test_settings_round_trip_through_the_environment():
    settings = Settings(
        table_name="t", keys_secret_id="k", mail_sender="a@b.c", cors_origins=("https://a", "https://b")
    )
    assert Settings.from_env(settings.to_env()) == settings


REQUIRED = {"PORTAL_TABLE_NAME": "t", "PORTAL_KEYS_SECRET_ID": "k", "PORTAL_MAIL_SENDER": "a@b.c"}


def test_settings_refuse_hashing_below_the_owasp_floor():
    with pytest.raises(SettingsError, match="argon2_memory_kib"):
        Settings.from_env({**REQUIRED, "PORTAL_ARGON2_MEMORY_KIB": "4096"})


@pytest.mark.parametrize(
    "override, problem",
    [
        ({"PORTAL_ACCESS_TOKEN_SECONDS": "3600"}, "access_token_seconds"),  # the 15-minute cap
        ({"PORTAL_DOWNLOAD_URL_SECONDS": "ten"}, "DOWNLOAD_URL_SECONDS"),
        ({"PORTAL_PUBLIC_API_URL": "https://api.example.org/"}, "public_api_url"),
        ({"PORTAL_TOKEN_ISSUER": ""}, "token_issuer"),
        ({"PORTAL_TABLE_NAME": None}, "table_name"),
    ],
)
def test_settings_refuse_what_a_function_cannot_run_with(override, problem):
    environ = {k: v for k, v in {**REQUIRED, **override}.items() if v is not None}
    with pytest.raises(SettingsError, match=problem):
        Settings.from_env(environ)
