"""POST /v1/auth/logout (Bearer): end this session, or with {"allDevices": true} all of them."""

from portal import runtime
from portal.auth import Principal
from portal.models import LogoutRequest
from portal.web import Request, endpoint

auth = runtime.auth()


@endpoint(LogoutRequest, status=204, body_required=False)
def handler(body: LogoutRequest, request: Request) -> None:
    auth.logout(Principal.of(request.principal), body.allDevices)
