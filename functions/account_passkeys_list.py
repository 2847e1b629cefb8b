"""GET /v1/account/passkeys (Bearer): one's passkeys, oldest first."""

from portal import services
from portal.models.passkeys import PasskeyInfo, PasskeyList
from portal.principal import Principal
from portal.web import Request, endpoint

passkeys = services.passkeys()


@endpoint(response_model=PasskeyList)
def handler(request: Request) -> PasskeyList:
    return PasskeyList(items=[PasskeyInfo.of(p) for p in passkeys.list(Principal.of(request.principal))])
