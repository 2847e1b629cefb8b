"""The headers the web client is served with, in one place so the two servers cannot drift: the
local runner (local/server.py) sends them itself, CloudFront sends them through the response
headers policy (infra/site.py). Plain Python, no aws_cdk import: the local runner imports it.
"""

from __future__ import annotations

from collections.abc import Sequence

# The files have no content hash in their names; revalidating by ETag is cheap (docs/web-client.md).
CACHE_CONTROL = "no-cache"


def content_security_policy(connect_src: Sequence[str] = ("'self'",)) -> str:
    """No inline or foreign code; `connect_src` is where the client may call (the API's origin)."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        f"connect-src {' '.join(connect_src)}; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def security_headers(connect_src: Sequence[str] = ("'self'",)) -> dict[str, str]:
    """Every security header of the site. HSTS is added by CloudFront only: the runner speaks HTTP."""
    return {
        "Content-Security-Policy": content_security_policy(connect_src),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
