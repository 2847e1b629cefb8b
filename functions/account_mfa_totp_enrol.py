"""POST /v1/account/mfa/totp (Bearer): the password in; a new authenticator secret, its URI and QR code out."""

from portal import services, totp
from portal.errors import LimitExceeded, WrongPassword
from portal.models.two_step import TotpEnrolment, TotpEnrolRequest
from portal.principal import Principal
from portal.web import Request, endpoint

two_step = services.two_step()
services.preload_keys()  # the secret is sealed with a key
totp.preload(qr_code=True)  # pyotp, the sealing cipher and segno at init
services.preload_mail()
services.preload_hashing()


@endpoint(TotpEnrolRequest, response_model=TotpEnrolment, errors=(LimitExceeded, WrongPassword))
def handler(body: TotpEnrolRequest, request: Request) -> TotpEnrolment:
    return TotpEnrolment.of(two_step.enrol(Principal.of(request.principal), body.password))
