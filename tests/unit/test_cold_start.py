"""What a cold start may and may not do: SnapStart restores one snapshot of the initialized
process into many execution environments, so anything random drawn at import (codes, salts,
tokens, session ids) would be shared by all of them. Handlers must draw it per request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from functions.routes import AUTHORIZER, MAIL_EVENTS, ROUTES

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: every source of randomness raises, then every handler is imported.
# (No function imports boto3 any more, whose s3transfer imported multiprocessing, which draws its
# own authkey at import: tests/unit/test_no_boto3.py.)
PROBE = """
import json, os, random, secrets, sys
drawn = []
def refuse(name):
    def draw(*args, **kwargs):
        drawn.append(name)
        raise AssertionError(f"{name} called at import")
    return draw
os.urandom = refuse("os.urandom")
for name in ("token_bytes", "token_hex", "token_urlsafe", "randbelow", "randbits", "choice"):
    setattr(secrets, name, refuse(f"secrets.{name}"))
random.SystemRandom.random = refuse("SystemRandom.random")
random.SystemRandom.getrandbits = refuse("SystemRandom.getrandbits")
import uuid
uuid.uuid4 = refuse("uuid.uuid4")
failed = {}
for module in sys.argv[1:]:
    try:
        __import__(module)
    except BaseException as exc:
        failed[module] = repr(exc)
print(json.dumps({"drawn": drawn, "failed": failed}))
"""


def test_importing_a_handler_draws_no_randomness():
    modules = [route.module for route in (*ROUTES, AUTHORIZER, MAIL_EVENTS)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "layers" / "runtime" / "python")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"drawn": [], "failed": {}}
