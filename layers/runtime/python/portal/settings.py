"""The one place for runtime configuration.

Every setting a function reads is a field here. The CDK app writes them into each function's
environment with `to_env()`, the local runner does the same for its embedded emulation, and the
function reads them back with `from_env()` once per process: a missing or malformed value fails
the cold start loudly instead of the first request quietly.

A plain dataclass checked by hand, not a pydantic model: this is read at every cold start, and
building a model's validator there cost more than the dozen checks below (docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from typing import Any

ENV_PREFIX = "PORTAL_"
_URL = re.compile(r"\Ahttps?://[^\s/]+(/[^\s]*[^/\s])?\Z")


class SettingsError(ValueError):
    """A setting is missing or out of its bounds."""


def _bounded(default: int, low: int, high: int | None = None) -> Any:
    return dataclasses.field(default=default, metadata={"low": low, "high": high})


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    stage: str = "local"
    table_name: str
    keys_secret_id: str
    # The access-token signing keys (private; portal/signing_keys.py): only signing functions read it.
    signing_keys_secret_id: str
    # "Display Name <address>"; the address must be a verified SES identity.
    mail_sender: str
    mail_configuration_set: str | None = None
    # Origins allowed to call the API from a browser (exact match); empty: no CORS headers.
    cors_origins: tuple[str, ...] = ()
    # How long the signing/hashing keys are cached before Secrets Manager is asked again.
    keys_cache_seconds: int = _bounded(300, 0, 3600)
    # Access tokens (JWT): the `iss` they carry and must carry, and their lifetime (at most 15 min).
    token_issuer: str = "portal"
    access_token_seconds: int = _bounded(900, 60, 900)
    # Refresh tokens: each one lives this long from its issue (rotated on every use).
    refresh_token_seconds: int = _bounded(30 * 86400, 3600, 30 * 86400)
    # Sessions: however often refreshed, one ends this long after its sign-in (a stage setting).
    session_seconds: int = _bounded(30 * 86400, 3600, 365 * 86400)
    # argon2id cost; OWASP's floor is m=19 MiB, t=2, p=1 and nothing lower is accepted.
    argon2_memory_kib: int = _bounded(19456, 19456)
    argon2_time_cost: int = _bounded(2, 2)
    argon2_parallelism: int = _bounded(1, 1)
    # The private bucket holding the renditions; the download function may read only under
    # portal.catalog.MEDIA_PREFIX ("media/"), the prefix every rendition key is validated to.
    media_bucket: str | None = None
    # Downloads issued per account per UTC day before 429 LimitExceeded.
    download_quota_per_day: int = _bounded(100, 1)
    # Lifetime of a presigned download URL; the issue caps it at 15 minutes.
    download_url_seconds: int = _bounded(900, 60, 900)
    # Base URL of this API as mail recipients reach it (unsubscribe links), without a trailing slash.
    public_api_url: str | None = None
    # Passkeys (WebAuthn): the relying party ID (a domain, never an IP address: "localhost" for the
    # local runner) and the exact origins a browser may register or sign in from.
    passkey_rp_id: str = "localhost"
    passkey_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        for field in dataclasses.fields(self):
            value, low, high = getattr(self, field.name), field.metadata.get("low"), field.metadata.get("high")
            if field.type == "int" and (type(value) is not int or value < low or (high is not None and value > high)):  # type: ignore[operator]  # `low` is set on every int field (_bounded)
                problems.append(
                    f"{field.name} must be an integer from {low}" + (f" to {high}" if high is not None else "")
                )
            elif field.type == "str" and (not isinstance(value, str) or not value):
                problems.append(f"{field.name} must be a non-empty string")
            elif field.type == "str | None" and value is not None and not isinstance(value, str):
                problems.append(f"{field.name} must be a string")
            elif field.type == "tuple[str, ...]" and not (
                isinstance(value, tuple) and all(isinstance(v, str) for v in value)
            ):
                problems.append(f"{field.name} must be a tuple of strings")
        if self.public_api_url is not None and not _URL.match(self.public_api_url):
            problems.append("public_api_url must be an http(s) URL without a trailing slash")
        if problems:
            raise SettingsError("; ".join(problems))

    @classmethod
    def default(cls, name: str) -> Any:
        return next(f.default for f in dataclasses.fields(cls) if f.name == name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is None:
                continue
            if field.type == "tuple[str, ...]":
                values[field.name] = tuple(filter(None, (part.strip() for part in raw.split(","))))
            elif field.type == "int":
                try:
                    values[field.name] = int(raw)
                except ValueError:
                    raise SettingsError(f"{ENV_PREFIX}{field.name.upper()} must be an integer") from None
            else:
                values[field.name] = raw
        try:
            return cls(**values)
        except TypeError as exc:  # a required setting is missing
            raise SettingsError(str(exc)) from None

    def to_env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            env[ENV_PREFIX + field.name.upper()] = ",".join(value) if isinstance(value, tuple) else str(value)
        return env
