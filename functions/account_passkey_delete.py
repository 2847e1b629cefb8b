"""DELETE /v1/account/passkeys/{id} (Bearer): remove one of one's passkeys; a mail tells its owner."""

from portal import services
from portal.errors import NotFound
from portal.principal import Principal
from portal.web import Request, endpoint

passkeys = services.passkeys()
services.preload_mail()


@endpoint(status=204, errors=(NotFound,))
def handler(request: Request) -> None:
    passkeys.remove(Principal.of(request.principal), request.path_params.get("id", ""))
