"""POST /v1/auth/passkey/options {}: a challenge to sign in with a passkey, and its opaque session."""

from portal import passkeys as passkeys_module
from portal import services
from portal.models.passkeys import PasskeySignInOptionsRequest, RequestOptions
from portal.web import Request, endpoint

passkeys = services.passkeys()
passkeys_module.preload()  # fido2 at init: only the functions that verify WebAuthn load it


@endpoint(PasskeySignInOptionsRequest, response_model=RequestOptions, body_required=False)
def handler(body: PasskeySignInOptionsRequest, request: Request) -> RequestOptions:
    session, options = passkeys.sign_in_options()
    return RequestOptions(session=session, publicKey=options)
