"""What a function builds at init, so that a SnapStart snapshot holds it and the first request does
not pay it: the mailer and its SES client where the route sends mail, argon2 where it hashes a
password, the S3 client where it signs download links, email-validator where it accepts a new
address; and nowhere else (a heavy library loads
only in the functions that use it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from functions.routes import ROUTES, Access, Profile

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from portal import services
built = {}
for module in sys.argv[1:]:
    __import__(module)
    built[module] = {
        name: getattr(services, name).cache_info().currsize == 1
        for name in ("mailer", "password_hasher", "media_client")
    } | {"email_validator": "email_validator" in sys.modules}
    for name in [m for m in sys.modules if m == "email_validator" or m.startswith("email_validator.")]:
        del sys.modules[name]
    for value in vars(services).values():  # the next module starts cold
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()
print(json.dumps(built))
"""


def test_each_function_builds_at_init_what_its_requests_use_and_nothing_more():
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "layers" / "runtime" / "python")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *(r.module for r in ROUTES)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    built = json.loads(done.stdout.strip().splitlines()[-1])
    for route in ROUTES:
        # A function that builds the hasher gets the hashing memory profile, and only such a one
        # (account_verify checks the code's password: it was 256 MB, argon2 at 0.15 of a vCPU).
        hashes = route.profile is Profile.HASHING
        assert built[route.module] == {
            "mailer": Access.MAIL_SEND in route.access,
            "password_hasher": hashes,
            "media_client": Access.MEDIA_READ in route.access,
            "email_validator": route.module in ("account_register", "account_email_change"),
        }, route.module
