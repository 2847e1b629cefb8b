"""Unsubscribe tokens and the newsletter mail, without AWS."""

from __future__ import annotations

import pytest

from portal.errors import InvalidParameter
from portal.keys import Keyring
from portal.newsletter import Newsletter

SUB = "0f8fad5b-d9cb-469f-a165-70867728950e"


def newsletter(document: dict, url: str | None = "https://api.example.org") -> Newsletter:
    keyring = Keyring(document)
    return Newsletter(
        accounts=None,
        subscriptions=None,
        mailer=None,
        keyring=lambda: keyring,
        public_api_url=url,
        clock=lambda: 1_743_760_000,
    )


def test_a_token_verifies_for_its_sub_only_and_survives_key_rotation():
    old = newsletter({"kid": "k1", "secret": "s" * 64})
    token = old.token(SUB)
    assert token.startswith(f"k1.{SUB}.1743760000.")
    assert old.check(token) == SUB
    rotated = newsletter({"kid": "k2", "secret": "t" * 64, "previous": [{"kid": "k1", "secret": "s" * 64}]})
    assert rotated.check(token) == SUB  # links in old newsletters keep working
    retired = newsletter({"kid": "k3", "secret": "u" * 64})
    with pytest.raises(InvalidParameter):
        retired.check(token)
    other_secret = newsletter({"kid": "k1", "secret": "x" * 64})
    with pytest.raises(InvalidParameter):
        other_secret.check(token)


def test_every_newsletter_mail_carries_the_one_click_headers_and_the_link():
    service = newsletter({"kid": "k1", "secret": "s" * 64})
    mail = service.mail("newsletter_welcome", "en", "ann@example.org", SUB)
    url = mail.headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://api.example.org/v1/newsletter/unsubscribe?token=k1.")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Unsubscribe {url}" in mail.text and f'href="{url}"' in mail.html
    french = service.mail("newsletter_welcome", "fr", "ann@example.org", SUB)
    assert "Se désabonner" in french.html and french.subject.startswith("Vous êtes abonné")


def test_without_a_public_url_no_link_can_be_made():
    with pytest.raises(RuntimeError, match="PORTAL_PUBLIC_API_URL"):
        newsletter({"kid": "k1", "secret": "s" * 64}, url=None).unsubscribe_url(SUB)


def test_a_failed_welcome_mail_does_not_undo_the_consent():
    from portal.errors import DependencyFailure
    from portal.principal import Principal
    from portal.records import AddressState
    from portal.users import Status, User

    user = User(SUB, "ann@example.org", "Ann@example.org", Status.CONFIRMED, "hash", "fr", "t", "t")

    class Accounts:
        def load_address(self, username):
            return AddressState(user if username == user.username else None)

    class Subscriptions:
        saved: list = []

        def save(self, username, sub, state):
            self.saved.append((username, sub, state))

    class BrokenMailer:
        def send(self, mail):
            raise DependencyFailure("SES: down")

    keyring = Keyring({"kid": "k1", "secret": "s" * 64})
    subscriptions = Subscriptions()
    service = Newsletter(
        Accounts(),
        subscriptions,
        lambda: BrokenMailer(),
        lambda: keyring,
        "https://api.example.org",
        clock=lambda: 1_743_760_000,
    )
    state = service.update(Principal(SUB, "session-1", "ann@example.org"), True, "signup", None)
    assert state.subscribed and state.language == "fr" and state.consent_at == "2025-04-04T09:46:40Z"
    assert subscriptions.saved == [("ann@example.org", SUB, state)]
