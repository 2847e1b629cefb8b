"""The one place for runtime configuration.

Every setting a function reads is a field here. The CDK app writes them into each function's
environment with `to_env()`, the local runner does the same for its embedded emulation, and the
function reads them back with `from_env()` once per process: a missing or malformed value fails
the cold start loudly instead of the first request quietly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

ENV_PREFIX = "PORTAL_"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str = "local"
    table_name: str
    keys_secret_id: str
    # "Display Name <address>"; the address must be a verified SES identity.
    mail_sender: str
    mail_configuration_set: str | None = None
    # Origins allowed to call the API from a browser (exact match); empty: no CORS headers.
    cors_origins: tuple[str, ...] = ()
    # How long the signing/hashing keys are cached before Secrets Manager is asked again.
    keys_cache_seconds: int = Field(300, ge=0, le=3600)
    # Access tokens (JWT): the `iss` they carry and must carry, and their lifetime (at most 15 min).
    token_issuer: str = Field("portal", min_length=1)
    access_token_seconds: int = Field(900, ge=60, le=900)
    # Refresh tokens: each one lives this long from its issue (rotated on every use).
    refresh_token_seconds: int = Field(30 * 86400, ge=3600, le=30 * 86400)
    # argon2id cost; OWASP's floor is m=19 MiB, t=2, p=1 and nothing lower is accepted.
    argon2_memory_kib: int = Field(19456, ge=19456)
    argon2_time_cost: int = Field(2, ge=2)
    argon2_parallelism: int = Field(1, ge=1)
    # -- videos and newsletter
    # The private bucket holding the renditions; the download function may read only under
    # portal.catalog.MEDIA_PREFIX ("media/"), the prefix every rendition key is validated to.
    media_bucket: str | None = None
    # Downloads issued per account per UTC day before 429 LimitExceeded.
    download_quota_per_day: int = Field(100, ge=1)
    # Lifetime of a presigned download URL; the issue caps it at 15 minutes.
    download_url_seconds: int = Field(900, ge=60, le=900)
    # Base URL of this API as mail recipients reach it (unsubscribe links), without a trailing slash.
    public_api_url: str | None = Field(None, pattern=r"^https?://[^\s/]+(/[^\s]*[^/\s])?$")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, field in cls.model_fields.items():
            raw = environ.get(ENV_PREFIX + name.upper())
            if raw is None:
                continue
            values[name] = tuple(filter(None, (part.strip() for part in raw.split(",")))) if field.annotation == tuple[str, ...] else raw
        return cls.model_validate(values)

    def to_env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            env[ENV_PREFIX + name.upper()] = ",".join(value) if isinstance(value, tuple) else str(value)
        return env
