"""PATCH /v1/account (Bearer): change the account's settings; answers the account."""

from portal import services
from portal.models.account import Account, AccountUpdate
from portal.principal import Principal
from portal.web import Request, endpoint

account = services.account()


@endpoint(AccountUpdate, response_model=Account)
def handler(body: AccountUpdate, request: Request) -> Account:
    return Account.of(account.update_account(Principal.of(request.principal), body.language))
