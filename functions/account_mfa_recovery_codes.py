"""POST /v1/account/mfa/recovery-codes (Bearer): the password and a code in; ten new recovery codes out."""

from portal import services, totp
from portal.errors import CodeMismatch, LimitExceeded, WrongPassword
from portal.models.two_step import MfaCodeRequest, RecoveryCodeList
from portal.principal import Principal
from portal.web import Request, endpoint

two_step = services.two_step()
services.preload_keys()
totp.preload()  # pyotp and the sealing cipher at init
services.preload_mail()
services.preload_hashing()


@endpoint(MfaCodeRequest, response_model=RecoveryCodeList, errors=(CodeMismatch, LimitExceeded, WrongPassword))
def handler(body: MfaCodeRequest, request: Request) -> RecoveryCodeList:
    codes = two_step.new_recovery_codes(Principal.of(request.principal), body.password, body.code)
    return RecoveryCodeList(recoveryCodes=codes)
