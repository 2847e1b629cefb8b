"""POST /v1/account/email (Bearer) {newEmail, password}: 202 and a code to the new address."""

from portal import addresses, services
from portal.errors import LimitExceeded, WrongPassword
from portal.models.account import EmailChangeRequest
from portal.models.signup import CodeDelivery
from portal.principal import Principal
from portal.web import Request, endpoint

email_change = services.email_change()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()
addresses.preload()  # email-validator, for the new address
services.preload_hashing()


@endpoint(EmailChangeRequest, response_model=CodeDelivery, status=202, errors=(LimitExceeded, WrongPassword))
def handler(body: EmailChangeRequest, request: Request) -> CodeDelivery:
    return CodeDelivery.of(
        email_change.request_email_change(Principal.of(request.principal), body.newEmail, body.password)
    )
