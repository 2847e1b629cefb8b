"""What the API tells browsers about cross-origin calls, defined once for its three answerers: API
Gateway's preflight (OPTIONS) and its own errors (infra/api.py), and the WAF's blocks (infra/waf.py).

Plain data, no aws_cdk import. The functions answer their own requests (portal/web.py `_cors`) with
the same `Vary: Origin` and exposed `Retry-After`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from functions.routes import Route


@dataclass(frozen=True)
class Cors:
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    allow_headers: tuple[str, ...] = ("Content-Type", "Authorization")
    # The client reads how long to wait from a 429 or 503.
    expose_headers: tuple[str, ...] = ("Retry-After",)
    max_age_seconds: int = 3600

    @classmethod
    def of(cls, origins: tuple[str, ...], routes: Sequence[Route]) -> Cors:
        return cls(origins, tuple(sorted({route.method for route in routes} | {"OPTIONS"})))

    def answer_headers(self, origin: str) -> dict[str, str]:
        """What an answer to a request from `origin` (one of `origins`) carries so its page can read it."""
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": ",".join(self.expose_headers),
            "Vary": "Origin",
        }

    def preflight_headers(self, origin: str) -> dict[str, str]:
        """The headers of a successful preflight from `origin`, as API Gateway's OPTIONS methods answer it."""
        return self.answer_headers(origin) | {
            "Access-Control-Allow-Methods": ",".join(self.methods),
            "Access-Control-Allow-Headers": ",".join(self.allow_headers),
            "Access-Control-Max-Age": str(self.max_age_seconds),
        }
