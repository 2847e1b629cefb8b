"""The newsletter: subscribe, unsubscribe. Request and response bodies (see portal.models)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from portal.models import Body, Language, QueryParameters

if TYPE_CHECKING:
    from portal.newsletter import Subscription


class NewsletterRequest(Body):
    subscribed: bool
    # Where the consent was given, kept with it (the sign-up screen's button or the account page).
    source: Literal["signup", "account"] = "account"
    language: Language | None = Field(None, description="Newsletter language; default: the account's.")


class NewsletterState(Body):
    subscribed: bool
    language: str | None = None
    source: str | None = None
    consentAt: str | None = None
    withdrawnAt: str | None = None

    @classmethod
    def of(cls, state: Subscription) -> NewsletterState:
        return cls(
            subscribed=state.subscribed,
            language=state.language,
            source=state.source,
            consentAt=state.consent_at,
            withdrawnAt=state.withdrawn_at,
        )


class UnsubscribeQuery(QueryParameters):
    token: str = Field(min_length=10, max_length=300, description="The signed token of the email's link.")
