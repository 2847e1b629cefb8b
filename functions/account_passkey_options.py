"""POST /v1/account/passkeys/options (Bearer) {password?}: the options to create a passkey."""

from portal import passkeys as passkeys_module
from portal import services
from portal.errors import LimitExceeded, NotAuthorized, WrongPassword
from portal.models.passkeys import CreationOptions, RegistrationOptionsRequest
from portal.principal import Principal
from portal.web import Request, endpoint

passkeys = services.passkeys()
passkeys_module.preload()  # fido2 at init: only the functions that verify WebAuthn load it
services.preload_hashing()


@endpoint(
    RegistrationOptionsRequest,
    response_model=CreationOptions,
    body_required=False,
    errors=(NotAuthorized, WrongPassword, LimitExceeded),
)
def handler(body: RegistrationOptionsRequest, request: Request) -> CreationOptions:
    return CreationOptions(publicKey=passkeys.registration_options(Principal.of(request.principal), body.password))
