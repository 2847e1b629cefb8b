"""The raw MIME message SES receives: what a mail client reads back from it."""

from __future__ import annotations

import email
from dataclasses import replace
from email import policy

import pytest

from portal import emails
from portal.mailer import SesMailer

SENDER = "NATO Multimedia <no-reply@example.org>"


class RecordingSes:
    def __init__(self) -> None:
        self.requests: list[dict] = []

    def send_email(self, **request) -> dict:
        self.requests.append(request)
        return {"MessageId": "m"}


@pytest.mark.parametrize(
    "to, sent_to, language",
    [
        ("ann@example.org", "ann@example.org", "en"),
        ("zoe@exämple.org", "zoe@xn--exmple-cua.org", "fr"),  # SES takes a domain only in punycode
        ("ann@пример.рф", "ann@xn--e1afmkfd.xn--p1ai", "fr"),
    ],
)
def test_a_mail_client_reads_back_exactly_what_was_rendered(to, sent_to, language):
    ses = RecordingSes()
    mail = emails.render("verify_email", language, to, "042042")
    link = "<https://api.example.org/v1/newsletter/unsubscribe?token=k1.4eefd2f1-3a17-4306-97d6-80b07e42fe98.1795741525.xljc59Hi7k5UOiFJJ>"
    mail = replace(mail, headers={"List-Unsubscribe": link})
    SesMailer(ses, SENDER, "portal-set").send(mail)

    request = ses.requests[0]
    assert request["Destination"] == {"ToAddresses": [sent_to]} and request["ConfigurationSetName"] == "portal-set"
    parsed = email.message_from_bytes(request["Content"]["Raw"]["Data"], policy=policy.default)
    assert str(parsed["To"]) == sent_to
    assert str(parsed["From"]) == SENDER
    assert str(parsed["Subject"]) == mail.subject
    assert str(parsed["List-Unsubscribe"]) == link
    compat = email.message_from_bytes(request["Content"]["Raw"]["Data"])  # compat32: no unfolding help
    assert compat["List-Unsubscribe"] == link
    assert parsed.get_body(("plain",)).get_content() == mail.text
    assert parsed.get_body(("html",)).get_content() == mail.html
    assert "042042" in mail.text


def test_an_address_ses_cannot_take_is_a_dependency_failure_and_nothing_is_sent():
    from portal.errors import DependencyFailure

    ses = RecordingSes()
    with pytest.raises(DependencyFailure):
        SesMailer(ses, SENDER).send(emails.render("verify_email", "en", "zoë@example.org", "123456"))
    assert ses.requests == []


def test_every_header_line_is_ascii_and_unfolded_values_carry_no_line_breaks():
    ses = RecordingSes()
    SesMailer(ses, SENDER).send(emails.render("reset_password", "fr", "zoe@exämple.org", "123456"))
    raw = ses.requests[0]["Content"]["Raw"]["Data"]
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii()
