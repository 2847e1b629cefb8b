"""POST /v1/auth/refresh: a refresh token in, a new pair out (the old token is spent)."""

from portal import services, tokens
from portal.errors import NotAuthorized
from portal.models.signin import RefreshRequest, TokenResult
from portal.web import Request, endpoint

sign_in = services.sign_in()
services.preload_signing_keys()  # this function signs access tokens on its requests
tokens.preload()  # this function signs or checks tokens


@endpoint(RefreshRequest, response_model=TokenResult, errors=(NotAuthorized,))
def handler(body: RefreshRequest, request: Request) -> TokenResult:
    return TokenResult.of(sign_in.refresh(body.refreshToken))
