"""POST /v1/auth/passkey {session, credential}: sign in with a passkey; the usual token pair. The
session records the device and address, and a new device gets a notice, as at password sign-in."""

from portal import passkeys as passkeys_module
from portal import services, tokens
from portal.errors import NotAuthorized, PasswordResetRequired, UserNotConfirmed
from portal.models.passkeys import PasskeySignInRequest
from portal.models.signin import TokenResult
from portal.web import Request, endpoint

passkeys = services.passkeys()
passkeys_module.preload()  # fido2 at init: only the functions that verify WebAuthn load it
services.preload_signing_keys()  # this function signs access tokens on its requests
services.sign_in()  # the sign-in module that opens the session, at init (SnapStart), not on the first request
tokens.preload()


@endpoint(
    PasskeySignInRequest, response_model=TokenResult, errors=(NotAuthorized, UserNotConfirmed, PasswordResetRequired)
)
def handler(body: PasskeySignInRequest, request: Request) -> TokenResult:
    return TokenResult.of(
        passkeys.sign_in(
            body.session, body.credential.model_dump(), request.headers.get("user-agent", ""), request.source_ip
        )
    )
