"""The API Gateway Lambda authorizer (REQUEST or TOKEN) of every route with auth=True.

Allows a live session's valid access token and hands the route function {"sub", "sessionId",
"username", "emailVerified"} (web.Request.principal); anything else raises "Unauthorized",
which API Gateway answers with 401 (mapped to our error shape by the API's gateway responses).
The policy allows every method of the stage: API Gateway caches one decision per token for all
routes, and a policy naming only the first method would deny the others from the cache.
"""

from typing import Any

from portal import services, tokens
from portal.audit import audit, logger
from portal.errors import DependencyFailure
from portal.tokens import TokenRejected

sign_in = services.sign_in()
tokens.preload()  # this function checks tokens (with the public keys only: it cannot sign)
UNAUTHORIZED = "Unauthorized"  # the exact message API Gateway turns into a 401


def bearer_token(event: dict[str, Any]) -> str:
    """The token of a TOKEN event, or of a REQUEST event's Authorization header (any case)."""
    if event.get("type") == "TOKEN":
        raw = event.get("authorizationToken") or ""
    else:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        raw = headers.get("authorization") or ""
    scheme, _, token = raw.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def stage_arn(method_arn: str) -> str:
    """arn:aws:execute-api:region:account:api/stage/METHOD/path -> .../api/stage/*/*"""
    prefix, _, rest = method_arn.partition(":execute-api:")
    parts = rest.split("/")
    return f"{prefix}:execute-api:{parts[0]}/{parts[1]}/*/*" if prefix and len(parts) >= 2 else method_arn


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = bearer_token(event)
    if not token:
        audit("access_denied", reason="no_token")
        raise Exception(UNAUTHORIZED)
    try:
        principal = sign_in.authorize(token)
    except TokenRejected as rejected:
        audit("access_denied", reason=rejected.reason)
        raise Exception(UNAUTHORIZED) from None
    except DependencyFailure:
        # Fail closed, but not as "Unauthorized": API Gateway answers 500 (AUTHORIZER_FAILURE) and
        # the client retries, instead of throwing away a good session on a DynamoDB hiccup.
        logger.warning("dependency_failed", extra={"event": "dependency_failed", "detail": "authorizer"})
        raise
    return {
        "principalId": principal.sub,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": stage_arn(event.get("methodArn", ""))}
            ],
        },
        "context": principal.context(),
    }
