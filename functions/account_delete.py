"""DELETE /v1/account (Bearer) {password}: the account, its sessions, codes and download records go; a mail confirms."""

from portal import runtime
from portal.auth import Principal
from portal.errors import LimitExceeded
from portal.models import DeleteAccountRequest
from portal.web import Request, endpoint

auth = runtime.auth()


@endpoint(DeleteAccountRequest, status=204, errors=(LimitExceeded,))
def handler(body: DeleteAccountRequest, request: Request) -> None:
    auth.delete_account(Principal.of(request.principal), body.password)
