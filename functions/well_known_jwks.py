"""GET /.well-known/jwks.json: the public keys that verify access tokens (cacheable, no cryptography loaded)."""

import time

from portal import services
from portal.discovery import CACHEABLE, JwkSet
from portal.web import Request, endpoint

public_keys = services.token_keys().public


@endpoint(response_model=JwkSet, cache_control=CACHEABLE)
def handler(request: Request) -> JwkSet:
    return JwkSet.model_validate(public_keys().jwks(int(time.time())))
