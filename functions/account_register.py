"""POST /v1/account/register: create an account (or refresh an unconfirmed one) and email a code."""

from portal import addresses, services
from portal.errors import InvalidPassword, LimitExceeded
from portal.models.signup import CodeDelivery, RegisterRequest
from portal.web import Request, endpoint

signup = services.signup()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()
addresses.preload()  # email-validator, for the new address
services.preload_hashing()


@endpoint(
    RegisterRequest,
    response_model=CodeDelivery,
    status=202,
    errors=(InvalidPassword, LimitExceeded),
)
def handler(body: RegisterRequest, request: Request) -> CodeDelivery:
    return CodeDelivery.of(signup.register(body.email, body.password, body.language))
