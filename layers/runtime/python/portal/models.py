"""Request and response bodies of the API (pydantic): what the wire accepts and what it returns.

Requests are strict: unknown fields, wrong types and malformed values are 400 InvalidParameter
before any logic runs. Models build their validators lazily (`defer_build`): a function pays only
for the models it uses, and web.py builds its own request model at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from portal import addresses

if TYPE_CHECKING:
    from portal.signup import Delivery

Language = Literal["en", "fr"]


_ADDRESS_FIELD = Field(min_length=3, max_length=addresses.MAX_LENGTH + 16, examples=["ann@example.org"])
# An address that must only look like one (lookups: verify, resend, login...).
Email = Annotated[str, _ADDRESS_FIELD, AfterValidator(addresses.clean)]
# An address about to own an account: the full RFC check.
NewEmail = Annotated[str, _ADDRESS_FIELD, AfterValidator(addresses.validate_new)]
# Passwords are judged by the policy (InvalidPassword, failedRules), not here; the bound only
# keeps absurd input away from the hash function.
Password = Annotated[str, Field(min_length=1, max_length=1024, json_schema_extra={"format": "password"})]
Code = Annotated[str, Field(pattern=r"^[0-9]{6}$", examples=["042917"])]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class RegisterRequest(Body):
    email: NewEmail
    password: Password
    language: Language = "en"


class VerifyRequest(Body):
    email: Email
    code: Code


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
