"""POST /v1/auth/passkey/options {}: a challenge to sign in with a passkey, and its opaque session."""

from portal import services
from portal.passkey_models import PasskeySignInOptionsRequest, RequestOptions
from portal.web import Request, endpoint

passkeys = services.passkeys()


@endpoint(PasskeySignInOptionsRequest, response_model=RequestOptions, body_required=False)
def handler(body: PasskeySignInOptionsRequest, request: Request) -> RequestOptions:
    session, options = passkeys.sign_in_options()
    return RequestOptions(session=session, publicKey=options)
