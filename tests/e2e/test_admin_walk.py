"""`portal-admin` as an operator runs it, against the local runner's embedded emulation.

Sign up and verify over HTTP, then find, disable (login refused), enable (login works again)
and export with the console script in a subprocess, as `--stage dev --endpoint-url <emulation>`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EMAIL = "admin.walk@example.org"
PASSWORD = "Correct-Horse-Battery-9"
SCRIPT = Path(sys.executable).with_name("portal-admin")


def admin(runner, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_"))}
    env.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    command = [str(SCRIPT), "--endpoint-url", runner.aws_endpoint, "--region", "eu-west-1", "--stage", "dev", *argv]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_an_operator_walk_against_the_local_runner(runner):
    assert runner.aws_endpoint, "the runner did not print its emulation's endpoint"
    assert runner.post("/v1/account/register", {"email": EMAIL, "password": PASSWORD}).status_code == 202
    assert runner.post("/v1/account/verify", {"email": EMAIL, "code": runner.code_for(EMAIL)}).status_code == 200

    found = admin(runner, "--json", "find", "--email", EMAIL)
    assert found.returncode == 0, found.stderr
    sub = json.loads(found.stdout)["sub"]

    disabled = admin(runner, "disable", "--sub", sub, "--reason", "e2e walk", "--yes")
    assert disabled.returncode == 0, disabled.stderr
    assert '"event":"admin_action"' in disabled.stderr and '"action":"disable"' in disabled.stderr
    assert '"service":"portal-admin"' in disabled.stderr  # not Powertools' "service_undefined"
    assert runner.post("/v1/auth/login", {"email": EMAIL, "password": PASSWORD}).status_code == 401

    assert admin(runner, "enable", "--sub", sub, "--reason", "e2e walk").returncode == 0
    assert runner.post("/v1/auth/login", {"email": EMAIL, "password": PASSWORD}).status_code == 200

    exported = admin(runner, "export", "--email", EMAIL, "--reason", "e2e walk")
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["profile"]["sub"] == sub and document["profile"]["enabled"] is True
    assert len(document["sessions"]) == 1

    listed = admin(runner, "--json", "list", "--status", "CONFIRMED")
    assert sub in [u["sub"] for u in json.loads(listed.stdout)["users"]]

    listing = admin(runner, "audit", "--list")  # no AWS call: the names come with the tool
    assert listing.returncode == 0 and "failed-logins-by-account" in listing.stdout
