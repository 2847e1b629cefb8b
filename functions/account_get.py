"""GET /v1/account (Bearer): the caller's account."""

from portal import services
from portal.models.account import Account
from portal.principal import Principal
from portal.web import Request, endpoint

account = services.account()


@endpoint(response_model=Account)
def handler(request: Request) -> Account:
    return Account.of(account.account(Principal.of(request.principal)))
