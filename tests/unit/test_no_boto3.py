"""No function loads boto3: clients come from botocore (portal.services), items are coded without
boto3's TypeSerializer (portal.dynamo.codec), secrets are read without Powertools Parameters
(portal.keys). `import boto3` would add its S3 transfer manager (s3transfer, urllib3 via
boto3.compat) to every cold start for nothing (docs/decisions/0013-cold-start-floor.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from functions.routes import AUTHORIZER, MAIL_EVENTS, ROUTES

ROOT = Path(__file__).resolve().parents[2]

# Each handler imported in turn, in one fresh interpreter; the first to bring a module in is named.
PROBE = """
import json, sys
watched = ("boto3", "s3transfer", "aws_lambda_powertools.utilities.parameters")
first = {}
for module in sys.argv[1:]:
    __import__(module)
    for name in watched:
        if name in sys.modules and name not in first:
            first[name] = module
print(json.dumps({"first": first, "botocore": "botocore" in sys.modules}))
"""


def probe(*modules: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "layers" / "runtime" / "python")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], env=env, capture_output=True, text=True, cwd=ROOT, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_function_imports_boto3():
    result = probe(*(f.module for f in (*ROUTES, AUTHORIZER, MAIL_EVENTS)))
    assert result == {"first": {}, "botocore": True}


def test_the_probe_sees_boto3_when_a_module_imports_it():
    # The same probe with a module that does: it must name it, or the test above proves nothing.
    assert probe("account_get", "boto3")["first"] == {"boto3": "boto3", "s3transfer": "boto3"}
