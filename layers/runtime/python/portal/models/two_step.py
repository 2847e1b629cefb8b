"""Two-step sign-in with an authenticator app: enrol, confirm, recovery codes, turn off. Request and response bodies (see portal.models)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from portal.models import Body, Code, Password, SecondFactorCode

if TYPE_CHECKING:
    from portal.two_step import Enrolment


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
