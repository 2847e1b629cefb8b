"""Typed stage configuration, read from cdk.json's context (`-c stage=<name>`, default `dev`).

Plain pydantic, no aws_cdk import: the local runner reads the same stage definitions to
provision its emulation, so what runs locally is configured like what is deployed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


# The retention periods CloudWatch Logs accepts.
LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Throttling(_Section):
    """API Gateway stage throttling: steady requests per second and the burst above it."""

    rate_limit: float = Field(50, gt=0)
    burst_limit: int = Field(100, gt=0)


class Waf(_Section):
    """Per source IP, requests per 5-minute window (WAF's evaluation window) before blocking."""

    rate_limit: int = Field(1000, ge=10)
    # Sign-up and sign-in routes (Route.sensitive): tighter, as they send mail or check passwords.
    sensitive_rate_limit: int = Field(100, ge=10)


class Functions(_Section):
    light_memory_mb: int = Field(256, ge=128, le=10240)
    # argon2id with m=19 MiB: CPU share scales with memory, so hashing functions get more.
    hashing_memory_mb: int = Field(1024, ge=128, le=10240)
    # Below API Gateway's 29 s integration limit: the function answers, not the gateway.
    timeout_seconds: int = Field(10, ge=1, le=28)
    tracing: bool = True
    log_level: Literal["DEBUG", "INFO", "WARN", "ERROR"] = "INFO"
    metrics_namespace: str = "Portal"
    # Lambda SnapStart: each function is published as a version (snapshotted after init) and
    # invoked through its alias `live`. Costs: snapshot caching per version, restores (docs/operations.md).
    snapstart: bool = False


class StageConfig(_Section):
    name: str
    # Left empty, the stack is environment-agnostic and `cdk deploy` uses the caller's account/region.
    account: str | None = Field(None, pattern=r"^\d{12}$")
    region: str = "eu-west-1"
    mail_from_name: str = "NATO Multimedia"
    mail_from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    mail_domain: str
    cors_origins: tuple[str, ...] = ()
    # Where clients reach the API (the custom domain in front of the stage): newsletter emails
    # carry unsubscribe links under it. Not the execute-api URL, which would make the functions
    # depend on the API that depends on them.
    public_api_url: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*[^/])?$")
    # Passkeys (WebAuthn): the relying party ID is a registrable domain, never an IP address, and
    # every origin a browser may create or use a passkey from is that domain or one under it.
    passkey_rp_id: str = Field(
        "localhost", pattern=r"^(localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,})$"
    )
    passkey_origins: tuple[str, ...] = ()
    log_retention_days: LogRetentionDays = 30
    throttling: Throttling = Throttling()
    waf: Waf = Waf()
    functions: Functions = Functions()
    # A session ends this long after its sign-in, however often it is refreshed.
    session_days: int = Field(30, ge=1, le=365)
    # API Gateway caches an authorizer's answer per token for this long (its maximum is 300 s).
    authorizer_cache_seconds: int = Field(300, ge=0, le=300)
    # `portal-admin keys rotate` publishes the next access-token key this long before it signs with
    # it: at least twice the public keys' cache bound (signing_keys.MIN_ROTATION_DELAY_SECONDS), so
    # every function and every service that caches our JWKS knows the key before a token it signed.
    key_rotation_delay_seconds: int = Field(900, ge=600, le=86400)
    # What happens to stateful resources (table, key secret, media bucket) when the stack goes.
    removal_policy: Literal["destroy", "retain"] = "destroy"
    deletion_protection: bool = False
    # Optional custom domain for the web client and its ACM certificate (CloudFront reads
    # certificates in us-east-1 only). Both or neither; without them the site is served at its
    # *.cloudfront.net address. https://<site_domain> must be one of cors_origins.
    site_domain: str | None = Field(None, pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
    site_certificate_arn: str | None = Field(None, pattern=r"^arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]+$")
    # Optional: subscribed to the alarm topic; otherwise subscribe after deploy (docs/operations.md).
    alarm_email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")
    # Alarm when more than this share of API requests answer 5xx over 5 minutes.
    api_5xx_rate_threshold: float = Field(0.01, gt=0, lt=1)
    # Credential stuffing: alarm when this many sign-ins fail within one minute, all accounts together.
    login_failures_per_minute_threshold: int = Field(50, ge=1)
    # Alarm when this many downloads are refused by the daily quota within 5 minutes (scraping, or a quota too low).
    download_refusals_threshold: int = Field(10, ge=1)

    @model_validator(mode="after")
    def _site_domain_has_certificate_and_cors(self) -> StageConfig:
        if (self.site_domain is None) != (self.site_certificate_arn is None):
            raise ValueError("site_domain and site_certificate_arn go together: a custom domain needs its certificate")
        if self.site_domain and self.site_origin not in self.cors_origins:
            raise ValueError(
                f"cors_origins must include the site's origin {self.site_origin}: the client calls the API from it"
            )
        return self

    @model_validator(mode="after")
    def _passkey_origins_belong_to_the_rp_id(self) -> StageConfig:
        for origin in self.passkey_origins:
            parts = urlsplit(origin)
            host = parts.hostname or ""
            secure = parts.scheme == "https" or (parts.scheme == "http" and host == "localhost")
            if not secure or parts.path or not (host == self.passkey_rp_id or host.endswith("." + self.passkey_rp_id)):
                raise ValueError(
                    f"passkey origin {origin!r} must be https (http only for localhost) on {self.passkey_rp_id} "
                    "or a subdomain of it, with no path"
                )
        return self

    @property
    def site_origin(self) -> str | None:
        return f"https://{self.site_domain}" if self.site_domain else None

    @property
    def public_api_origin(self) -> str:
        """scheme://host of public_api_url: what the site's Content-Security-Policy lets the client call."""
        parts = urlsplit(self.public_api_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def mail_sender(self) -> str:
        return f"{self.mail_from_name} <{self.mail_from_address}>"

    @property
    def stack_name(self) -> str:
        return f"Portal-{self.name}"


def stage_names(context: dict[str, Any] | None = None) -> list[str]:
    context = context if context is not None else cdk_context()
    return sorted(context["stages"])


def load_stage(name: str | None = None, context: dict[str, Any] | None = None) -> StageConfig:
    context = context if context is not None else cdk_context()
    name = name or context.get("stage", "dev")
    stages = context["stages"]
    if name not in stages:
        raise ValueError(f"unknown stage {name!r}; cdk.json defines {', '.join(sorted(stages))}")
    return StageConfig.model_validate({"name": name, **stages[name]})


def cdk_context() -> dict[str, Any]:
    return json.loads(CDK_JSON.read_text())["context"]
