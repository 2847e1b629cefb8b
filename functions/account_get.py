"""GET /v1/account (Bearer): the caller's account."""

from portal import runtime
from portal.auth import Principal
from portal.models import Account
from portal.web import Request, endpoint

auth = runtime.auth()


@endpoint(response_model=Account)
def handler(request: Request) -> Account:
    return Account.of(auth.account(Principal.of(request.principal)))
