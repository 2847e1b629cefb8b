"""PATCH /v1/account (Bearer): change the account's settings; answers the account."""

from portal import runtime
from portal.auth import Principal
from portal.models import Account, AccountUpdate
from portal.web import Request, endpoint

auth = runtime.auth()


@endpoint(AccountUpdate, response_model=Account)
def handler(body: AccountUpdate, request: Request) -> Account:
    return Account.of(auth.update_account(Principal.of(request.principal), body.language))
