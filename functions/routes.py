"""The route table: the single source of truth for what the API serves.

One entry per route: its method and path, the handler module beside this file, whether the caller
must be signed in, and what AWS resources the function may touch. The CDK app builds each
function, its role and its API method from this table; the local runner dispatches from it; the
OpenAPI document is generated from it and the handlers' contracts. Adding a route is one entry
here and one module in this folder.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Access(enum.Enum):
    """What a function may touch; infra/ turns each into least-privilege IAM statements."""

    TABLE_READ = "table:read"
    TABLE_WRITE = "table:write"
    MAIL_SEND = "mail:send"
    KEYS_READ = "keys:read"
    # Objects under the media bucket's media/ prefix (presigned downloads).
    MEDIA_READ = "media:read"


class Profile(enum.Enum):
    """Sizing class: hashing functions get more memory (argon2 needs 19 MiB and CPU scales with it)."""

    LIGHT = "light"
    HASHING = "hashing"


@dataclass(frozen=True)
class Route:
    module: str
    method: str
    path: str
    summary: str
    access: frozenset[Access]
    auth: bool = False
    profile: Profile = Profile.LIGHT
    # Sign-up and sign-in endpoints get the tighter per-IP WAF rate limit.
    sensitive: bool = False
    tag: str = "account"

    @property
    def handler(self) -> str:
        """The Lambda handler string: the module is the root of its own asset."""
        return f"{self.module}.handler"

    @property
    def pattern(self) -> re.Pattern[str]:
        """The path as a regex with a named group per `{parameter}`."""
        return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$")

    @property
    def function_id(self) -> str:
        return "".join(part.capitalize() for part in self.module.split("_"))


_SIGNUP = frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND, Access.KEYS_READ})

ROUTES: tuple[Route, ...] = (
    Route(
        module="account_register",
        method="POST",
        path="/v1/account/register",
        summary="Create an account and email a verification code",
        access=_SIGNUP,
        profile=Profile.HASHING,
        sensitive=True,
    ),
    Route(
        module="account_verify",
        method="POST",
        path="/v1/account/verify",
        summary="Confirm the email address with the code",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.KEYS_READ}),
        sensitive=True,
    ),
    Route(
        module="account_verify_resend",
        method="POST",
        path="/v1/account/verify/resend",
        summary="Send a new verification code",
        access=_SIGNUP,
        sensitive=True,
    ),
)


@dataclass(frozen=True)
class EventFunction:
    """A function that no HTTP route reaches: AWS invokes it with an event (SNS, ...)."""

    module: str
    summary: str
    access: frozenset[Access]
    profile: Profile = Profile.LIGHT

    @property
    def handler(self) -> str:
        return f"{self.module}.handler"

    @property
    def function_id(self) -> str:
        return "".join(part.capitalize() for part in self.module.split("_"))


MAIL_EVENTS = EventFunction(
    module="mail_events",
    summary="Suppress addresses that SES reports as bouncing or complaining (via SNS)",
    access=frozenset({Access.TABLE_WRITE}),
)

EVENT_FUNCTIONS: tuple[EventFunction, ...] = (MAIL_EVENTS,)
