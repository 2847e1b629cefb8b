"""DELETE /v1/account (Bearer) {password}: the account, its sessions, codes and download records go; a mail confirms."""

from portal import services
from portal.errors import LimitExceeded, WrongPassword
from portal.models.account import DeleteAccountRequest
from portal.principal import Principal
from portal.web import Request, endpoint

account = services.account()
services.preload_mail()
services.preload_hashing()


@endpoint(DeleteAccountRequest, status=204, errors=(LimitExceeded, WrongPassword))
def handler(body: DeleteAccountRequest, request: Request) -> None:
    account.delete_account(Principal.of(request.principal), body.password)
