"""POST /v1/account/email/verify (Bearer) {code}: the account moves to the new address.

This session follows the account (refresh it for an access token with the new address); the
account's other sessions end; the old address gets a notice.
"""

from portal import services
from portal.errors import AliasExists, CodeMismatch, ExpiredCode, TooManyFailedAttempts
from portal.models.account import Account, EmailChangeVerify
from portal.principal import Principal
from portal.web import Request, endpoint

email_change = services.email_change()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()


@endpoint(
    EmailChangeVerify, response_model=Account, errors=(AliasExists, CodeMismatch, ExpiredCode, TooManyFailedAttempts)
)
def handler(body: EmailChangeVerify, request: Request) -> Account:
    return Account.of(email_change.verify_email_change(Principal.of(request.principal), body.code))
