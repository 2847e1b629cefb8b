"""POST /v1/auth/refresh: a refresh token in, a new pair out (the old token is spent)."""

from portal import runtime, tokens
from portal.errors import NotAuthorized
from portal.models import RefreshRequest, TokenResult
from portal.web import Request, endpoint

auth = runtime.auth()
runtime.preload_signing_keys()  # this function signs access tokens on its requests
tokens.preload()  # this function signs or checks tokens


@endpoint(RefreshRequest, response_model=TokenResult, errors=(NotAuthorized,))
def handler(body: RefreshRequest, request: Request) -> TokenResult:
    return TokenResult.of(auth.refresh(body.refreshToken))
