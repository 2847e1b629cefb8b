"""DELETE /v1/account/mfa/totp (Bearer): the password and a code (app or recovery) turn two-step off."""

from portal import services, totp
from portal.errors import CodeMismatch, LimitExceeded, WrongPassword
from portal.models.two_step import MfaCodeRequest
from portal.principal import Principal
from portal.web import Request, endpoint

two_step = services.two_step()
services.preload_keys()
totp.preload()  # pyotp and the sealing cipher at init
services.preload_mail()
services.preload_hashing()


@endpoint(MfaCodeRequest, status=204, errors=(CodeMismatch, LimitExceeded, WrongPassword))
def handler(body: MfaCodeRequest, request: Request) -> None:
    two_step.disable(Principal.of(request.principal), body.password, body.code)
