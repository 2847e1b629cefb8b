"""POST /v1/auth/login: email and password in, an access and a refresh token out (or, with two-step
sign-in on, a challenge that /v1/auth/login/mfa answers with a code)."""

from portal import services, tokens
from portal.challenges import ChallengeIssued
from portal.errors import LimitExceeded, NotAuthorized, PasswordResetRequired, UserNotConfirmed
from portal.models import LoginRequest, LoginResult, MfaChallenge, TokenResult
from portal.web import Request, endpoint

sign_in = services.sign_in()
services.preload_keys()  # this function reads the keys on its requests
tokens.preload()  # this function signs or checks tokens


@endpoint(
    LoginRequest,
    response_model=LoginResult,
    errors=(NotAuthorized, UserNotConfirmed, PasswordResetRequired, LimitExceeded),
)
def handler(body: LoginRequest, request: Request) -> TokenResult | MfaChallenge:
    result = sign_in.login(body.email, body.password)
    return MfaChallenge.of(result) if isinstance(result, ChallengeIssued) else TokenResult.of(result)
