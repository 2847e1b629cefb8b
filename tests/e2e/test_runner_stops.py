"""`make run` stops cleanly: Ctrl-C (SIGINT) or SIGTERM, while it starts or while it serves, ends
with "Stopped." and exit status 0, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.local_runner import ROOT


def start() -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_", "POWERTOOLS_"))}
    env["PORT"] = "0"
    return subprocess.Popen(
        [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def read_until(process: subprocess.Popen[str], text: str) -> str:
    seen = ""
    while line := process.stdout.readline():
        seen += line
        if text in line:
            return seen
    pytest.fail(f"the runner ended before printing {text!r}: {seen}")


@pytest.mark.parametrize(
    ("when", "signum"),
    [
        ("Starting the AWS emulation", signal.SIGINT),
        ("Starting the AWS emulation", signal.SIGTERM),
        ("Ctrl-C stops", signal.SIGINT),
        ("Ctrl-C stops", signal.SIGTERM),
    ],
)
def test_a_signal_stops_the_runner_without_a_traceback(when, signum):
    process = start()
    try:
        printed = read_until(process, when)
        process.send_signal(signum)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = printed + rest
    assert "Traceback" not in output, output
    assert output.rstrip().endswith("Stopped."), output
    assert process.returncode == 0
