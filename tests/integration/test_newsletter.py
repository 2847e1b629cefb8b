"""The newsletter through its handlers on moto: consent, welcome mail, one-click unsubscribe."""

from __future__ import annotations

import email
import email.policy
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.videos_support import principal_of

ANN = "ann@example.org"


def raw_messages(to: str) -> list[email.message.EmailMessage]:
    from moto.ses.models import ses_backends

    from local.emulation import LOCAL_ACCOUNT, LOCAL_REGION

    messages = [
        email.message_from_string(m.raw_data, policy=email.policy.default)
        for m in ses_backends[LOCAL_ACCOUNT][LOCAL_REGION].sent_messages
        if hasattr(m, "raw_data")
    ]
    return [m for m in messages if str(m["To"]).casefold() == to.casefold()]


def subscribe(api, principal, subscribed=True, **extra):
    return api.call("newsletter_update", {"subscribed": subscribed, **extra}, principal=principal)


def newsletter_of(aws, email_address: str) -> dict:
    item = aws.item(f"EMAIL#{email_address}", "USER")
    return {k: list(v.values())[0] for k, v in item.get("newsletter", {"M": {}})["M"].items()}


@pytest.fixture
def ann(api, aws):
    api.confirmed_account(ANN)
    return principal_of(aws, ANN)


def test_subscribing_records_consent_and_sends_a_welcome_with_one_click_unsubscribe(api, aws, ann, audit_lines):
    result = subscribe(api, ann, source="signup", language="fr")
    assert result.status == 200
    assert result.body["subscribed"] is True and result.body["source"] == "signup" and result.body["language"] == "fr"
    stored = newsletter_of(aws, ANN)
    assert (
        stored["subscribed"] is True
        and stored["consentAt"] == result.body["consentAt"]
        and stored["source"] == "signup"
    )

    [welcome] = [m for m in raw_messages(ANN) if "lettre" in str(m["Subject"])]
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(welcome["List-Unsubscribe"]).strip("<>")
    assert link.startswith("https://api.portal.test/v1/newsletter/unsubscribe?token=")
    assert link in welcome.get_body(("plain",)).get_content()
    [event] = audit_lines.events("newsletter_subscribed")
    assert event["source"] == "signup" and event["language"] == "fr" and "token" not in audit_lines.text.lower()

    # A second click changes nothing and sends nothing.
    again = subscribe(api, ann, language="fr")
    assert again.body["consentAt"] == result.body["consentAt"]
    assert len([m for m in raw_messages(ANN) if "lettre" in str(m["Subject"])]) == 1


def welcome_token(to: str) -> str:
    [welcome] = [m for m in raw_messages(to) if m["List-Unsubscribe"]]
    return parse_qs(urlsplit(str(welcome["List-Unsubscribe"]).strip("<>")).query)["token"][0]


def raw_call(api, module: str, **options) -> dict:
    """The handler's response as API Gateway receives it (the page is HTML, not JSON)."""
    from functions.routes import ROUTES
    from tests.support import LambdaContext, api_event

    route = next(r for r in ROUTES if r.module == module)
    return api.handlers[module](api_event(route.method, route.path, **options), LambdaContext())


def test_the_link_shows_a_page_and_its_post_unsubscribes(api, aws, ann, audit_lines):
    subscribe(api, ann)
    token = welcome_token(ANN)

    page = raw_call(api, "newsletter_unsubscribe_page", query={"token": token})
    assert page["statusCode"] == 200
    assert page["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in page["headers"]["Content-Security-Policy"]
    assert '<form method="post" action="?token=' in page["body"] and token in page["body"]
    assert newsletter_of(aws, ANN)["subscribed"] is True  # opening the link alone changes nothing

    # What a mail client sends for RFC 8058: a form-encoded POST to the link itself.
    one_click = api.call(
        "newsletter_unsubscribe",
        query={"token": token},
        raw_body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status == 200 and one_click.body["subscribed"] is False
    stored = newsletter_of(aws, ANN)
    assert (
        stored["subscribed"] is False
        and stored["withdrawnVia"] == "link"
        and stored["withdrawnAt"] == one_click.body["withdrawnAt"]
    )
    assert stored["consentAt"]  # the consent record stays, with its withdrawal
    [event] = audit_lines.events("newsletter_unsubscribed")
    assert event["via"] == "link" and event["sub"] == ann["sub"]

    again = api.call("newsletter_unsubscribe", query={"token": token})
    assert again.status == 200 and again.body["withdrawnAt"] == one_click.body["withdrawnAt"]


def tampered(token: str) -> list[str]:
    kid, sub, issued, mac = token.split(".")
    other_mac = ("A" if mac[0] != "A" else "B") + mac[1:]
    return [
        f"{kid}.{sub}.{issued}.{other_mac}",
        f"{kid}.{sub}.{int(issued) + 1}.{mac}",
        f"{kid}.{sub[:-1]}{'0' if sub[-1] != '0' else '1'}.{issued}.{mac}",
        f"k9.{sub}.{issued}.{mac}",
        token + "x",
        "not-a-token-at-all",
    ]


def test_a_tampered_token_is_refused_and_changes_nothing(api, aws, ann):
    subscribe(api, ann)
    token = welcome_token(ANN)
    for bad in tampered(token):
        page = raw_call(api, "newsletter_unsubscribe_page", query={"token": bad})
        assert page["statusCode"] == 400, bad
        result = api.call("newsletter_unsubscribe", query={"token": bad})
        assert result.status == 400 and result.error["code"] == "InvalidParameter", bad
    assert api.call("newsletter_unsubscribe", query=None).status == 400
    assert newsletter_of(aws, ANN)["subscribed"] is True


def test_unsubscribing_from_the_account_keeps_the_consent_record(api, aws, ann):
    subscribed = subscribe(api, ann).body
    withdrawn = subscribe(api, ann, subscribed=False)
    assert withdrawn.status == 200
    assert withdrawn.body == {**subscribed, "subscribed": False, "withdrawnAt": withdrawn.body["withdrawnAt"]}
    assert newsletter_of(aws, ANN)["withdrawnVia"] == "account"
    # Subscribing again is a new consent, with a new welcome.
    again = subscribe(api, ann)
    assert again.body["subscribed"] is True and again.body["withdrawnAt"] is None
    assert len([m for m in raw_messages(ANN) if m["List-Unsubscribe"]]) == 2


def test_only_confirmed_accounts_may_subscribe(api, aws):
    assert api.register(ANN).status == 202
    result = subscribe(api, principal_of(aws, ANN))
    assert result.status == 403 and result.error["code"] == "UserNotConfirmed"
    assert "newsletter" not in aws.item(f"EMAIL#{ANN}", "USER")
    assert subscribe(api, {}).status == 401
