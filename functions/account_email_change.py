"""POST /v1/account/email (Bearer) {newEmail, password}: 202 and a code to the new address."""

from portal import runtime
from portal.auth import Principal
from portal.errors import LimitExceeded
from portal.models import CodeDelivery, EmailChangeRequest
from portal.web import Request, endpoint

auth = runtime.auth()
runtime.preload_keys()  # this function reads the keys on its requests


@endpoint(EmailChangeRequest, response_model=CodeDelivery, status=202, errors=(LimitExceeded,))
def handler(body: EmailChangeRequest, request: Request) -> CodeDelivery:
    return CodeDelivery.of(auth.request_email_change(Principal.of(request.principal), body.newEmail, body.password))
