"""POST /v1/account/passkeys (Bearer) {credential, name?}: keep the passkey just created."""

from portal import passkeys as passkeys_module
from portal import services
from portal.errors import NotAuthorized
from portal.models.passkeys import AddPasskeyRequest, PasskeyInfo
from portal.principal import Principal
from portal.web import Request, endpoint

passkeys = services.passkeys()
passkeys_module.preload()  # fido2 at init: only the functions that verify WebAuthn load it
services.preload_mail()


@endpoint(AddPasskeyRequest, response_model=PasskeyInfo, status=201, errors=(NotAuthorized,))
def handler(body: AddPasskeyRequest, request: Request) -> PasskeyInfo:
    credential = body.credential.model_dump()
    return PasskeyInfo.of(passkeys.add(Principal.of(request.principal), credential, body.name))
