"""The typed stage configuration read from cdk.json (no synth needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from infra.config import StageConfig, cdk_context, load_stage, stage_names


def test_cdk_json_defines_dev_and_prod_and_dev_is_the_default():
    assert {"dev", "prod"} <= set(stage_names())
    assert load_stage().name == "dev"
    assert load_stage(context={**cdk_context(), "stage": "prod"}).name == "prod"


def test_prod_retains_and_protects_its_state():
    prod = load_stage("prod")
    assert prod.removal_policy == "retain" and prod.deletion_protection
    assert all(origin.startswith("https://") for origin in prod.cors_origins)


def test_unknown_stage_names_the_known_ones():
    with pytest.raises(ValueError, match="dev, prod"):
        load_stage("staging")


@pytest.mark.parametrize(
    "override",
    [
        {"authorizer_cache_seconds": 301},  # API Gateway's maximum is 300 s
        {"log_retention_days": 10},  # not a CloudWatch Logs retention value
        {"removal_policy": "snapshot"},
        {"functions": {"timeout_seconds": 29}},  # API Gateway answers 504 first
        {"account": "12345"},
        {"colour": "blue"},  # typos fail instead of being ignored
        {"public_api_url": "https://api.example.org/"},  # paths are appended to it
        {"passkey_rp_id": "127.0.0.1"},  # a WebAuthn RP ID is a domain, never an IP address
        {"passkey_origins": ["https://evil.example"]},  # not the RP ID nor under it
        {"passkey_rp_id": "example.org", "passkey_origins": ["http://example.org"]},  # http only for localhost
        {"passkey_rp_id": "example.org", "passkey_origins": ["https://notexample.org"]},
        {"passkey_rp_id": "example.org", "passkey_origins": ["https://example.org/app"]},
    ],
)
def test_invalid_stage_values_are_rejected(override):
    base = {
        "name": "x",
        "mail_from_address": "a@example.org",
        "mail_domain": "example.org",
        "public_api_url": "https://api.example.org",
    }
    StageConfig.model_validate(base)
    with pytest.raises(ValidationError):
        StageConfig.model_validate(base | override)


def test_config_imports_without_aws_cdk():
    # The local runner imports infra.config and must not pay for (or need) the CDK.
    probe = "import sys, infra.config; sys.exit('aws_cdk' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0


@pytest.mark.parametrize(
    "override",
    [
        {"site_domain": "app.example.org"},  # a custom domain needs its certificate
        {"site_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"},
        # CloudFront only takes certificates from us-east-1
        {
            "site_domain": "app.example.org",
            "site_certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123",
            "cors_origins": ["https://app.example.org"],
        },
        # the client calls the API from the site's origin, so CORS must allow it
        {
            "site_domain": "app.example.org",
            "site_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
        },
    ],
)
def test_a_custom_site_domain_needs_a_us_east_1_certificate_and_a_cors_origin(override):
    base = {
        "name": "x",
        "mail_from_address": "a@example.org",
        "mail_domain": "example.org",
        "public_api_url": "https://api.example.org",
    }
    good = {
        "site_domain": "app.example.org",
        "site_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
        "cors_origins": ["https://app.example.org"],
    }
    assert StageConfig.model_validate(base | good).site_origin == "https://app.example.org"
    with pytest.raises(ValidationError):
        StageConfig.model_validate(base | override)


def test_public_api_origin_is_scheme_and_host():
    base = {"name": "x", "mail_from_address": "a@example.org", "mail_domain": "example.org"}
    assert (
        StageConfig.model_validate(base | {"public_api_url": "https://api.example.org/prod"}).public_api_origin
        == "https://api.example.org"
    )


def test_passkey_origins_sit_on_the_rp_id():
    base = {"name": "x", "mail_from_address": "a@example.org", "mail_domain": "example.org"}
    base["public_api_url"] = "https://api.example.org"
    config = StageConfig.model_validate(
        base | {"passkey_rp_id": "example.org", "passkey_origins": ["https://example.org", "https://www.example.org"]}
    )
    assert config.passkey_origins == ("https://example.org", "https://www.example.org")
    assert (
        StageConfig.model_validate(base | {"passkey_origins": ["http://localhost:3000"]}).passkey_rp_id == "localhost"
    )
    prod = load_stage("prod")
    assert prod.passkey_rp_id == "multimedia.example.org" and prod.passkey_origins == (
        "https://multimedia.example.org",
    )
