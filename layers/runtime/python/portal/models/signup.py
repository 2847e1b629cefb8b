"""Sign-up: register, verify, resend. Request and response bodies (see portal.models)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from portal.models import Body, Code, Email, Language, NewEmail, Password

if TYPE_CHECKING:
    from portal.signup import Delivery


class RegisterRequest(Body):
    email: NewEmail
    password: Password
    language: Language = "en"


class VerifyRequest(Body):
    email: Email
    code: Code
    # The account's password, set with the code: whoever holds the inbox chooses it, so a sign-up
    # made by someone else in between cannot become the confirmed account's password
    # (docs/decisions/0008-account-security-review.md). The web client sends the one typed at sign-up.
    password: Password


class ResendRequest(Body):
    email: Email


class CodeDelivery(Body):
    destination: str = Field(description="The address the code went to, masked.", examples=["a***@e***.org"])
    codeExpiresIn: int = Field(description="Seconds the code stays valid.", examples=[1800])

    @classmethod
    def of(cls, delivery: Delivery) -> CodeDelivery:
        return cls(destination=delivery.destination, codeExpiresIn=delivery.code_expires_in)


class VerifyResult(Body):
    status: Literal["CONFIRMED"]
