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
    # The access-token signing keys' secret (private): only the functions that issue tokens.
    SIGNING_KEYS_READ = "signing-keys:read"
    # s3:GetObject on Settings.media_bucket under portal.catalog.MEDIA_PREFIX ("media/") only:
    # the download function signs GET URLs with its own role, so the URL can reach no further.
    MEDIA_READ = "media:read"


class Profile(enum.Enum):
    """Sizing class: hashing functions get more memory (argon2 needs 19 MiB and CPU scales with it)."""

    LIGHT = "light"
    HASHING = "hashing"


@dataclass(frozen=True, kw_only=True)
class FunctionSpec:
    """One Lambda function: its module beside this file, what it may touch, how it is sized."""

    module: str
    summary: str
    access: frozenset[Access]
    profile: Profile = Profile.LIGHT

    @property
    def handler(self) -> str:
        """The Lambda handler string: the module is the root of its own asset."""
        return f"{self.module}.handler"

    @property
    def function_id(self) -> str:
        return "".join(part.capitalize() for part in self.module.split("_"))


@dataclass(frozen=True, kw_only=True)
class Route(FunctionSpec):
    """A function behind one API method and path."""

    method: str
    path: str
    auth: bool = False
    # Whether the route needs a JSON object body (API Gateway then refuses one that is not).
    json_body: bool = False
    # Sign-up and sign-in endpoints get the tighter per-IP WAF rate limit.
    sensitive: bool = False
    tag: str = "account"

    @property
    def pattern(self) -> re.Pattern[str]:
        """The path as a regex with a named group per `{parameter}`."""
        return re.compile(r"\A" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + r"\Z")


@dataclass(frozen=True, kw_only=True)
class Authorizer(FunctionSpec):
    """The API Gateway Lambda authorizer every route with auth=True is behind.

    It reads the bearer token from the Authorization header (a TOKEN authorizer), checks the JWT
    with the public keys only (read from the table, cached) and that its session is live (one
    BatchGetItem per request), and hands the route function the context
    {"sub", "sessionId", "username", "emailVerified"}. Its policy allows the whole stage's
    methods, so one cached decision serves every protected route; a cached "allow" outlives a
    logout by at most the stage's `authorizer_cache_seconds` (infra/config.py, at most 300).
    """

    identity_header: str = "Authorization"

    @property
    def identity_source(self) -> str:
        return f"method.request.header.{self.identity_header}"


@dataclass(frozen=True, kw_only=True)
class EventFunction(FunctionSpec):
    """A function that no HTTP route reaches: AWS invokes it with an event (SNS, ...)."""


AUTHORIZER = Authorizer(
    module="authorizer",
    summary="Checks the bearer token of protected routes",
    # The public keys are in the table: no secret, nothing that can sign.
    access=frozenset({Access.TABLE_READ}),
)

_SIGNUP = frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND, Access.KEYS_READ})
# Sign-in and sessions: the table and the access-token signing keys, no mail, no code key.
_SESSIONS = frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.SIGNING_KEYS_READ})
# Signed-in changes that check the password and send a notice: no code, no token, no key.
_PASSWORD_CHECKED = frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND})

