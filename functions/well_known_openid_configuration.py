"""GET /.well-known/openid-configuration: the issuer and where its public keys are (no AWS call)."""

from portal import services
from portal.discovery import CACHEABLE, OpenIdConfiguration, base_url, configuration
from portal.web import Request, endpoint

settings = services.settings()


@endpoint(response_model=OpenIdConfiguration, cache_control=CACHEABLE)
def handler(request: Request) -> OpenIdConfiguration:
    return configuration(settings.token_issuer, base_url(settings.public_api_url, request.headers.get("host")))
