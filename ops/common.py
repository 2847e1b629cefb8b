"""What every ops command shares: AWS options, the session they build, and exit codes."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

OK, REFUSED, USAGE = 0, 1, 2
# AWS unreachable, credentials refused, table or bucket missing: reported in one line, not a traceback.
AWS_FAILED = 3

Clients = Callable[[str], Any]


def add_aws_options(parser: argparse.ArgumentParser, *, bucket: bool = False) -> None:
    parser.add_argument("--endpoint-url", help="AWS endpoint (e.g. the local runner's emulation)")
    parser.add_argument("--profile", help="AWS profile to use")
    parser.add_argument("--region", help="AWS region (default: the profile's)")
    parser.add_argument(
        "--table", default=os.environ.get("PORTAL_TABLE_NAME"), help="table name (default $PORTAL_TABLE_NAME)"
    )
    if bucket:
        parser.add_argument(
            "--bucket",
            default=os.environ.get("PORTAL_MEDIA_BUCKET"),
            help="media bucket (default $PORTAL_MEDIA_BUCKET)",
        )


def clients(args: argparse.Namespace) -> Clients:
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    return lambda service: session.client(service, endpoint_url=args.endpoint_url)


def require(parser: argparse.ArgumentParser, args: argparse.Namespace, *names: str) -> None:
    for name in names:
        if not getattr(args, name, None):
            parser.error(f"--{name} is required (or set it in the environment)")
