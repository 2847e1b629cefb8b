"""Request and response bodies of the API (pydantic): what the wire accepts and what it returns.

Requests are strict: unknown fields, wrong types and malformed values are 400 InvalidParameter
before any logic runs. Models build their validators lazily (`defer_build`): a function pays only
for the models it uses, and web.py builds its own request model at import.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    WithJsonSchema,
    model_validator,
)

from portal import addresses

if TYPE_CHECKING:
    from portal.account_sessions import SessionView
    from portal.catalog import Page, Video
    from portal.challenges import ChallengeIssued
    from portal.downloads import HistoryPage, Link
    from portal.mfa_records import MfaState
    from portal.newsletter import Subscription
    from portal.signin import TokenPair
    from portal.signup import Delivery
    from portal.two_step import Enrolment
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


class MfaChallenge(Body):
    challenge: Literal["TOTP"] = Field(description="What the second step asks for: a code from the authenticator app.")
    session: str = Field(description="Opaque; send it to /v1/auth/login/mfa with the code. Not a bearer token.")
    expiresIn: int = Field(description="Seconds the challenge stays open.", examples=[300])

    @classmethod
    def of(cls, issued: ChallengeIssued) -> MfaChallenge:
        return cls(challenge="TOTP", session=issued.session, expiresIn=issued.expires_in)


class LoginResult(RootModel[TokenResult | MfaChallenge]):
    """The token pair, or with two-step sign-in on, a challenge for the second step."""

    model_config = ConfigDict(frozen=True, defer_build=True)


# A challenge session: `mfa_` and 43 base64url characters; the bound keeps absurd input out.
ChallengeSession = Annotated[str, Field(min_length=1, max_length=128)]
# An app code (6 digits) or a recovery code (`xxxxx-xxxxx`, typed loosely: spaces, case).
SecondFactorCode = Annotated[str, Field(min_length=6, max_length=32, examples=["042917", "7kq2m-9xw4d"])]


class LoginMfaRequest(Body):
    session: ChallengeSession
    code: Code | None = Field(None, description="A code from the authenticator app.")
    recoveryCode: SecondFactorCode | None = Field(None, description="One of the recovery codes, instead of `code`.")

    @model_validator(mode="after")
    def _one_answer(self) -> LoginMfaRequest:
        if (self.code is None) == (self.recoveryCode is None):
            raise ValueError("send either code or recoveryCode")
        return self

    @property
    def answer(self) -> str:
        return self.code if self.code is not None else str(self.recoveryCode)


class TotpEnrolRequest(Body):
    password: Password


class TotpEnrolment(Body):
    secret: str = Field(description="The key in base32, for typing into the app by hand.")
    otpauthUri: str = Field(description="otpauth://totp/<issuer>:<address>?secret=...&issuer=...")
    qrSvg: str = Field(description="The URI as a QR code (an SVG document).")

    @classmethod
    def of(cls, enrolment: Enrolment) -> TotpEnrolment:
        return cls(secret=enrolment.secret, otpauthUri=enrolment.uri, qrSvg=enrolment.qr_svg)


class TotpConfirmRequest(Body):
    code: Code


class RecoveryCodeList(Body):
    recoveryCodes: list[str] = Field(description="Ten single-use codes, shown this once.")


class MfaCodeRequest(Body):
    password: Password
    code: SecondFactorCode = Field(description="A code from the authenticator app, or a recovery code.")


class MfaSummary(Body):
    totp: bool
    recoveryCodesLeft: int

    @classmethod
    def of(cls, state: MfaState) -> MfaSummary:
        return cls(totp=state.on, recoveryCodesLeft=state.totp.recovery.left if state.totp else 0)


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


# -- videos, downloads and the newsletter -----------------------------------------------------------


class QueryParameters(BaseModel):
    """Query string parameters: strings on the wire, so converted (lax), but unknown names refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)


def _iso_day(value: object) -> object:
    # Lax mode would take `to=0` as 1970-01-01; a day is written YYYY-MM-DD and nothing else.
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a day written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day), WithJsonSchema({"type": "string", "format": "date"})]


