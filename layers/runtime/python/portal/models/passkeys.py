"""The passkey routes' request and response bodies (WebAuthn Level 3 JSON forms, base64url)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from portal.models import Body, Password

if TYPE_CHECKING:
    from portal.passkey_records import Passkey

Base64Url = Annotated[str, Field(min_length=1, max_length=1400, pattern=r"^[A-Za-z0-9_-]+$")]
PasskeyName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"\S")]


class Credential(BaseModel):
    """A PublicKeyCredential as `credential.toJSON()` gives it: its `response` is checked by python-fido2.
    Other members the browser adds (authenticatorAttachment, clientExtensionResults) are passed on."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True, defer_build=True)

    id: Base64Url
    rawId: Base64Url
    type: Literal["public-key"]
    response: dict[str, Any]


class RegistrationOptionsRequest(Body):
    password: Password | None = Field(
        None, description="Needed when the session is older than 10 minutes (401 with passwordRequired otherwise)."
    )


class CreationOptions(Body):
    publicKey: dict[str, Any] = Field(
        description="PublicKeyCredentialCreationOptionsJSON, for parseCreationOptionsFromJSON."
    )


class AddPasskeyRequest(Body):
    credential: Credential = Field(description="RegistrationResponseJSON (credential.toJSON()).")
    name: PasskeyName | None = None


class PasskeyInfo(Body):
    id: str = Field(description="The credential id (base64url).")
    name: str
    createdAt: str
    lastUsedAt: str | None = None
    backedUp: bool = Field(description="Synced by a passkey provider (survives the loss of the device).")

    @classmethod
    def of(cls, passkey: Passkey) -> PasskeyInfo:
        return cls(
            id=passkey.credential_id,
            name=passkey.name,
            createdAt=passkey.created_at,
            lastUsedAt=passkey.last_used_at,
            backedUp=passkey.backed_up,
        )


class PasskeyList(Body):
    items: list[PasskeyInfo]


class RenamePasskeyRequest(Body):
    name: PasskeyName


class PasskeySignInOptionsRequest(Body):
    pass


class RequestOptions(Body):
    session: str = Field(description="Opaque; send it back with the credential.")
    publicKey: dict[str, Any] = Field(
        description="PublicKeyCredentialRequestOptionsJSON, for parseRequestOptionsFromJSON."
    )


class PasskeySignInRequest(Body):
    session: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
    credential: Credential = Field(description="AuthenticationResponseJSON (credential.toJSON()).")
