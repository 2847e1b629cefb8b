"""The account: read, update, delete, change of address. Request and response bodies (see portal.models)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from portal.models import Body, Code, Language, NewEmail, Password

if TYPE_CHECKING:
    from portal.mfa_records import MfaState
    from portal.users import User


class MfaSummary(Body):
    totp: bool
    recoveryCodesLeft: int

    @classmethod
    def of(cls, state: MfaState) -> MfaSummary:
        return cls(totp=state.on, recoveryCodesLeft=state.totp.recovery.left if state.totp else 0)


class Account(Body):
    sub: str
    email: str = Field(description="The address as its owner typed it.")
    status: Literal["UNCONFIRMED", "CONFIRMED", "RESET_REQUIRED"]
    emailVerified: bool
    language: Language
    newsletter: dict[str, Any] = Field(default_factory=dict)
    createdAt: str = Field(examples=["2025-04-04T09:30:00Z"])
    mfa: MfaSummary = Field(description="Two-step sign-in: on or off, and how many recovery codes are left.")

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
            mfa=MfaSummary.of(user.mfa),
        )


class AccountUpdate(Body):
    language: Language


class DeleteAccountRequest(Body):
    password: Password


class EmailChangeRequest(Body):
    newEmail: NewEmail
    password: Password


class EmailChangeVerify(Body):
    code: Code
