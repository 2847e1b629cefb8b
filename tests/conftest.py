"""Shared fixtures: a moto-backed AWS provisioned like the stack, and the route handlers on it.

Unit tests (tests/unit) run with the network blocked (pytest-socket); only tests marked
`enable_socket` (the end-to-end walks, the adversarial suite and the browser tests, all over the
local runner) may open sockets.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

# Before any portal import: the environment a deployed function has (dummy credentials).
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "POWERTOOLS_SERVICE_NAME": "portal",
    "POWERTOOLS_METRICS_NAMESPACE": "PortalTest",
    "PORTAL_STAGE": "test",
    "PORTAL_TABLE_NAME": "portal-test",
    "PORTAL_KEYS_SECRET_ID": "portal/test/keys",
    "PORTAL_SIGNING_KEYS_SECRET_ID": "portal/test/signing-keys",
    "PORTAL_MAIL_SENDER": "NATO Multimedia <no-reply@multimedia.test>",
    "PORTAL_CORS_ORIGINS": "https://portal.test",
    "PORTAL_PASSKEY_RP_ID": "portal.test",
    "PORTAL_PASSKEY_ORIGINS": "https://portal.test",
    "PORTAL_MEDIA_BUCKET": "portal-test-media",
    "PORTAL_PUBLIC_API_URL": "https://api.portal.test",
}
MAIL_DOMAIN = "multimedia.test"
os.environ.update(TEST_ENV)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

import urllib3.util.connection  # noqa: E402,F401  probes IPv6 with a socket at import: do it before sockets are blocked

from tests.local_runner import ROOT, LocalRunner, start_runner  # noqa: E402
from tests.support import Api, AuditLog, Aws  # noqa: E402


def reset_runtime() -> None:
    """Forget every cached client and service: the next use builds them anew, as on a cold start."""
    from portal import services

    for value in vars(services).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


@contextmanager
def fresh_aws() -> Iterator[Aws]:
    """A new, empty moto-backed AWS provisioned like the stack, and cold runtime caches."""
    from moto import mock_aws

    from local.emulation import make_requests_atomic, provision
    from portal.settings import Settings

    make_requests_atomic()
    with mock_aws():
        import boto3

        reset_runtime()
        provision(boto3.client, Settings.from_env(), MAIL_DOMAIN)
        yield Aws()
    reset_runtime()


def load_handlers() -> dict[str, Any]:
    """Every route's handler (and the authorizer's), freshly imported: a cold start of each function."""
    from functions.routes import AUTHORIZER, ROUTES

    handlers = {}
    for route in (*ROUTES, AUTHORIZER):
        name = f"functions.{route.module}"
        module = importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)
        handlers[route.module] = module.handler
    return handlers


@pytest.fixture
def aws() -> Iterator[Aws]:
    with fresh_aws() as aws:
        yield aws


@pytest.fixture
def api(aws: Aws) -> Api:
    """Every route's handler, freshly imported inside the mock (a cold start per test)."""
    return Api(load_handlers(), aws)


@pytest.fixture
def audit_log() -> Iterator[AuditLog]:
    """The JSON lines the functions write, exactly as CloudWatch would receive them."""
    from portal.audit import logger

    log = AuditLog()
    handler = logging.StreamHandler(log.buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield log
    logger.removeHandler(handler)


@pytest.fixture(scope="session", autouse=True)
def no_secrets_in_logs() -> Iterator[None]:
    """Capture every line the functions log in this session; none may hold a secret or an address."""
    from portal.audit import logger
    from tests import secrets_watch

    handler = logging.StreamHandler(secrets_watch.log)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    lines = secrets_watch.log.getvalue().splitlines()
    runner_log = ROOT / "test-artifacts" / "local-runner.log"
    if runner_log.exists():
        lines += [line for line in runner_log.read_text().splitlines() if line.startswith("{")]
    leaked = secrets_watch.leaks(lines)
    assert not leaked, f"{len(leaked)} log lines hold a secret or a whole address: {leaked[:5]}"


@pytest.fixture(scope="session")
def runner() -> Iterator[LocalRunner]:
    """`python -m local` on a free port, for the whole session."""
    yield from start_runner()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "/e2e/" in path or "/adversarial/" in path or "/browser/" in path:
            item.add_marker(pytest.mark.enable_socket)
        if "/e2e/" in path:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def audit_lines() -> Iterator[Any]:
    from tests.videos_support import AuditLines

    lines = AuditLines()
    yield lines
    lines.close()
