"""Sends a rendered Mail through SES v2 as a raw MIME message (text + HTML, custom headers)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from portal.emails import Mail
from portal.errors import DependencyFailure


class SesMailer:
    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self._ses = client
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(usegmt=True)
        for name, value in mail.headers.items():
            message[name] = value
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [mail.to]},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            self._ses.send_email(**request)
        except (ClientError, BotoCoreError) as exc:
            raise DependencyFailure(f"SES: {type(exc).__name__}") from exc
