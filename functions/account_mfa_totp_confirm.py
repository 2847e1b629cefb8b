"""POST /v1/account/mfa/totp/confirm (Bearer): the app's first code turns two-step on; ten recovery codes out."""

from portal import services, totp
from portal.errors import CodeMismatch, ExpiredCode, LimitExceeded
from portal.models.two_step import RecoveryCodeList, TotpConfirmRequest
from portal.principal import Principal
from portal.web import Request, endpoint

two_step = services.two_step()
services.preload_keys()
totp.preload()  # pyotp and the sealing cipher at init
services.preload_mail()


@endpoint(TotpConfirmRequest, response_model=RecoveryCodeList, errors=(CodeMismatch, ExpiredCode, LimitExceeded))
def handler(body: TotpConfirmRequest, request: Request) -> RecoveryCodeList:
    return RecoveryCodeList(recoveryCodes=two_step.confirm(Principal.of(request.principal), body.code))
