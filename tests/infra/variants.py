"""App variants the tests synthesize in a subprocess, beside the stages (synths run in parallel).

    python tests/infra/variants.py <variant> <outdir>

with-auth: the dev stage with a route table that has protected routes (none has one yet), one of
  them reading media, and a functions folder that has the modules they and the authorizer need.
careless: the dev stage plus a bucket that breaks AwsSolutions rules; its synth must fail.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_s3 as s3

from functions.routes import ROUTES, Access, Route
from infra.app import build_app
from infra.functions import FUNCTIONS_DIR

PROTECTED = (
    Route(
        module="account_profile",
        method="GET",
        path="/v1/account/profile",
        summary="The signed-in account",
        access=frozenset({Access.TABLE_READ}),
        auth=True,
    ),
    Route(
        module="account_signout",
        method="POST",
        path="/v1/account/signout",
        summary="End every session",
        access=frozenset({Access.TABLE_WRITE}),
        auth=True,
    ),
    # The first user of MEDIA_READ: its prefix-wide grant carries a cdk-nag acknowledgment.
    Route(
        module="downloads_issue",
        method="POST",
        path="/v1/downloads",
        summary="A presigned URL for one rendition",
        access=frozenset({Access.TABLE_READ, Access.MEDIA_READ}),
        auth=True,
    ),
)


def with_auth(outdir: Path) -> None:
    functions = outdir.parent / f"{outdir.name}-functions"
    shutil.copytree(FUNCTIONS_DIR, functions, ignore=shutil.ignore_patterns("__pycache__"))
    for module in ("authorizer", *(route.module for route in PROTECTED)):
        (functions / f"{module}.py").write_text("def handler(event, context):\n    return {}\n")
    build_app("dev", outdir=str(outdir), routes=(*ROUTES, *PROTECTED), functions_dir=functions).synth()


def careless(outdir: Path) -> None:
    app = build_app("dev", outdir=str(outdir))
    (stack,) = [child for child in app.node.children if isinstance(child, Stack)]
    s3.Bucket(stack, "CarelessBucket")  # no TLS-only policy, no access logs: AwsSolutions-S1, S10
    app.synth()


if __name__ == "__main__":
    {"with-auth": with_auth, "careless": careless}[sys.argv[1]](Path(sys.argv[2]))
