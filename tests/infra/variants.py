"""App variants the tests synthesize in a subprocess, beside the stages (synths run in parallel).

    python tests/infra/variants.py <variant> <outdir>

careless: the dev stage plus a bucket that breaks AwsSolutions rules; its synth must fail.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_s3 as s3

from infra.app import build_app


def careless(outdir: Path) -> None:
    app = build_app("dev", outdir=str(outdir))
    (stack,) = [child for child in app.node.children if isinstance(child, Stack)]
    s3.Bucket(stack, "CarelessBucket")  # no TLS-only policy, no access logs: AwsSolutions-S1, S10
    app.synth()


if __name__ == "__main__":
    {"careless": careless}[sys.argv[1]](Path(sys.argv[2]))
