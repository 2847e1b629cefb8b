"""POST /v1/auth/logout (Bearer): end this session, or with {"allDevices": true} all of them."""

from portal import services
from portal.models.signin import LogoutRequest
from portal.principal import Principal
from portal.web import Request, endpoint

sign_in = services.sign_in()


@endpoint(LogoutRequest, status=204, body_required=False)
def handler(body: LogoutRequest, request: Request) -> None:
    sign_in.logout(Principal.of(request.principal), body.allDevices)
