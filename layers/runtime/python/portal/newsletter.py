"""The newsletter: consent on the account, a welcome email, one-click unsubscribe by signed link.

Consent is recorded on the account (time, source, language) and so is its withdrawal; nothing is
deleted, which is what a consent record is for. Every newsletter email carries the account's
unsubscribe link in its body and in RFC 8058 headers (List-Unsubscribe with an HTTPS URL plus
List-Unsubscribe-Post: List-Unsubscribe=One-Click), so mail clients offer a one-click button.

The link's token is `<kid>.<sub>.<issued>.<mac>`: HMAC-SHA256 under the keyring's
"newsletter-links" purpose key over the sub and the issue time. It does not expire (an old
newsletter must still unsubscribe); rotating the key keeps old links working for as long as the
old kid stays in the secret's `previous` list. A token that does not verify changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlencode

from portal import emails
from portal.audit import audit
from portal.emails import Mail
from portal.errors import DependencyFailure, InvalidParameter, NotAuthorized
from portal.keys import Keyring
from portal.ports import Accounts, Mailer
from portal.principal import Principal, active_account
from portal.records import Conflict
from portal.users import iso

LINK_KEY_PURPOSE = "newsletter-links"
UNSUBSCRIBE_PATH = "/v1/newsletter/unsubscribe"
_TOKEN = re.compile(r"^([A-Za-z0-9_-]{1,32})\.([0-9a-f-]{36})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Subscription:
    subscribed: bool = False
    language: str | None = None
    source: str | None = None
    consent_at: str | None = None
    withdrawn_at: str | None = None
    withdrawn_via: str | None = None

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> Subscription:
        return cls(
            subscribed=bool(stored.get("subscribed", False)),
            language=stored.get("language"),
            source=stored.get("source"),
            consent_at=stored.get("consentAt"),
            withdrawn_at=stored.get("withdrawnAt"),
            withdrawn_via=stored.get("withdrawnVia"),
        )

    def as_map(self) -> dict[str, Any]:
        values = {
            "subscribed": self.subscribed,
            "language": self.language,
            "source": self.source,
            "consentAt": self.consent_at,
            "withdrawnAt": self.withdrawn_at,
            "withdrawnVia": self.withdrawn_via,
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Member:
    """An account as the newsletter sees it."""

    sub: str
    username: str
    email: str
    language: str
    subscription: Subscription


class Subscriptions(Protocol):
    def save(self, username: str, sub: str, state: Subscription) -> None:
        """Write the account's newsletter state; `Conflict` when the account is not (or no longer) `sub`'s."""
        ...

    def find(self, sub: str) -> Member | None: ...


def _mac(key: bytes, sub: str, issued: int) -> str:
    digest = hmac.new(key, f"{sub}.{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class UnsubscribeLinks:
    """Signed unsubscribe links: issued into newsletter mail, checked by the unsubscribe routes.
    Keys only: the page that asks before unsubscribing needs nothing else (no table client)."""

    def __init__(
        self, keyring: Callable[[], Keyring], public_api_url: str | None, clock: Callable[[], float] = time.time
    ) -> None:
        self._keyring = keyring
        self._public_api_url = public_api_url
        self._clock = clock

    def check(self, token: str) -> str:
        """The sub a link's token was issued for; 400 InvalidParameter unless it verifies."""
        match = _TOKEN.match(token)
        key = self._keyring().key(LINK_KEY_PURPOSE, match.group(1)) if match else None
        if (
            match is None
            or key is None
            or not hmac.compare_digest(_mac(key, match.group(2), int(match.group(3))), match.group(4))
        ):
            audit("unsubscribe_token_rejected")
            raise InvalidParameter(
                "This unsubscribe link is not valid.", fields=[{"field": "token", "problem": "is not valid"}]
            )
        return match.group(2)

    def token(self, sub: str) -> str:
        kid, key = self._keyring().current(LINK_KEY_PURPOSE)
        issued = int(self._clock())
        return f"{kid}.{sub}.{issued}.{_mac(key, sub, issued)}"

    def unsubscribe_url(self, sub: str) -> str:
        if not self._public_api_url:
            raise RuntimeError("PORTAL_PUBLIC_API_URL is not set: newsletter mail needs it for its unsubscribe link")
        return f"{self._public_api_url}{UNSUBSCRIBE_PATH}?{urlencode({'token': self.token(sub)})}"


class Newsletter(UnsubscribeLinks):
    def __init__(
        self,
        accounts: Accounts,
        subscriptions: Subscriptions,
        mailer: Callable[[], Mailer],
        keyring: Callable[[], Keyring],
        public_api_url: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(keyring, public_api_url, clock)
        self._accounts = accounts
        self._subscriptions = subscriptions
        self._mailer = mailer

    # -- routes ------------------------------------------------------------------------------

    def update(self, principal: Principal, subscribed: bool, source: str, language: str | None) -> Subscription:
        user = active_account(self._accounts, principal)
        state = Subscription.of(user.newsletter)
        now = iso(self._clock())
        language = language or user.language
        if subscribed and state.subscribed:
            if language == state.language:
                return state  # a repeated click: no second consent record, no second welcome
            new = replace(state, language=language)
        elif subscribed:
            new = Subscription(subscribed=True, language=language, source=source, consent_at=now)
        elif state.subscribed:
            new = replace(state, subscribed=False, withdrawn_at=now, withdrawn_via=source)
        else:
            return state
        try:
            self._subscriptions.save(user.username, user.sub, new)
        except Conflict:
            raise NotAuthorized("This account cannot be used.") from None
        if new.subscribed and not state.subscribed:
            audit("newsletter_subscribed", address=user.username, sub=user.sub, source=source, language=language)
            self._welcome(user.username, user.email, user.sub, language)
        elif not new.subscribed:
            audit("newsletter_unsubscribed", address=user.username, sub=user.sub, via=source)
        return new

    def unsubscribe(self, token: str) -> Subscription:
        """One-click unsubscribe: idempotent, and a link of a removed account changes nothing."""
        sub = self.check(token)
        member = self._subscriptions.find(sub)
        if member is None:
            audit("unsubscribe_without_account", sub=sub)
            return Subscription()
        state = member.subscription
        if not state.subscribed:
            return state
        new = replace(state, subscribed=False, withdrawn_at=iso(self._clock()), withdrawn_via="link")
        try:
            self._subscriptions.save(member.username, sub, new)
        except Conflict:
            return Subscription()  # the account went away meanwhile: nobody left to mail
        audit("newsletter_unsubscribed", address=member.username, sub=sub, via="link")
        return new

    # -- links and mail ----------------------------------------------------------------------

    def mail(self, kind: str, language: str, to: str, sub: str) -> Mail:
        """A newsletter email with its one-click unsubscribe link in the body and the headers."""
        url = self.unsubscribe_url(sub)
        mail = emails.render(kind, language, to, link=url)
        return replace(
            mail,
            headers={
                **mail.headers,
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )

    def _welcome(self, username: str, to: str, sub: str, language: str) -> None:
        try:
            self._mailer().send(self.mail("newsletter_welcome", language, to, sub))
        except DependencyFailure:
            # The consent is recorded and stands; the welcome is a courtesy and is not retried.
            audit("mail_failed", address=username, sub=sub, kind="newsletter_welcome")
            return
        audit("notice_sent", address=username, sub=sub, kind="newsletter_welcome")
