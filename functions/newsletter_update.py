"""PUT /v1/account/newsletter: subscribe (consent recorded, welcome email) or unsubscribe."""

from portal import services
from portal.errors import NotAuthorized, UserNotConfirmed
from portal.models.newsletter import NewsletterRequest, NewsletterState
from portal.principal import Principal
from portal.web import Request, endpoint

newsletter = services.newsletter()
services.preload_keys()  # this function reads the keys on its requests
services.preload_mail()


@endpoint(NewsletterRequest, response_model=NewsletterState, errors=(NotAuthorized, UserNotConfirmed))
def handler(body: NewsletterRequest, request: Request) -> NewsletterState:
    return NewsletterState.of(
        newsletter.update(Principal.of(request.principal), body.subscribed, body.source, body.language)
    )
