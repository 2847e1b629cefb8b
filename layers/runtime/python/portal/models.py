"""Request and response bodies of the API (pydantic): what the wire accepts and what it returns.

Requests are strict: unknown fields, wrong types and malformed values are 400 InvalidParameter
before any logic runs. Models build their validators lazily (`defer_build`): a function pays only
for the models it uses, and web.py builds its own request model at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from portal import addresses

if TYPE_CHECKING:
    from portal.auth import TokenPair
    from portal.signup import Delivery
    from portal.users import User

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


# -- sign-in, sessions, password recovery, the account ------------------------------------------

# Refresh tokens are opaque to clients; the bound keeps absurd input away from the store.
RefreshToken = Annotated[str, Field(min_length=1, max_length=512)]


class LoginRequest(Body):
    email: Email
    password: Password


class TokenResult(Body):
    accessToken: str = Field(description="JWT for `Authorization: Bearer`; valid `expiresIn` seconds.")
    refreshToken: str = Field(description="Opaque; single use: each refresh returns a new one.")
    expiresIn: int = Field(description="Seconds the access token stays valid.", examples=[900])
    tokenType: Literal["Bearer"] = "Bearer"

    @classmethod
    def of(cls, pair: TokenPair) -> TokenResult:
        return cls(accessToken=pair.access_token, refreshToken=pair.refresh_token, expiresIn=pair.expires_in)


class RefreshRequest(Body):
    refreshToken: RefreshToken


class LogoutRequest(Body):
    allDevices: bool = Field(False, description="End every session of the account, not only this one.")


class Account(Body):
    sub: str
    email: str = Field(description="The address as its owner typed it.")
    status: Literal["UNCONFIRMED", "CONFIRMED", "RESET_REQUIRED"]
    emailVerified: bool
    language: Language
    newsletter: dict[str, Any] = Field(default_factory=dict)
    createdAt: str = Field(examples=["2025-04-04T09:30:00Z"])

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(
            sub=user.sub,
            email=user.email,
            status=str(user.status),  # type: ignore[arg-type]
            emailVerified=user.email_verified,
            language=user.language if user.language in ("en", "fr") else "en",  # type: ignore[arg-type]
            newsletter=dict(user.newsletter),
            createdAt=user.created_at,
        )


class AccountUpdate(Body):
    language: Language


class DeleteAccountRequest(Body):
    password: Password


class ForgotRequest(Body):
    email: Email


class ResetRequest(Body):
    email: Email
    code: Code
    newPassword: Password


class ChangePasswordRequest(Body):
    currentPassword: Password
    newPassword: Password


class PasswordUpdated(Body):
    status: Literal["PASSWORD_UPDATED"] = "PASSWORD_UPDATED"
