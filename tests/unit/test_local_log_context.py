"""The local runner serves requests in parallel threads: each request's log lines carry its own
Lambda context and request id, never another request's (issue 19, item 8)."""

from __future__ import annotations

import io
import json
import logging
import threading

from aws_lambda_powertools import Logger

from local.server import per_request_log_context


def _two_requests_at_once(logger: Logger) -> list[dict]:
    """Two threads each set their request's keys (what inject_lambda_context and web.py do), then
    both log: without per-thread keys, the second thread's keys are on both lines."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    both_set = threading.Barrier(2)

    def request(function_name: str, request_id: str) -> None:
        logger.append_keys(function_name=function_name, requestId=request_id)
        both_set.wait()
        logger.info(function_name, extra={"event": function_name})

    threads = [
        threading.Thread(target=request, args=("auth_login", "request-1")),
        threading.Thread(target=request, args=("videos_list", "request-2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logger.removeHandler(handler)
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_without_it_parallel_requests_mix_their_keys():
    lines = _two_requests_at_once(Logger(service="portal", logger_name="shared-keys"))
    assert {line["function_name"] for line in lines} == {"videos_list"} or {
        line["function_name"] for line in lines
    } == {"auth_login"}


def test_with_per_request_context_each_line_carries_its_own_request():
    logger = Logger(service="portal", logger_name="per-request-keys")
    logger.append_keys(stage="test")  # set before serving: every request keeps it
    per_request_log_context(logger)
    lines = _two_requests_at_once(logger)
    assert sorted((line["message"], line["function_name"], line["requestId"]) for line in lines) == [
        ("auth_login", "auth_login", "request-1"),
        ("videos_list", "videos_list", "request-2"),
    ]
    assert {line["stage"] for line in lines} == {"test"} and {line["service"] for line in lines} == {"portal"}
    per_request_log_context(logger)  # a second call changes nothing
    assert len(_two_requests_at_once(logger)) == 2


def test_the_local_runner_gives_the_portal_logger_per_request_keys():
    from local.server import LocalApi
    from portal.audit import logger

    formatter = logger.registered_formatter
    original = type(formatter)

    class Emulation:
        def settings(self):
            from portal.settings import Settings

            return Settings.from_env()

    try:
        LocalApi(Emulation())  # type: ignore[arg-type]
        assert getattr(type(formatter), "per_thread", False)
    finally:
        keys = dict(formatter.log_format)
        formatter.__class__ = original
        formatter.log_format = keys
