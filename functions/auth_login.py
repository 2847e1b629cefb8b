"""POST /v1/auth/login: email and password in, an access and a refresh token out (or, with two-step
sign-in on, a challenge that /v1/auth/login/mfa answers with a code)."""

from portal import runtime, tokens
from portal.challenges import ChallengeIssued
from portal.errors import LimitExceeded, NotAuthorized, PasswordResetRequired, UserNotConfirmed
from portal.models import LoginRequest, LoginResult, MfaChallenge, TokenResult
from portal.web import Request, endpoint

auth = runtime.auth()
runtime.preload_keys()  # this function reads the keys on its requests
tokens.preload()  # this function signs or checks tokens


@endpoint(
    LoginRequest,
    response_model=LoginResult,
    errors=(NotAuthorized, UserNotConfirmed, PasswordResetRequired, LimitExceeded),
)
def handler(body: LoginRequest, request: Request) -> TokenResult | MfaChallenge:
    result = auth.login(body.email, body.password)
    return MfaChallenge.of(result) if isinstance(result, ChallengeIssued) else TokenResult.of(result)
