"""POST /v1/password/forgot: "Reset password": email a code; the same answer for every address."""

from portal import services
from portal.errors import LimitExceeded
from portal.models.password import ForgotRequest
from portal.models.signup import CodeDelivery
from portal.web import Request, endpoint

recovery = services.recovery()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()


@endpoint(ForgotRequest, response_model=CodeDelivery, status=202, errors=(LimitExceeded,))
def handler(body: ForgotRequest, request: Request) -> CodeDelivery:
    return CodeDelivery.of(recovery.forgot(body.email))
