"""App variants the tests synthesize in a subprocess, beside the stages (synths run in parallel).

    python tests/infra/variants.py <variant> <outdir>

careless: the dev stage plus a bucket that breaks AwsSolutions rules; its synth must fail.
options: the dev stage with the optional settings on: SnapStart, a custom domain for the web client.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from infra.config import StageConfig, cdk_context, load_stage

SITE_DOMAIN = "app.dev.multimedia.example.org"
# A certificate ARN in the shape ACM gives (the synth never looks it up).
SITE_CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def context(variant: str) -> dict[str, Any]:
    """cdk.json's context with the variant's changes to the dev stage."""
    result = copy.deepcopy(cdk_context())
    dev = result["stages"]["dev"]
    if variant == "options":
        dev["functions"]["snapstart"] = True
        dev["site_domain"] = SITE_DOMAIN
        dev["site_certificate_arn"] = SITE_CERTIFICATE_ARN
        dev["cors_origins"] = [*dev["cors_origins"], f"https://{SITE_DOMAIN}"]
    return result


def config(variant: str) -> StageConfig:
    return load_stage("dev", context=context(variant))


def careless(outdir: Path) -> None:
    from aws_cdk import Stack
    from aws_cdk import aws_s3 as s3

    from infra.app import build_app

    app = build_app("dev", outdir=str(outdir))
    (stack,) = [child for child in app.node.children if isinstance(child, Stack)]
    s3.Bucket(stack, "CarelessBucket")  # no TLS-only policy, no access logs: AwsSolutions-S1, S10
    app.synth()


def options(outdir: Path) -> None:
    from infra.app import build_app

    build_app("dev", outdir=str(outdir), context=context("options")).synth()


if __name__ == "__main__":
    {"careless": careless, "options": options}[sys.argv[1]](Path(sys.argv[2]))
