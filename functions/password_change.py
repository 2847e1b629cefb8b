"""POST /v1/password/change (Bearer): a new password for the current one; ends the other sessions."""

from portal import services
from portal.errors import InvalidPassword, LimitExceeded, WrongPassword
from portal.models.password import ChangePasswordRequest, PasswordUpdated
from portal.principal import Principal
from portal.web import Request, endpoint

account = services.account()
services.preload_mail()
services.preload_hashing()


@endpoint(ChangePasswordRequest, response_model=PasswordUpdated, errors=(InvalidPassword, LimitExceeded, WrongPassword))
def handler(body: ChangePasswordRequest, request: Request) -> PasswordUpdated:
    account.change_password(Principal.of(request.principal), body.currentPassword, body.newPassword)
    return PasswordUpdated()
