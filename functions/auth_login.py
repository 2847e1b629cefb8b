"""POST /v1/auth/login: email and password in, an access and a refresh token out (or, with two-step
sign-in on, a challenge that /v1/auth/login/mfa answers with a code); a new device gets a notice."""

from portal import services, tokens
from portal.challenges import ChallengeIssued
from portal.errors import LimitExceeded, NotAuthorized, PasswordResetRequired, UserNotConfirmed
from portal.models.signin import LoginRequest, LoginResult, MfaChallenge, TokenResult
from portal.web import Request, endpoint

sign_in = services.sign_in()
services.preload_signing_keys()  # this function signs access tokens on its requests
tokens.preload()  # this function signs or checks tokens
services.preload_mail()
services.preload_hashing()


@endpoint(
    LoginRequest,
    response_model=LoginResult,
    errors=(NotAuthorized, UserNotConfirmed, PasswordResetRequired, LimitExceeded),
)
def handler(body: LoginRequest, request: Request) -> TokenResult | MfaChallenge:
    result = sign_in.login(body.email, body.password, request.headers.get("user-agent", ""), request.source_ip)
    return MfaChallenge.of(result) if isinstance(result, ChallengeIssued) else TokenResult.of(result)
