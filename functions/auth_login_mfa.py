"""POST /v1/auth/login/mfa: the challenge's session and a code (or a recovery code) in, tokens out."""

from portal import services, tokens, totp
from portal.errors import CodeMismatch, ExpiredCode, LimitExceeded
from portal.models.signin import LoginMfaRequest, TokenResult
from portal.web import Request, endpoint

two_step = services.two_step()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()
totp.preload()  # pyotp and the sealing cipher at init
tokens.preload()  # this function signs tokens


@endpoint(LoginMfaRequest, response_model=TokenResult, errors=(CodeMismatch, ExpiredCode, LimitExceeded))
def handler(body: LoginMfaRequest, request: Request) -> TokenResult:
    return TokenResult.of(
        two_step.answer(body.session, body.answer, request.headers.get("user-agent", ""), request.source_ip)
    )
