"""DELETE /v1/account/sessions/{sessionId} (Bearer): end one session; someone else's is 404."""

from portal import services
from portal.errors import NotAuthorized, NotFound
from portal.principal import Principal
from portal.web import Request, endpoint

sessions = services.account_sessions()


@endpoint(status=204, errors=(NotAuthorized, NotFound))
def handler(request: Request) -> None:
    sessions.end(Principal.of(request.principal), request.path_params.get("sessionId", ""))
