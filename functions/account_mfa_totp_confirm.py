"""POST /v1/account/mfa/totp/confirm (Bearer): the app's first code turns two-step on; ten recovery codes out."""

from portal import runtime, totp
from portal.auth import Principal
from portal.errors import CodeMismatch, ExpiredCode, LimitExceeded
from portal.models import RecoveryCodeList, TotpConfirmRequest
from portal.web import Request, endpoint

two_step = runtime.two_step()
runtime.preload_keys()
totp.preload()  # pyotp and the sealing cipher at init


@endpoint(TotpConfirmRequest, response_model=RecoveryCodeList, errors=(CodeMismatch, ExpiredCode, LimitExceeded))
def handler(body: TotpConfirmRequest, request: Request) -> RecoveryCodeList:
    return RecoveryCodeList(recoveryCodes=two_step.confirm(Principal.of(request.principal), body.code))
