"""PUT /v1/account/newsletter: subscribe (consent recorded, welcome email) or unsubscribe."""

from portal import runtime
from portal.errors import NotAuthorized, UserNotConfirmed
from portal.models import NewsletterRequest, NewsletterState
from portal.web import Request, endpoint

newsletter = runtime.newsletter()
runtime.preload_keys()  # this function reads the keys on its requests


@endpoint(NewsletterRequest, response_model=NewsletterState, errors=(NotAuthorized, UserNotConfirmed))
def handler(body: NewsletterRequest, request: Request) -> NewsletterState:
    return NewsletterState.of(newsletter.update(request.principal, body.subscribed, body.source, body.language))
