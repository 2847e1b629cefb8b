"""PATCH /v1/account/passkeys/{id} (Bearer) {name}: rename one of one's passkeys."""

from portal import services
from portal.errors import NotFound
from portal.models.passkeys import PasskeyInfo, RenamePasskeyRequest
from portal.principal import Principal
from portal.web import Request, endpoint

passkeys = services.passkeys()


@endpoint(RenamePasskeyRequest, response_model=PasskeyInfo, errors=(NotFound,))
def handler(body: RenamePasskeyRequest, request: Request) -> PasskeyInfo:
    credential_id = request.path_params.get("id", "")
    return PasskeyInfo.of(passkeys.rename(Principal.of(request.principal), credential_id, body.name))