ROUTES: tuple[Route, ...] = (
    Route(
        module="account_register",
        json_body=True,
        method="POST",
        path="/v1/account/register",
        summary="Create an account and email a verification code",
        access=_SIGNUP,
        profile=Profile.HASHING,
        sensitive=True,
    ),
    Route(
        module="account_verify",
        json_body=True,
        method="POST",
        path="/v1/account/verify",
        summary="Confirm the email address with the code",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.KEYS_READ}),
        # It checks the password the code was issued with (argon2id): a hashing function's memory.
        profile=Profile.HASHING,
        sensitive=True,
    ),
    Route(
        module="account_verify_resend",
        json_body=True,
        method="POST",
        path="/v1/account/verify/resend",
        summary="Send a new verification code",
        access=_SIGNUP,
        sensitive=True,
    ),
    Route(
        module="auth_login",
        json_body=True,
        method="POST",
        path="/v1/auth/login",
        summary="Log in with email and password; returns an access and a refresh token, or a two-step challenge",
        # Mail: the notice of a sign-in from a new device.
        access=_SESSIONS | {Access.MAIL_SEND},
        profile=Profile.HASHING,
        sensitive=True,
    ),
    Route(
        module="auth_login_mfa",
        json_body=True,
        method="POST",
        path="/v1/auth/login/mfa",
        summary="Second step of a two-step sign-in: the challenge's session and a code; returns the tokens",
        # The keys: the sealed secret and the recovery codes' digests. Mail: the new-device notice.
        access=_SESSIONS | {Access.KEYS_READ, Access.MAIL_SEND},
        sensitive=True,
    ),
    Route(
        module="auth_refresh",
        json_body=True,
        method="POST",
        path="/v1/auth/refresh",
        summary="Trade a refresh token for a new pair (rotation; reuse ends the session)",
        access=_SESSIONS,
    ),
    Route(
        module="auth_logout",
        method="POST",
        path="/v1/auth/logout",
        summary="Log out this session, or all of them",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        auth=True,
    ),
    Route(
        module="account_get",
        method="GET",
        path="/v1/account",
        summary="Read one's account",
        access=frozenset({Access.TABLE_READ}),
        auth=True,
    ),
    Route(
        module="account_update",
        json_body=True,
        method="PATCH",
        path="/v1/account",
        summary="Change one's account settings (language)",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        auth=True,
    ),
    Route(
        module="account_delete",
        json_body=True,
        method="DELETE",
        path="/v1/account",
        summary="Delete one's account (password required)",
        access=_PASSWORD_CHECKED,
        auth=True,
        profile=Profile.HASHING,
    ),
    Route(
        module="password_forgot",
        json_body=True,
        method="POST",
        path="/v1/password/forgot",
        summary="Reset password: email a code to the address",
        access=_SIGNUP,
        sensitive=True,
    ),
    Route(
        module="password_reset",
        json_body=True,
        method="POST",
        path="/v1/password/reset",
        summary="Create a new password with the emailed code",
        access=_SIGNUP,
        profile=Profile.HASHING,
        sensitive=True,
    ),
    Route(
        module="password_change",
        json_body=True,
        method="POST",
        path="/v1/password/change",
        summary="Change the password (current one required); ends the other sessions",
        access=_PASSWORD_CHECKED,
        auth=True,
        profile=Profile.HASHING,
    ),
)

# -- videos and newsletter
_PUBLIC_CATALOG = frozenset({Access.TABLE_READ})

ROUTES += (
    Route(
        module="videos_list",
        method="GET",
        path="/v1/videos",
        summary="List the video catalogue, newest first (public)",
        access=_PUBLIC_CATALOG,
        tag="videos",
    ),
    Route(
        module="videos_get",
        method="GET",
        path="/v1/videos/{videoId}",
        summary="One video of the catalogue (public)",
        access=_PUBLIC_CATALOG,
        tag="videos",
    ),
    Route(
        module="videos_download",
        json_body=True,
        method="POST",
        path="/v1/videos/{videoId}/download",
        summary="A short-lived download link for one rendition of a video",
        # Table write: the per-account daily download counter.
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MEDIA_READ}),
        auth=True,
        tag="videos",
    ),
    Route(
        module="newsletter_update",
        json_body=True,
        method="PUT",
        path="/v1/account/newsletter",
        summary="Subscribe to or unsubscribe from the newsletter",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND, Access.KEYS_READ}),
        auth=True,
        tag="newsletter",
    ),
    Route(
        module="newsletter_unsubscribe_page",
        method="GET",
        path="/v1/newsletter/unsubscribe",
        summary="The confirmation page behind an email's unsubscribe link",
        access=frozenset({Access.KEYS_READ}),
        tag="newsletter",
    ),
    Route(
        module="newsletter_unsubscribe",
        method="POST",
        path="/v1/newsletter/unsubscribe",
        summary="One-click unsubscribe (RFC 8058) with the link's signed token",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.KEYS_READ}),
        tag="newsletter",
    ),
    Route(
        module="account_downloads",
        method="GET",
        path="/v1/account/downloads",
        summary="One's own download history, newest first",
        access=frozenset({Access.TABLE_READ}),
        auth=True,
        tag="videos",
    ),
    Route(
        module="account_email_change",
        json_body=True,
        method="POST",
        path="/v1/account/email",
        summary="Ask to change one's email address: a code goes to the new one",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND, Access.KEYS_READ}),
        auth=True,
        profile=Profile.HASHING,
    ),
    Route(
        module="account_email_verify",
        json_body=True,
        method="POST",
        path="/v1/account/email/verify",
        summary="Confirm a change of email address with the code sent to the new one",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND, Access.KEYS_READ}),
        auth=True,
    ),
)

# -- where one is signed in
ROUTES += (
    Route(
        module="account_sessions_list",
        method="GET",
        path="/v1/account/sessions",
        summary="Where one is signed in: live sessions with device, IP, method and times",
        access=frozenset({Access.TABLE_READ}),
        auth=True,
    ),
    Route(
        module="account_sessions_delete",
        method="DELETE",
        path="/v1/account/sessions/{sessionId}",
        summary="End one session: its refresh token at once, its access token within the authorizer's cache",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        auth=True,
    ),
)

