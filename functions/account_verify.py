"""POST /v1/account/verify: confirm the address with the emailed code."""

from portal import services
from portal.errors import CodeMismatch, ExpiredCode, InvalidPassword, TooManyFailedAttempts
from portal.models.signup import VerifyRequest, VerifyResult
from portal.web import Request, endpoint

signup = services.signup()
services.preload_keys()  # this function reads the keys on its requests
services.preload_hashing()


@endpoint(
    VerifyRequest,
    response_model=VerifyResult,
    errors=(CodeMismatch, ExpiredCode, InvalidPassword, TooManyFailedAttempts),
)
def handler(body: VerifyRequest, request: Request) -> VerifyResult:
    return VerifyResult.model_validate({"status": signup.verify(body.email, body.code, body.password)})
