"""POST /v1/password/reset: "Create a new password" with the emailed code; ends every session."""

from portal import services
from portal.errors import CodeMismatch, ExpiredCode, InvalidPassword, TooManyFailedAttempts
from portal.models.password import PasswordUpdated, ResetRequest
from portal.web import Request, endpoint

recovery = services.recovery()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()
services.preload_hashing()


@endpoint(
    ResetRequest,
    response_model=PasswordUpdated,
    errors=(InvalidPassword, CodeMismatch, ExpiredCode, TooManyFailedAttempts),
)
def handler(body: ResetRequest, request: Request) -> PasswordUpdated:
    recovery.reset(body.email, body.code, body.newPassword)
    return PasswordUpdated()