class VideoListQuery(QueryParameters):
    limit: int = Field(20, ge=1, le=100, description="Items per page.")
    cursor: str | None = Field(None, max_length=512, description="`nextCursor` of the previous page.")
    q: str | None = Field(None, min_length=1, max_length=200, description="Words that must all appear in the title.")
    from_: Day | None = Field(None, alias="from", description="Published on or after this day (UTC).")
    to: Day | None = Field(None, description="Published on or before this day (UTC).")


class RenditionInfo(Body):
    name: str = Field(examples=["full_hd"])
    label: str = Field(examples=["1080p"])
    contentType: str = Field(examples=["video/mp4"])
    size: int = Field(description="Bytes.")


class VideoInfo(Body):
    id: str
    title: str
    description: str
    publishedAt: str = Field(examples=["2025-04-04T12:00:00Z"])
    durationSeconds: int
    language: str
    tags: list[str]
    thumbnail: str | None = None
    renditions: list[RenditionInfo]

    @classmethod
    def of(cls, video: Video) -> VideoInfo:
        # The S3 keys stay private: a client names a rendition, the download route finds the key.
        return cls(
            id=video.id,
            title=video.title,
            description=video.description,
            publishedAt=video.published,
            durationSeconds=video.durationSeconds,
            language=video.language,
            tags=list(video.tags),
            thumbnail=video.thumbnail,
            renditions=[
                RenditionInfo(name=r.name, label=r.label, contentType=r.contentType, size=r.size)
                for r in video.renditions
            ],
        )


class VideoList(Body):
    items: list[VideoInfo]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")

    @classmethod
    def of(cls, page: Page) -> VideoList:
        return cls(items=[VideoInfo.of(v) for v in page.items], nextCursor=page.next_cursor)


class DownloadRequest(Body):
    rendition: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,31}$", examples=["full_hd"])


class DownloadLink(Body):
    url: str = Field(description="Presigned HTTPS GET (SigV4); the file comes as an attachment.")
    expiresAt: str = Field(examples=["2025-04-04T12:15:00Z"])
    filename: str = Field(examples=["nato-foreign-ministers-meeting-full_hd.mp4"])
    size: int = Field(description="Bytes.")

    @classmethod
    def of(cls, link: Link) -> DownloadLink:
        return cls(url=link.url, expiresAt=link.expires_at, filename=link.filename, size=link.size)


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


class DownloadHistoryQuery(QueryParameters):
    limit: int = Field(20, ge=1, le=100, description="Items per page.")
    cursor: str | None = Field(None, max_length=512, description="`nextCursor` of the previous page.")


class DownloadHistoryItem(Body):
    videoId: str
    rendition: str = Field(examples=["full_hd"])
    issuedAt: str = Field(examples=["2025-04-04T12:00:00Z"])


class DownloadHistoryList(Body):
    items: list[DownloadHistoryItem]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")

    @classmethod
    def of(cls, page: HistoryPage) -> DownloadHistoryList:
        return cls(
            items=[
                DownloadHistoryItem(videoId=e.video_id, rendition=e.rendition, issuedAt=e.issued_at) for e in page.items
            ],
            nextCursor=page.next_cursor,
        )


class EmailChangeRequest(Body):
    newEmail: NewEmail
    password: Password


class EmailChangeVerify(Body):
    code: Code


# -- where one is signed in


class SessionItem(Body):
    id: str = Field(description="The session's id: DELETE /v1/account/sessions/{id} ends it.")
    createdAt: str = Field(description="When it signed in.", examples=["2026-12-01T22:30:00Z"])
    lastUsedAt: str = Field(description="When it last refreshed its tokens (or signed in).")
    device: str = Field(description="Browser and system from its User-Agent.", examples=["Firefox on Windows"])
    ip: str = Field(description="The address it signed in from.")
    method: Literal["password", "password + app code", "passkey"] = Field(description="How it signed in.")
    current: bool = Field(description="The session of the token that asks.")


class SessionList(Body):
    items: list[SessionItem] = Field(description="Live sessions, this one first, then the most recently used.")

    @classmethod
    def of(cls, views: list[SessionView]) -> SessionList:
        return cls(
            items=[
                SessionItem(
                    id=v.id,
                    createdAt=v.created_at,
                    lastUsedAt=v.last_used_at,
                    device=v.device,
                    ip=v.ip,
                    method=v.method,  # type: ignore[arg-type]
                    current=v.current,
                )
                for v in views
            ]
        )
