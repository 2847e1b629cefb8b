"""POST /v1/auth/login: email and password in, an access and a refresh token out; a new device gets a notice."""

from portal import services, tokens
from portal.errors import LimitExceeded, NotAuthorized, PasswordResetRequired, UserNotConfirmed
from portal.models import LoginRequest, TokenResult
from portal.web import Request, endpoint

sign_in = services.sign_in()
services.preload_signing_keys()  # this function signs access tokens on its requests
tokens.preload()  # this function signs or checks tokens


@endpoint(
    LoginRequest,
    response_model=TokenResult,
    errors=(NotAuthorized, UserNotConfirmed, PasswordResetRequired, LimitExceeded),
)
def handler(body: LoginRequest, request: Request) -> TokenResult:
    return TokenResult.of(
        sign_in.login(body.email, body.password, request.headers.get("user-agent", ""), request.source_ip)
    )
