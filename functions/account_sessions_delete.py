"""DELETE /v1/account/sessions/{sessionId} (Bearer): end one session; someone else's is 404."""

from portal import runtime
from portal.errors import NotAuthorized, NotFound, UserNotConfirmed
from portal.web import Request, endpoint

sessions = runtime.account_sessions()


@endpoint(status=204, errors=(NotAuthorized, UserNotConfirmed, NotFound))
def handler(request: Request) -> None:
    sessions.end(request.principal, request.path_params.get("sessionId", ""))
