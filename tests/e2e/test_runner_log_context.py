"""The local runner under concurrent requests: every audit line carries its own request's Lambda
context (function name, request id), never another's (issue 19, item 8)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "Correct-Horse-Battery-9"
# Which function writes each event these requests produce.
WRITER = {"login_failed": "auth_login", "send_throttled": "password_forgot", "reset_requested": "password_forgot"}


def test_parallel_requests_log_their_own_context(runner):
    addresses = [f"context.{n}@example.org" for n in range(12)]
    jobs = [
        *((runner.post, "/v1/auth/login", {"email": a, "password": PASSWORD}) for a in addresses),
        *((runner.post, "/v1/password/forgot", {"email": a}) for a in addresses),
        *((runner.get, "/v1/videos", None) for _ in addresses),
    ]
    assert runner.get("/v1/videos").status_code == 200 and runner.printed("GET /v1/videos")  # the log is there
    before = len(runner.log.read_text().splitlines())
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda job: job[0](job[1], job[2]).status_code, jobs))
    # 503: on a loaded machine the emulation can answer slower than botocore's read timeout; such a
    # request may write its line or not, so lines are not counted exactly (what is proven is whose
    # context each line carries).
    assert set(statuses) <= {200, 202, 401, 429, 503}, statuses
    # The runner's output reaches the log file a moment after the answers: wait for the lines (the
    # loop ends as soon as all are there; the bound only stops a run that lost some).
    deadline = time.monotonic() + 60
    while True:
        new = runner.log.read_text().splitlines()[before:]
        audited = [json.loads(line) for line in new if line.startswith("{") and '"event"' in line]
        audited = [line for line in audited if line.get("event") in WRITER]
        if len(audited) >= len(addresses) * 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    # At least half of the 24 lines, written by requests running side by side: enough for a
    # logger shared between requests to show (without the fix, 16 of 24 named the wrong function).
    assert len(audited) >= len(addresses), len(audited)
    assert [
        (line["event"], line["function_name"]) for line in audited if line["function_name"] != WRITER[line["event"]]
    ] == []
    request_ids = [line["function_request_id"] for line in audited]
    assert len(set(request_ids)) == len(request_ids)  # each line its own request's id
    assert {line["requestId"] for line in audited} == set(request_ids)
