"""POST /v1/newsletter/unsubscribe?token=...: RFC 8058 one-click unsubscribe, no sign-in.

Mail clients POST `List-Unsubscribe=One-Click` form-encoded to the link itself, so the token is
read from the query string and the body is ignored.
"""

from portal import services
from portal.models.newsletter import NewsletterState, UnsubscribeQuery
from portal.web import Request, endpoint

newsletter = services.newsletter()
services.preload_keys()  # this function reads the keys on its requests


@endpoint(query_model=UnsubscribeQuery, response_model=NewsletterState)
def handler(query: UnsubscribeQuery, request: Request) -> NewsletterState:
    state = newsletter.unsubscribe(query.token)
    # Answer only the state, never who it belongs to: the link may have been forwarded.
    return NewsletterState(subscribed=state.subscribed, withdrawnAt=state.withdrawn_at)