# -- tokens other services can verify (public: the public keys, read from the table)
ROUTES += (
    Route(
        module="well_known_jwks",
        method="GET",
        path="/.well-known/jwks.json",
        summary="The public keys that verify access tokens (JWK Set, cacheable)",
        access=frozenset({Access.TABLE_READ}),
        tag="tokens",
    ),
    Route(
        module="well_known_openid_configuration",
        method="GET",
        path="/.well-known/openid-configuration",
        summary="Where the token issuer publishes its keys (OpenID Connect discovery)",
        access=frozenset(),
        tag="tokens",
    ),
)


# -- passkeys (fido2 loads in the four that verify WebAuthn, and nowhere else)
ROUTES += (
    Route(
        module="account_passkey_options",
        method="POST",
        path="/v1/account/passkeys/options",
        summary="The options to create a passkey (a session under 10 minutes old, or the password)",
        # Checks the password and stores a challenge: it signs no token.
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        auth=True,
        profile=Profile.HASHING,
        tag="passkeys",
    ),
    Route(
        module="account_passkey_add",
        json_body=True,
        method="POST",
        path="/v1/account/passkeys",
        summary="Add the passkey just created; a mail tells the owner",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND}),
        auth=True,
        tag="passkeys",
    ),
    Route(
        module="account_passkeys_list",
        method="GET",
        path="/v1/account/passkeys",
        summary="One's passkeys",
        access=frozenset({Access.TABLE_READ}),
        auth=True,
        tag="passkeys",
    ),
    Route(
        module="account_passkey_rename",
        json_body=True,
        method="PATCH",
        path="/v1/account/passkeys/{id}",
        summary="Rename one of one's passkeys",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        auth=True,
        tag="passkeys",
    ),
    Route(
        module="account_passkey_delete",
        method="DELETE",
        path="/v1/account/passkeys/{id}",
        summary="Remove one of one's passkeys; a mail tells the owner",
        access=_PASSWORD_CHECKED,
        auth=True,
        tag="passkeys",
    ),
    Route(
        module="auth_passkey_options",
        method="POST",
        path="/v1/auth/passkey/options",
        summary="A challenge to sign in with a passkey (no address needed)",
        access=frozenset({Access.TABLE_WRITE}),
        sensitive=True,
        tag="passkeys",
    ),
    Route(
        module="auth_passkey",
        json_body=True,
        method="POST",
        path="/v1/auth/passkey",
        summary="Sign in with a passkey; returns an access and a refresh token",
        access=_SESSIONS,
        sensitive=True,
        tag="passkeys",
    ),
)


# -- two-step sign-in (TOTP): each checks the password and/or a code, seals or opens the secret
# with a key from the keys secret, and sends a notice when two-step turns on or off.
_TWO_STEP = frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.MAIL_SEND, Access.KEYS_READ})

ROUTES += (
    Route(
        module="account_mfa_totp_enrol",
        json_body=True,
        method="POST",
        path="/v1/account/mfa/totp",
        summary="Start (or restart) setting up an authenticator app: password in, secret and QR code out",
        access=_TWO_STEP,
        auth=True,
        profile=Profile.HASHING,
    ),
    Route(
        module="account_mfa_totp_confirm",
        json_body=True,
        method="POST",
        path="/v1/account/mfa/totp/confirm",
        summary="Turn two-step sign-in on with the app's first code; returns ten recovery codes",
        access=_TWO_STEP,
        auth=True,
    ),
    Route(
        module="account_mfa_totp_delete",
        json_body=True,
        method="DELETE",
        path="/v1/account/mfa/totp",
        summary="Turn two-step sign-in off (password and a code required)",
        access=_TWO_STEP,
        auth=True,
        profile=Profile.HASHING,
    ),
    Route(
        module="account_mfa_recovery_codes",
        json_body=True,
        method="POST",
        path="/v1/account/mfa/recovery-codes",
        summary="Ten new recovery codes, the old ones void (password and a code required)",
        access=_TWO_STEP,
        auth=True,
        profile=Profile.HASHING,
    ),
)


MAIL_EVENTS = EventFunction(
    module="mail_events",
    summary="Suppress addresses that SES reports as bouncing or complaining (via SNS)",
    access=frozenset({Access.TABLE_WRITE}),
)

EVENT_FUNCTIONS: tuple[EventFunction, ...] = (MAIL_EVENTS,)
