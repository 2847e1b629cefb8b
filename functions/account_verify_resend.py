"""POST /v1/account/verify/resend: "Didn't receive a code? Send new Code"."""

from portal import services
from portal.errors import LimitExceeded
from portal.models.signup import CodeDelivery, ResendRequest
from portal.web import Request, endpoint

signup = services.signup()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()


@endpoint(
    ResendRequest,
    response_model=CodeDelivery,
    status=202,
    errors=(LimitExceeded,),
)
def handler(body: ResendRequest, request: Request) -> CodeDelivery:
    return CodeDelivery.of(signup.resend(body.email))
