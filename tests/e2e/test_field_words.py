"""A refused field reaches people in the portal's words, in English or French, never as a
validator's "String should match pattern '^[0-9]{6}$'"."""

from __future__ import annotations

import pytest
import requests

from portal.field_words import language_of


@pytest.mark.parametrize(
    ("accept_language", "summary", "code_message"),
    [
        (None, "Some of the information is not valid.", "Enter the 6-digit code from the email."),
        ("en-GB,en;q=0.9", "Some of the information is not valid.", "Enter the 6-digit code from the email."),
        ("fr", "Certaines informations ne sont pas valides.", "Saisissez le code à 6 chiffres reçu par e-mail."),
        (
            "de-DE,fr;q=0.8",
            "Certaines informations ne sont pas valides.",
            "Saisissez le code à 6 chiffres reçu par e-mail.",
        ),
    ],
)
def test_a_malformed_code_is_refused_in_the_portals_words(runner, accept_language, summary, code_message):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    refused = requests.post(
        runner.url + "/v1/account/verify",
        json={"email": "not-an-address", "code": "12ab34"},
        headers=headers,
        timeout=30,
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "InvalidParameter" and error["message"].startswith(summary)
    messages = {problem["field"]: problem["message"] for problem in error["fields"]}
    assert messages["code"] == code_message
    assert "pattern" not in " ".join(messages.values())
    assert all(problem["problem"] for problem in error["fields"])  # the developer's detail stays


def test_the_request_language_is_the_first_of_ours_it_names():
    assert language_of(None) == "en"
    assert language_of("fr-CA,fr;q=0.9") == "fr"
    assert language_of("es,it;q=0.5") == "en"
    assert language_of("en;q=0.9,fr;q=1.0") == "en"  # the order written, a simplification worth no parser
