"""GET /v1/account/sessions (Bearer): where one is signed in (the only route that loads ua-parser)."""

from portal import devices, services
from portal.errors import NotAuthorized, UserNotConfirmed
from portal.models.sessions import SessionList
from portal.principal import Principal
from portal.web import Request, endpoint

sessions = services.account_sessions()
devices.preload()  # this route names devices (ua-parser): at init, so a SnapStart snapshot holds it


@endpoint(response_model=SessionList, errors=(NotAuthorized, UserNotConfirmed))
def handler(request: Request) -> SessionList:
    return SessionList.of(sessions.list(Principal.of(request.principal)))
