"""Sign-in: login (and its second step), refresh, logout. Request and response bodies (see portal.models)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field, RootModel, model_validator

from portal.models import Body, Code, Email, Password, SecondFactorCode

if TYPE_CHECKING:
    from portal.challenges import ChallengeIssued
    from portal.signin import TokenPair

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


class RefreshRequest(Body):
    refreshToken: RefreshToken


class LogoutRequest(Body):
    allDevices: bool = Field(False, description="End every session of the account, not only this one.")
